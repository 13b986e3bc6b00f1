"""antt.read.workbook and the modules beside it: every format into a grid of cells.  All inputs are
built here, at test time."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.styles import Font

from antt.read import calamine, grid
from antt.read.biff_formula import decode_rgce
from antt.read.ods import odf_formula
from antt.read.xlsx_scan import scan_sheet, scan_sheet_exact
from antt.read.workbook import (
    ERROR_CODES,
    LEGACY_FONT_PREFIXES,
    Limits,
    Sheet,
    Workbook,
    WorkbookError,
    cell_ref,
    read_workbook,
)

# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------
CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def raw_xlsx(path: Path, sheets: dict[str, str], shared: list[str] | None = None) -> Path:
    """A minimal .xlsx written by hand: sheets maps name -> full worksheet XML."""
    wb = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{NS_MAIN}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    ]
    rels = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    ]
    for i, name in enumerate(sheets, 1):
        wb.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
    wb.append("</sheets></workbook>")
    rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", "".join(wb))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
        if shared is not None:
            items = "".join(f"<si><t>{s}</t></si>" for s in shared)
            z.writestr(
                "xl/sharedStrings.xml",
                f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NS_MAIN}" count="{len(shared)}" '
                f'uniqueCount="{len(shared)}">{items}</sst>',
            )
        for i, xml in enumerate(sheets.values(), 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def sheet_xml(body: str, extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS_MAIN}">'
        f"<sheetData>{body}</sheetData>{extra}</worksheet>"
    )


def typical_xlsx(path: Path) -> Path:
    """Title block in merged cells, table starting at C5, a hidden sheet, assorted value types."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu 1"
    ws["C1"] = "CÔNG AN TỈNH BÌNH PHƯỚC"
    ws.merge_cells("C1:F1")
    ws["C2"] = "BIỂU THỐNG KÊ"
    ws.merge_cells("C2:H3")
    ws["C5"] = "Xã, phường, thị trấn"
    ws["D5"] = "Tổng số KDC"
    ws["E5"] = "Tỷ lệ"
    ws["F5"] = "Đạt"
    ws["G5"] = "Ngày"
    ws["H5"] = "Ghi chú"
    ws["C6"] = "Lộc Thái"
    ws["D6"] = 12
    ws["E6"] = 0.95
    ws["F6"] = True
    ws["G6"] = dt.datetime(2023, 6, 14)
    ws["H6"] = ""
    ws["C7"] = "  Lộc Hưng "
    ws["D7"] = 1234567.0
    ws["E7"] = -2.5
    hidden = wb.create_sheet("Ẩn")
    hidden["A1"] = "bí mật"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Rất ẩn")
    very["B2"] = 5
    very.sheet_state = "veryHidden"
    wb.create_sheet("Trống")
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# cell_ref and API shape
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "row,col,ref",
    [(0, 0, "A1"), (12, 5, "F13"), (0, 25, "Z1"), (0, 26, "AA1"), (9, 51, "AZ10"), (0, 52, "BA1"),
     (19999, 199, "GR20000"), (0, 701, "ZZ1"), (0, 702, "AAA1"), (1048575, 16383, "XFD1048576")],
)
def test_cell_ref(row, col, ref):
    assert cell_ref(row, col) == ref


def test_cell_ref_round_trips_with_the_column_parser():
    for col in range(0, 20000, 7):
        assert grid.col_index(grid.col_letters(col)) == col


