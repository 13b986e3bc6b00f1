"""The committed sample (data/raw), end to end through the `antt` command: what the loaders read equals
the generator's record (sample_manifest.json) cycle by cycle, in the contract's terms, for Đồng Nai
(75: Bình Phước and former Đồng Nai before the reform, the 95 communes after) and for Bình Phước
alone (70: the published 2023-H1 figures); checked by values, never by bytes."""

from __future__ import annotations

import contextlib
import io
import json
from functools import cache

import pandas as pd
import pytest

from antt.cli import main
from antt.core import config
from tests import published

CYCLES = ["2022-H1", "2022", "2023-H1", "2025", "2026-H1"]
PUBLISHED_2023_H1 = published.EXACT
# "More than 2,100 cameras" and "more than 4,000 members": the sample holds exact values in these ranges.
RANGES_2023_H1 = {"cameras": (2100, 2150), "core_group_members": (4000, 4100)}


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@cache
def summary(cycle: str, province: str = "75", raw: str | None = None) -> dict:
    code, out = run("summary", "--raw", raw or str(config.RAW_DIR), "--cycle", cycle, "--province", province,
                    "--json")
    assert code == 0
    return json.loads(out)


def record() -> dict:
    return json.loads((config.RAW_DIR / "sample_manifest.json").read_text(encoding="utf-8"))


def test_the_record_is_of_dong_nai_and_all_five_cycles():
    rec = record()
    assert rec["province"] == "75" and list(rec["cycles"]) == CYCLES


def test_published_figures_2023_h1_with_province_70():
    s = summary("2023-H1", "70")
    for key, value in PUBLISHED_2023_H1.items():
        assert s["totals"][key] == value, key
    for key, (low, high) in RANGES_2023_H1.items():
        assert low <= s["totals"][key] <= high, key
    assert s["units_expected"] == s["districts_expected"] == 11 == s["units_reporting"]
    assert s["missing_units"] == [] and set(s["coverage"].values()) == {11}


def test_earlier_cycles_of_binh_phuoc_show_progress():
    assert summary("2022-H1", "70")["totals"]["ntm_met"] == 63 and summary("2022", "70")["totals"]["ntm_met"] == 66
    below = [d for d, v in summary("2022-H1", "70")["by_unit"].items()
             if v["kdc_total"] and v["kdc_meeting"] is not None and v["kdc_meeting"] / v["kdc_total"] < 0.95]
    assert below                                                     # some districts below the 95 % target


@pytest.mark.parametrize("cycle", CYCLES)
def test_province_70_is_binh_phuoc_before_and_its_communes_after(cycle):
    part = record()["cycles"][cycle]["by_former_province"]["70"]
    s = summary(cycle, "70")
    assert (s["units_expected"], s["units_reporting"], s["missing_units"]) == (
        part["units_expected"], part["units_reporting"], part["missing_units"])
    assert s["totals"] == part["totals"] and s["coverage"] == part["coverage"]


@pytest.mark.parametrize("cycle", ["2023-H1", "2026-H1"])
def test_summary_contract_shape(cycle):
    s = summary(cycle)
    names = {"cycle", "province_code", "reporting_level", "units_expected", "units_reporting", "missing_units",
             "totals", "by_unit", "coverage", "files", "findings"}
    district = {"districts_expected", "districts_reporting", "missing_districts", "by_district"}
    assert set(s) == (names | district if s["reporting_level"] == "district" else names)
    assert len(s["totals"]) == 15
    assert all(set(f) == {"severity", "code", "file", "sheet", "cell", "row", "message"} for f in s["findings"])
    file_keys = {"file", "status", "unit_code", "tables"} | ({"district_code"} if cycle == "2023-H1" else set())
    assert all(set(f) == file_keys for f in s["files"])


def test_the_latest_cycle_is_the_default_and_unknown_cycles_are_usage_errors():
    code, out = run("summary", "--json", "--province", "75")
    assert code == 0 and json.loads(out)["cycle"] == "2026-H1"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["summary", "--cycle", "2019"]) == 2
    assert "2022-H1, 2022, 2023-H1, 2025, 2026-H1" in err.getvalue()


