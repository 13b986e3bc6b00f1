"""One notebook executed for a cycle with papermill, in a worker process of ``antt.notebook_runs``.

The kernel talks over IPC sockets in a folder of its own (no TCP port, no unencrypted-TCP warning)
and writes its log to a file there; a failed notebook raises ``NotebookFailed`` with the error of
the cell and the end of that log. Imported only by the workers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError
from traitlets import Unicode, default


class NotebookFailed(RuntimeError):
    """A notebook of the report did not run to the end (a plain exception: it crosses processes)."""


class QuietKernelManager(AsyncKernelManager):
    """A kernel on IPC sockets under ``socket_dir`` whose stdout and stderr go to ``log_path``."""

    socket_dir = Unicode()
    log_path = Unicode()

    @default("transport")
    def _default_transport(self):
        return "ipc"

    @default("ip")
    def _default_ip(self):
        return os.path.join(self.socket_dir, "kernel")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        with open(self.log_path, "ab") as log:
            kw["stdout"] = kw["stderr"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)


def execute(source: str, out_dir: str, cycle: str, scope: str, cwd: str) -> str:
    """Run ``source`` with ``cycle`` and ``province`` (the scope) injected into ``out_dir`` (.ipynb
    and .html); the kernel starts in ``cwd``. Returns the executed notebook's path."""
    target = Path(out_dir) / Path(source).name
    with tempfile.TemporaryDirectory(prefix="antt-kernel-") as sockets:   # short: a socket path holds ~100 bytes
        log = os.path.join(sockets, "kernel.log")

        class Manager(QuietKernelManager):
            @default("socket_dir")
            def _socket_dir(self):
                return sockets

            @default("log_path")
            def _log_path(self):
                return log

        try:
            papermill.execute_notebook(source, str(target), parameters={"cycle": cycle, "province": scope},
                                       kernel_name="python3",
                                       progress_bar=False, cwd=cwd, kernel_manager_class=Manager)
        except PapermillExecutionError as e:
            raise NotebookFailed(f"{Path(source).name}: {e.ename}: {e.evalue}") from None
        except Exception as e:
            raise NotebookFailed(f"{Path(source).name}: {type(e).__name__}: {e}{_tail(log)}") from None
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(target, as_version=4))
    target.with_suffix(".html").write_text(html, encoding="utf-8")
    return str(target)


def _tail(log: str, lines: int = 15) -> str:
    try:
        text = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    except FileNotFoundError:
        return ""
    return "\n" + "\n".join(text) if text else ""
