"""What a cycle exports: its charts as files (``chart_files``), the takeaways (``antt.analyse.narrative``),
the summary workbook (``summary_workbook``), and atomic writes (the deck: ``test_deck``).

The inputs are the sample returns processed once (``sample_processed`` in conftest). Expected values
are computed here from the view's frames (not from the exporter), except the published figures of
Bình Phước, 2023 half-year (843 residential areas; 68 of 86 xã new-rural), typed from the article.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from antt.analyse.view import open_cycle
from antt.core import indicators
from antt.core.atomic import atomic_path
from antt.publish import chart_files, figures, summary_workbook
from tests import published
from tests.integration.conftest import SCOPE

DISTRICTS = published.DISTRICTS
KDC_SERIES = "Tỷ lệ khu dân cư đạt chuẩn"


@pytest.fixture(scope="module")
def view(sample_processed):
    return open_cycle("2023-H1", sample_processed, SCOPE)


@pytest.fixture(scope="module")
def charts(view, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("charts")
    return out, chart_files.save_charts(view, out)


@pytest.fixture(scope="module")
def hostile_view(sample_processed, tmp_path_factory):
    """The 2023-H1 cycle with findings whose file names and messages look like spreadsheet formulas."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(sample_processed, root, dirs_exist_ok=True)
    path = root / "2023-H1" / "findings.parquet"
    f = pd.read_parquet(path)
    extra = pd.DataFrame([
        {"severity": "error", "code": "file_not_workbook", "file": "2023-H1/=SUM(1).xlsx", "sheet": "@cmd",
         "cell": None, "row": None, "message": "=SUM(1)"},
        {"severity": "warning", "code": "value_missing", "file": "2023-H1/@cmd.xlsx", "sheet": "+x", "cell": "-1",
         "row": 3, "message": "@cmd /c calc"},
        {"severity": "info", "code": "model_type_other", "file": "2023-H1/+1 dòng.xlsx", "sheet": None,
         "cell": None, "row": None, "message": "+1 dòng"},
        {"severity": "info", "code": "model_type_other", "file": "2023-H1/-2 dòng.xlsx", "sheet": None,
         "cell": None, "row": None, "message": "-2 dòng"},
    ]).astype(f.dtypes.to_dict())
    pd.concat([f, extra], ignore_index=True).to_parquet(path)
    return open_cycle("2023-H1", root, SCOPE)


def _shares(view) -> dict[str, float]:
    d = view.units
    return {name: float(m) / float(t) for name, m, t in zip(d["unit_name"], d["kdc_meeting"], d["kdc_total"])}


def _slide_titled(prs, title: str):
    for slide in prs.slides:
        if slide.shapes.title is not None and slide.shapes.title.text_frame.text == title:
            return slide
    raise AssertionError(f"no slide titled {title!r}")


def _shape(slide, name: str):
    for shape in slide.shapes:
        if shape.name == name:
            return shape
    raise AssertionError(f"no shape {name!r}")


def _no_temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp" in p.name]


# --- charts --------------------------------------------------------------------------------------

def test_every_figure_saved_as_png_and_svg_with_stable_names(charts):
    out, paths = charts
    stems = [spec.stem for spec in figures.FIGURES]
    pngs = sorted(p.name for p in out.glob("*.png"))
    svgs = sorted(p.name for p in out.glob("*.svg"))
    assert len(pngs) >= 10 and len(svgs) >= 5
    assert pngs == sorted(f"{s}.png" for s in stems)
    assert svgs == sorted(f"{s}.svg" for s in stems)
    assert "01_kdc_coverage.png" in pngs
    assert sorted(p.name for p in paths) == sorted(pngs + svgs)
    assert _no_temp_files(out) == []


def test_png_resolution_is_at_least_200_dpi(charts):
    out, _ = charts
    with Image.open(out / "01_kdc_coverage.png") as im:
        dpi = im.info.get("dpi", (0, 0))
        assert round(dpi[0]) >= 200
        assert im.size[0] >= 13 * 200             # 13.333 in wide


def test_svg_is_vector_text_free_of_fonts(charts):
    out, _ = charts
    text = (out / "06_ntm_map.svg").read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text


# --- workbook ------------------------------------------------------------------------------------

def _header_row(ws, first: str) -> int:
    for row in ws.iter_rows(min_row=1, max_row=10):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"no header {first!r} in {ws.title}")


def _records(ws, first: str) -> list[dict]:
    h = _header_row(ws, first)
    heads = [c.value for c in ws[h]]
    out = []
    for row in ws.iter_rows(min_row=h + 1, values_only=True):
        if all(v is None for v in row):
            break
        out.append(dict(zip(heads, row)))
    return out


@pytest.fixture(scope="module")
def workbook(view, tmp_path_factory):
    path = summary_workbook.export_workbook(view, tmp_path_factory.mktemp("wb"))
    return path, openpyxl.load_workbook(path)