def test_public_constants_and_error():
    assert LEGACY_FONT_PREFIXES == (".vn", "vni")
    assert Limits().max_rows == 20_000 and Limits().max_cols == 200
    err = WorkbookError("file_hostile", "tỷ lệ nén 1:900 vượt giới hạn 1:200")
    assert err.code == "file_hostile" and "1:900" in err.detail and "file_hostile" in str(err)
    clone = pickle.loads(pickle.dumps(err))  # crosses process boundaries intact
    assert (clone.code, clone.detail) == (err.code, err.detail)
    assert set(ERROR_CODES) == {
        "file_empty", "file_unreadable", "file_not_workbook", "file_encrypted", "file_too_large",
        "file_hostile",
    }


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------
def test_xlsx_values_coordinates_merged_hidden(tmp_path):
    wb = read_workbook(typical_xlsx(tmp_path / "b.xlsx"))
    assert isinstance(wb, Workbook) and wb.format == "xlsx" and wb.path == tmp_path / "b.xlsx"
    assert [(s.name, s.hidden) for s in wb.sheets] == [
        ("Biểu 1", False), ("Ẩn", True), ("Rất ẩn", True), ("Trống", False),
    ]
    s = wb.sheets[0]
    assert isinstance(s, Sheet)
    rows = s.rows
    # real sheet coordinates: C5 is rows[4][2], whatever calamine's first used cell is
    assert rows[0][2] == "CÔNG AN TỈNH BÌNH PHƯỚC" and rows[0][0] is None and rows[0][1] is None
    assert rows[4][2] == "Xã, phường, thị trấn"
    assert rows[5][2:8] == ["Lộc Thái", 12, 0.95, True, dt.date(2023, 6, 14), None]  # calamine: date format -> date
    assert type(rows[5][3]) is int and type(rows[5][5]) is bool
    assert rows[6][2] == "  Lộc Hưng "  # as stored, not normalised
    assert rows[6][3] == 1234567 and type(rows[6][3]) is int and rows[6][4] == -2.5
    assert rows[3] == [None] * len(rows[3])
    assert len({len(r) for r in rows}) == 1  # rectangular
    assert len(rows) == 7  # nothing after the last non-empty row
    assert all(v != "" for r in rows for v in r)
    assert sorted(s.merged) == [(0, 2, 0, 5), (1, 2, 2, 7)]
    assert s.formulas == {} and s.unevaluated == set() and s.fonts == {}
    assert wb.sheets[1].rows == [["bí mật"]]
    assert wb.sheets[2].rows == [[None, None], [None, 5]]
    assert wb.sheets[3].rows == []


def test_format_is_decided_by_content_not_extension(tmp_path):
    src = typical_xlsx(tmp_path / "b.xlsx")
    renamed = tmp_path / "b.xls"
    renamed.write_bytes(src.read_bytes())
    assert read_workbook(renamed).format == "xlsx"
    x = tmp_path / "real.xls"
    book = xlwt.Workbook()
    book.add_sheet("S").write(0, 0, "a")
    book.save(str(x))
    disguised = tmp_path / "disguised.xlsx"
    disguised.write_bytes(x.read_bytes())
    assert read_workbook(disguised).format == "xls"


