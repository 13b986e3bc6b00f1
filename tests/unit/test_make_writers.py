"""antt.make.writers and antt.make.ods: a small hand-made book written by each writer reads back as
the book says (through the suite's own reader), byte-identical from run to run."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from antt.make.book import Page, Protection, Style, Validation, XBook, XSheet
from antt.make.layout import to_tcvn3
from antt.make.writers import WRITERS, write_book
from antt.read.workbook import read_workbook

SUFFIX = {"xlsxwriter": ".xlsx", "openpyxl": ".xlsx", "xlwt": ".xls", "ods": ".ods"}
STYLES = {"text": Style(), "head": Style(bold=True, align="center", border=True), "int": Style(num="#,##0")}


def small_book(formula: bool = False) -> XBook:
    """Biểu 1 with a two-column merged heading, a name with double and trailing spaces, two counts,
    a two-line heading; a hidden second sheet."""
    sh = XSheet("Biểu 1")
    sh.put(0, 0, "Xã, phường, thị trấn", "head")
    sh.merge(0, 1, 0, 2, "Số khu dân cư", "head")
    sh.put(1, 1, "Tổng số", "head")
    sh.put(1, 2, "Đạt\nchuẩn", "head")
    sh.put(2, 0, "Xã  Lộc Thái ")
    sh.put(2, 1, 12, "int")
    sh.put(2, 2, 9, "int")
    sh.put(3, 0, "Cộng")
    if formula:
        sh.put(3, 1, 12, "int", "=SUM(B3:B3)")
    else:
        sh.put(3, 1, 12, "int")
    sh.widths[0] = 22
    sh.heights[0] = 30
    hidden = XSheet("Data")
    hidden.hidden = True
    hidden.put(0, 0, "ma", "text")
    return XBook([sh, hidden], datetime(2023, 6, 16, 8, 30), "Nguyễn Văn Hùng", STYLES, title="Thống kê")


def write(book: XBook, writer: str, tmp_path) -> object:
    path = tmp_path / f"{writer}{SUFFIX[writer]}"
    path.write_bytes(write_book(book, writer))
    return read_workbook(path)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_values_merges_and_hidden_sheets_read_back(writer, tmp_path):
    wb = write(small_book(), writer, tmp_path)
    first, data = wb.sheets
    assert (first.name, first.hidden, data.name, data.hidden) == ("Biểu 1", False, "Data", True)
    assert first.merged == [(0, 1, 0, 2)]
    assert first.rows[0][:2] == ["Xã, phường, thị trấn", "Số khu dân cư"]
    assert first.rows[1][1:3] == ["Tổng số", "Đạt\nchuẩn"]
    assert first.rows[2] == ["Xã  Lộc Thái ", 12, 9]
    assert first.rows[3][:2] == ["Cộng", 12]


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_the_same_book_is_the_same_bytes(writer):
    assert write_book(small_book(), writer) == write_book(small_book(), writer)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_legacy_text_keeps_its_tcvn3_fonts(writer, tmp_path):
    """Capitals in .VnTimeH, the rest in .VnTime: the reader needs the font to decode the text."""
    book = small_book()
    to_tcvn3(book)
    first = write(book, writer, tmp_path).sheets[0]
    assert first.fonts[(0, 0)] == ".VnTime"            # "Xã, phường, thị trấn"
    assert first.fonts[(3, 0)] == ".VnTime"            # "Cộng"
    assert first.rows[2][0] == "X·  Léc Th¸i "         # "Xã  Lộc Thái " typed in TCVN3
    book = small_book()
    book.sheets[0].put(4, 0, "TỔNG SỐ")
    to_tcvn3(book)
    assert write(book, writer, tmp_path).sheets[0].fonts[(4, 0)] == ".VnTimeH"


def test_xlsxwriter_caches_formula_values_and_openpyxl_does_not(tmp_path):
    for writer, cached in (("xlsxwriter", 12), ("openpyxl", None)):
        path = tmp_path / f"{writer}.xlsx"
        path.write_bytes(write_book(small_book(formula=True), writer))
        assert openpyxl.load_workbook(path)["Biểu 1"]["B4"].value == "=SUM(B3:B3)"
        assert openpyxl.load_workbook(path, data_only=True)["Biểu 1"]["B4"].value == cached


@pytest.mark.parametrize("writer", ["xlwt", "ods"])
def test_value_only_writers_refuse_a_formula(writer):
    with pytest.raises(ValueError):
        write_book(small_book(formula=True), writer)


def test_document_properties_come_from_the_book(tmp_path):
    path = tmp_path / "b.xlsx"
    for writer in ("xlsxwriter", "openpyxl"):
        path.write_bytes(write_book(small_book(), writer))
        props = openpyxl.load_workbook(path).properties
        assert (props.title, props.creator, props.created) == ("Thống kê", "Nguyễn Văn Hùng",
                                                               datetime(2023, 6, 16, 8, 30))
    meta = zipfile.ZipFile(io.BytesIO(write_book(small_book(), "ods"))).read("meta.xml").decode()
    assert "<dc:title>Thống kê</dc:title>" in meta and "<dc:creator>Nguyễn Văn Hùng</dc:creator>" in meta
    assert "<meta:creation-date>2023-06-16T08:30:00</meta:creation-date>" in meta


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_zip_entries_carry_the_fixed_date(writer):
    data = write_book(small_book(), writer)
    if writer == "xlwt":
        assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")     # an OLE2 file, no zip
        return
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def form_book() -> XBook:
    styles = {"text": Style(), "input": Style(border=True, unlocked=True, fill="FFF2CC", indent=1)}
    sh = XSheet("Biểu 1")
    sh.put(0, 0, "Tổng số", "text")
    sh.put(1, 0, None, "input")
    sh.validations.append(Validation("A2:A5", "whole", "0", "100", operator="between", title="Tổng số",
                                     error="Cần một số từ 0 đến 100.", prompt="Nhập số nguyên."))
    sh.protection = Protection(format_columns=True)
    sh.freeze = (1, 1)
    sh.page = Page(fit_height=0, title_rows=(0, 0))
    return XBook([sh], datetime(2024, 1, 1), "antt template", styles)


def test_openpyxl_writes_input_forms(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(write_book(form_book(), "openpyxl"))
    ws = openpyxl.load_workbook(path)["Biểu 1"]
    (dv,) = ws.data_validations.dataValidation
    assert (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2) == ("A2:A5", "whole", "between", "0", "100")
    assert (dv.errorTitle, dv.error, dv.prompt, dv.allow_blank) == ("Tổng số", "Cần một số từ 0 đến 100.",
                                                                    "Nhập số nguyên.", True)
    assert ws.protection.sheet and not ws.protection.formatColumns and ws.protection.formatRows
    assert ws["A1"].protection.locked and not ws["A2"].protection.locked
    assert (ws["A2"].fill.fgColor.rgb, ws["A2"].alignment.indent) == ("00FFF2CC", 1)
    assert ws.freeze_panes == "B2" and ws.print_title_rows == "$1:$1"
    assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == ("landscape", 1, 0)


@pytest.mark.parametrize("writer", ["xlsxwriter", "xlwt", "ods"])
def test_plain_writers_refuse_an_input_form(writer):
    with pytest.raises(ValueError):
        write_book(form_book(), writer)
