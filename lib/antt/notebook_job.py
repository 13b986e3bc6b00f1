"""One notebook executed for a cycle with papermill, in a worker process of ``antt.notebook_runs``.

The kernel talks over IPC sockets in a folder of its own (no TCP port, no unencrypted-TCP warning)
and writes its log to a file there; a failed notebook raises ``NotebookFailed`` with the error of
the cell and the end of that log. Imported only by the workers.

The executed notebook is also written as a page to read (``export_html``): its outputs only (no
code, no prompts, no parameters cell) and nothing fetched from the internet, so that it opens on
an intranet: JupyterLab's template with its require.js, MathJax, mermaid and widget-loader scripts
(all from a CDN) left out through the template's own blocks.

A worker keeps its kernel for the next notebook: starting a kernel and importing pandas, matplotlib
and antt in it cost about 2 s of CPU a notebook, a third of the report's notebooks. Before each
notebook the kernel's namespace is emptied (``%reset -f``), so a notebook sees only its own
variables, as in a fresh kernel; a kernel whose notebook failed is shut down, the next one starts
afresh. The kernel ends with its worker.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import papermill
from jinja2 import DictLoader
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
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


class _Kernel:
    """The worker's kernel, its sockets and log in a folder of its own (short: a socket path holds ~100 bytes)."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self.folder = tempfile.mkdtemp(prefix="antt-kernel-")
        self.log = os.path.join(self.folder, "kernel.log")
        folder, log = self.folder, self.log

        class Manager(QuietKernelManager):
            @default("socket_dir")
            def _socket_dir(self):
                return folder

            @default("log_path")
            def _log_path(self):
                return log

        self.km = Manager(kernel_name="python3")

    def run(self, code: str) -> None:
        """Run ``code`` in the kernel (started now if need be), its output dropped."""
        if not self.km.has_kernel:
            asyncio.run(self.km.start_kernel(cwd=self.cwd))
        kc = self.km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            kc.execute_interactive(code, timeout=60, output_hook=lambda _msg: None)
        finally:
            kc.stop_channels()

    def reset(self) -> None:
        """Empty the namespace a previous notebook left (nothing to do in a kernel not started yet)."""
        if self.km.has_kernel:
            self.run("%reset -f")

    def close(self) -> None:
        if self.km.has_kernel:
            asyncio.run(self.km.shutdown_kernel(now=True))
        shutil.rmtree(self.folder, ignore_errors=True)


_kernel: _Kernel | None = None


def _close_kernel() -> None:
    global _kernel
    if _kernel is not None:
        _kernel.close()
        _kernel = None


atexit.register(_close_kernel)

#: What every notebook imports (its second cell), imported by ``warm`` before the first notebook.
NOTEBOOK_IMPORTS = "import pandas\nfrom antt.publish import figures\nfrom antt.analyse import changes, notebook, tables, view"


def _worker_kernel(cwd: str) -> _Kernel:
    """The worker's kernel, running in ``cwd`` (a kernel started elsewhere is replaced)."""
    global _kernel
    if _kernel is not None and _kernel.cwd != cwd:
        _close_kernel()
    if _kernel is None:
        _kernel = _Kernel(cwd)
    return _kernel


def warm(cwd: str) -> None:
    """Start the worker's kernel in ``cwd`` and import the notebooks' modules in it."""
    kernel = _worker_kernel(cwd)
    if not kernel.km.has_kernel:
        kernel.run(NOTEBOOK_IMPORTS)


def execute(source: str, out_dir: str, cycle: str, scope: str, cwd: str) -> str:
    """Run ``source`` with ``cycle`` and ``province`` (the scope) injected into ``out_dir`` (.ipynb
    and .html), in the worker's kernel, which runs in ``cwd`` (a kernel started elsewhere is
    replaced). Returns the executed notebook's path."""
    target = Path(out_dir) / Path(source).name
    kernel = _worker_kernel(cwd)
    try:
        kernel.reset()
        papermill.execute_notebook(source, str(target), parameters={"cycle": cycle, "province": scope},
                                   kernel_name="python3", progress_bar=False, cwd=cwd, km=kernel.km)
    except PapermillExecutionError as e:
        _close_kernel()
        raise NotebookFailed(f"{Path(source).name}: {e.ename}: {e.evalue}") from None
    except Exception as e:
        tail = _tail(kernel.log)
        _close_kernel()
        raise NotebookFailed(f"{Path(source).name}: {type(e).__name__}: {e}{tail}") from None
    export_html(target)
    return str(target)


#: JupyterLab's page without the scripts it would fetch from a CDN (require.js, MathJax, mermaid,
#: the widgets' loader); the notebooks show tables, charts and text, none of which needs them.
_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(notebook: Path | str) -> Path:
    """``notebook`` as a page beside it (.html): outputs only, the parameters cells (tagged
    "parameters" and papermill's "injected-parameters") left out, nothing fetched from the internet
    (an interactive widget shows nothing there: it needs JupyterLab)."""
    notebook = Path(notebook)
    exporter = HTMLExporter(template_name="lab", template_file="antt_offline.html.j2",
                            extra_loaders=[DictLoader({"antt_offline.html.j2": _OFFLINE_TEMPLATE})],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters"}),
                                   enabled=True)
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.pop("widgets", None)          # the state of widgets no page here can draw (no loader)
    html, _ = exporter.from_notebook_node(nb)
    page = notebook.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    return page


def _tail(log: str, lines: int = 15) -> str:
    try:
        text = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    except FileNotFoundError:
        return ""
    return "\n" + "\n".join(text) if text else ""
