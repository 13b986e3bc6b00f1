"""The benchmark's scales end to end: the whole country for one cycle (``--province all``: the
district returns of 2023-H1, and the 3,321 commune returns of 2026-H1) and a province's archive of 64
cycles, generated, ingested and summarised. What the loaders read equals the generator's record of
what it wrote: totals by country, province and reporting unit, and every finding (the faults it
planted, the late reports, the notes it expects)."""

from __future__ import annotations

import contextlib
import io
import json

import pandas as pd
import pytest

from antt.bench import archive_cycles
from antt.cli import main
from antt.store.processed import processed_cycles, read_frame

# 696 district-level units before the 2025 reform, of which 5 island districts have no communes
# (contract: not expected); 3,321 commune-level units in 34 provinces after it.
DISTRICTS_EXPECTED = 691
COMMUNES_EXPECTED = 3321


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def generate_and_ingest(root, cycles: list[str], scope: str):
    raw, processed = root / "raw", root / "processed"
    assert run("sample", "--out", str(raw), "--cycles", ",".join(cycles), "--province", scope)[0] == 0
    assert run("ingest", "--raw", str(raw), "--out", str(processed), "--province", scope)[0] == 0
    return raw, processed, json.loads((raw / "sample_manifest.json").read_text(encoding="utf-8"))["cycles"]


def _value(v):
    return None if v is None or v is pd.NA or v != v else v


def stored_by_unit(processed, cycle) -> dict[str, dict]:
    frame = read_frame(processed, cycle, "units").set_index("unit_code").astype(object)
    return {d: {k: (None if _value(v) is None else int(v)) for k, v in row.items()}
            for d, row in frame.to_dict("index").items()}


def stored_findings(processed, cycle, record: dict) -> tuple[list, list]:
    """(planted faults found, with their cells; notes found by file), as the record lists them."""
    planted = {f["code"] for f in record["faults"]}
    rows = read_frame(processed, cycle, "findings").astype(object).to_dict("records")
    faults = [(f["code"], f["file"], _value(f["sheet"]), _value(f["cell"])) for f in rows
              if f["severity"] != "info" or f["code"] in planted]
    notes = [(f["code"], f["file"]) for f in rows if f["severity"] == "info" and f["code"] not in planted]
    return sorted(faults), sorted(notes)


def recorded_findings(record: dict) -> tuple[list, list]:
    return (sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in record["faults"]),
            sorted((f["code"], f["file"]) for f in record["expected_info"]))


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    raw, processed, record = generate_and_ingest(tmp_path_factory.mktemp("national"), ["2023-H1"], "all")
    code, out = run("summary", "--raw", str(raw), "--cycle", "2023-H1", "--province", "all", "--json")
    assert code == 0
    return record["2023-H1"], json.loads(out), processed


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return generate_and_ingest(tmp_path_factory.mktemp("archive"), archive_cycles(), "70")[1:]


def test_every_district_of_the_country_reports(national):
    record, summary, _ = national
    assert summary["districts_expected"] == summary["districts_reporting"] == DISTRICTS_EXPECTED
    assert record["units_expected"] == record["districts_expected"] == DISTRICTS_EXPECTED
    assert summary["missing_districts"] == []


def test_national_totals_by_country_province_and_district_equal_the_record(national):
    record, summary, processed = national
    assert summary["totals"] == record["totals"]
    assert summary["coverage"] == record["coverage"]
    assert summary["by_province"] == record["by_province"]
    assert summary["by_district"] == record["by_district"] == record["by_unit"]
    assert stored_by_unit(processed, "2023-H1") == summary["by_district"]


def test_national_summary_text_has_a_line_per_province(national):
    _, summary, processed = national
    raw = processed.parent / "raw"
    code, out = run("summary", "--raw", str(raw), "--cycle", "2023-H1", "--province", "all")
    assert code == 0
    lines = out.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Tỉnh, thành phố"))
    provinces = lines[start + 1:lines.index("", start)]
    assert len(provinces) == len(summary["by_province"]) == 63
    # Bình Phước in the national sample is the province sample: the published 2023-H1 figures.
    binh_phuoc = next(line for line in provinces if "Bình Phước" in line)
    assert "11/11" in binh_phuoc and "843 / 843 (100,0 %)" in binh_phuoc and "68 / 86" in binh_phuoc


def test_national_findings_are_the_recorded_ones(national):
    record, _, processed = national
    assert stored_findings(processed, "2023-H1", record) == recorded_findings(record)


def test_archive_of_64_cycles_equals_the_record_cycle_by_cycle(archive):
    processed, record = archive
    cycles = [c.id for c in processed_cycles(processed)]
    assert cycles == sorted(record, key=lambda c: (c[:4], c.endswith("-H1") is False)) and len(cycles) == 64
    for cycle in cycles:
        assert stored_by_unit(processed, cycle) == record[cycle]["by_unit"], cycle
        assert stored_findings(processed, cycle, record[cycle]) == recorded_findings(record[cycle]), cycle


@pytest.fixture(scope="module")
def national_communes(tmp_path_factory):
    raw, processed, record = generate_and_ingest(tmp_path_factory.mktemp("communes"), ["2026-H1"], "all")
    code, out = run("summary", "--raw", str(raw), "--cycle", "2026-H1", "--province", "all", "--json")
    assert code == 0
    return record["2026-H1"], json.loads(out), processed


def test_every_commune_of_the_country_is_expected(national_communes):
    record, summary, _ = national_communes
    assert record["units_expected"] == summary["units_expected"] == COMMUNES_EXPECTED
    assert record["reporting_level"] == summary["reporting_level"] == "commune"
    assert summary["units_reporting"] == record["units_reporting"] == COMMUNES_EXPECTED - len(record["missing_units"])
    assert summary["missing_units"] == record["missing_units"]
    assert len(summary["by_province"]) == 34


def test_national_commune_totals_by_country_province_and_commune_equal_the_record(national_communes):
    record, summary, processed = national_communes
    assert summary["totals"] == record["totals"] and summary["coverage"] == record["coverage"]
    assert summary["by_province"] == record["by_province"]
    assert summary["by_unit"] == record["by_unit"]
    assert stored_by_unit(processed, "2026-H1") == record["by_unit"]


def test_national_commune_findings_are_the_recorded_ones(national_communes):
    record, _, processed = national_communes
    assert stored_findings(processed, "2026-H1", record) == recorded_findings(record)
