"""Blank return templates (``antt.make.template``): layout, data validation, protection (the round trip
through the loaders is in tests/integration/test_template_roundtrip.py)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from antt.core import config, forms, units
from antt.core.cycles import parse_cycle
from antt.make.template import write_templates
from antt.make.template_form import LIST_SHEET, MODEL_ROWS, ROW_FIRST, ROW_HEADER, ROW_NUMBERING

CYCLE = "2024-H1"
PROVINCE = "70"
TABLE_SHEETS = [t.label for t in forms.TABLES.values()]          # "Biểu 1" … "Biểu 5"
SHEET_OF = {t.id: t.label for t in forms.TABLES.values()}
HIERARCHY = units.hierarchy_on(parse_cycle(CYCLE).end)
DISTRICTS = HIERARCHY.districts_expected(PROVINCE)


def headings(tid: str) -> list[str]:
    return [f.heading for f in forms.TABLES[tid].layouts[0].fields if f.kind != "ratio"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("templates")
    return root, write_templates(CYCLE, root / CYCLE, province=PROVINCE)


def district_of(path: Path) -> units.Unit:
    code = re.match(rf"Mau_bao_cao_{CYCLE}_(\d+)_", path.name).group(1)
    return HIERARCHY.unit(code)


def column_values(ws, col: int, first: int = ROW_FIRST) -> list:
    """Values of a column from ``first`` down to the row before "Tổng cộng" (or the first blank)."""
    out = []
    for r in range(first, ws.max_row + 1):
        v = ws.cell(r, col).value
        if v is None or v == "Tổng cộng":
            break
        out.append(v)
    return out


# ---------------------------------------------------------------------------------------------
# the files

def test_one_workbook_per_district_written_into_the_folder_itself(blank):
    root, paths = blank
    assert len(paths) == 11 == len(DISTRICTS)
    assert sorted(p.name for p in (root / CYCLE).iterdir()) == sorted(p.name for p in paths)  # no temp files left
    assert [district_of(p).code for p in paths] == [d.code for d in DISTRICTS]
    assert (root / CYCLE / "Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx") in paths
    assert all(p.name.isascii() for p in paths)


def test_one_district_only_and_bad_arguments(tmp_path, monkeypatch):
    (path,) = write_templates(CYCLE, tmp_path, unit="692", province=PROVINCE)
    assert path.name == "Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx"
    with pytest.raises(ValueError):
        write_templates(CYCLE, tmp_path, unit="760", province=PROVINCE)           # a district of another province
    with pytest.raises(ValueError):
        write_templates("2024-H2", tmp_path)
    monkeypatch.setattr(config, "RAW_DIR", tmp_path / "raw")
    with pytest.raises(ValueError):                                   # never into data/raw (the contract)
        write_templates(CYCLE, tmp_path / "raw" / CYCLE)
    assert not (tmp_path / "raw").exists()


def test_rewriting_replaces_the_file_with_the_same_bytes(tmp_path):
    (first,) = write_templates(CYCLE, tmp_path, unit="690", province=PROVINCE)
    data = first.read_bytes()
    (again,) = write_templates(CYCLE, tmp_path, unit="690", province=PROVINCE)
    assert first == again and [p.name for p in tmp_path.iterdir()] == [first.name]
    assert again.read_bytes() == data


# ---------------------------------------------------------------------------------------------
# layout

def test_title_block_header_and_sheets(blank):
    _, paths = blank
    for path in paths:
        d = district_of(path)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == TABLE_SHEETS + [LIST_SHEET]
        assert wb[LIST_SHEET].sheet_state == "hidden" and wb.active.title == "Biểu 1"
        for tid, table in forms.TABLES.items():
            ws = wb[table.label]
            texts = [v for row in ws.iter_rows(max_row=ROW_HEADER - 1, values_only=True) for v in row if v]
            assert texts[:4] == ["CÔNG AN TỈNH BÌNH PHƯỚC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                 f"CÔNG AN {d.name.upper()}", "Độc lập - Tự do - Hạnh phúc"]
            place = texts[4]
            assert place.startswith(f"{d.short}, ngày ") and "tháng" in place and not re.search(r"\d", place)
            assert texts[5:] == ["BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC",
                                 "Kỳ báo cáo: 6 tháng đầu năm 2024 (số liệu từ ngày 15/12/2023 đến ngày 14/6/2024)",
                                 table.heading]
            header = [c.value for c in ws[ROW_HEADER] if c.value is not None]
            assert header == ["STT"] + headings(tid)
            assert [c.value for c in ws[ROW_NUMBERING] if c.value] == [f"({i})" for i in range(1, len(header) + 1)]
            assert ws.freeze_panes == f"C{ROW_FIRST}"
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert all(ws.cell(ROW_HEADER, c).alignment.wrap_text for c in range(1, len(header) + 1))
            guidance = [v for row in ws.iter_rows(min_row=ROW_FIRST, values_only=True) for v in row
                        if isinstance(v, str) and v.startswith(("Ghi chú", "2. Nhập số nguyên"))]
            assert len(guidance) == 2 and "“?”" in guidance[1]
            footer = [v for row in ws.iter_rows(min_row=ROW_FIRST, values_only=True) for v in row if v]
            assert "NGƯỜI LẬP BIỂU" in footer and "THỦ TRƯỞNG ĐƠN VỊ" in footer


def test_communes_prefilled_from_the_hierarchy(blank):
    _, paths = blank
    n_communes = n_xa = 0
    for path in paths:
        d = district_of(path)
        names = [u.name for u in HIERARCHY.communes(d.code)]
        xa = [u.name for u in HIERARCHY.communes(d.code) if u.kind == "Xã"]
        wb = openpyxl.load_workbook(path)
        for tid in ("kdc", "outreach", "bright_spots"):
            assert column_values(wb[SHEET_OF[tid]], 2) == names, (path.name, tid)
        assert column_values(wb[SHEET_OF["ntm"]], 2) == xa
        assert column_values(wb[SHEET_OF["models"]], 2) == []                   # model rows are empty
        assert [c.value for c in wb[LIST_SHEET]["A"][1:] if c.value is not None] == names
        n_communes += len(names)
        n_xa += len(xa)
    assert (n_communes, n_xa) == (111, 86)


def test_total_rows_are_sum_formulas(blank):
    _, paths = blank
    wb = openpyxl.load_workbook(paths[4])                                     # Lộc Ninh, 16 communes
    first, end = ROW_FIRST, ROW_FIRST + 15
    ws = wb["Biểu 1"]
    assert [c.value for c in ws[end + 1]][1:5] == ["Tổng cộng", f"=SUM(C{first}:C{end})",
                                                   f"=SUM(D{first}:D{end})", f"=SUM(E{first}:E{end})"]
    ws = wb["Biểu 4"]
    assert [c.value for c in ws[end + 1]][2:6] == [f"=SUM({c}{first}:{c}{end})" for c in "CDEF"]
    ws = wb["Biểu 3"]
    m_end = ROW_FIRST + MODEL_ROWS - 1
    row = {c.column_letter: c.value for c in ws[m_end + 1] if c.value}
    assert row == {"B": "Tổng cộng", "G": f"=SUM(G{first}:G{m_end})", "H": f"=SUM(H{first}:H{m_end})"}
    ws = wb["Biểu 2"]                              # no total row: the xã meeting the standard are counted below
    formulas = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str) and v.startswith("=")]
    assert formulas == [f'=COUNTIF(D{first}:D{ROW_FIRST + 14},"x")', f'=COUNTIF(F{first}:F{ROW_FIRST + 14},"x")']


# ---------------------------------------------------------------------------------------------
# validation and protection

def validations(ws) -> dict[str, object]:
    """Column letter -> the data validation over it (one per column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[re.match(r"[A-Z]+", rng.coord).group(0)] = dv
    return out


def list_values(wb, dv) -> list[str]:
    """The values a list validation offers (inline or a range of the hidden sheet)."""
    f = dv.formula1
    if f.startswith('"'):
        return f.strip('"').split(",")
    sheet, rng = f.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[rng.replace("$", "")] for c in row]


