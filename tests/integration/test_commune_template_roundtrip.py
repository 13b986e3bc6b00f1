"""Commune templates through the loaders: blank, and filled the way a person fills them in Excel
(the 95 communes of Đồng Nai, cycle 2026)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from antt.core import forms, territory, units
from antt.core.cycles import parse_cycle
from antt.make.template import write_templates
from antt.make.template_form import ROW_FIRST, ROW_HEADER

CYCLE = "2026"
COMMUNES = territory.resolve("75").expected_units(parse_cycle(CYCLE))
CURRENT = units.current()
MISSING = ("26116", "outreach", "attendees")          # Xã Tân Phú types "?" (no data yet)


def _load(root: Path):
    from antt.check.cycle import load_cycle
    from antt.store.frames import CycleFrames
    return CycleFrames(load_cycle(root, CYCLE, "75"))


def unit_of(path: Path) -> units.Unit:
    return CURRENT.unit(path.name.split("_")[4])


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("blank")
    write_templates(CYCLE, root / CYCLE, province="75", processed_dir=root / "no-processed-data")
    return root


def test_blank_commune_templates_are_recognised_and_empty(blank):
    data = _load(blank)
    assert list(data.files.status) == ["loaded"] * 95
    assert sorted(data.files.unit_code) == [u.code for u in COMMUNES]
    assert data.findings[data.findings.severity == "error"].empty, data.findings.to_dict("records")
    want = {u.code: {tid: ("received" if tid == "ntm" and u.kind != "Xã" else "empty") for tid in forms.TABLES}
            for u in COMMUNES}                       # a phường has no Biểu 2: complete, not applicable
    assert data.completeness == want


def test_blank_commune_templates_give_no_warning(blank):
    """Only the report date, left for the commune to fill, is noted (info)."""
    f = _load(blank).findings
    assert sorted(set(f.code)) == ["report_date_missing"], f[f.code != "report_date_missing"].to_dict("records")


def _fill(path: Path) -> dict:
    """Type known values into one commune's template; returns what the loaders must read back."""
    wb = openpyxl.load_workbook(path)
    u = unit_of(path)
    seed = int(u.code)
    expected: dict = {}
    for ws in wb.worksheets[:-1]:
        place = next(c for row in ws.iter_rows(max_row=ROW_HEADER) for c in row
                     if isinstance(c.value, str) and ", ngày" in c.value)
        place.value = f"{u.short}, ngày 15 tháng 12 năm 2026"

    ws = wb["Biểu 1"]
    word = "Khu phố" if u.kind == "Phường" else "Ấp"
    areas = []
    for i in range(4 + seed % 9):
        reg, meet = (seed + i) % 5 != 0, (seed + i) % 3 != 0 and (seed + i) % 5 != 0
        ws.cell(ROW_FIRST + i, 1).value = i + 1
        ws.cell(ROW_FIRST + i, 2).value = f"{word} {i + 1}"
        ws.cell(ROW_FIRST + i, 3).value = "x" if reg else None
        ws.cell(ROW_FIRST + i, 4).value = "x" if meet else None
        areas.append([f"{word} {i + 1}", reg, meet])
    expected["areas"] = areas
    expected["kdc"] = {"kdc_total": len(areas), "kdc_registered": sum(a[1] for a in areas),
                       "kdc_meeting": sum(a[2] for a in areas)}

    if u.kind == "Xã":
        ws = wb["Biểu 2"]
        met = seed % 3 != 0
        ws.cell(ROW_FIRST, 3).value = 19 if met else 15
        ws.cell(ROW_FIRST, 4).value = "x" if met else None
        ws.cell(ROW_FIRST, 5).value = 2020 if met else None
        ws.cell(ROW_FIRST, 6).value = "x"
        expected["ntm"] = {"ntm_criteria_met": 19 if met else 15, "ntm_met": met, "ntm_year": 2020 if met else None,
                           "ntm_security_criterion": True}

    ws = wb["Biểu 3"]
    models = {}
    for i, (place, kind) in enumerate(((areas[0][0], "Camera an ninh"), (u.name, "Tiếng kẻng an ninh"),
                                       (None, "Khác"))):
        name = f"{kind} {u.short} số {i + 1}"
        r = ROW_FIRST + i
        ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value = i + 1, name, kind
        ws.cell(r, 4).value, ws.cell(r, 5).value, ws.cell(r, 6).value = place, forms.SETTINGS["residential"], 2015 + i
        ws.cell(r, 7).value, ws.cell(r, 8).value = 10 + i, (12 if kind == "Camera an ninh" else None)
        models[name] = {"commune_code": u.code, "model_type": kind, "setting": "residential", "founded": 2015 + i,
                        "members": 10 + i, "cameras": 12 if kind == "Camera an ninh" else 0}
    expected["models"] = models

    ws = wb["Biểu 4"]
    outreach = {"broadcast_hours": 1.5 + seed % 3, "banners_posters": 10 + seed % 20, "sessions": 2 + seed % 4,
                "attendees": 100 + seed % 50}
    if (u.code, "outreach") == MISSING[:2]:
        ws.cell(ROW_FIRST, 6).value = "?"
        outreach["attendees"] = None
    else:
        ws.cell(ROW_FIRST, 6).value = outreach["attendees"]
    ws.cell(ROW_FIRST, 3).value, ws.cell(ROW_FIRST, 4).value, ws.cell(ROW_FIRST, 5).value = (
        outreach["broadcast_hours"], outreach["banners_posters"], outreach["sessions"])
    expected["outreach"] = outreach

    ws = wb["Biểu 5"]
    bright = {"bright_spots_upper": seed % 2, "bright_spots_commune": 1 + seed % 3, "core_groups": 3 + seed % 4,
              "core_group_members": 30 + seed % 10}
    for c, f in enumerate(("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members"), 3):
        ws.cell(ROW_FIRST, c).value = bright[f]
    expected["bright_spots"] = bright
    wb.save(path)
    return expected


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("filled")
    paths = write_templates(CYCLE, root / CYCLE, province="75", processed_dir=root / "no-processed-data")
    return root, {unit_of(p).code: _fill(p) for p in paths}


