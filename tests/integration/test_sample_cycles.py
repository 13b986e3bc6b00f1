"""The committed sample returns, end to end through the `antt` command (the shared contract), checked
by the values they load to against the generator's record, never by their bytes."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from antt.core import config
from antt.cli import main

# Published for Bình Phước, 2023 half-year (typed from the article, not from the code).
PUBLISHED_2023_H1 = {
    "kdc_total": 843, "kdc_registered": 843, "kdc_meeting": 843,
    "ntm_communes": 86, "ntm_met": 68,
    "models_residential": 327, "models_institutional": 48, "communes_with_models": 111,
    "broadcast_hours": 89, "banners_posters": 2165,
    "bright_spots_upper": 59, "bright_spots_commune": 190, "core_groups": 615,
}
# "More than 2,100 cameras" and "more than 4,000 members": the sample holds exact values in these ranges.
RANGES_2023_H1 = {"cameras": (2100, 2150), "core_group_members": (4000, 4100)}


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def summary_2023_h1() -> dict:
    code, out = run("summary", "--cycle", "2023-H1", "--json")
    assert code == 0
    return json.loads(out)


def test_published_figures_2023_h1(summary_2023_h1):
    totals = summary_2023_h1["totals"]
    for key, value in PUBLISHED_2023_H1.items():
        assert totals[key] == value, key
    for key, (low, high) in RANGES_2023_H1.items():
        assert low <= totals[key] <= high, key


def test_sample_record_agrees_with_what_the_loaders_read(summary_2023_h1):
    record = json.loads((config.RAW_DIR / "sample_manifest.json").read_text(encoding="utf-8"))
    expected = record["cycles"]["2023-H1"]["totals"]
    assert {k: summary_2023_h1["totals"][k] for k in expected} == expected


def test_all_districts_report_with_complete_totals_2023_h1(summary_2023_h1):
    s = summary_2023_h1
    assert (s["cycle"], s["province_code"]) == ("2023-H1", "70")
    assert s["districts_expected"] == 11 and s["districts_reporting"] == 11
    assert s["missing_districts"] == []
    assert set(s["coverage"].values()) == {11}
    assert [f for f in s["findings"] if f["severity"] == "error"] == []
    statuses = sorted(f["status"] for f in s["files"])
    assert statuses.count("superseded") == 1 and statuses.count("loaded") == 11


def test_summary_contract_shape(summary_2023_h1):
    s = summary_2023_h1
    assert set(s) == {"cycle", "province_code", "reporting_level", "units_expected", "units_reporting", "missing_units",
                      "totals", "by_unit", "coverage", "files", "findings",
                      "districts_expected", "districts_reporting", "missing_districts", "by_district"}
    assert s["reporting_level"] == "district" and s["by_unit"] == s["by_district"]
    assert len(s["totals"]) == 15 and len(s["by_district"]) == 11
    assert all(set(f) == {"severity", "code", "file", "sheet", "cell", "row", "message"} for f in s["findings"])
    assert all(set(f) == {"file", "status", "unit_code", "district_code", "tables"} for f in s["files"])


def test_the_latest_cycle_is_the_default_and_unknown_cycles_are_usage_errors():
    code, out = run("summary", "--json")
    assert code == 0 and json.loads(out)["cycle"] == "2023-H1"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["summary", "--cycle", "2019"]) == 2
    assert "2022-H1, 2022, 2023-H1" in err.getvalue()


def test_earlier_cycles_show_progress():
    code, out = run("summary", "--cycle", "2022-H1", "--json")
    h1_2022 = json.loads(out)
    code, out = run("summary", "--cycle", "2022", "--json")
    y_2022 = json.loads(out)
    assert h1_2022["totals"]["ntm_met"] == 63 and y_2022["totals"]["ntm_met"] == 66
    # Some districts below the 95 % target in 2022-H1.
    below = [d for d, v in h1_2022["by_district"].items()
             if v["kdc_total"] and v["kdc_meeting"] is not None and v["kdc_meeting"] / v["kdc_total"] < 0.95]
    assert below


@pytest.mark.parametrize("cycle", ["2022-H1", "2022", "2023-H1"])
def test_every_sample_finding_is_a_deliberate_fault(cycle):
    """The generator records each fault it put in (file, sheet, cell, code); nothing else is found."""
    record = json.loads((config.RAW_DIR / "sample_manifest.json").read_text(encoding="utf-8"))["cycles"][cycle]
    code, out = run("summary", "--cycle", cycle, "--json")
    found = json.loads(out)["findings"]
    # Faults are planted at a cell; expected notes (decoded legacy text, a superseded file) per file.
    assert sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in found if f["severity"] != "info"
                  or f["code"] in {p["code"] for p in record["faults"]}) == \
        sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in record["faults"])
    assert sorted((f["code"], f["file"]) for f in found if f["severity"] == "info"
                  and f["code"] not in {p["code"] for p in record["faults"]}) == \
        sorted((f["code"], f["file"]) for f in record["expected_info"])


def record() -> dict:
    return json.loads((config.RAW_DIR / "sample_manifest.json").read_text(encoding="utf-8"))


def without_sizes(manifest: dict) -> dict:
    """The record without the files' byte counts (a writer upgrade changes those, never a number)."""
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k != "bytes"}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj
    return strip(manifest)


@pytest.mark.parametrize("cycle", ["2022-H1", "2022", "2023-H1"])
def test_the_committed_sample_loads_to_the_generators_record(cycle):
    """Every total, district by district, and every file's status, as the generator recorded it."""
    entry = record()["cycles"][cycle]
    code, out = run("summary", "--cycle", cycle, "--json")
    assert code == 0
    s = json.loads(out)
    assert s["totals"] == entry["totals"] and s["coverage"] == entry["coverage"]
    assert s["by_district"] == {d: v["totals"] for d, v in entry["districts"].items()}
    assert sorted((f["file"], f["status"], f["district_code"]) for f in s["files"]) == \
        sorted((f["file"], f["status"], f["district_code"]) for f in entry["files"])


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("regenerated")
    assert run("sample", "--out", str(out))[0] == 0
    return out


def test_the_generator_still_records_the_committed_sample(regenerated):
    """`antt sample` (the default cycles) records what data/raw holds: the same files, numbers,
    faults and notes; only the byte counts may differ (a writer upgrade)."""
    fresh = json.loads((regenerated / "sample_manifest.json").read_text(encoding="utf-8"))
    assert without_sizes(fresh) == without_sizes(record())
    written = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(config.RAW_DIR) for p in config.RAW_DIR.rglob("*") if p.is_file())
    assert written == committed


@pytest.mark.parametrize("cycle", ["2022-H1", "2022", "2023-H1"])
def test_what_the_generator_writes_now_loads_as_the_committed_sample(regenerated, cycle):
    """The same summary, findings included, from freshly written files as from the committed ones."""
    code, fresh = run("summary", "--raw", str(regenerated), "--cycle", cycle, "--json")
    assert code == 0
    code, committed = run("summary", "--cycle", cycle, "--json")
    assert json.loads(fresh) == json.loads(committed)
