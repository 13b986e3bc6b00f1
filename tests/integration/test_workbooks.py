"""What the analyst reads in the summary workbook (and the quality workbook): Vietnamese words instead
of internal codes, unit codes as text without Excel's warning, units in code order, changes like for
like with the number of units compared, incomplete values marked, and a sheet defining every
indicator. Bình Phước's sample cycles (``sample_processed``); the changes of 2023-H1 typed from the
review of issue 19 ("+110" banners and "+123" members over 10 of the 11 districts).
"""

from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from antt.analyse.view import open_cycle
from antt.core.findings import CODES
from antt.publish import summary_workbook
from antt.publish.quality_sheets import finding_kind
from tests.integration.conftest import SCOPE

CODES_2023 = ["688", "689", "690", "691", "692", "693", "694", "695", "696", "697", "698"]


@pytest.fixture(scope="module")
def book(sample_processed, tmp_path_factory):
    path = summary_workbook.export_workbook(open_cycle("2023-H1", sample_processed, SCOPE),
                                            tmp_path_factory.mktemp("book"))
    return path, openpyxl.load_workbook(path)


def _table(ws, first: str) -> tuple[list[str], list[list]]:
    """The heading row starting with ``first`` and the rows under it, up to the first empty row."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if r[0] == first)
    body = []
    for r in rows[top + 1:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return rows[top], body


def test_key_figures_say_over_how_many_units_each_change_is_taken(book):
    _, wb = book
    ws = wb["Chỉ số chính"]
    heads, rows = _table(ws, "Chỉ số")
    assert "Mã chỉ số" not in heads                                   # no internal code shown
    by = {r[0]: dict(zip(heads, r)) for r in rows}
    banners, members = by["Băng rôn, khẩu hiệu, áp phích"], by["Thành viên tổ, nhóm nòng cốt"]
    assert (banners["Giá trị"], banners["Thay đổi"], banners["Số đơn vị so sánh"]) == (2165, 110, "10/11")
    assert (members["Thay đổi"], members["Số đơn vị so sánh"]) == (123, "10/11")
    assert by["Tổng số khu dân cư"]["Số đơn vị so sánh"] == "11/11"
    assert not any(str(r[0]).endswith("*") for r in rows)             # every district reported every table
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(n.startswith("Thay đổi: so với kỳ so sánh, chỉ trên các đơn vị có số liệu ở cả hai kỳ") for n in notes)
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 110)
    assert cell.number_format == "+#,##0;-#,##0;0"                    # the sign written, the number kept


def test_an_incomplete_value_is_marked_with_a_note(sample_processed, tmp_path):
    root = tmp_path / "processed"
    shutil.copytree(sample_processed, root)
    units = pd.read_parquet(root / "2023-H1" / "units.parquet")
    units.loc[units["unit_code"] == "693", ["kdc_total", "kdc_registered", "kdc_meeting"]] = pd.NA
    units.to_parquet(root / "2023-H1" / "units.parquet")
    wb = openpyxl.load_workbook(summary_workbook.export_workbook(open_cycle("2023-H1", root, SCOPE), tmp_path))
    heads, rows = _table(wb["Chỉ số chính"], "Chỉ số")
    by = {r[0]: dict(zip(heads, r)) for r in rows}
    assert by["Tổng số khu dân cư *"]["Số đơn vị có số liệu"] == 10
    assert by["Tỷ lệ khu dân cư đạt chuẩn “An toàn về ANTT” *"]["Số đơn vị có số liệu"] == 10
    assert "Số xã" in by and "Số xã *" not in by                     # Biểu 2 came from every district
    notes = [c.value for c in wb["Chỉ số chính"]["A"] if isinstance(c.value, str)]
    assert any(n.startswith("* Chưa đủ số liệu") and "11 đơn vị" in n for n in notes)
    heads, rows = _table(wb["Theo đơn vị"], "Mã đơn vị")
    total = next(r for r in rows if str(r[1]).startswith("Toàn tỉnh"))
    covered = next(r for r in rows if r[1] == "Số đơn vị có số liệu")
    assert total[1] == "Toàn tỉnh *"
    assert covered[heads.index("Tổng số khu dân cư")] == 10 and covered[heads.index("Số xã")] == 11


def test_units_in_code_order_with_codes_as_text_and_no_green_triangles(book):
    path, wb = book
    heads, rows = _table(wb["Theo đơn vị"], "Mã đơn vị")
    assert [r[0] for r in rows if r[0]] == CODES_2023                  # text, in code order
    assert [r[1] for r in rows[-2:]] == ["Toàn tỉnh", "Số đơn vị có số liệu"]
    _, rows = _table(wb["Đầy đủ"], "Mã đơn vị")
    assert [r[0] for r in rows] == CODES_2023
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert len(sheets) == len(wb.sheetnames)
        for name in sheets:
            assert re.search(r'<ignoredError sqref="A1:XFD1048576" numberStoredAsText="1"/>',
                             z.read(name).decode()), name


def test_findings_show_their_kind_in_vietnamese_not_their_code(book):
    _, wb = book
    heads, rows = _table(wb["Phát hiện"], "Mức độ")
    kinds = [r[heads.index("Loại phát hiện")] for r in rows]
    assert kinds and not any(k in CODES for k in kinds)
    assert "Chữ gõ bằng bảng mã … (ví dụ “…”) đã được chuyển sang Unicode" in kinds
    assert finding_kind("value_negative") == "Số âm (…)"
    assert finding_kind("report_late") == "Báo cáo ngày …, sau hạn …"


def test_definitions_sheet_defines_every_indicator_and_its_source(book):
    _, wb = book
    heads, rows = _table(wb["Định nghĩa chỉ số"], "Chỉ số")
    assert heads == ["Chỉ số", "Loại", "Định nghĩa", "Tử số", "Mẫu số", "Đơn vị tính", "Thời điểm",
                     "Nguồn (biểu, cột của mẫu báo cáo)"]
    by = {r[0]: dict(zip(heads, r)) for r in rows}
    assert len(rows) == 20 and all(r[2] for r in rows)               # 15 keys and 5 ratios, each defined
    kdc = by["Tỷ lệ khu dân cư đạt chuẩn “An toàn về ANTT”"]
    assert (kdc["Loại"], kdc["Tử số"], kdc["Mẫu số"], kdc["Đơn vị tính"], kdc["Nguồn (biểu, cột của mẫu báo cáo)"]) \
        == ("Tỷ lệ", "Khu dân cư đạt chuẩn “An toàn về ANTT”", "Tổng số khu dân cư", "%", "Biểu 1 — Khu dân cư.")
    hours = by["Giờ phát thanh, tuyên truyền"]
    assert hours["Thời điểm"] == "Số phát sinh trong kỳ"
    assert hours["Nguồn (biểu, cột của mẫu báo cáo)"] == \
        "Biểu 4 — Tuyên truyền: cộng cột “Số giờ phát thanh, tuyên truyền” của các dòng."
    assert by["Tổng số khu dân cư"]["Thời điểm"] == "Số tại thời điểm cuối kỳ"
    assert by["Camera trên một khu dân cư"]["Đơn vị tính"] == "mắt camera/khu dân cư"
    assert wb.sheetnames == ["Chỉ số chính", "Theo đơn vị", "Đầy đủ", "Phát hiện", "Định nghĩa chỉ số"]