def test_xlsm_by_vba_part_and_by_content_type(tmp_path):
    src = typical_xlsx(tmp_path / "b.xlsx")
    with_vba = tmp_path / "m.xlsm"
    with_vba.write_bytes(src.read_bytes())
    with zipfile.ZipFile(with_vba, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a vba project")
    wb = read_workbook(with_vba)
    assert wb.format == "xlsm"
    assert wb.sheets[0].rows[5][3] == 12
    ct_only = tmp_path / "ct.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(ct_only, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                )
            zout.writestr(item, data)
    assert read_workbook(ct_only).format == "xlsm"


def test_file_is_opened_read_only_and_never_modified(tmp_path):
    p = typical_xlsx(tmp_path / "b.xlsx")
    before = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    p.chmod(0o444)
    read_workbook(p)
    assert (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) == before


def test_shared_strings_and_empty_strings(tmp_path):
    p = raw_xlsx(
        tmp_path / "s.xlsx",
        {"S": sheet_xml(
            '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c>'
            '<c r="D2"><v>7.0</v></c><c r="E2"><v>7.25</v></c></row>'
        )},
        shared=["Lộc Ninh", ""],
    )
    rows = read_workbook(p).sheets[0].rows
    assert rows == [[None] * 5, [None, "Lộc Ninh", None, 7, 7.25]]


def test_cached_error_values_are_kept_as_text(tmp_path):
    p = raw_xlsx(
        tmp_path / "e.xlsx",
        {"S": sheet_xml(
            '<row r="1"><c r="A1"><v>0</v></c><c r="B1" t="e"><f>1/A1</f><v>#DIV/0!</v></c>'
            '<c r="C1" s="0" t="e"><v>#REF!</v></c><c r="D1" t="str"><f>""</f><v></v></c></row>'
        )},
    )
    s = read_workbook(p).sheets[0]
    assert s.rows == [[0, "#DIV/0!", "#REF!", None]]
    assert s.formulas == {}  # cached values (errors, empty text) are not "missing"


def test_cells_without_r_and_prefixed_namespaces_take_the_exact_path(tmp_path):
    no_r = sheet_xml('<row><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>'
                     '<row><c/><c><v>3</v></c><c><f>A1+B2</f></c></row>')
    prefixed = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="{NS_MAIN}"><x:sheetData>'
        '<x:row r="3"><x:c r="B3"><x:v>4</x:v></x:c><x:c r="C3"><x:f>B3*2</x:f></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    wb = read_workbook(raw_xlsx(tmp_path / "n.xlsx", {"A": no_r, "B": prefixed}))
    a, b = wb.sheets
    assert a.rows == [[1, "x", None], [None, 3, 4]]
    assert a.formulas == {(1, 2): "=A1+B2"}
    assert b.rows == [[None] * 3, [None] * 3, [None, 4, 8]]
    assert b.formulas == {(2, 2): "=B3*2"} and b.unevaluated == set()


def test_exact_scan_agrees_with_the_fast_scan(tmp_path):
    xml = sheet_xml(
        '<row r="8"><c r="C8"><v>10</v></c><c r="D8"><v>5</v></c><c r="E8"><f>D8/C8</f><v></v></c></row>'
        '<row r="9"><c r="C9" t="e"><v>#N/A</v></c><c r="E9"><f t="shared" ref="E9:E10" si="0">C9+1</f></c></row>'
        '<row r="10"><c r="C10"><v>3</v></c><c r="E10"><f t="shared" si="0"/></c></row>'
    ).encode()
    fast = scan_sheet(xml, Limits(), "S")
    exact = scan_sheet_exact(xml, Limits(), "S")
    assert fast.nocache == exact.nocache == {(7, 4): "=D8/C8", (8, 4): "=C9+1", (9, 4): "=C10+1"}
    assert fast.errors == exact.errors == {(8, 2): "#N/A"}


# ---------------------------------------------------------------------------------------------
# formulas without cached values
# ---------------------------------------------------------------------------------------------
def formula_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "B1"
    for i, (name, total, met) in enumerate([("Xã A", 10, 5), ("Xã B", 20, 10), ("Xã C", 30, 0)]):
        r = 8 + i
        ws[f"B{r}"] = name
        ws[f"C{r}"] = total
        ws[f"D{r}"] = met
        ws[f"F{r}"] = f"=IF(C{r}=0,0,D{r}/C{r})"
    ws["E8"] = "=D8/C8"  # a ratio
    ws["B11"] = "Tổng cộng"
    ws["C11"] = "=SUM(C8:C10)"
    ws["D11"] = "=SUM(D8:D10)"
    ws["E11"] = "=ROUND(D11/C11*100,1)"
    ws["C7"] = "=C11"  # a total above that refers to a formula below
    ws["C12"] = "=C11+D11*2"
    ws["C13"] = "=(C11+D11)*2"
    ws["C14"] = "=SUM(B8:C10)"  # text in a SUM range is ignored
    ws["C15"] = "=C11-SUM(C8:C10,D8,5)"
    ws["C16"] = "=ROUND(2.675,2)"
    ws["C17"] = "=IFERROR(D10/D10,-1)"
    ws["C18"] = "=SUM(C8:C10)/3%"
    ws["G8"] = "=VLOOKUP(C8,C8:D10,2,FALSE)"  # unsupported
    ws["G9"] = "=D10/D10"  # division by zero
    ws["G10"] = "=Khác!A1"  # another sheet
    ws["H1"] = "=H2+1"  # a cycle
    ws["H2"] = "=H1+1"
    ws["H3"] = "=G8+1"  # depends on an unevaluated cell
    ws["H4"] = '=B8&" - "&C8'
    ws["H5"] = "=C8>C9"
    wb.create_sheet("Khác")["A1"] = 1
    wb.save(path)
    return path


def test_openpyxl_formulas_are_recorded_and_evaluated(tmp_path):
    s = read_workbook(formula_xlsx(tmp_path / "f.xlsx")).sheets[0]
    rows = s.rows
    assert s.formulas[(10, 2)] == "=SUM(C8:C10)"
    assert s.formulas[(10, 4)] == "=ROUND(D11/C11*100,1)"
    assert s.formulas[(7, 6)] == "=VLOOKUP(C8,C8:D10,2,FALSE)"
    assert rows[10][2] == 60 and type(rows[10][2]) is int
    assert rows[10][3] == 15
    assert rows[10][4] == 25
    assert rows[7][4] == 0.5
    assert [rows[r][5] for r in (7, 8, 9)] == [0.5, 0.5, 0]
    assert rows[6][2] == 60
    assert rows[11][2] == 90 and rows[12][2] == 150
    assert rows[13][2] == 60
    assert rows[14][2] == 60 - 60 - 5 - 5
    assert rows[15][2] == 2.68
    assert rows[16][2] == -1
    assert rows[17][2] == 2000
    assert rows[0][7] is None and rows[1][7] is None
    assert rows[3][7] == "Xã A - 10"
    assert rows[4][7] is False
    expected_unevaluated = {(7, 6), (8, 6), (9, 6), (0, 7), (1, 7), (2, 7)}
    assert s.unevaluated == expected_unevaluated
    assert all(rows[r][c] is None for r, c in expected_unevaluated)
    assert s.unevaluated <= set(s.formulas)
    assert len(s.formulas) == 23


def test_formula_cells_beyond_calamine_range_extend_the_grid(tmp_path):
    # calamine drops value-less formula cells from its range: the grid must still hold them
    p = raw_xlsx(tmp_path / "g.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>2</v></c></row><row r="4"><c r="E4"><f>A1*3</f></c></row>'
    )})
    s = read_workbook(p).sheets[0]
    assert len(s.rows) == 4 and len(s.rows[0]) == 5
    assert s.rows[3][4] == 6 and s.formulas == {(3, 4): "=A1*3"}


