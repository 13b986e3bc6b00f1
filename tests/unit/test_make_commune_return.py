"""antt.make.commune_return and commune_jobs: one commune's return at a time, its title block,
headings, shapes and faults (whole cycles are generated in tests/integration/test_sample_generator.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from antt.core import forms, territory, units
from antt.core.cycles import parse_cycle
from antt.make.commune_jobs import commune_cycle_jobs, run_commune_job
from antt.make.commune_return import AREA_HEADS, AREA_MARKS, KDC_SHAPES, Shape, commune_columns, commune_issuer
from antt.make.district_return import TABLE_ORDER
from antt.make.styles import PLANS

Y2025, H2026 = parse_cycle("2025"), parse_cycle("2026-H1")
DONG_NAI = territory.resolve("75").expected_units(H2026)
CURRENT = units.current()
PROVINCE = CURRENT.unit("75")

SHAPES = [Shape(kdc=k, per_area=p, area_head=h) for k in ("counts", "marks", "marks_b", "single") for p in (False, True)
          for h in AREA_HEADS]


def rows_of(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cell_value(path: Path, sheet: str, cell: str):
    col = openpyxl.utils.column_index_from_string("".join(ch for ch in cell if ch.isalpha())) - 1
    return rows_of(path, sheet)[int("".join(ch for ch in cell if ch.isdigit())) - 1][col]


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.key)
def test_every_heading_is_its_own_field_of_the_form(plan):
    """Each column of a commune's tables is recognised as the field it holds by a layout of the
    form; the name column of area rows in every table as Biểu 1 layout B's residential area."""
    area = next(f for f in forms.KDC.layouts[1].fields if f.name == "area")
    for shape in SHAPES:
        for table in TABLE_ORDER:
            fields = [f for layout in forms.TABLES[table].layouts for f in layout.fields if f.name != "area"] + [area]
            for area_rows in (False, True):
                if table == "kdc" and shape.kdc in ("marks", "marks_b") and not area_rows:
                    continue
                for col in commune_columns(table, plan, shape, area_rows):
                    expanded = forms.expand(" ".join(col.path))
                    if expanded in forms.IGNORED_HEADINGS:
                        continue
                    hits = {f.name for f in fields if f.matches(expanded)}
                    assert col.key in hits, (table, col.key, col.path, hits)
                    if col.key == "area":
                        assert hits & {"commune", "kdc_total", "registered", "meeting"} == set(), col.path


def test_the_title_block_names_the_commune_under_the_province_police():
    by_plan = {p.key: p for p in PLANS}
    loc_ninh, tam_hiep, binh_loc = (CURRENT.unit(c) for c in ("25270", "26017", "26089"))
    assert commune_issuer(by_plan["merged3_values"], loc_ninh, PROVINCE) == ("CÔNG AN TỈNH ĐỒNG NAI", "CÔNG AN XÃ LỘC NINH")
    assert commune_issuer(by_plan["tcvn3"], tam_hiep, PROVINCE) == ("CÔNG AN TỈNH ĐỒNG NAI", "CA P. TAM HIỆP")
    assert commune_issuer(by_plan["xls_merged"], loc_ninh, PROVINCE)[1] == "CA XÃ LỘC NINH"
    assert commune_issuer(by_plan["formulas_no_cache"], binh_loc, PROVINCE)[1] == "UBND PHƯỜNG BÌNH LỘC"


@pytest.fixture(scope="module")
def jobs_2025(tmp_path_factory):
    out = tmp_path_factory.mktemp("communes")
    jobs, missing = commune_cycle_jobs(out, Y2025, DONG_NAI)
    return out, jobs, missing


def test_who_sends_what_in_2025(jobs_2025):
    """Two communes send nothing, three are late, two send twice; one file name per return."""
    _, jobs, missing = jobs_2025
    assert len(missing) == 2 and len(jobs) == 93
    assert not {j.unit for j in jobs} & set(missing)
    late = [j for j in jobs if any(parse_cycle("2025").deadline.isoformat() < d for d in j.days)]
    twice = [j for j in jobs if len(j.names) == 2]
    assert len(late) == 3 and len(twice) == 2
    assert all(j.names[1].endswith("_lan2" + Path(j.names[0]).suffix) and j.days[1] > j.days[0] for j in twice)
    names = [n.lower() for j in jobs for n in j.names]
    assert len(names) == len(set(names))


