"""antt.analyse.tables and columns on tiny hand-made cycles: formats, province rows, targets, new-rural pace, per-district sums."""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

from antt.analyse import columns, report_frames, tables
from antt.core.cycles import parse_cycle

KEYS = ["kdc_total", "kdc_registered", "kdc_meeting"]


def view(cycle="2023-H1", units=None, completeness=None, tables_=None, province=None, communes=None,
         target=0.95):
    """A stand-in for ``CycleView`` with only what the functions under test read."""
    return SimpleNamespace(cycle=parse_cycle(cycle), units=units, completeness=completeness,
                           tables=tables_ or {}, province=province or {}, communes=communes,
                           targets={"kdc_meeting_share": target}, expected=None if completeness is None else len(completeness))


def units_frame(rows):
    """rows: (code, name, kdc_total, kdc_meeting) -> the units frame with the share."""
    d = pd.DataFrame(rows, columns=["unit_code", "unit_name", "kdc_total", "kdc_meeting"])
    d = d.astype({"kdc_total": "Float64", "kdc_meeting": "Float64"})
    return d.assign(kdc_meeting_share=d["kdc_meeting"] / d["kdc_total"])


def completeness(**status):
    return pd.DataFrame([{"unit_code": code, "unit_name": name, "kdc": s, "ntm": s, "models": s,
                          "outreach": s, "bright_spots": s} for code, (name, s) in status.items()])


# --- formats ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("column, value, text", [
    ("kdc_total", 1234, "1.234"),
    ("kdc_total", 843.0, "843"),
    ("broadcast_hours", 12.5, "12,5"),
    ("kdc_meeting_share", 0.791, "79,1 %"),
    ("cameras_per_kdc", 2.52, "2,5"),
    ("hours_per_kdc", 0.1056, "0,11"),
    ("year", 2023, "2023"),
    ("kdc_total", None, "–"),
    ("kdc_total", pd.NA, "–"),
    ("ntm_security_criterion", True, "Đạt"),
    ("unit_name", "Bù Đăng", "Bù Đăng"),
])
def test_format_value(column, value, text):
    assert columns.format_value(column, value) == text


@pytest.mark.parametrize("column, value, text", [
    ("kdc_meeting", 32.0, "+32"),
    ("kdc_meeting", -4.0, "−4"),
    ("kdc_meeting", 0.0, "0"),
    ("kdc_meeting_share", 0.038, "+3,8 điểm %"),
    ("kdc_meeting", pd.NA, "–"),
])
def test_format_change(column, value, text):
    assert columns.format_change(column, value) == text


# --- province rows and district tables -----------------------------------------------------------------

def test_province_row_recomputes_the_rate_from_sums_not_the_mean_of_rates():
    d = units_frame([("1", "A", 10, 10), ("2", "B", 90, 45)])     # 100 % and 50 %: mean 75 %, province 55 %
    row = tables.province_row(d, ["kdc_total", "kdc_meeting", "kdc_meeting_share"]).iloc[0]
    assert row["unit_name"] == "Toàn tỉnh"
    assert (row["kdc_total"], row["kdc_meeting"]) == (100, 55)
    assert row["kdc_meeting_share"] == pytest.approx(0.55)


def test_province_rate_leaves_out_a_district_missing_its_numerator():
    d = units_frame([("1", "A", 10, 9), ("2", "B", 90, None)])
    row = tables.province_row(d, ["kdc_total", "kdc_meeting_share"]).iloc[0]
    assert row["kdc_total"] == 100 and row["kdc_meeting_share"] == pytest.approx(0.9)


def test_district_table_lists_units_in_code_order_tints_rows_below_target_and_ends_with_the_province():
    v = view(units=units_frame([("697", "Bù Đăng", 100, 94), ("689", "Đồng Xoài", 100, 99),
                                ("696", "Chơn Thành", 100, None), ("690", "Bình Long", 100, 80)]))
    styler = tables.unit_table(v, ["kdc_total", "kdc_meeting", "kdc_meeting_share"], target="kdc_meeting_share")
    assert styler.data["unit_name"].tolist() == ["Đồng Xoài", "Bình Long", "Chơn Thành", "Bù Đăng", "Toàn tỉnh"]
    html = styler.to_html()
    tinted = " ".join(sel for sel, props in re.findall(r"([^{}]*)\{([^}]*)\}", html) if "#FBE3D6" in props)
    rows = set(re.findall(r"_row(\d+)_col", tinted))
    # Bình Long 80 %, Bù Đăng 94 %, province 273/300 = 91 %; not Đồng Xoài 99 %, not Chơn Thành (no data)
    assert rows == {"1", "3", "4"}
    assert "Tỷ lệ khu dân cư đạt chuẩn “An toàn về ANTT”" in html and "80,0 %" in html and ">–<" in html


