"""Blank return templates through the loaders, blank and filled the way a person fills them in Excel."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from antt.core import forms
from antt.make.template import write_templates
from antt.make.template_form import ROW_FIRST, ROW_HEADER
from tests.unit.test_template import (CYCLE, DISTRICTS, HIERARCHY, SHEET_OF, TABLE_SHEETS, district_of, list_values,
                                      validations)

PROVINCE = "70"                 # Bình Phước: the templates of its 11 districts
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("templates")
    return root, write_templates(CYCLE, root / CYCLE, province=PROVINCE)


def test_blank_templates_are_recognised_and_empty(blank):
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, _ = blank
    data = CycleFrames(load_cycle(root, CYCLE, PROVINCE))
    files = data.files
    assert list(files.status) == ["loaded"] * 11
    assert sorted(files.unit_code) == [d.code for d in DISTRICTS]
    assert all(list(t) == list(forms.TABLES) for t in files.tables)
    assert data.findings[data.findings.severity == "error"].empty, data.findings.to_dict("records")
    assert data.completeness == {d.code: {tid: "empty" for tid in forms.TABLES} for d in DISTRICTS}


def test_blank_templates_give_no_warning(blank):
    """Only the report date, left for the district to fill, is noted (info)."""
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    root, _ = blank
    f = CycleFrames(load_cycle(root, CYCLE, PROVINCE)).findings
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
    paths = write_templates(CYCLE, root / CYCLE, province=PROVINCE)
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
    data = CycleFrames(load_cycle(root, CYCLE, PROVINCE))
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
    f = CycleFrames(load_cycle(root, CYCLE, PROVINCE)).findings
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
