"""The analysis notebooks on the committed sample returns: each runs for two cycles, shows the published
figures, and stops with its own assertion when a processed cycle is corrupted.

Notebooks read ``config.PROCESSED_DIR``, anchored at ``ANTT_ROOT``; the kernel papermill starts inherits
this process's environment, so each run points ``ANTT_ROOT`` at a temporary project tree (``data/processed``
ingested from ``data/raw``, ``data/reference`` copied) and never touches the repository's data.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from antt.core import config
from antt.analyse import changes, report_frames, tables
from antt.analyse.view import open_cycle
from antt.pipeline import notebooks
from tests import published

ALL_NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS = notebooks()             # the report's: 01–07, with a parameters cell (08 explores: test_explore)

PUBLISHED_2023_H1, AT_LEAST_2023_H1 = published.EXACT, published.MORE_THAN


def execute(notebook: Path, cycle: str, root: Path, out_dir: Path, monkeypatch,
            province: str | None = "70") -> nbformat.NotebookNode:
    """Run ``notebook`` for ``cycle`` over ``province`` (default: Bình Phước, whose figures were published)
    with papermill in a kernel whose ANTT_ROOT is ``root``."""
    monkeypatch.setenv("ANTT_ROOT", str(root))
    out = out_dir / f"{cycle}-{notebook.name}"
    return papermill.execute_notebook(str(notebook), str(out), parameters={"cycle": cycle, "province": province},
                                      kernel_name="python3", progress_bar=False, cwd=str(config.NOTEBOOKS_DIR))


def outputs(nb: nbformat.NotebookNode, source: str) -> str:
    """Everything the cells whose source contains ``source`` displayed (HTML, Markdown, text)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and source in cell.source:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                found.append(data.get("text/html") or data.get("text/markdown") or data.get("text/plain", ""))
    return "\n".join(found)


# --- the notebooks as committed --------------------------------------------------------------------

def test_the_seven_notebooks_are_committed_without_outputs_with_a_parameters_cell_first():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]
    assert [p.name for p in ALL_NOTEBOOKS] == [p.name for p in NOTEBOOKS] + ["08_kham_pha.ipynb"]
    for path in ALL_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path.name
        assert not any(re.search(r"^\s*(def|class|for|while)\b", c.source, re.MULTILINE) for c in code), path.name
        assert not any("data/raw" in c.source or "read_excel" in c.source for c in code), path.name
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "code" and first.metadata.get("tags") == ["parameters"], path.name
        assert "cycle = None" in first.source and "province = None" in first.source, path.name
        setup = nb.cells[2].source                        # the setup is one call, not code on screen
        assert "view = setup(cycle, province)" in setup and len(setup.splitlines()) <= 8, path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(c.source.lstrip().startswith("assert") or "\nassert" in c.source for c in code), path.name


# Bình Phước's districts before the reform; Đồng Nai (both former provinces) in a district-level cycle;
# Đồng Nai's 95 communes after the reform (the configured province).
@pytest.mark.parametrize("cycle, province", [("2023-H1", "70"), ("2022", "75"), ("2026-H1", None)])
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_for_a_cycle(notebook, cycle, province, sample_root, tmp_path, monkeypatch):
    nb = execute(notebook, cycle, sample_root, tmp_path, monkeypatch, province)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert nb.cells[1].metadata.get("tags") == ["injected-parameters"]
    assert f'cycle = "{cycle}"' in nb.cells[1].source
    charts = [o for c in nb.cells if "figures.draw(" in c.get("source", "") for o in c.get("outputs", [])]
    assert all("image/png" in o.get("data", {}) for o in charts), "a chart did not display as a picture"


def test_the_summary_notebook_shows_the_published_figures(sample_root, tmp_path, monkeypatch):
    nb = execute(config.NOTEBOOKS_DIR / "07_tong_hop.ipynb", "2023-H1", sample_root, tmp_path, monkeypatch)
    shown = outputs(nb, "tables.headline_table(view)")
    for figure in ["843", "68", "86", "327", "48", "111", "2.126", "89", "2.165", "59", "190", "615", "4.052",
                   "100,0 %", "79,1 %", "11/11"]:
        assert f">{figure}<" in shown, figure
    assert "6 tháng đầu năm 2023" in outputs(nb, "setup(cycle, province)")


# --- the notebooks' assertions catch wrong data ------------------------------------------------------

def corrupt_duplicate_row(cycle_dir: Path) -> None:
    kdc = pd.read_parquet(cycle_dir / "kdc.parquet")
    pd.concat([kdc, kdc.iloc[[0]]], ignore_index=True).to_parquet(cycle_dir / "kdc.parquet", index=False)


