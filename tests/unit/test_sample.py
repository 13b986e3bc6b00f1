"""antt.make.jobs (district returns) and its house styles: one return at a time (whole cycles are generated in
tests/integration/test_sample_generator.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from antt.core import forms, units
from antt.core.cycles import parse_cycle
from antt.make import jobs, sample
from antt.make.district_return import TABLE_ORDER, combined_headings
from antt.make.styles import PLANS, deviations, file_name

BINH_PHUOC = units.legacy().districts_expected("70")


def job(tmp_path: Path, cycle: str, district: str) -> jobs.Job:
    return next(j for j in jobs.cycle_jobs(tmp_path, parse_cycle(cycle), BINH_PHUOC) if j.district == district)


def job_with(tmp_path: Path, deviation: str) -> jobs.Job:
    """The 2023-H1 job of the Bình Phước district whose plan has ``deviation``."""
    return next(j for j in jobs.cycle_jobs(tmp_path, parse_cycle("2023-H1"), BINH_PHUOC)
                if deviation in deviations(PLANS[j.plan]))


def cell_value(path: Path, sheet: str, cell: str):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    col = openpyxl.utils.column_index_from_string("".join(ch for ch in cell if ch.isalpha())) - 1
    return rows[int("".join(ch for ch in cell if ch.isdigit())) - 1][col]


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_headings_are_recognised_by_the_form(plan):
    """Every heading the generator writes matches its own field of forms (and no other field)."""
    for table in TABLE_ORDER:
        layout = forms.TABLES[table].layouts[1 if table == "kdc" and plan.layout_b else 0]
        for only_xa in (False, True):
            for key, heading in combined_headings(table, plan, only_xa).items():
                expanded = forms.expand(heading)
                if expanded in forms.IGNORED_HEADINGS:
                    continue
                hits = [f.name for f in layout.fields if f.matches(expanded)]
                assert hits == [key], (table, key, heading, hits)


def test_file_names_follow_each_plan():
    h = units.legacy()
    h1, year = parse_cycle("2023-H1"), parse_cycle("2022")
    assert file_name(PLANS[0], h.unit("688"), h1) == "BC TDBVANTQ Phuoc Long 6T-2023.xlsx"
    assert file_name(PLANS[1], h.unit("689"), year) == "Đồng Xoài năm 2022.ods"
    assert file_name(PLANS[8], h.unit("696"), h1) == "Bu Dang - bieu thong ke 6 thang.xls"
    assert file_name(PLANS[7], h.unit("695"), year) == "DONG PHU - BC TONG KET NAM 2022.xlsx"


def test_one_resubmission_per_province_and_names_unique_in_the_folder(tmp_path):
    all_jobs = jobs.cycle_jobs(tmp_path, parse_cycle("2023-H1"), units.legacy().districts_expected("all"))
    names = [n.lower() for j in all_jobs for n in j.names]
    assert len(names) == len(set(names))
    twice = [j for j in all_jobs if len(j.names) == 2]
    provinces = {units.legacy().unit(j.district).parent for j in all_jobs}
    assert sorted(units.legacy().unit(j.district).parent for j in twice) == sorted(provinces)
    assert all(j.names[1] == f"{Path(j.names[0]).stem}_lan2{Path(j.names[0]).suffix}" for j in twice)
    assert [j.district for j in twice if units.legacy().unit(j.district).parent == "70"] == ["692"]
    assert not any(j.faults for j in all_jobs)                          # 2023-H1 has none


@pytest.mark.parametrize("cycle, district, code", [
    ("2022-H1", "695", "value_missing"), ("2022-H1", "688", "total_mismatch"),
    ("2022-H1", "697", "model_type_other"), ("2022", "688", "ntm_not_xa"), ("2022", "696", "value_missing"),
])
def test_a_fault_is_put_at_the_cell_it_is_recorded_at(tmp_path, cycle, district, code):
    entry = jobs.run_job(job(tmp_path, cycle, district))
    (fault,) = [f for f in entry["faults"] if f["code"] == code]
    value = cell_value(tmp_path / fault["file"], fault["sheet"], fault["cell"])
    if code == "total_mismatch":
        assert int(value) == fault["found"] != entry["true_totals"][fault["field"]]
    elif code == "ntm_not_xa":
        assert units.legacy().match_commune(value, district).unit.kind != "Xã"
    else:
        assert value == fault["found"]
    if code == "value_missing":
        assert entry["totals"][fault["field"]] is None              # what a loader cannot know


def test_a_missing_table_is_left_out_and_its_keys_are_null(tmp_path):
    entry = jobs.run_job(job(tmp_path, "2022-H1", "691"))
    (fault,) = entry["faults"]
    assert (fault["code"], fault["table"], fault["cell"]) == ("table_missing", "bright_spots", None)
    assert "bright_spots" not in entry["sheets"] and len(entry["sheets"]) == 4
    keys = ("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members")
    assert all(entry["totals"][k] is None for k in keys)
    assert all(entry["true_totals"][k] > 0 for k in keys)


def test_a_resubmission_is_two_files_three_numbers_apart(tmp_path):
    entry = jobs.run_job(job(tmp_path, "2023-H1", "692"))
    first, second = entry["files"]
    assert (first["status"], second["status"]) == ("superseded", "loaded")
    assert second["file"].endswith("_lan2.xlsx") and second["report_date"] > first["report_date"]
    diffs = entry["superseded_differences"]
    assert [d["field"] for d in diffs] == ["kdc_meeting", "banners_posters", "core_group_members"]
    assert all(d["superseded"] != d["final"] for d in diffs)
    assert entry["expected_info"][0]["code"] == "file_superseded"


def test_formulas_with_and_without_cached_values(tmp_path):
    for deviation, cached in (("formulas_without_cached_values", False), ("formulas_with_cached_values", True)):
        entry = jobs.run_job(job_with(tmp_path, deviation))
        path = tmp_path / entry["files"][-1]["file"]
        ws_f = openpyxl.load_workbook(path)[entry["sheets"]["kdc"]]
        ws_v = openpyxl.load_workbook(path, data_only=True)[entry["sheets"]["kdc"]]
        sums = [c.coordinate for row in ws_f.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=SUM(")]
        assert sums, deviation
        if cached:
            assert {ws_v[coord].value for coord in sums if ws_f[coord].column == 3} == {entry["totals"]["kdc_total"]}
        else:
            assert all(ws_v[coord].value is None for coord in sums)


def test_tcvn3_return_is_typed_in_legacy_fonts(tmp_path):
    entry = jobs.run_job(job_with(tmp_path, "tcvn3_text"))
    wb = openpyxl.load_workbook(tmp_path / entry["files"][0]["file"])
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert {c.font.name for c in cells} == {".VnTime", ".VnTimeH"}
    assert not any(ord(ch) > 255 for c in cells for ch in c.value if ch not in "✓")
    assert entry["expected_info"][0]["code"] == "legacy_text_decoded"


def test_unknown_province_or_cycle(tmp_path):
    with pytest.raises(ValueError):
        sample.write_sample(tmp_path, ["2023-H2"])
    with pytest.raises(ValueError):
        sample.write_sample(tmp_path, ["2023"], province="999")
    assert list(tmp_path.iterdir()) == []
