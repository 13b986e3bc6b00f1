"""Blank return templates (``antt.make.template``): layout, data validation, protection, and the round trip
through the loaders, blank and filled the way a person fills them in Excel."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from antt.core import config, forms, units
from antt.core.cycles import parse_cycle
from antt.make.template import LIST_SHEET, MODEL_ROWS, ROW_FIRST, ROW_HEADER, ROW_NUMBERING, write_templates

CYCLE = "2024-H1"
PROVINCE = "70"
TABLE_SHEETS = [t.label for t in forms.TABLES.values()]          # "Biểu 1" … "Biểu 5"
SHEET_OF = {t.id: t.label for t in forms.TABLES.values()}
HIERARCHY = units.hierarchy_on(parse_cycle(CYCLE).end)
DISTRICTS = HIERARCHY.districts_expected(PROVINCE)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def headings(tid: str) -> list[str]:
    return [f.heading for f in forms.TABLES[tid].layouts[0].fields if f.kind != "ratio"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("templates")
    return root, write_templates(CYCLE, root / CYCLE)


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
    (path,) = write_templates(CYCLE, tmp_path, district="692")
    assert path.name == "Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx"
    with pytest.raises(ValueError):
        write_templates(CYCLE, tmp_path, district="760")           # a district of another province
    with pytest.raises(ValueError):
        write_templates("2024-H2", tmp_path)
    monkeypatch.setattr(config, "RAW_DIR", tmp_path / "raw")
    with pytest.raises(ValueError):                                   # never into data/raw (the contract)
        write_templates(CYCLE, tmp_path / "raw" / CYCLE)
    assert not (tmp_path / "raw").exists()


def test_rewriting_replaces_the_file(tmp_path):
    (first,) = write_templates(CYCLE, tmp_path, district="690")
    (again,) = write_templates(CYCLE, tmp_path, district="690")
    assert first == again and [p.name for p in tmp_path.iterdir()] == [first.name]


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


# ---------------------------------------------------------------------------------------------
# through the loaders

def test_blank_templates_are_recognised_and_empty(blank):
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, _ = blank
    data = CycleFrames(load_cycle(root, CYCLE))
    files = data.files
    assert list(files.status) == ["loaded"] * 11
    assert sorted(files.district_code) == [d.code for d in DISTRICTS]
    assert all(list(t) == list(forms.TABLES) for t in files.tables)
    assert data.findings[data.findings.severity == "error"].empty, data.findings.to_dict("records")
    assert data.completeness == {d.code: {tid: "empty" for tid in forms.TABLES} for d in DISTRICTS}


def test_blank_templates_give_no_warning(blank):
    """Only the report date, left for the district to fill, is noted (info)."""
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, _ = blank
    f = CycleFrames(load_cycle(root, CYCLE)).findings
    assert sorted(set(f.code)) == ["report_date_missing"], f[f.code != "report_date_missing"].to_dict("records")
    assert set(f.severity) == {"info"}


# A person fills every template: numbers, "x" marks, types, communes and settings from the drop-downs,
# years, the report date; one count is not known yet ("?"), a few cells are left blank (zero).
MISSING = ("692", "outreach", 0, "attendees")      # district, table, commune index, field typed "?"


def _fill(path: Path) -> dict:
    """Type known values into one template; returns what the loaders must read back."""
    wb = openpyxl.load_workbook(path)
    d = district_of(path)
    seed = int(d.code)
    first = ROW_FIRST
    expected: dict = {tid: {} for tid in forms.TABLES}

    for ws in (wb[s] for s in TABLE_SHEETS):
        place = next(c for row in ws.iter_rows(max_row=ROW_HEADER) for c in row
                     if isinstance(c.value, str) and ", ngày" in c.value)
        place.value = f"{d.short}, ngày 16 tháng 6 năm 2024"

    communes = HIERARCHY.communes(d.code)
    ws = wb["Biểu 1"]
    for i, u in enumerate(communes):
        total = 3 + (seed + i) % 12
        registered = total - (i % 2)
        meeting = registered - (i % 3 == 0)
        r = first + i
        assert ws.cell(r, 2).value == u.name
        ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value = total, registered, meeting
        expected["kdc"][u.code] = {"kdc_total": total, "kdc_registered": registered, "kdc_meeting": meeting}

    ws = wb["Biểu 2"]
    for i, u in enumerate(x for x in communes if x.kind == "Xã"):
        r = first + i
        assert ws.cell(r, 2).value == u.name
        met = (seed + i) % 3 != 0
        criteria = 19 if met else 10 + (seed + i) % 9
        year = 2015 + (seed + i) % 10 if met else None
        security = met or i % 2 == 0
        ws.cell(r, 3).value = criteria
        ws.cell(r, 4).value = "x" if met else None
        ws.cell(r, 5).value = year
        ws.cell(r, 6).value = "x" if security else None
        expected["ntm"][u.code] = {"ntm_criteria_met": criteria, "ntm_met": met, "ntm_year": year,
                                   "ntm_security_criterion": security}

    ws = wb["Biểu 3"]
    dvs = validations(ws)
    types, places, settings = (list_values(wb, dvs[c]) for c in "CDE")
    setting_key = {v: k for k, v in forms.SETTINGS.items()}
    expected["models"] = {}
    for i in range(4 + seed % 5):
        r = first + i
        kind = types[(seed + i) % len(types)]
        name = f"{kind} số {i + 1} ({d.short})"
        commune = places[i % len(places)]
        setting = settings[i % 2]
        cameras = 4 + i if kind == "Camera an ninh" else None
        ws.cell(r, 1).value = i + 1
        ws.cell(r, 2).value = name
        ws.cell(r, 3).value = kind
        ws.cell(r, 4).value = commune
        ws.cell(r, 5).value = setting
        ws.cell(r, 6).value = 2010 + i
        ws.cell(r, 7).value = 10 + 3 * i
        ws.cell(r, 8).value = cameras
        code = next(u.code for u in communes if u.name == commune)
        expected["models"][name] = {"commune_code": code, "model_type": kind, "setting": setting_key[setting],
                                    "founded": 2010 + i, "members": 10 + 3 * i, "cameras": cameras or 0}

    ws = wb["Biểu 4"]
    for i, u in enumerate(communes):
        r = first + i
        values = {"broadcast_hours": (i % 4) * 1.5 + 2, "banners_posters": 10 + (seed + i) % 20,
                  "sessions": 2 + i % 5, "attendees": 150 + 10 * i}
        if (d.code, "outreach", i, "attendees") == MISSING:
            ws.cell(r, 6).value = "?"
            values["attendees"] = None
        else:
            ws.cell(r, 6).value = values["attendees"]
        ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value = (
            values["broadcast_hours"], values["banners_posters"], values["sessions"])
        expected["outreach"][u.code] = values

    ws = wb["Biểu 5"]
    for i, u in enumerate(communes):
        r = first + i
        upper = None if i % 3 == 0 else i % 2 + 1                            # blank means zero
        values = {"bright_spots_upper": upper or 0, "bright_spots_commune": 1 + (seed + i) % 4,
                  "core_groups": 3 + i % 6, "core_group_members": 20 + 5 * i}
        ws.cell(r, 3).value = upper
        ws.cell(r, 4).value, ws.cell(r, 5).value, ws.cell(r, 6).value = (
            values["bright_spots_commune"], values["core_groups"], values["core_group_members"])
        expected["bright_spots"][u.code] = values

    _check_typed_values_pass_validation(wb)
    wb.save(path)
    return expected


def _check_typed_values_pass_validation(wb) -> None:
    """What was typed is what Excel would accept: list and whole-number rules checked here (the
    custom rules accept any whole number ≥ 0 or "?", which is what the counts are)."""
    for name in TABLE_SHEETS:
        ws = wb[name]
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord]:
                    for cell in row:
                        v = cell.value
                        if v is None:
                            continue
                        assert not cell.protection.locked, cell.coordinate
                        if dv.type == "list":
                            assert v in list_values(wb, dv), (name, cell.coordinate, v)
                        elif dv.type == "whole":
                            assert int(dv.formula1) <= v <= int(dv.formula2)
                        elif dv.type == "custom":
                            assert v == "?" or (isinstance(v, (int, float)) and v >= 0)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("filled")
    paths = write_templates(CYCLE, root / CYCLE)
    return root, {district_of(p).code: _fill(p) for p in paths}


def _plain(v):
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


def test_filled_templates_read_back_exactly(filled):
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, expected = filled
    data = CycleFrames(load_cycle(root, CYCLE))
    assert list(data.files.status) == ["loaded"] * 11
    assert data.completeness == {d.code: {tid: "received" for tid in forms.TABLES} for d in DISTRICTS}
    for tid in ("kdc", "ntm", "outreach", "bright_spots"):
        frame = data.tables[tid]
        fields = list(forms.TABLES[tid].value_fields)
        got = {(r.district_code, r.commune_code): {f: _plain(getattr(r, f)) for f in fields}
               for r in frame.itertuples(index=False)}
        want = {(d, c): v for d, rows in expected.items() for c, v in rows[tid].items()}
        assert len(frame) == len(want), tid
        assert got == want, tid
        assert set(frame.sheet) == {SHEET_OF[tid]} and frame.source_file.str.startswith(f"{CYCLE}/Mau_bao_cao_").all()
    models = data.tables["models"]
    got = {(r.district_code, r.model_name): {"commune_code": r.commune_code, "model_type": r.model_type,
                                             "setting": r.setting, "founded": _plain(r.founded),
                                             "members": _plain(r.members), "cameras": _plain(r.cameras)}
           for r in models.itertuples(index=False)}
    want = {(d, name): v for d, rows in expected.items() for name, v in rows["models"].items()}
    assert len(models) == len(want) and got == want


def test_filled_templates_give_only_the_findings_their_data_call_for(filled):
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, _ = filled
    f = CycleFrames(load_cycle(root, CYCLE)).findings
    assert f[f.severity == "error"].empty, f[f.severity == "error"].to_dict("records")
    (missing,) = f[f.severity != "info"].to_dict("records")
    district = HIERARCHY.unit(MISSING[0])
    assert (missing["code"], missing["sheet"], missing["cell"], missing["row"]) == (
        "value_missing", "Biểu 4", f"F{ROW_FIRST}", ROW_FIRST)
    assert missing["file"].endswith(f"_{district.code}_Loc_Ninh.xlsx")
    assert set(f.code) == {"value_missing"}                   # the report date was filled: nothing else


# ---------------------------------------------------------------------------------------------
# LibreOffice (optional: only where it is installed)

@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")
def test_libreoffice_opens_a_template_and_calculates_its_totals(filled, tmp_path):
    root, expected = filled
    src = next((root / CYCLE).glob("*_692_*.xlsx"))
    out = tmp_path / "lo"
    for fmt in ("pdf", "xlsx"):
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=180)
    assert (out / src.with_suffix(".pdf").name).stat().st_size > 10_000
    wb = openpyxl.load_workbook(out / src.name, data_only=True)
    ws = wb["Biểu 1"]
    n = len(expected["692"]["kdc"])
    total = [ws.cell(ROW_FIRST + n, c).value for c in (3, 4, 5)]
    assert total == [sum(v[f] for v in expected["692"]["kdc"].values())
                     for f in ("kdc_total", "kdc_registered", "kdc_meeting")]