def corrupt_district_value(cycle_dir: Path) -> None:
    d = pd.read_parquet(cycle_dir / "units.parquet")
    d.loc[0, "kdc_meeting"] -= 5
    d.to_parquet(cycle_dir / "units.parquet", index=False)


def corrupt_share_over_100(cycle_dir: Path) -> None:
    """A commune with more residential areas meeting the standard than it has, its district agreeing."""
    kdc, d = pd.read_parquet(cycle_dir / "kdc.parquet"), pd.read_parquet(cycle_dir / "units.parquet")
    kdc.loc[0, "kdc_meeting"] = kdc.loc[0, "kdc_total"] + 3
    d.loc[d["unit_code"] == kdc.loc[0, "unit_code"], "kdc_meeting"] += 3
    kdc.to_parquet(cycle_dir / "kdc.parquet", index=False)
    d.to_parquet(cycle_dir / "units.parquet", index=False)


@pytest.mark.parametrize("corrupt, message", [
    (corrupt_duplicate_row, "Biểu 1: mỗi xã, phường, thị trấn chỉ có một dòng"),
    (corrupt_district_value, "số của đơn vị khác tổng các xã của đơn vị"),
    (corrupt_share_over_100, "tỷ lệ KDC đạt chuẩn của đơn vị nằm trong 0–100 %"),
], ids=["commune_twice", "district_disagrees_with_communes", "share_above_100"])
def test_residential_areas_notebook_stops_on_corrupted_data(corrupt, message, sample_root, tmp_path, monkeypatch):
    root = tmp_path / "root"
    shutil.copytree(sample_root / "data", root / "data")
    corrupt(root / "data" / "processed" / "2023-H1")
    with pytest.raises(PapermillExecutionError) as failure:
        execute(config.NOTEBOOKS_DIR / "02_khu_dan_cu.ipynb", "2023-H1", root, tmp_path, monkeypatch)
    assert failure.value.ename == "AssertionError"
    assert message in failure.value.evalue


# --- tables on the sample (figures checked by hand from the returns and the article) -------------------

def test_headline_2023_h1_equals_the_published_figures(processed):
    h = tables.headline(open_cycle("2023-H1", processed, "70"))
    for key, value in PUBLISHED_2023_H1.items():
        assert h.at[key, "value"] == value, key
    for key, low in AT_LEAST_2023_H1.items():
        assert h.at[key, "value"] > low, key
    assert h.at["kdc_meeting_share", "value"] == 1.0 and h.at["kdc_meeting_share", "target"] == 0.95
    assert h.at["ntm_share", "value"] == pytest.approx(68 / 86)
    assert set(h["coverage"]) == {11} and set(h["expected"]) == {11}


def test_province_rows_equal_the_province_totals(processed):
    view = open_cycle("2023-H1", processed, "70")
    shown = tables.unit_table(view, ["kdc_total", "kdc_meeting", "kdc_meeting_share", "cameras_per_kdc"],
                                  target="kdc_meeting_share").data
    total = shown.iloc[-1]
    assert total["unit_name"] == "Toàn tỉnh" and len(shown) == 12
    assert total["kdc_total"] == 843 and total["kdc_meeting_share"] == 1.0
    assert total["cameras_per_kdc"] == pytest.approx(view.province["cameras"] / 843)


def test_districts_below_target_2022_h1(processed):
    below = report_frames.below_target(open_cycle("2022-H1", processed, "70"))
    # Every district but Chơn Thành (84/88 = 95,5 %) is below 95 %; Bù Đăng 92/106 needs 101: 9 more.
    assert len(below) == 10 and "Chơn Thành" not in set(below["unit_name"])
    assert below["unit_code"].tolist() == ["688", "689", "690", "691", "692", "693", "694", "695", "696", "698"]
    assert below.set_index("unit_name").at["Bù Đăng", "needed"] == 9


def test_new_rural_2023_h1(processed):
    view = open_cycle("2023-H1", processed, "70")
    near = tables.ntm_near(view)
    assert len(near) == 5 and set(near["criteria_short"]) == {1, 2}          # 2 xã at 18, 3 at 17
    by_year = tables.recognitions_by_year(view)
    assert by_year["recognised"].sum() == 68 and by_year["year"].tolist() == list(range(2012, 2024))
    p = tables.ntm_projection(view, years=3)
    # 2020–2022: 8 + 8 + 5 = 21 xã, 7 a year; 18 left: 2,6 years after June 2023, so 2026.
    assert (p.first_year, p.last_year, p.recognised, p.remaining) == (2020, 2022, 21, 18)
    assert math.isclose(p.years_needed, 18 / 7) and p.year == 2026
    assert "năm 2026" in p.text and "7,0 xã" in p.text
    security = tables.security_criterion(view)
    assert security["ntm_communes"].sum() == 86 and security["security_met"].sum() == 73


