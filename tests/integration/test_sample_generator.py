"""antt.make.sample end to end: whole cycles generated, the folders and the generator's record
(the committed sample's values are checked in test_sample_cycles.py, the big scales in
test_generated_scales.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from antt.core import units
from antt.make import sample

CYCLES = ["2022-H1", "2022", "2023-H1"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    manifest = sample.write_sample(out, CYCLES, "70")
    return out, manifest


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_runs_are_byte_identical(generated, tmp_path):
    """xlsx (xlsxwriter and openpyxl), xls and ods carry fixed document and zip-entry dates."""
    out, _ = generated
    again = tmp_path / "again"
    sample.write_sample(again, CYCLES, "70")
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_every_cycle_folder_holds_eleven_returns_and_one_resubmission(generated):
    out, manifest = generated
    expected = {d.code for d in units.legacy().districts_expected("70")}
    assert len(expected) == 11
    for cid in CYCLES:
        entry = manifest["cycles"][cid]
        names = sorted(p.name for p in (out / cid).iterdir())
        assert len(names) == 12
        assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
        assert sorted(f["file"] for f in entry["files"]) == sorted(f"{cid}/{n}" for n in names)
        assert all(f["bytes"] == (out / f["file"]).stat().st_size for f in entry["files"])
        assert set(entry["districts"]) == expected
        statuses = [f["status"] for f in entry["files"]]
        assert statuses.count("superseded") == 1
        assert {Path(n).suffix for n in names} == {".xlsx", ".xls", ".ods"}
    assert not list(out.glob("*/" + sample.MANIFEST_NAME))
    assert json.loads((out / sample.MANIFEST_NAME).read_text(encoding="utf-8")) == manifest


def test_the_record_adds_up(generated):
    """Province totals are the sums of the district totals a loader reads; coverage counts the known ones."""
    _, manifest = generated
    for cid in CYCLES:
        entry = manifest["cycles"][cid]
        for key, total in entry["totals"].items():
            known = [d["totals"][key] for d in entry["districts"].values() if d["totals"][key] is not None]
            assert (total, entry["coverage"][key]) == (sum(known), len(known)), (cid, key)


def test_faults_only_in_the_first_two_cycles(generated):
    _, manifest = generated
    codes = {cid: sorted(f["code"] for f in manifest["cycles"][cid]["faults"]) for cid in CYCLES}
    assert codes == {"2022-H1": ["model_type_other", "table_missing", "total_mismatch", "value_missing"],
                     "2022": ["model_type_other", "ntm_not_xa", "total_mismatch", "value_missing"],
                     "2023-H1": []}
    assert set(manifest["cycles"]["2023-H1"]["coverage"].values()) == {11}    # every 2023-H1 total complete
    for cid in ("2022-H1", "2022"):
        missing = next(f for f in manifest["cycles"][cid]["faults"] if f["code"] == "value_missing")
        assert manifest["cycles"][cid]["coverage"][missing["field"]] == 10


def test_other_province_and_cycle(tmp_path):
    """Synthetic numbers elsewhere: one return per district that has communes, plus one resubmission."""
    manifest = sample.write_sample(tmp_path, ["2019"], province="77")
    expected = units.legacy().districts_expected("77")
    entry = manifest["cycles"]["2019"]
    assert set(entry["districts"]) == {d.code for d in expected}
    assert len(list((tmp_path / "2019").iterdir())) == len(expected) + 1
    assert entry["faults"] == []
    assert all(v is not None for d in entry["districts"].values() for v in d["totals"].values())