def test_shared_formulas_are_translated(tmp_path):
    p = raw_xlsx(tmp_path / "sh.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>10</v></c>'
        '<c r="C1"><f t="shared" ref="C1:C3" si="0">A1+B1*$B$1</f><v>101</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>20</v></c><c r="C2"><f t="shared" si="0"/></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><v>30</v></c><c r="C3"><f t="shared" si="0"/></c></row>'
    )})
    s = read_workbook(p).sheets[0]
    assert s.formulas == {(1, 2): "=A2+B2*$B$1", (2, 2): "=A3+B3*$B$1"}
    assert [r[2] for r in s.rows] == [101, 202, 303]


def test_shared_formula_moves_relative_references_only(tmp_path):
    # master in C8; a follower two rows down and one column right: C8:C14 -> D10:D16, the text "C8"
    # and the absolute $D$2 stay.  Master F5 = F1+1; its follower F4 would point above row 1 (Excel
    # shows #REF!): recorded as unreadable, not evaluated.
    p = raw_xlsx(tmp_path / "sh2.xlsx", {"S": sheet_xml(
        '<row r="4"><c r="F4"><f t="shared" si="1"/></c></row>'
        '<row r="5"><c r="F5"><f t="shared" ref="F4:F5" si="1">F1+1</f><v>1</v></c></row>'
        '<row r="8"><c r="C8"><f t="shared" ref="C8:D10" si="0">SUM(C8:C14)+"C8"&amp;$D$2</f><v>0</v></c></row>'
        '<row r="10"><c r="D10"><f t="shared" si="0"/></c></row>'
    )})
    s = read_workbook(p).sheets[0]
    assert s.formulas == {(3, 5): "=?", (9, 3): '=SUM(D10:D16)+"C8"&$D$2'}
    assert s.unevaluated == {(3, 5), (9, 3)}  # no formula; text in arithmetic