@pytest.mark.parametrize("cycle", CYCLES)
def test_the_committed_sample_loads_to_the_generators_record(cycle):
    """Every unit's values, the totals, who reported and every file's status, as recorded."""
    entry = record()["cycles"][cycle]
    s = summary(cycle)
    for key in ("province_code", "reporting_level", "units_expected", "units_reporting", "missing_units",
                "totals", "coverage", "by_unit"):
        assert s[key] == entry[key], key
    if entry["reporting_level"] == "district":
        for key in ("districts_expected", "districts_reporting", "missing_districts", "by_district"):
            assert s[key] == entry[key], key
    assert sorted((f["file"], f["status"], f["unit_code"], tuple(f["tables"])) for f in s["files"]) == \
        sorted((f["file"], f["status"], f["unit_code"], tuple(f["tables"])) for f in entry["files"])


def _findings(found: list[dict], entry: dict) -> tuple[list, list]:
    """(planted faults and other warnings/errors, with their cells; notes by file)."""
    planted = {p["code"] for p in entry["faults"]}
    faults = sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in found
                    if f["severity"] != "info" or f["code"] in planted)
    notes = sorted((f["code"], f["file"]) for f in found if f["severity"] == "info" and f["code"] not in planted)
    return faults, notes


def _recorded(entry: dict) -> tuple[list, list]:
    return (sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in entry["faults"]),
            sorted((f["code"], f["file"]) for f in entry["expected_info"]))


@pytest.mark.parametrize("cycle", CYCLES)
def test_every_finding_is_recorded(cycle):
    """The faults the generator planted (file, sheet, cell, code), the late reports, and the notes it
    expects (superseded files, decoded legacy text, changed lists of residential areas); nothing else."""
    entry = record()["cycles"][cycle]
    assert _findings(summary(cycle)["findings"], entry) == _recorded(entry)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    assert run("ingest", "--raw", str(config.RAW_DIR), "--out", str(out), "--province", "75")[0] == 0
    return out


def _plain(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


@pytest.mark.parametrize("cycle", CYCLES)
def test_the_ingested_frames_equal_the_record(ingested, cycle):
    from antt.store.processed import read_frame
    entry = record()["cycles"][cycle]
    frame = read_frame(ingested, cycle, "units").set_index("unit_code").astype(object)
    assert {c: {k: (None if _plain(v) is None else int(v)) for k, v in row.items()}
            for c, row in frame.to_dict("index").items()} == entry["by_unit"]
    rows = read_frame(ingested, cycle, "findings").astype(object).to_dict("records")
    found = [{k: _plain(v) for k, v in r.items()} for r in rows]
    assert _findings(found, entry) == _recorded(entry)


@pytest.mark.parametrize("cycle", CYCLES)
def test_the_residential_areas_are_kept_as_written(ingested, cycle):
    """kdc_areas: every area row of a counted return (name as written, its marks or 1/0): the
    commune returns that list their areas, the district returns in layout B."""
    from antt.store.processed import read_frame
    entry = record()["cycles"][cycle]
    frame = read_frame(ingested, cycle, "kdc_areas").sort_values(["source_file", "row"])
    got: dict[str, list] = {}
    for r in frame.itertuples(index=False):
        got.setdefault(r.commune_code, []).append([r.area, bool(r.registered), bool(r.meeting)])
    assert got == {c: areas for u in entry["units"].values() if u.get("areas") for c, areas in u["areas"].items()}
    if entry["reporting_level"] == "commune":
        assert (frame.unit_code == frame.commune_code).all()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("regenerated")
    assert run("sample", "--out", str(out), "--province", "75")[0] == 0
    return out


def without_sizes(manifest: dict) -> dict:
    """The record without the files' byte counts (a writer upgrade changes those, never a number)."""
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k != "bytes"}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj
    return strip(manifest)


def test_the_generator_still_records_the_committed_sample(regenerated):
    """`antt sample` (the default cycles) records what data/raw holds: the same files, numbers,
    faults and notes; only the byte counts may differ (a writer upgrade)."""
    fresh = json.loads((regenerated / "sample_manifest.json").read_text(encoding="utf-8"))
    assert without_sizes(fresh) == without_sizes(record())
    written = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(config.RAW_DIR) for p in config.RAW_DIR.rglob("*") if p.is_file())
    assert written == committed


@pytest.mark.parametrize("cycle", CYCLES)
def test_what_the_generator_writes_now_loads_as_the_committed_sample(regenerated, cycle):
    """The same summary, findings included, from freshly written files as from the committed ones."""
    assert summary(cycle, "75", str(regenerated)) == summary(cycle)