def test_code_order_is_numeric_with_rows_of_no_code_last():
    d = pd.DataFrame({"unit_code": [None, "25441", "9", "25432", "700"], "unit_name": ["Toàn tỉnh", "c", "a", "b", "x"]})
    assert report_frames.in_code_order(d)["unit_name"].tolist() == ["a", "x", "b", "c", "Toàn tỉnh"]


def test_below_target_counts_what_is_needed_to_reach_it():
    v = view(units=units_frame([("1", "Bù Đăng", 106, 92), ("2", "B", 20, 19), ("3", "C", 20, None)]))
    below = report_frames.below_target(v)
    assert below["unit_name"].tolist() == ["Bù Đăng"]
    assert below.at[0, "needed"] == 9          # 95 % of 106 = 100,7: 101 areas, 9 more than 92


# --- per-district sums -----------------------------------------------------------------------------------

def outreach_view():
    c = completeness(**{"1": ("A", "received"), "2": ("B", "received"), "3": ("C", "missing"), "4": ("D", "received")})
    rows = pd.DataFrame({"unit_code": ["1", "1", "2", "2"], "commune_code": ["11", "12", "21", "22"],
                         "broadcast_hours": [1.5, 2.0, 3.0, 1.0], "banners_posters": [10, 5, pd.NA, 4],
                         "sessions": [1, 2, 3, 4], "attendees": [100, 50, 30, 20]})
    rows = rows.astype({"banners_posters": "Int64"})
    d = pd.DataFrame({"unit_code": ["1", "2", "3", "4"], "unit_name": ["A", "B", "C", "D"],
                      "kdc_total": pd.array([5, 10, 7, 2], dtype="Float64"),
                      "broadcast_hours": pd.array([3.5, 4.0, None, 0], dtype="Float64"),
                      "banners_posters": pd.array([15, None, None, 0], dtype="Float64")})
    return view(units=d, completeness=c, tables_={"outreach": rows})


def test_outreach_per_kdc_sums_communes_and_keeps_missing_values_missing():
    o = tables.outreach_per_kdc(outreach_view()).set_index("unit_name")
    assert o.at["A", "broadcast_hours"] == 3.5 and o.at["A", "attendees_per_kdc"] == 30
    assert pd.isna(o.at["B", "banners_posters"]) and o.at["B", "sessions"] == 7      # one "?" makes B's banners null
    assert pd.isna(o.at["C", "attendees"])                                           # table not received
    assert o.at["D", "attendees"] == 0 and o.at["D", "hours_per_kdc"] == 0           # received, no commune row


def test_row_sum_mismatches_names_the_district_and_key_that_disagree():
    v = outreach_view()
    assert tables.row_sum_mismatches(v, "outreach").empty
    v.units.loc[0, "broadcast_hours"] = 9
    bad = tables.row_sum_mismatches(v, "outreach")
    assert bad[["unit_name", "key", "stored", "from_rows"]].values.tolist() == [["A", "broadcast_hours", 9, 3.5]]


# --- new rural ----------------------------------------------------------------------------------------

def ntm_view(cycle, years, communes, met_without_year=0, criteria=None):
    met = [{"ntm_met": True, "ntm_year": y, "ntm_criteria_met": 19} for y in years]
    met += [{"ntm_met": True, "ntm_year": None, "ntm_criteria_met": 19}] * met_without_year
    rest = [{"ntm_met": False, "ntm_year": None, "ntm_criteria_met": c} for c in (criteria or [])]
    ntm = pd.DataFrame(met + rest).astype({"ntm_met": "boolean", "ntm_year": "Int64", "ntm_criteria_met": "Int64"})
    return view(cycle, tables_={"ntm": ntm}, province={"ntm_communes": communes, "ntm_met": len(met)})


def test_recognitions_by_year_fill_years_without_recognition_and_leave_out_xa_with_no_year():
    r = tables.recognitions_by_year(ntm_view("2023-H1", [2019, 2021, 2021], 10, met_without_year=1))
    assert r.values.tolist() == [[2019, 1, 1], [2020, 0, 1], [2021, 2, 3]]


def test_projection_half_year_uses_the_full_years_before_it():
    # 7 of 10 met (one in 2023, not a full year): 3 left; 2020–2022: 6 xã, 2 a year -> 1,5 years after 14/6/2023.
    p = tables.ntm_projection(ntm_view("2023-H1", [2020, 2020, 2021, 2021, 2022, 2022, 2023], 10), years=3)
    assert (p.first_year, p.last_year, p.recognised, p.remaining) == (2020, 2022, 6, 3)
    assert p.pace == 2 and p.years_needed == 1.5 and p.year == 2024
    assert "năm 2024" in p.text and "2020–2022" in p.text and "tháng 6/2023" in p.text