def test_data_validation_on_every_input_column(blank):
    _, paths = blank
    for path in paths:
        wb = openpyxl.load_workbook(path)
        d = district_of(path)
        for tid, table in forms.TABLES.items():
            ws = wb[table.label]
            assert ws.data_validations.dataValidation, (path.name, tid)
            dvs = validations(ws)
            fields = [f for f in table.layouts[0].fields if f.kind != "ratio"]
            for col, f in zip("BCDEFGH", fields):
                if f.kind == "text" or (f.kind == "commune" and table.per_commune):
                    assert col not in dvs                 # free text; communes are pre-filled and locked
                    continue
                dv = dvs[col]
                assert dv.showErrorMessage and dv.allow_blank, (tid, f.name)
                if f.kind in ("count", "number"):
                    assert dv.type == "custom" and f'{col}{ROW_FIRST}="?"' in dv.formula1
                    assert (f"INT({col}{ROW_FIRST})" in dv.formula1) == (f.kind == "count")
                elif f.kind == "year":
                    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "1990", "2024")
                elif f.kind == "mark":
                    assert (dv.type, list_values(wb, dv)) == ("list", ["x"])
                elif f.kind == "model_type":
                    assert list_values(wb, dv) == list(forms.MODEL_TYPES)
                elif f.kind == "setting":
                    assert list_values(wb, dv) == list(forms.SETTINGS.values())
                else:
                    assert f.kind == "commune"
                    assert list_values(wb, dv) == [u.name for u in HIERARCHY.communes(d.code)]
            criteria = dvs["C"] if tid == "ntm" else None
            if criteria is not None:
                assert f"C{ROW_FIRST}<=19" in criteria.formula1


def test_protection_locks_headings_and_communes_not_input_cells(blank):
    _, paths = blank
    wb = openpyxl.load_workbook(paths[0])
    for tid, table in forms.TABLES.items():
        ws = wb[table.label]
        assert ws.protection.sheet and not ws.protection.password
        ncol = len(headings(tid)) + 1
        assert all(ws.cell(ROW_HEADER, c).protection.locked for c in range(1, ncol + 1))
        assert all(ws.cell(r, 1).protection.locked for r in range(1, ROW_HEADER))
        place = next(c for row in ws.iter_rows(max_row=ROW_HEADER) for c in row
                     if isinstance(c.value, str) and ", ngày" in c.value)
        assert not place.protection.locked
        first = ROW_FIRST
        if table.per_commune:
            assert ws.cell(first, 2).protection.locked                         # commune name
            assert not any(ws.cell(first, c).protection.locked for c in range(3, ncol + 1))
        else:
            assert not any(ws.cell(first, c).protection.locked for c in range(1, ncol + 1))
    assert wb[LIST_SHEET].protection.sheet
