"""The whole country for one cycle (``--province all``): a return for every district generated,
ingested and summarised; what the loaders read equals the generator's record of what it wrote."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from antt.cli import main
from antt.ingest import read_frame

# 696 district-level units before the 2025 reform, of which 5 island districts have no communes
# (contract: not expected).
DISTRICTS_EXPECTED = 691


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    raw, processed = root / "raw", root / "processed"
    assert run("sample", "--out", str(raw), "--cycles", "2023-H1", "--province", "all")[0] == 0
    record = json.loads((raw / "sample_manifest.json").read_text(encoding="utf-8"))["cycles"]["2023-H1"]
    assert run("ingest", "--raw", str(raw), "--out", str(processed), "--province", "all")[0] == 0
    code, out = run("summary", "--raw", str(raw), "--cycle", "2023-H1", "--province", "all", "--json")
    assert code == 0
    return record, json.loads(out), processed


def test_every_district_of_the_country_reports(national):
    record, summary, _ = national
    assert summary["districts_expected"] == summary["districts_reporting"] == DISTRICTS_EXPECTED
    assert record["districts_expected"] == DISTRICTS_EXPECTED and summary["missing_districts"] == []


def test_totals_by_country_province_and_district_equal_the_record(national):
    record, summary, processed = national
    assert summary["totals"] == record["totals"]
    assert summary["coverage"] == record["coverage"]
    assert summary["by_province"] == record["by_province"]
    assert summary["by_district"] == {d: v["totals"] for d, v in record["districts"].items()}
    districts = read_frame(processed, "2023-H1", "districts").set_index("district_code")
    stored = {d: {k: (None if v is None or v != v else int(v)) for k, v in row.items()}
              for d, row in districts.astype(object).to_dict("index").items()}
    assert stored == summary["by_district"]


def test_every_finding_is_recorded_by_the_generator(national):
    record, summary, _ = national
    found = summary["findings"]
    assert sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in found if f["severity"] != "info") == \
        sorted((f["code"], f["file"], f["sheet"], f["cell"]) for f in record["faults"])
    assert sorted((f["code"], f["file"]) for f in found if f["severity"] == "info") == \
        sorted((f["code"], f["file"]) for f in record["expected_info"])
