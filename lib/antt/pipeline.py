"""``antt report``: ingest, data-quality report, notebooks, charts, deck and summary workbook of a cycle.

Everything of a cycle is built in a temporary folder beside ``reports/<cycle>/`` and swapped in at
the end, so an interrupted run leaves the previous report whole. The notebooks run in kernels of
their own, one per core at a time, while this process draws the charts, the deck and the workbook.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from . import config
from .atomic import atomic_dir
from .ingest import ingest


def notebooks() -> list[Path]:
    return sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def _kernel_manager(socket_dir: str):
    """Kernels talk over IPC sockets in ``socket_dir`` (local, no TCP port, no unencrypted-TCP warning)."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return os.path.join(socket_dir, "kernel")

    return IpcKernelManager


def run_notebook(source: Path, out_dir: Path, cycle: str, socket_dir: str) -> Path:
    """Execute one notebook for ``cycle`` with papermill into ``out_dir`` (.ipynb and .html).

    Safe in threads: the kernel starts in the notebooks' folder (nbclient's ``resources`` path)
    instead of papermill's ``cwd``, which changes the working folder of the whole process; each
    kernel needs a ``socket_dir`` of its own."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    target = out_dir / source.name
    papermill.execute_notebook(str(source), str(target), parameters={"cycle": cycle}, kernel_name="python3",
                               progress_bar=False, resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}},
                               kernel_manager_class=_kernel_manager(socket_dir))
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(target, as_version=4))
    target.with_suffix(".html").write_text(html, encoding="utf-8")
    return target


def run_report(cycle: str | None = None, scope: str | None = None, progress: bool = True) -> Path:
    """Build ``reports/<cycle>/`` (default: the latest cycle under data/raw) and return its path."""
    from .analysis import open_cycle
    from .export import export_deck, export_workbook, save_charts
    from .quality import write_quality_report

    scope = scope or config.PROVINCE_CODE
    books = notebooks()
    steps = ["ingest", "quality", *[b.stem for b in books], "charts", "deck", "workbook"]
    bar = tqdm(total=len(steps), desc="antt report", unit="bước", disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)

    step("ingest")
    ingest(config.RAW_DIR, config.PROCESSED_DIR, scope=scope)
    bar.update()
    view = open_cycle(cycle)
    final = config.REPORTS_DIR / view.cycle.id
    with atomic_dir(final) as out:
        step("quality")
        write_quality_report(view, out)
        bar.update()
        (out / "notebooks").mkdir()
        with tempfile.TemporaryDirectory(prefix="antt-kernels-") as sockets, \
                ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            runs = []
            for i, book in enumerate(books):
                sockets_of_book = os.path.join(sockets, str(i))      # short: a socket's path has ~100 bytes
                os.mkdir(sockets_of_book)
                runs.append(pool.submit(run_notebook, book, out / "notebooks", view.cycle.id, sockets_of_book))
                runs[-1].add_done_callback(lambda _: bar.update())
            try:
                step("charts")
                save_charts(view, out / "charts")
                bar.update()
                step("deck")
                export_deck(view, out / f"bao_cao_{view.cycle.id}.pptx", out / "charts")
                bar.update()
                step("workbook")
                export_workbook(view, out / f"tong_hop_{view.cycle.id}.xlsx")
                bar.update()
                step("notebooks")
                for run in runs:
                    run.result()             # a notebook's error is the report's
            except BaseException:
                for run in runs:
                    run.cancel()             # the notebooks not started yet; the running ones end
                raise
    bar.close()
    return final