def test_odf_formula_text():
    assert odf_formula("of:=SUM([.C8:.C14])") == "=SUM(C8:C14)"
    assert odf_formula("of:=ROUND([.D8]/[.C8]*100;1)") == "=ROUND(D8/C8*100,1)"
    assert odf_formula("of:=[$'Biểu 2'.A1]+1") == "='Biểu 2'!A1+1"


# ---------------------------------------------------------------------------------------------
# .xls
# ---------------------------------------------------------------------------------------------
def typical_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Biểu 1")
    ws.write_merge(0, 0, 2, 5, "CÔNG AN TỈNH BÌNH PHƯỚC")
    ws.write_merge(1, 2, 2, 7, "BIỂU THỐNG KÊ")
    ws.write(4, 2, "Xã")
    ws.write(4, 3, "Tổng số")
    ws.write(5, 2, "Lộc Thái")
    ws.write(5, 3, 12)
    ws.write(5, 4, 0.5)
    ws.write(6, 2, "Lộc Hưng")
    ws.write(6, 3, 3)
    ws.write(6, 4, True)
    ws.write(7, 3, xlwt.Formula("SUM(D6:D7)"))
    ws.write(7, 4, xlwt.Formula("ROUND(D6/D7*100,1)"))
    ws.write(7, 5, xlwt.Formula("IF(D7=0,0,D6/D7)"))
    ws.write(7, 6, xlwt.Formula('VLOOKUP(D6,C6:D7,2,FALSE)'))
    hidden = book.add_sheet("Ẩn")
    hidden.write(0, 0, "x")
    hidden.visibility = 1
    book.save(str(path))
    return path


def test_xls_values_merged_hidden_formulas(tmp_path):
    wb = read_workbook(typical_xls(tmp_path / "b.xls"))
    assert wb.format == "xls"
    assert [(s.name, s.hidden) for s in wb.sheets] == [("Biểu 1", False), ("Ẩn", True)]
    s = wb.sheets[0]
    assert sorted(s.merged) == [(0, 2, 0, 5), (1, 2, 2, 7)]
    assert s.rows[0][2] == "CÔNG AN TỈNH BÌNH PHƯỚC"
    assert s.rows[4][2] == "Xã"
    assert s.rows[5][2:5] == ["Lộc Thái", 12, 0.5]
    assert s.rows[6][4] is True
    # xlwt stores formulas with an "empty" result (calamine reads a blank): recorded, evaluated
    assert s.formulas == {
        (7, 3): "=SUM(D6:D7)",
        (7, 4): "=ROUND(D6/D7*100,1)",
        (7, 5): "=IF(D7=0,0,D6/D7)",
        (7, 6): "=VLOOKUP(D6,C6:D7,2,FALSE)",
    }
    assert s.rows[7][3:7] == [15, 400, 4, None]
    assert s.unevaluated == {(7, 6)}
    assert wb.sheets[1].rows == [["x"]]