def test_projection_year_cycle_counts_its_own_year():
    # 2022 ends 14/12/2022: window 2020–2022, 3 xã a year; 9 left -> 3 years -> end of 2025.
    p = tables.ntm_projection(ntm_view("2022", [2020] * 3 + [2021] * 3 + [2022] * 3, 18), years=3)
    assert (p.first_year, p.last_year, p.pace, p.remaining, p.year) == (2020, 2022, 3, 9, 2025)


def test_projection_when_all_are_met_or_none_was_recognised():
    done = tables.ntm_projection(ntm_view("2023-H1", [2015, 2016], 2))
    assert done.remaining == 0 and "Cả 2 xã" in done.text
    stalled = tables.ntm_projection(ntm_view("2023-H1", [2010, 2011], 5))
    assert stalled.year is None and "không ước tính được" in stalled.text


def test_ntm_near_lists_xa_one_or_two_criteria_short():
    v = ntm_view("2023-H1", [2020], 5, criteria=[18, 17, 16, 19])
    n = v.tables["ntm"].assign(unit_code="1", unit_name="A", commune_code=["5", "4", "3", "2", "1"],
                               commune_name=["X1", "X2", "X3", "X4", "X5"],
                               ntm_security_criterion=pd.array([True, True, False, True, False], dtype="boolean"))
    v.tables["ntm"] = n
    near = tables.ntm_near(v)
    assert near[["commune_name", "criteria_short"]].values.tolist() == [["X2", 1], ["X3", 2]]


def test_security_criterion_by_district():
    c = completeness(**{"1": ("A", "received"), "2": ("B", "missing")})
    ntm = pd.DataFrame({"unit_code": ["1", "1", "1"], "ntm_met": pd.array([True, False, False], dtype="boolean"),
                        "ntm_security_criterion": pd.array([True, False, True], dtype="boolean")})
    d = pd.DataFrame({"unit_code": ["1", "2"], "unit_name": ["A", "B"]})
    s = tables.security_criterion(view(units=d, completeness=c, tables_={"ntm": ntm})).set_index("unit_name")
    assert s.loc["A", ["ntm_communes", "security_met", "security_not_met", "ntm_not_met",
                       "not_met_without_security"]].tolist() == [3, 2, 1, 2, 1]
    assert s.at["A", "security_share"] == pytest.approx(2 / 3) and pd.isna(s.at["B", "security_met"])


# --- models ---------------------------------------------------------------------------------------------

def test_models_by_setting_totals_and_communes_without_a_residential_model():
    models = pd.DataFrame({"model_type": ["Camera an ninh", "Camera an ninh", "Tiếng kẻng an ninh"],
                           "setting": ["residential", "institutional", "residential"],
                           "cameras": pd.array([10, 4, pd.NA], dtype="Int64")})
    s = tables.models_by_setting(view(tables_={"models": models})).set_index("model_type")
    assert s.loc["Camera an ninh", ["residential", "institutional", "models_total", "cameras"]].tolist() == [1, 1, 2, 14]
    assert s.loc["Tổng cộng", ["residential", "institutional", "models_total"]].tolist() == [2, 1, 3]
    communes = pd.DataFrame({"unit_code": ["1", "1", "2"], "unit_name": ["A", "A", "B"],
                             "commune_code": ["11", "12", "21"], "commune_name": ["X", "Y", "Z"],
                             "commune_kind": ["Xã"] * 3, "kdc_total": [5, 6, 7],
                             "models_residential": pd.array([2, 0, None], dtype="Float64")})
    none = tables.communes_without_residential_model(view(communes=communes))
    assert none["commune_name"].tolist() == ["Y"]                   # Z: its district sent no Biểu 3


# --- layers ------------------------------------------------------------------------------------------

def test_notebook_helpers_load_no_writer_and_no_reader():
    """The analysis side stands alone: importing the notebook helpers and the narrative loads nothing of
    ``antt.publish``, none of the writers (python-pptx, xlsxwriter, Pillow) and no reader (calamine,
    openpyxl)."""
    code = ("import sys, antt.analyse.tables, antt.analyse.narrative, antt.analyse.report_frames; "
            "print(sorted({m.split('.')[0] if not m.startswith('antt.') else 'antt.publish' for m in sys.modules "
            "if m.split('.')[0] in ('pptx', 'xlsxwriter', 'PIL', 'python_calamine', 'openpyxl') "
            "or m.startswith('antt.publish')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
