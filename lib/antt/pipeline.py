"""``antt report``: ingest, data-quality report, notebooks, charts, deck, summary workbook and written
report of a cycle.

Everything of a cycle is built in a temporary folder beside ``reports/<cycle>/`` and swapped in at
the end, so an interrupted run leaves the previous report whole. The notebooks run in worker
processes (``antt.notebook_runs``), one per core, while this process draws the charts, the deck, the
workbook and the written report; the workers start their kernels while this process ingests.
"""

from __future__ import annotations

import json
from pathlib import Path

from tqdm import tqdm

from antt.core import config
from antt.core.atomic import atomic_dir
from antt.read.quiet import quiet_stderr
from antt.store.ingest import ingest
from antt.notebook_runs import notebook_pool, start_notebooks, warm_kernels


def notebooks() -> list[Path]:
    """The report's notebooks: those whose first cell is the parameters cell (01–07). The
    exploration notebook (08_kham_pha) asks its own questions of named cycles and has none."""
    return [p for p in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
            if "parameters" in json.loads(p.read_text(encoding="utf-8"))["cells"][0]["metadata"].get("tags", [])]


def run_report(cycle: str | None = None, scope: str | None = None, progress: bool = True) -> Path:
    """Build ``reports/<cycle>/`` (default: the latest cycle under data/raw) and return its path."""
    from antt.analyse.view import open_cycle
    from antt.publish.chart_files import save_charts
    from antt.publish.deck import export_deck
    from antt.publish.quality import write_quality_report
    from antt.publish.summary_workbook import export_workbook
    from antt.publish.written_report import export_written_report

    scope = scope or config.PROVINCE_CODE
    books = notebooks()
    steps = ["ingest", "quality", *[b.stem for b in books], "charts", "deck", "workbook", "written_report"]
    bar = tqdm(total=len(steps), desc="antt report", unit="bước", disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)

    with notebook_pool() as pool:
        warm_kernels(pool)                   # the kernels start and import while this process ingests
        step("ingest")
        with quiet_stderr():                 # what a reader's panic prints (it is a finding)
            ingest(config.RAW_DIR, config.PROCESSED_DIR, scope=scope)
        bar.update()
        view = open_cycle(cycle, scope=scope)
        final = config.REPORTS_DIR / view.cycle.id
        with atomic_dir(final) as out:
            (out / "notebooks").mkdir()
            runs = start_notebooks(pool, books, out / "notebooks", view.cycle.id, scope)
            for run in runs:
                run.add_done_callback(lambda _: bar.update())
            try:
                step("quality")
                write_quality_report(view, out)
                bar.update()
                step("charts")
                save_charts(view, out / "charts")
                bar.update()
                step("deck")
                export_deck(view, out, out / "charts")
                bar.update()
                step("workbook")
                export_workbook(view, out)
                bar.update()
                step("written_report")
                export_written_report(view, out)
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
