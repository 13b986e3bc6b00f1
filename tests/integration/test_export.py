"""What a cycle exports: its charts as files (``chart_files``), the slide deck (``deck``) with its
takeaways (``antt.analyse.narrative``), the summary workbook (``summary_workbook``), and atomic writes.

The inputs are the sample returns processed once (``sample_processed`` in conftest). Expected values
are computed here from the view's frames (not from the exporter), except the published figures of
Bình Phước, 2023 half-year (843 residential areas; 68 of 86 xã new-rural), typed from the article.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from antt.analyse import narrative
from antt.analyse.view import open_cycle
from antt.core import indicators
from antt.core.atomic import atomic_path
from antt.publish import chart_files, deck as deck_file, figures, summary_workbook
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
def deck(view, charts, tmp_path_factory):
    path = deck_file.export_deck(view, tmp_path_factory.mktemp("deck"), charts[0])
    return path, Presentation(str(path))


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


# --- deck ----------------------------------------------------------------------------------------

def test_deck_is_16_9_with_enough_slides(deck):
    path, prs = deck
    assert path.name == "bao_cao_2023-H1.pptx"
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    assert prs.slide_width == 12192000        # 13.333 in
    assert len(prs.slides) >= 8
    assert len(prs.slides) >= 3 + len(figures.FIGURES)   # title, key figures, a slide per chart, quality
    assert _no_temp_files(path.parent) == []


def test_title_slide_names_scope_cycle_period_and_date(deck, view):
    _, prs = deck
    text = "\n".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "Tỉnh Bình Phước" in text
    assert "6 tháng đầu năm 2023" in text
    assert "15/12/2022" in text and "14/06/2023" in text
    assert re.search(r"Ngày lập: \d{2}/\d{2}/\d{4}", text)


def test_deck_has_native_charts(deck):
    _, prs = deck
    native = [sh for slide in prs.slides for sh in slide.shapes if sh.has_chart]
    assert len(native) >= 3
    pictures = [sh for slide in prs.slides for sh in slide.shapes if sh.shape_type == 13]
    assert pictures, "the map and the complex charts are pictures"


def test_kdc_chart_series_are_the_districts_shares(deck, view):
    _, prs = deck
    expected = _shares(view)
    charts = [sh.chart for slide in prs.slides for sh in slide.shapes if sh.has_chart]
    chart = next(c for c in charts if any(s.name == KDC_SERIES for p in c.plots for s in p.series))
    bars = next(p for p in chart.plots if any(s.name == KDC_SERIES for s in p.series))
    series = next(s for s in bars.series if s.name == KDC_SERIES)
    got = {cat.split(" (")[0]: v for cat, v in zip(bars.categories, series.values)}
    assert set(got) == set(expected)
    for name, share in expected.items():
        assert got[name] == pytest.approx(share), name
    # the target is a second series, drawn as a line over the bars
    target = [s for p in chart.plots for s in p.series if s.name.startswith("Chỉ tiêu")]
    assert target and all(v == pytest.approx(view.targets["kdc_meeting_share"]) for v in target[0].values)
    assert len(list(chart.plots)) == 2


def test_ntm_chart_series_are_met_and_total_by_district(deck, view):
    _, prs = deck
    slide = _slide_titled(prs, figures.BY_NAME["ntm_by_unit"].title)
    chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
    plot = chart.plots[0]
    names = [c.split(" (")[0] for c in plot.categories]
    by_name = view.units.set_index("unit_name")
    values = {s.name: dict(zip(names, s.values)) for s in plot.series}
    for name in names:
        assert values["Tổng số xã"][name] == by_name.loc[name, "ntm_communes"]
        assert values["Xã đạt chuẩn nông thôn mới"][name] == by_name.loc[name, "ntm_met"]


def test_key_figures_table_shows_published_kdc_total(deck, view):
    _, prs = deck
    tables = [sh.table for slide in prs.slides for sh in slide.shapes if sh.has_table]
    table = next(t for t in tables if t.cell(0, 0).text == "Chỉ số")
    rows = {table.cell(i, 0).text: [table.cell(i, j).text for j in range(len(table.columns))]
            for i in range(1, len(table.rows))}
    assert rows[indicators.KEYS["kdc_total"].label][1] == str(published.EXACT["kdc_total"])
    assert rows[indicators.KEYS["kdc_total"].label][3] == f"{DISTRICTS}/{DISTRICTS}"
    assert rows[indicators.KEYS["banners_posters"].label][1] == "2.165"    # Vietnamese thousands separator
    share_row = rows[indicators.RATIO["kdc_meeting_share"].label]
    assert share_row[1] == "100,0 %"
    assert len(rows) == len(indicators.SUMMARY_KEYS) + 1


def test_takeaways_say_what_the_data_say(deck, view):
    _, prs = deck
    target = view.targets["kdc_meeting_share"]
    met = sum(s >= target for s in _shares(view).values())
    slide = _slide_titled(prs, figures.BY_NAME["kdc_coverage"].title)
    text = _shape(slide, "takeaway").text_frame.text
    assert text.startswith(f"{met}/{DISTRICTS} đơn vị đạt chỉ tiêu 95 %")
    slide = _slide_titled(prs, figures.BY_NAME["ntm_by_unit"].title)
    assert _shape(slide, "takeaway").text_frame.text.startswith("68/86 xã (79,1 %) đạt chuẩn nông thôn mới")


def test_takeaway_names_the_districts_below_target(sample_processed):
    view = open_cycle("2022", sample_processed, SCOPE)
    shares = _shares(view)
    below = [n for n, s in shares.items() if s < view.targets["kdc_meeting_share"]]
    assert 0 < len(below) <= DISTRICTS // 2         # the sample's 2022: a few below 95 %
    text = narrative.takeaway("kdc_coverage", view)
    assert text.startswith(f"{len(below)}/{DISTRICTS} đơn vị dưới chỉ tiêu 95 %: ")
    for name in below:
        assert name in text
    for name in set(shares) - set(below):
        assert name not in text


def test_every_slide_has_notes_naming_the_source(deck, view):
    _, prs = deck
    for i, slide in enumerate(prs.slides):
        assert slide.has_notes_slide, i
        assert view.source in slide.notes_slide.notes_text_frame.text, i


def test_every_chart_slide_has_a_title_and_a_takeaway(deck):
    _, prs = deck
    for spec in figures.FIGURES:
        slide = _slide_titled(prs, spec.title)
        assert _shape(slide, "takeaway").text_frame.text.strip()
        assert any(sh.has_chart or sh.shape_type == 13 for sh in slide.shapes), spec.name


def test_deck_draws_missing_pictures_itself(view, tmp_path):
    path = deck_file.export_deck(view, tmp_path / "d.pptx", tmp_path / "charts")
    assert path.exists() and (tmp_path / "charts" / "06_ntm_map.png").exists()


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