def test_biff_formula_decoder():
    # 1 + 2 * 3 written as tokens: ptgInt 1, ptgInt 2, ptgInt 3, ptgMul, ptgAdd
    rgce = bytes([0x1E, 1, 0, 0x1E, 2, 0, 0x1E, 3, 0, 0x05, 0x03])
    assert decode_rgce(rgce) == "=1+2*3"
    # (1 + 2) * 3 without ptgParen must still come out with parentheses
    rgce = bytes([0x1E, 1, 0, 0x1E, 2, 0, 0x03, 0x1E, 3, 0, 0x05])
    assert decode_rgce(rgce) == "=(1+2)*3"
    assert decode_rgce(bytes([0x01, 0, 0, 0, 0])) == "=?"  # shared formula token


# ---------------------------------------------------------------------------------------------
# .ods
# ---------------------------------------------------------------------------------------------
def typical_ods(path: Path, legacy: bool = False) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import FontFace, Style, TableProperties, TextProperties
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="hid", family="table")
    hidden_style.addElement(TableProperties(display=False))
    doc.automaticstyles.addElement(hidden_style)
    doc.fontfacedecls.addElement(FontFace(name=".VnTime", fontfamily="'.VnTime'"))
    vn = Style(name="vn", family="table-cell")
    vn.addElement(TextProperties(fontname=".VnTime"))
    doc.automaticstyles.addElement(vn)

    def text(v, **kw):
        c = TableCell(valuetype="string", **kw)
        c.addElement(P(text=v))
        return c

    def num(v, **kw):
        return TableCell(valuetype="float", value=v, **kw)

    t = Table(name="Biểu 1")
    r = TableRow()
    r.addElement(TableCell(numbercolumnsrepeated=2))
    r.addElement(text("CÔNG AN TỈNH", numbercolumnsspanned=4, numberrowsspanned=2))
    r.addElement(CoveredTableCell(numbercolumnsrepeated=3))
    t.addElement(r)
    r = TableRow()
    r.addElement(TableCell(numbercolumnsrepeated=2))
    r.addElement(CoveredTableCell(numbercolumnsrepeated=4))
    t.addElement(r)
    r = TableRow(numberrowsrepeated=2)
    r.addElement(TableCell())
    t.addElement(r)
    r = TableRow()
    r.addElement(TableCell(numbercolumnsrepeated=2))
    r.addElement(text("§ång Xoµi" if legacy else "Đồng Xoài", stylename="vn"))
    r.addElement(num(12))
    r.addElement(num(3))
    t.addElement(r)
    r = TableRow()
    r.addElement(TableCell(numbercolumnsrepeated=3))
    r.addElement(TableCell(formula="of:=SUM([.D5:.E5])"))
    r.addElement(TableCell(formula="of:=[.D5]/[.E5]", valuetype="float", value="4"))
    r.addElement(TableCell(formula="of:=VLOOKUP([.D5];[.D5:.E5];2;0)"))
    t.addElement(r)
    doc.spreadsheet.addElement(t)
    h = Table(name="Ẩn", stylename=hidden_style)
    r = TableRow()
    r.addElement(text("x"))
    h.addElement(r)
    doc.spreadsheet.addElement(h)
    doc.save(str(path))
    return path


def test_ods_values_merged_hidden_formulas(tmp_path):
    wb = read_workbook(typical_ods(tmp_path / "b.ods"))
    assert wb.format == "ods"
    assert [(s.name, s.hidden) for s in wb.sheets] == [("Biểu 1", False), ("Ẩn", True)]
    s = wb.sheets[0]
    assert s.merged == [(0, 2, 1, 5)]
    assert s.rows[0][2] == "CÔNG AN TỈNH" and s.rows[0][:2] == [None, None]
    assert s.rows[4][2:5] == ["Đồng Xoài", 12, 3]
    assert s.formulas == {(5, 3): "=SUM(D5:E5)", (5, 5): "=VLOOKUP(D5,D5:E5,2,0)"}
    assert s.rows[5][3:6] == [15, 4, None]
    assert s.unevaluated == {(5, 5)}
    assert s.fonts == {}