def test_models_and_communes_without_a_residential_model(processed):
    assert len(tables.communes_without_residential_model(open_cycle("2023-H1", processed, "70"))) == 0
    # 2022-H1: 109 of the 111 communes have a model in a residential area.
    assert len(tables.communes_without_residential_model(open_cycle("2022-H1", processed, "70"))) == 2
    by_setting = tables.models_by_setting(open_cycle("2023-H1", processed, "70"))
    assert by_setting.iloc[-1][["residential", "institutional", "models_total"]].tolist() == [327, 48, 375]


def test_outreach_and_bright_spots_2023_h1(processed):
    view = open_cycle("2023-H1", processed, "70")
    o = tables.outreach_per_kdc(view)
    assert o["broadcast_hours"].sum() == 89 and o["banners_posters"].sum() == 2165
    spots = tables.bright_spots_per_commune(view)
    assert spots["communes"].sum() == 111 and spots["bright_spots"].sum() == 59 + 190
    total = tables.province_row(spots, ["members_per_group", "core_groups_per_commune"]).iloc[0]
    assert total["members_per_group"] == pytest.approx(4052 / 615)
    assert total["core_groups_per_commune"] == pytest.approx(615 / 111)


def test_cycle_comparison_changes(processed):
    view = open_cycle("2023-H1", processed, "70")
    c = changes.cycle_comparison(view)
    assert c.at["kdc_meeting", "2023-H1"] == 843 and c.at["kdc_meeting", "Δ 2023-H1"] == 843 - 811
    # A flow compares with the previous cycle of the same kind: 2023-H1 with 2022-H1, and 2022 with none.
    assert c.at["broadcast_hours", "Δ 2023-H1"] == 89 - 84 and pd.isna(c.at["broadcast_hours", "Δ 2022"])
    # Bù Đăng wrote "chưa có số liệu" for its members in 2022: the change leaves Bù Đăng out of both cycles.
    bu_dang = view.units.set_index("unit_name").at["Bù Đăng", "core_group_members"]
    assert c.at["core_group_members", "common 2023-H1"] == 10
    assert c.at["core_group_members", "Δ 2023-H1"] == 4052 - bu_dang - c.at["core_group_members", "prev 2023-H1"]


def test_data_check_tables_2022_h1(processed):
    view = open_cycle("2022-H1", processed, "70")
    rates = tables.reporting_rates(view).set_index("table")
    assert rates.at["bright_spots", "received"] == 10 and rates.at["bright_spots", "missing"] == 1
    summary = tables.findings_summary(view).set_index("unit_name")
    assert summary.loc["Toàn tỉnh"].tolist() == [0, 3, 3]
    listed = tables.findings_list(view)
    assert len(listed) == 3 and "2022-H1/DONG PHU - BC SO KET 6 THANG 2022.xlsx › BIEU 4 › C14" in set(listed["where"])
    for table in ("kdc", "ntm", "models", "outreach", "bright_spots"):
        assert tables.row_sum_mismatches(view, table).empty, table


# --- how `antt report` runs them --------------------------------------------------------------------