def _plain(v):
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


def test_filled_commune_templates_read_back_exactly(filled):
    root, expected = filled
    data = _load(root)
    assert list(data.files.status) == ["loaded"] * 95
    tables = data.tables
    for tid in ("outreach", "bright_spots"):
        got = {r.commune_code: {f: _plain(getattr(r, f)) for f in forms.TABLES[tid].value_fields}
               for r in tables[tid].itertuples(index=False)}
        assert got == {c: e[tid] for c, e in expected.items()}, tid
    got = {r.commune_code: {f: _plain(getattr(r, f)) for f in forms.TABLES["ntm"].value_fields}
           for r in tables["ntm"].itertuples(index=False)}
    assert got == {c: e["ntm"] for c, e in expected.items() if "ntm" in e}
    areas = data.frame("kdc_areas").sort_values(["source_file", "row"])
    got_areas: dict[str, list] = {}
    for r in areas.itertuples(index=False):
        got_areas.setdefault(r.commune_code, []).append([r.area, bool(r.registered), bool(r.meeting)])
    assert got_areas == {c: e["areas"] for c, e in expected.items()}
    models = {r.model_name: {"commune_code": r.commune_code, "model_type": r.model_type, "setting": r.setting,
                             "founded": _plain(r.founded), "members": _plain(r.members), "cameras": _plain(r.cameras)}
              for r in tables["models"].itertuples(index=False)}
    assert models == {n: m for e in expected.values() for n, m in e["models"].items()}


def test_filled_commune_templates_give_only_the_findings_their_data_call_for(filled):
    root, _ = filled
    f = _load(root).findings
    (missing,) = f[f.severity != "info"].to_dict("records")
    assert (missing["code"], missing["sheet"], missing["cell"]) == ("value_missing", "Biểu 4", f"F{ROW_FIRST}")
    assert missing["file"].endswith("_26116_Xa_Tan_Phu.xlsx")
    assert set(f.code) == {"value_missing"}                   # the report date was filled: nothing else