def test_ods_fonts_best_effort(tmp_path):
    s = read_workbook(typical_ods(tmp_path / "l.ods", legacy=True)).sheets[0]
    assert s.fonts.get((4, 2)) == ".VnTime"


# ---------------------------------------------------------------------------------------------
# legacy fonts
# ---------------------------------------------------------------------------------------------
def legacy_xlsx(path: Path, legacy: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "C¤NG AN TØNH B×NH PH¦íC" if legacy else "CÔNG AN TỈNH BÌNH PHƯỚC"
    ws["A1"].font = Font(name=".VnTimeH")
    ws["A3"] = "§ång Xoµi" if legacy else "Đồng Xoài"
    ws["A3"].font = Font(name=".VnTime")
    ws["B3"] = 12
    ws["B3"].font = Font(name=".VnTime")
    ws["A4"] = "Bình Long"  # plain text in the default font
    ws2 = wb.create_sheet("Hai")
    ws2["C2"] = "Léc Ninh" if legacy else "Lộc Ninh"
    ws2["C2"].font = Font(name="VNI-Times")
    wb.save(path)
    return path


def test_fonts_read_only_when_legacy_text_is_present(tmp_path):
    wb = read_workbook(legacy_xlsx(tmp_path / "l.xlsx", legacy=True))
    s1, s2 = wb.sheets
    assert s1.fonts == {(0, 0): ".VnTimeH", (2, 0): ".VnTime", (3, 0): "Calibri"}
    assert s2.fonts == {(1, 2): "VNI-Times"}
    assert all(f.lower().startswith(LEGACY_FONT_PREFIXES) for f in (".VnTime", ".VnTimeH", "VNI-Times"))
    wb = read_workbook(legacy_xlsx(tmp_path / "u.xlsx", legacy=False))
    assert all(s.fonts == {} for s in wb.sheets)


def test_xls_fonts_of_text_cells(tmp_path):
    path = tmp_path / "l.xls"
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("S")
    ws.write(0, 0, "C¤NG AN TØNH", xlwt.easyxf("font: name .VnTimeH"))
    ws.write(2, 1, "§ång Xoµi", xlwt.easyxf("font: name .VnTime"))
    ws.write(2, 2, 12, xlwt.easyxf("font: name .VnTime"))
    ws.write(3, 1, "abc")
    book.save(str(path))
    s = read_workbook(path).sheets[0]
    assert s.fonts == {(0, 0): ".VnTimeH", (2, 1): ".VnTime", (3, 1): "Arial"}


# ---------------------------------------------------------------------------------------------
# exceptions: only WorkbookError ever leaves read_workbook
# ---------------------------------------------------------------------------------------------
class _FakePanic(BaseException):
    """Stands in for pyo3_runtime.PanicException (derives from BaseException)."""


@pytest.mark.parametrize(
    "exc,code",
    [(_FakePanic("boom"), "file_unreadable"), (ValueError("x"), "file_unreadable"),
     (MemoryError(), "file_too_large")],
)
def test_reader_exceptions_are_wrapped(tmp_path, monkeypatch, exc, code):
    p = typical_xlsx(tmp_path / "b.xlsx")

    def explode(_data):
        raise exc

    monkeypatch.setattr(calamine, "open_calamine", explode)
    with pytest.raises(WorkbookError) as info:
        read_workbook(p)
    assert info.value.code == code


def test_keyboard_interrupt_is_not_swallowed(tmp_path, monkeypatch):
    p = typical_xlsx(tmp_path / "b.xlsx")

    def interrupt(_data):
        raise KeyboardInterrupt

    monkeypatch.setattr(calamine, "open_calamine", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read_workbook(p)


def test_missing_file_and_directory(tmp_path):
    for p in (tmp_path / "nope.xlsx", tmp_path):
        with pytest.raises(WorkbookError) as info:
            read_workbook(p)
        assert info.value.code == "file_unreadable"


def test_limits_are_configurable(tmp_path):
    p = typical_xlsx(tmp_path / "b.xlsx")
    with pytest.raises(WorkbookError) as info:
        read_workbook(p, Limits(max_rows=5))
    assert info.value.code == "file_too_large" and "dòng 6" in info.value.detail
    with pytest.raises(WorkbookError) as info:
        read_workbook(p, Limits(max_cols=6))
    assert info.value.code == "file_too_large" and "cột G" in info.value.detail
    with pytest.raises(WorkbookError) as info:
        read_workbook(p, Limits(max_file_bytes=1000))
    assert info.value.code == "file_too_large"
    with pytest.raises(WorkbookError) as info:
        read_workbook(p, Limits(max_cell_chars=10))
    assert info.value.code == "file_too_large" and "ký tự" in info.value.detail


def test_long_formula_chain_pointing_downwards_is_evaluated(tmp_path):
    # A1 = A2+1, A2 = A3+1, ..., A600 = 1: deeper than Python's recursion limit allows at once
    body = "".join(f'<row r="{r}"><c r="A{r}"><f>A{r + 1}+1</f></c></row>' for r in range(1, 600))
    body += '<row r="600"><c r="A600"><f>1</f></c></row>'
    s = read_workbook(raw_xlsx(tmp_path / "chain.xlsx", {"S": sheet_xml(body)})).sheets[0]
    assert s.unevaluated == set()
    assert [row[0] for row in s.rows[:3]] == [600, 599, 598] and s.rows[599][0] == 1


def test_formula_over_a_cached_error_stays_unevaluated(tmp_path):
    p = raw_xlsx(tmp_path / "err.xlsx", {"S": sheet_xml(
        '<row r="1"><c r="A1" t="e"><v>#REF!</v></c><c r="B1"><v>2</v></c>'
        '<c r="C1"><f>SUM(A1:B1)</f></c><c r="D1"><f>IFERROR(A1,0)+B1</f></c></row>'
    )})
    s = read_workbook(p).sheets[0]
    assert s.rows == [["#REF!", 2, None, 2]]
    assert s.unevaluated == {(0, 2)}


def test_formatting_beyond_the_limits_is_not_data(tmp_path):
    """Borders or fonts applied far below/right of the table are not values: the file loads."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Xã"
    ws["B2"] = 3
    for r in (25_000, 60_000):
        ws.cell(r, 1).font = Font(bold=True)
    ws.cell(5, 300).font = Font(bold=True)
    wb.save(tmp_path / "fmt.xlsx")
    s = read_workbook(tmp_path / "fmt.xlsx").sheets[0]
    assert s.rows == [["Xã", None], [None, 3]]
    book = xlwt.Workbook()
    sh = book.add_sheet("S")
    sh.write(0, 0, "Xã")
    sh.write(30_000, 0, None, xlwt.easyxf("borders: left thin"))  # a BLANK record
    sh.write(10, 250, None, xlwt.easyxf("borders: left thin"))
    book.save(str(tmp_path / "fmt.xls"))
    assert read_workbook(tmp_path / "fmt.xls").sheets[0].rows == [["Xã"]]


def test_reading_leaves_standard_error_alone(tmp_path, monkeypatch):
    """Silencing a reader's stderr is the caller's choice (antt.read.quiet): reading never
    redirects file descriptor 2 itself."""
    paths = [typical_xlsx(tmp_path / "b.xlsx"), typical_xls(tmp_path / "b.xls"), typical_ods(tmp_path / "b.ods")]

    def refuse(*_args):
        raise AssertionError("a reader touched a file descriptor")

    with monkeypatch.context() as m:
        m.setattr(os, "dup2", refuse)
        m.setattr(os, "dup", refuse)
        formats = [read_workbook(p).format for p in paths]
    assert formats == ["xlsx", "xls", "ods"]