def test_the_shapes_are_spread_over_the_communes(jobs_2025):
    _, jobs, _ = jobs_2025
    shapes = [j.shape for j in jobs]
    assert {s.kdc for s in shapes} == set(KDC_SHAPES) | {"marks_b"}
    assert {s.group_style for s in shapes if s.grouped} == {"cu", "khu_vuc"}
    assert {s.place for s in shapes} == {"area", "commune", "blank"}
    assert {s.area_head for s in shapes if s.area_rows} == set(AREA_HEADS)
    assert {s.marks for s in shapes if s.kdc in ("marks", "marks_b")} == set(AREA_MARKS)
    phuong = [j.shape for j in jobs if CURRENT.unit(j.unit).kind == "Phường"]
    assert {s.ntm_absent for s in phuong} == {True, False}
    assert any(s.per_area for s in shapes) and any(not s.per_area for s in shapes)
    assert {PLANS[j.plan].key for j in jobs} == {p.key for p in PLANS}


def test_each_2025_fault_is_at_the_cell_it_is_recorded_at(jobs_2025):
    out, jobs, _ = jobs_2025
    faulted = [j for j in jobs if j.faults]
    assert sorted(f.code for j in faulted for f in j.faults) == sorted(
        ["value_missing", "value_missing", "total_mismatch", "model_type_other", "table_missing", "ntm_not_xa"])
    for job in faulted:
        entry = run_commune_job(job)
        path = out / entry["files"][-1]["file"]
        for fault in (f for f in entry["faults"] if f["code"] != "report_late"):
            if fault["code"] == "table_missing":
                assert fault["table"] not in entry["sheets"]
                assert all(entry["totals"][k] is None for k in ("bright_spots_upper", "core_groups"))
                continue
            value = cell_value(path, fault["sheet"], fault["cell"])
            if fault["code"] == "total_mismatch":
                assert int(value) == fault["found"] == entry["true_totals"][fault["field"]] - 2
            elif fault["code"] == "ntm_not_xa":
                assert CURRENT.unit(job.unit).kind == "Phường" and value == fault["found"]
                assert entry["totals"]["ntm_communes"] == 0
            else:
                assert value == fault["found"]
            if fault["code"] == "value_missing":
                assert entry["totals"][fault["field"]] is None


def test_a_phuong_sends_no_new_rural_row_and_a_xa_one(jobs_2025):
    out, jobs, _ = jobs_2025
    phuong = next(j for j in jobs if CURRENT.unit(j.unit).kind == "Phường" and j.shape.ntm_absent and not j.faults)
    blank = next(j for j in jobs if CURRENT.unit(j.unit).kind == "Phường" and not j.shape.ntm_absent and not j.faults
                 and not PLANS[j.plan].tcvn3)
    xa = next(j for j in jobs if CURRENT.unit(j.unit).kind == "Xã" and not j.faults and j.shape.kdc == "single")
    assert "ntm" not in run_commune_job(phuong)["sheets"]
    entry = run_commune_job(blank)
    assert entry["totals"]["ntm_communes"] == 0 and "ntm" in entry["files"][-1]["tables"]
    rows = [r for r in rows_of(out / entry["files"][-1]["file"], entry["sheets"]["ntm"]) if any(v != "" for v in r)]
    caption = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Biểu 2"))
    foot = next(i for i, r in enumerate(rows) if str(r[0]).startswith("Ghi chú"))
    plan = PLANS[blank.plan]
    header = max(len(c.path) for c in commune_columns("ntm", plan, blank.shape, False)) + bool(plan.numbering)
    assert foot - caption - 1 == header                    # headings (and numbering), then the footer
    entry = run_commune_job(xa)
    assert entry["totals"]["ntm_communes"] == 1


def test_area_rows_are_written_once_each_under_their_former_commune(jobs_2025):
    out, jobs, _ = jobs_2025
    job = next(j for j in jobs if j.shape.grouped and j.shape.kdc == "counts" and not j.faults
               and PLANS[j.plan].fmt == "xlsx" and not PLANS[j.plan].tcvn3)
    entry = run_commune_job(job)
    cells = [str(v) for r in rows_of(out / entry["files"][-1]["file"], entry["sheets"]["kdc"]) for v in r if v != ""]
    for area, _, _ in entry["areas"][job.unit]:
        assert cells.count(area) == 1, area
    from antt.make.commune_truth import sources_of
    labels = [s.name for s in sources_of(job.unit)]
    if job.shape.group_style == "cu":
        assert all(f"{n} (cũ)" in cells for n in labels)
    else:
        assert all(f"KHU VỰC {n.upper()} CŨ" in [c.upper() for c in cells] for n in labels)


def test_a_resubmission_is_two_files_three_numbers_apart(jobs_2025):
    _, jobs, _ = jobs_2025
    entry = run_commune_job(next(j for j in jobs if len(j.names) == 2))
    first, second = entry["files"]
    assert (first["status"], second["status"]) == ("superseded", "loaded")
    assert [d["field"] for d in entry["superseded_differences"]] == ["kdc_meeting", "banners_posters",
                                                                      "core_group_members"]
    assert entry["expected_info"][0]["code"] == "file_superseded" and entry["expected_info"][0]["file"] == first["file"]