def tiny_notebook(folder: Path) -> Path:
    """A notebook with the parameters cell of ours that prints the kernel's working folder and the cycle."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell("cycle = None\nprovince = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nprint(os.getcwd(), cycle)")]
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{folder.name}.ipynb")
    return folder / f"{folder.name}.ipynb"


def test_report_runs_notebooks_side_by_side_in_the_notebooks_folder(tmp_path, monkeypatch):
    """Two notebooks at once: each kernel starts in the notebooks' folder, this process stays in its
    own working folder, each executed copy has its .html beside it."""
    from antt.notebook_runs import notebook_pool, start_notebooks

    books = [tiny_notebook(tmp_path / name) for name in ("a", "b")]
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    with notebook_pool(2) as pool:
        done = [run.result() for run in start_notebooks(pool, books, tmp_path / "out", "2023-H1", "70")]
    assert Path.cwd() == tmp_path
    for target in map(Path, done):
        printed = nbformat.read(target, as_version=4).cells[-1].outputs[0]["text"].split()
        assert printed == [str(config.NOTEBOOKS_DIR), "2023-H1"]
        assert target.with_suffix(".html").is_file()


def test_a_worker_keeps_its_kernel_and_each_notebook_starts_with_an_empty_namespace(tmp_path):
    """One worker, three notebooks: the same kernel (its process id) runs them, a variable the first
    one set is gone for the second, and a notebook that fails leaves the next a fresh kernel."""
    from antt.notebook_runs import notebook_pool, start_notebooks

    def book(name: str, code: str) -> Path:
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                               "display_name": "Python 3"}})
        nb.cells = [nbformat.v4.new_code_cell("cycle = None\nprovince = None", metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell(code)]
        (tmp_path / name).mkdir()
        nbformat.write(nb, tmp_path / name / f"{name}.ipynb")
        return tmp_path / name / f"{name}.ipynb"

    show = "import os\nprint(os.getpid(), 'leak' in dir())"
    books = [book("a", "leak = 1\n" + show), book("b", show), book("c", "raise ValueError('hỏng')"), book("d", show)]
    (tmp_path / "out").mkdir()
    with notebook_pool(1) as pool:
        runs = start_notebooks(pool, books, tmp_path / "out", "2023-H1", "70")
        with pytest.raises(Exception, match="c.ipynb: ValueError: hỏng"):
            runs[2].result()
        printed = [nbformat.read(runs[i].result(), as_version=4).cells[-1].outputs[0]["text"].split()
                   for i in (0, 1, 3)]
    assert [p[1] for p in printed] == ["True", "False", "False"]
    assert printed[0][0] == printed[1][0] != printed[2][0]


def test_warmed_kernel_has_the_notebooks_modules_but_not_their_names(tmp_path):
    """``warm_kernels`` imports what the notebooks import in the worker's kernel; the notebook that
    runs there next finds the modules loaded and its namespace empty."""
    from antt.notebook_runs import notebook_pool, start_notebooks, warm_kernels

    book = tiny_notebook(tmp_path / "w")
    nb = nbformat.read(book, as_version=4)
    nb.cells[-1].source = "import sys\nprint('antt.analyse.tables' in sys.modules, 'figures' in dir())"
    nbformat.write(nb, book)
    (tmp_path / "out").mkdir()
    with notebook_pool(1) as pool:
        for warmed in warm_kernels(pool, 1):
            warmed.result()
        done = start_notebooks(pool, [book], tmp_path / "out", "2023-H1", "70")[0].result()
    assert nbformat.read(done, as_version=4).cells[-1].outputs[0]["text"].split() == ["True", "False"]


FIRST_RUNS = r"""
import io, sys, time
from pathlib import Path
from matplotlib.figure import Figure
from antt.notebook_runs import notebook_pool, start_notebooks

out, books = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
with notebook_pool(2) as pool:
    runs = start_notebooks(pool, books, out, "2023-H1", "70", out)
    # The report's first chart at the worst moment: as soon as IPython shows up in this process
    # (matplotlib reads sys.modules["IPython"].version_info when it makes its first canvas).
    while "IPython" not in sys.modules and not all(r.done() for r in runs):
        time.sleep(0.001)
    Figure().savefig(io.BytesIO(), format="png")
    for r in runs:
        r.result()
print(sorted(m for m in ("IPython", "papermill", "nbclient", "jupyter_client") if m in sys.modules))
"""


def test_first_notebook_runs_of_a_fresh_interpreter_never_race_with_the_charts(tmp_path):
    """The report's first notebooks, started side by side by a fresh interpreter while it draws.

    With the notebooks on threads this failed 20 times out of 20 ("partially initialized module
    'IPython' has no attribute 'version_info'"): the threads' first import of IPython was visible, half
    done, to matplotlib in the main thread. Now the notebook machinery never enters this process."""
    import subprocess
    import sys

    books = [tiny_notebook(tmp_path / name) for name in ("a", "b")]
    for attempt in range(6):
        out = tmp_path / f"out{attempt}"
        out.mkdir()
        run = subprocess.run([sys.executable, "-c", FIRST_RUNS, str(out), *map(str, books)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.stdout.strip() == "[]", "the notebook machinery was imported by the drawing process"
        assert run.stderr == "", run.stderr     # no kernel log lines on the terminal
        assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.ipynb", "b.html", "b.ipynb"]


def test_a_failing_notebook_fails_the_run_with_its_cell_error(tmp_path):
    from antt.notebook_job import NotebookFailed
    from antt.notebook_runs import notebook_pool, start_notebooks

    book = tiny_notebook(tmp_path / "bad")
    nb = nbformat.read(book, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('assert cycle == "2022", "không phải kỳ 2022"'))
    nbformat.write(nb, book)
    with notebook_pool(1) as pool, pytest.raises(NotebookFailed, match="bad.ipynb: AssertionError: không phải kỳ 2022"):
        start_notebooks(pool, [book], tmp_path, "2023-H1", "70")[0].result()
