"""antt.make.sample end to end: whole cycles generated, the folders and the generator's record
(what the loaders read of the committed sample is checked in test_sample_cycles.py, the big scales in
test_generated_scales.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from antt.core import territory, units
from antt.core.cycles import parse_cycle
from antt.core.text import fold
from antt.make import sample
from antt.make.commune_truth import unit_base
from tests import published

DISTRICT_CYCLES = ["2022-H1", "2022", "2023-H1"]
COMMUNE_CYCLES = ["2025", "2026-H1"]
KEYS = ("kdc_total", "kdc_registered", "kdc_meeting", "ntm_communes", "ntm_met", "models_residential",
        "models_institutional", "communes_with_models", "cameras", "broadcast_hours", "banners_posters",
        "bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members")
PUBLISHED_2023_H1 = published.EXACT


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return out, sample.write_sample(out, province="75")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_default_cycles(generated):
    _, manifest = generated
    assert list(manifest["cycles"]) == DISTRICT_CYCLES + COMMUNE_CYCLES
    assert [manifest["cycles"][c]["reporting_level"] for c in manifest["cycles"]] == ["district"] * 3 + ["commune"] * 2


def test_two_runs_are_byte_identical(generated, tmp_path):
    """xlsx (xlsxwriter and openpyxl), xls and ods carry fixed document and zip-entry dates."""
    out, _ = generated
    again = tmp_path / "again"
    sample.write_sample(again, province="75")
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_district_cycles_hold_both_former_provinces(generated):
    """22 districts (11 of Bình Phước, 11 of former Đồng Nai), each province one resubmission."""
    out, manifest = generated
    for cid in DISTRICT_CYCLES:
        entry = manifest["cycles"][cid]
        names = sorted(p.name for p in (out / cid).iterdir())
        assert len(names) == 24 and not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
        assert sorted(f["file"] for f in entry["files"]) == sorted(f"{cid}/{n}" for n in names)
        assert all(f["bytes"] == (out / f["file"]).stat().st_size for f in entry["files"])
        assert entry["units_expected"] == entry["districts_expected"] == 22 == entry["units_reporting"]
        assert entry["missing_units"] == entry["missing_districts"] == []
        assert entry["by_district"] == entry["by_unit"]
        assert {units.legacy().unit(c).parent for c in entry["by_unit"]} == {"70", "75"}
        assert [f["status"] for f in entry["files"]].count("superseded") == 2
        assert {Path(n).suffix for n in names} == {".xlsx", ".xls", ".ods"}
        assert all(f["district_code"] == f["unit_code"] for f in entry["files"])
    assert not list(out.glob("*/" + sample.MANIFEST_NAME))
    assert json.loads((out / sample.MANIFEST_NAME).read_text(encoding="utf-8")) == manifest


def test_binh_phuoc_alone_is_the_published_2023_h1(generated):
    _, manifest = generated
    entry = manifest["cycles"]["2023-H1"]["by_former_province"]["70"]
    assert {k: entry["totals"][k] for k in PUBLISHED_2023_H1} == PUBLISHED_2023_H1
    assert entry["units_expected"] == 11 and set(entry["coverage"].values()) == {11}
    assert 2100 <= entry["totals"]["cameras"] <= 2150 and 4000 <= entry["totals"]["core_group_members"] <= 4100


def test_commune_cycles_hold_the_95_communes(generated):
    """95 expected; two send nothing, three are late, two send twice (a half-year's second late)."""
    out, manifest = generated
    expected = [u.code for u in territory.resolve("75").expected_units(parse_cycle("2026-H1"))]
    for cid in COMMUNE_CYCLES:
        entry = manifest["cycles"][cid]
        assert entry["units_expected"] == 95 and list(entry["by_unit"]) == expected
        assert len(entry["missing_units"]) == 2 and entry["units_reporting"] == 93
        assert all(all(v is None for v in entry["by_unit"][c].values()) for c in entry["missing_units"])
        assert all(not entry["units"][c]["files"] for c in entry["missing_units"])
        assert {f["unit_code"] for f in entry["files"]} == set(expected) - set(entry["missing_units"])
        names = sorted(p.name for p in (out / cid).iterdir())
        assert sorted(f["file"] for f in entry["files"]) == sorted(f"{cid}/{n}" for n in names) and len(names) == 95
        late = [f for f in entry["faults"] if f["code"] == "report_late"]
        deadline = parse_cycle(cid).deadline.isoformat()
        assert sorted(f["file"] for f in late) == sorted(f["file"] for f in entry["files"]
                                                         if f["report_date"] > deadline)
        assert len(late) == (4 if cid == "2026-H1" else 3)
        superseded = [f["file"] for f in entry["files"] if f["status"] == "superseded"]
        assert len(superseded) == 2 and all(f"{Path(s).stem}_lan2" in " ".join(names) for s in superseded)
        assert sorted(n["file"] for n in entry["expected_info"] if n["code"] == "file_superseded") == sorted(superseded)
        assert entry["by_former_province"]["70"]["units_expected"] == 40
        assert entry["by_former_province"]["75"]["units_expected"] == 55


def test_the_record_adds_up(generated):
    """Totals are the sums of the units a loader reads; coverage counts the known ones; the former
    provinces' totals add up to the territory's."""
    _, manifest = generated
    for cid, entry in manifest["cycles"].items():
        for key, total in entry["totals"].items():
            known = [v[key] for v in entry["by_unit"].values() if v[key] is not None]
            assert (total, entry["coverage"][key]) == (sum(known), len(known)), (cid, key)
        parts = entry["by_former_province"].values()
        assert {k: sum(p["totals"][k] for p in parts) for k in KEYS} == entry["totals"]
        assert sum(p["units_expected"] for p in parts) == entry["units_expected"]


def test_faults_only_where_planted(generated):
    _, manifest = generated
    codes = {cid: sorted(f["code"] for f in manifest["cycles"][cid]["faults"] if f["code"] != "report_late")
             for cid in manifest["cycles"]}
    assert codes == {"2022-H1": ["model_type_other", "table_missing", "total_mismatch", "value_missing"],
                     "2022": ["model_type_other", "ntm_not_xa", "total_mismatch", "value_missing"],
                     "2023-H1": [],
                     "2025": ["model_type_other", "ntm_not_xa", "table_missing", "total_mismatch", "value_missing",
                              "value_missing"],
                     "2026-H1": []}
    assert set(manifest["cycles"]["2023-H1"]["coverage"].values()) == {22}
    assert set(manifest["cycles"]["2026-H1"]["coverage"].values()) == {93}       # all but the two missing


def test_changed_area_lists_are_noted_in_2026_h1(generated):
    """kdc_areas_changed for each commune whose areas merged or split, that listed its areas in both
    returns; nothing in 2025 (the first return of the current communes)."""
    _, manifest = generated
    y2025, h2026 = manifest["cycles"]["2025"], manifest["cycles"]["2026-H1"]
    assert not [n for n in y2025["expected_info"] if n["code"] == "kdc_areas_changed"]
    noted = {n["unit_code"]: n for n in h2026["expected_info"] if n["code"] == "kdc_areas_changed"}
    events = {c for c in h2026["units"] if unit_base(c, units.current().name).event is not None}
    listed = {c for c in events if h2026["units"][c].get("areas") and y2025["units"][c].get("areas")}
    assert set(noted) == listed and listed
    for code, note in noted.items():
        before = {fold(a) for a, _, _ in y2025["units"][code]["areas"][code]}
        after = {fold(a) for a, _, _ in h2026["units"][code]["areas"][code]}
        assert {fold(a) for a in note["appeared"]} == after - before
        assert {fold(a) for a in note["vanished"]} == before - after
        assert note["file"] in [f["file"] for f in h2026["files"] if f["status"] == "loaded"]


def test_other_scopes(tmp_path):
    """A province of the legacy hierarchy in a district-level cycle (synthetic numbers, one
    resubmission), and Bình Phước's 40 communes in a commune-level cycle."""
    manifest = sample.write_sample(tmp_path / "a", ["2019"], province="77")
    expected = units.legacy().districts_expected("77")
    entry = manifest["cycles"]["2019"]
    assert set(entry["by_unit"]) == {d.code for d in expected}
    assert len(list((tmp_path / "a" / "2019").iterdir())) == len(expected) + 1
    assert entry["faults"] == [] and "by_former_province" not in entry
    assert all(v is not None for d in entry["by_unit"].values() for v in d.values())
    entry = sample.write_sample(tmp_path / "b", ["2026-H1"], province="70")["cycles"]["2026-H1"]
    assert entry["units_expected"] == 40 and entry["reporting_level"] == "commune"
    assert entry["units_reporting"] + len(entry["missing_units"]) == 40
