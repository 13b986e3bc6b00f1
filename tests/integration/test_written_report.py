"""The written report ``bao_cao_<cycle>.docx`` (``antt.publish.written_report``), opened with
python-docx: the page and font of Nghị định 30/2020/NĐ-CP, the header block, the sections, and the
figures.

Expected values are typed by hand: the layout rules of the decree (A4; margins top and bottom
20–25 mm, left 30–35 mm, right 15–20 mm; Times New Roman 13–14), the published figures of Bình
Phước, 2023 half-year (``tests.published``: 843/843 residential areas, 68 of 86 xã, 327 models in
residential areas, 2,165 banners and posters), its name, and the name of the cycle.
"""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.shared import Mm

from antt.analyse.view import open_cycle
from antt.publish.written_report import export_written_report
from tests import published
from tests.integration.conftest import SCOPE

NBSP = "\u00a0"
SECTIONS = ["I. KẾT QUẢ THỰC HIỆN", "II. SO SÁNH VỚI CÁC KỲ TRƯỚC", "III. TỒN TẠI, HẠN CHẾ",
            "IV. CHẤT LƯỢNG SỐ LIỆU", "V. PHƯƠNG HƯỚNG, NHIỆM VỤ"]


def _text(x) -> str:
    return x.text.replace(NBSP, " ")


@pytest.fixture(scope="module")
def view(sample_processed):
    return open_cycle(published.CYCLE, sample_processed, SCOPE)


@pytest.fixture(scope="module")
def report(view, tmp_path_factory):
    path = export_written_report(view, tmp_path_factory.mktemp("docx"))
    return path, Document(str(path))


def _table_of(doc, first_header: str):
    return next(t for t in doc.tables if _text(t.rows[0].cells[0]) == first_header
                and len(t.rows[0].cells) > 2)


def test_file_name_page_margins_and_font(report):
    path, doc = report
    assert path.name == "bao_cao_2023-H1.docx"
    for s in doc.sections:
        assert abs(s.page_width - Mm(210)) < Mm(0.5) and abs(s.page_height - Mm(297)) < Mm(0.5)
        for margin, (lo, hi) in ((s.top_margin, (20, 25)), (s.bottom_margin, (20, 25)), (s.left_margin, (30, 35)),
                                 (s.right_margin, (15, 20))):
            assert Mm(lo - 0.1) <= margin <= Mm(hi + 0.1)          # stored in twips: Mm(15) is 14.99 mm
    for style in ("Normal", "Heading 1", "Heading 2"):
        font = doc.styles[style].font
        assert font.name == "Times New Roman" and 13 <= font.size.pt <= 14, style
    runs = [r for p in doc.paragraphs for r in p.runs] + [
        r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r.font.name in (None, "Times New Roman") for r in runs)
    body = [r for p in doc.paragraphs if p.style.name == "Normal" and len(p.text) > 80 for r in p.runs
            if not r.italic and not p.text.startswith("- Tệp")]          # the notes under tables are smaller
    assert len(body) > 10 and all(r.font.size is None or 13 <= r.font.size.pt <= 14 for r in body)


def test_header_block(report):
    _, doc = report
    header = doc.tables[0]
    left, right = (_text(c) for c in header.columns[0].cells), (_text(c) for c in header.columns[1].cells)
    left, right = "\n".join(left), "\n".join(right)
    assert left.startswith("CÔNG AN TỈNH BÌNH PHƯỚC\n")
    assert "Số: …/BC-…" in left
    assert right.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    assert "Bình Phước, ngày … tháng … năm 2023" in right
    motto = [p for c in header.columns[1].cells for p in c.paragraphs if p.runs]
    assert all(r.bold for p in motto[:2] for r in p.runs)
    assert all(r.italic for r in motto[2].runs)
    borders = header._tbl.tblPr.xml
    assert 'w:val="nil"' in borders and "w:tblBorders" in borders


def test_title_and_sections(report):
    _, doc = report
    texts = [_text(p) for p in doc.paragraphs]
    i = texts.index("BÁO CÁO")
    assert doc.paragraphs[i].runs[0].bold
    assert texts[i + 1] == "Sơ kết phong trào Toàn dân bảo vệ an ninh Tổ quốc 6 tháng đầu năm 2023"
    headings = [_text(p) for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    assert any(t.startswith("[Cán bộ tổng hợp soạn phần này") for t in texts)      # the placeholder of V
    assert "Nơi nhận:" in "\n".join(_text(t.rows[0].cells[0]) for t in doc.tables)


def test_kdc_figure_is_the_published_one(report):
    _, doc = report
    rows = {_text(r.cells[0]): [_text(c) for c in r.cells] for r in _table_of(doc, "Chỉ số").rows}
    assert rows["Khu dân cư đạt chuẩn “An toàn về ANTT”"][1] == "843"
    assert rows["Tổng số khu dân cư"][1] == "843"
    assert rows["Tỷ lệ khu dân cư đạt chuẩn “An toàn về ANTT”"][1] == "100,0 %"
    body = "\n".join(_text(p) for p in doc.paragraphs)
    assert "Toàn tỉnh có 843/843 khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” (100,0 %), đạt chỉ tiêu 95 %." in body
    assert "68/86 xã (79,1 %) đạt chuẩn nông thôn mới" in body


def test_tables_in_vietnamese_format_units_in_code_order(report, view):
    _, doc = report
    rows = {_text(r.cells[0]): [_text(c) for c in r.cells] for r in _table_of(doc, "Chỉ số").rows}
    assert rows["Băng rôn, khẩu hiệu, áp phích"][1] == "2.165"
    appendix = next(t for t in doc.tables if _text(t.rows[0].cells[0]) == "STT" and len(t.columns) == 9)
    names = [_text(r.cells[1]) for r in appendix.rows[1:]]
    assert names[-1] == "Toàn tỉnh"
    assert names[:-1] == [view.hierarchy.unit(c).short for c in view.unit_codes]     # the districts, by code
    total = [_text(c) for c in appendix.rows[-1].cells]
    assert total[2:6] == ["843", "843", "100,0 %", "86"] and total[6:8] == ["68", "327"]
    cells = [_text(c) for t in doc.tables[1:] for r in t.rows[1:] for c in r.cells]      # the data rows
    assert not [c for c in cells if re.search(r"\d,\d{3}(?!\d)|\d\.\d{1,2}(?!\d)", c)], "English number format"


def test_a_year_is_a_summing_up(sample_processed, tmp_path):
    doc = Document(str(export_written_report(open_cycle("2022", sample_processed, SCOPE), tmp_path / "r.docx")))
    texts = [_text(p) for p in doc.paragraphs]
    assert texts[texts.index("BÁO CÁO") + 1] == "Tổng kết phong trào Toàn dân bảo vệ an ninh Tổ quốc năm 2022"