def test_workbook_sheets_and_headings(workbook):
    path, wb = workbook
    assert path.name == "tong_hop_2023-H1.xlsx"
    assert wb.sheetnames[:4] == ["Chỉ số chính", "Theo đơn vị", "Đầy đủ", "Phát hiện"]
    assert [c.value for c in wb["Chỉ số chính"][_header_row(wb["Chỉ số chính"], "Chỉ số")]][:4] == \
        ["Chỉ số", "Giá trị", "Đơn vị tính", "Số đơn vị có số liệu"]
    heads = [c.value for c in wb["Theo đơn vị"][_header_row(wb["Theo đơn vị"], "Mã đơn vị")]]
    assert heads[:2] == ["Mã đơn vị", "Đơn vị"]
    assert [k.label for k in indicators.SUMMARY_KEYS] == heads[2:2 + len(indicators.SUMMARY_KEYS)]
    heads = [c.value for c in wb["Phát hiện"][_header_row(wb["Phát hiện"], "Mức độ")]]
    assert heads == ["Mức độ", "Loại phát hiện", "Mã đơn vị", "Đơn vị", "Tệp", "Trang tính", "Ô", "Dòng", "Nội dung"]
    for ws in wb:
        h = _header_row_any(ws)
        assert ws.freeze_panes in (f"A{h + 1}", f"C{h + 1}"), ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.column_dimensions["A"].width > 8, ws.title


def _header_row_any(ws) -> int:
    for first in ("Chỉ số", "Mã đơn vị", "Mức độ"):
        try:
            return _header_row(ws, first)
        except AssertionError:
            pass
    raise AssertionError(ws.title)


def test_workbook_key_figures_equal_the_view(workbook, view):
    _, wb = workbook
    rows = {r["Chỉ số"]: r for r in _records(wb["Chỉ số chính"], "Chỉ số")}
    for k in indicators.SUMMARY_KEYS:
        assert rows[k.label]["Giá trị"] == view.province[k.name], k.name
        assert rows[k.label]["Số đơn vị có số liệu"] == view.province["coverage"][k.name]
        assert rows[k.label]["Đơn vị tính"] == k.unit
    for r in indicators.RATIOS:
        assert rows[r.label]["Giá trị"] == pytest.approx(view.province[r.name])
    assert rows[indicators.KEYS["kdc_total"].label]["Giá trị"] == published.EXACT["kdc_total"]
    cell = next(c for c in wb["Chỉ số chính"]["B"] if c.value == published.EXACT["kdc_total"])
    assert cell.number_format == "#,##0"


def test_workbook_districts_equal_the_view(workbook, view):
    _, wb = workbook
    rows = {r["Mã đơn vị"]: r for r in _records(wb["Theo đơn vị"], "Mã đơn vị") if r["Mã đơn vị"]}
    assert set(rows) == set(view.units["unit_code"])
    for _, d in view.units.iterrows():
        row = rows[d["unit_code"]]
        assert row["Đơn vị"] == d["unit_name"]
        for k in indicators.SUMMARY_KEYS:
            assert row[k.label] == d[k.name], (d["unit_name"], k.name)
        assert row[indicators.RATIO["kdc_meeting_share"].label] == pytest.approx(d["kdc_meeting_share"])


def test_workbook_completeness_in_vietnamese_with_rates(workbook, view):
    _, wb = workbook
    ws = wb["Đầy đủ"]
    rows = _records(ws, "Mã đơn vị")
    statuses = {v for r in rows for k, v in r.items() if k and k.startswith("Biểu")}
    assert statuses <= {"Đã nhận", "Trống", "Thiếu", "Bị từ chối"}
    assert statuses == {"Đã nhận"}                # every sample return of 2023-H1 arrived
    values = [[c.value for c in row] for row in ws.iter_rows()]
    rate_row = next(r for r in values if r[1] == "Tỷ lệ nhận")
    c = view.completeness
    assert rate_row[2:7] == [float((c[t] == "received").mean()) for t in ("kdc", "ntm", "models", "outreach",
                                                                            "bright_spots")]


def test_formula_looking_text_stays_text(hostile_view, tmp_path):
    path = summary_workbook.export_workbook(hostile_view, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Phát hiện"]
    seen = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value[:1] in "=@+-":
                seen[c.value] = c.data_type
    assert seen.get("=SUM(1)") == "s"
    assert seen.get("@cmd /c calc") == "s"
    assert seen.get("+1 dòng") == "s" and seen.get("-2 dòng") == "s"
    assert seen.get("-1") == "s"                  # a cell reference that looks like a number stays text
    assert seen.get("@cmd") == "s"
    assert all(t == "s" for t in seen.values())
    files = [c.value for c in ws["E"]]
    assert "2023-H1/=SUM(1).xlsx" in files
    # no cell anywhere holds a formula
    for sheet in wb:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row), sheet.title


# --- atomic writes -------------------------------------------------------------------------------

def test_atomic_path_replaces_on_success(tmp_path):
    final = tmp_path / "a.txt"
    final.write_text("old")
    with atomic_path(final) as tmp:
        assert tmp.parent == tmp_path and tmp != final and tmp.suffix == ".txt"
        tmp.write_text("new")
        assert final.read_text() == "old"         # nobody sees the new file before it is whole
    assert final.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_atomic_path_leaves_the_old_file_on_failure(tmp_path):
    final = tmp_path / "a.txt"
    final.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert final.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_rerunning_replaces_the_files(view, tmp_path):
    first = summary_workbook.export_workbook(view, tmp_path)
    inode = os.stat(first).st_ino
    second = summary_workbook.export_workbook(view, tmp_path)
    assert first == second and os.stat(second).st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tong_hop_2023-H1.xlsx"]
