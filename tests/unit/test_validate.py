"""Each validation rule on a hand-made return that triggers it, and on the clean return that does not."""

from __future__ import annotations

import copy

import pytest

from antt.core import forms, units
from antt.store.ingest import load_with_history
from antt.check.cycle import load_cycle
from antt.store.frames import CycleFrames
from antt.read.returns import Return, TableRead
from antt.check.validate import completeness, reporting_rates
from tests.returns_builder import KDC_ROWS, NTM_ROWS, SCOPE, STANDARD, standard_sheets, write_xlsx

DONG_XOAI = "689"


def load(tmp_path, tables=None, cycle="2023-H1", name="DongXoai.xlsx", **title):
    folder = tmp_path / "raw" / cycle
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / name, standard_sheets(tables, **title))
    return CycleFrames(load_cycle(tmp_path / "raw", cycle, SCOPE))


def found(data, code):
    f = data.findings
    return f[f.code == code]


def test_the_clean_return_triggers_no_rule(tmp_path):
    data = load(tmp_path)
    assert list(data.findings.code) == []


@pytest.mark.parametrize("row, values, code, cell", [
    (1, (12, 13, 11), "kdc_registered_gt_total", "D10"),
    (1, (12, 10, 11), "kdc_meeting_gt_registered", "E10"),
    (1, (12, 12, 13), "kdc_meeting_gt_total", "E10"),
])
def test_kdc_order_rules(tmp_path, row, values, code, cell):
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[row][2:5] = values
    data = load(tmp_path, {**STANDARD, "kdc": kdc})
    hits = found(data, code)
    assert list(hits.cell) == [cell] and set(hits.severity) == {"error"}
    assert len(data.tables["kdc"]) == 7          # that row set aside, the seven others load


def test_criteria_out_of_range(tmp_path):
    ntm = copy.deepcopy(NTM_ROWS)
    ntm[2][2] = 20
    data = load(tmp_path, {**STANDARD, "ntm": ntm})
    assert list(found(data, "ntm_criteria_out_of_range").cell) == ["C11"]


def test_negative_and_unreadable_counts(tmp_path):
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[1][2] = -12
    kdc[2][2] = "mười"
    data = load(tmp_path, {**STANDARD, "kdc": kdc})
    assert list(found(data, "value_negative").cell) == ["C10"]
    assert list(found(data, "value_unreadable").cell) == ["C11"]
    assert len(data.tables["kdc"]) == 6


def test_commune_listed_twice_sets_both_rows_aside(tmp_path):
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[2][1] = "Phường Tân Phú"
    data = load(tmp_path, {**STANDARD, "kdc": kdc})
    dup = found(data, "commune_duplicate")
    assert len(dup) == 1 and "10, 11" in dup.iloc[0].message
    assert "25195" not in set(data.tables["kdc"].commune_code) and len(data.tables["kdc"]) == 6
    # Tân Đồng, replaced by the duplicate row, is now absent from Biểu 1.
    assert list(found(data, "commune_absent").message.str.contains("Tân Đồng")) == [True]


def test_commune_absent_from_a_table(tmp_path):
    kdc = [r for r in KDC_ROWS if r[1] != "Xã Tiến Hưng"]
    data = load(tmp_path, {**STANDARD, "kdc": kdc})
    absent = found(data, "commune_absent")
    assert len(absent) == 1 and "Xã Tiến Hưng" in absent.iloc[0].message and absent.iloc[0].severity == "warning"


def test_late_report(tmp_path):
    data = load(tmp_path, place="Đồng Xoài, ngày 25 tháng 6 năm 2023")      # deadline 19/6/2023
    late = found(data, "report_late")
    assert len(late) == 1 and "19/06/2023" in late.iloc[0].message
    assert found(load(tmp_path / "b", place="Đồng Xoài, ngày 19 tháng 6 năm 2023"), "report_late").empty


def test_empty_table_counts_as_not_received(tmp_path):
    blank = [KDC_ROWS[0]] + [[r[0], r[1], None, None, None] for r in KDC_ROWS[1:]]
    data = load(tmp_path, {**STANDARD, "kdc": blank})
    assert data.completeness[DONG_XOAI]["kdc"] == "empty"
    assert data.units.loc[DONG_XOAI, "kdc_total"] is None or str(data.units.loc[DONG_XOAI, "kdc_total"]) == "<NA>"
    rates = reporting_rates(data.completeness)
    assert rates["kdc"] == 0 and rates["ntm"] == 1 / 11      # 1 of the 11 districts of Bình Phước


def test_a_blank_table_of_xa_from_a_district_without_xa_is_received():
    """Quận Ba Đình (Hà Nội) has only phường: its Biểu 2 without rows is its whole answer (0 xã).
    The same blank table from Thành phố Đồng Xoài (2 xã) counts as not received."""
    hierarchy = units.legacy()
    ba_dinh, dong_xoai = hierarchy.unit("001"), hierarchy.unit(DONG_XOAI)
    returns = []
    for d in (ba_dinh, dong_xoai):
        ret = Return(file=f"{d.code}.xlsx", sha256="", unit=d)
        ret.tables = {tid: TableRead(tid, tid, "A", (9, 9), {}, [], [], empty=tid == "ntm") for tid in forms.TABLES}
        returns.append(ret)
    no_rows = {tid: {} for tid in forms.TABLES}
    matrix = completeness([ba_dinh, dong_xoai], "district", returns, no_rows, set(), hierarchy)
    assert matrix["001"] == dict.fromkeys(forms.TABLES, "received")
    assert matrix[DONG_XOAI]["ntm"] == "empty" and matrix[DONG_XOAI]["kdc"] == "received"
    returns[0].tables["kdc"].empty = True                 # any other blank table is not received
    assert completeness([ba_dinh], "district", returns, no_rows, set(), hierarchy)["001"]["kdc"] == "empty"


def _two_cycles(tmp_path, before_kdc, now_kdc, before_cycle="2022", now_cycle="2023-H1"):
    for cycle, kdc, period in ((before_cycle, before_kdc, "Kỳ báo cáo: năm 2022"),
                               (now_cycle, now_kdc, "Kỳ báo cáo: 6 tháng đầu năm 2023")):
        place = "Đồng Xoài, ngày 16 tháng 12 năm 2022" if cycle == "2022" else "Đồng Xoài, ngày 16 tháng 6 năm 2023"
        load(tmp_path, {**STANDARD, "kdc": kdc}, cycle=cycle, period=period, place=place)
    return CycleFrames(load_with_history(tmp_path / "raw", now_cycle))


def test_implausible_moves_since_the_previous_cycle(tmp_path):
    before = copy.deepcopy(KDC_ROWS)
    for r in before[1:]:
        r[2:5] = [r[2] + 2, r[3] + 2, r[4] + 2]          # 88 areas before, 72 now: −18 %
    data = _two_cycles(tmp_path, before, KDC_ROWS)
    assert len(found(data, "outlier_kdc_change")) == 1
    steady = _two_cycles(tmp_path / "b", KDC_ROWS, KDC_ROWS)
    assert found(steady, "outlier_kdc_change").empty and found(steady, "outlier_drop").empty


def test_heading_layout_changed_since_the_previous_return(tmp_path):
    reordered = [[r[0], r[1], r[4], r[3], r[2]] for r in KDC_ROWS]
    data = _two_cycles(tmp_path, KDC_ROWS, reordered)
    changed = found(data, "layout_changed")
    assert len(changed) == 1 and changed.iloc[0].severity == "info"
