"""Commune returns read like district returns (return-form.md, "After the 2025 reform: the commune
return"): the tables of a commune's own return, each deviation on a hand-made workbook
(tests/commune_builder.py). Expectations are worked out by hand from the rows typed there."""

from __future__ import annotations

import pytest

from antt.core import forms
from antt.read.returns import Return, load_return
from tests import commune_builder as B
from tests.returns_builder import SheetSpec

H = B.TITLE_ROWS + 1            # the header row (1-based): data rows start below it


def read(tmp_path, sheets, name="LocNinh_6T2026.xlsx", cycle="2026-H1", scope="75") -> Return:
    raw = tmp_path / "raw"
    return load_return(B.write(raw / cycle / name, sheets), raw, cycle, scope)


def with_table(tid: str, rows: list[list], **title) -> list[SheetSpec]:
    return B.commune_sheets({**B.STANDARD, tid: rows}, **title)


def areas(ret: Return) -> list[tuple]:
    return [(a["area"], a["area_key"], a["registered"], a["meeting"], a["row"]) for a in ret.tables["kdc"].areas]


def counts(ret: Return, tid: str = "kdc") -> tuple:
    (rec,) = ret.tables[tid].records
    return tuple(rec[f] for f in forms.TABLES[tid].value_fields)


def codes(ret: Return) -> list[str]:
    return sorted(f.code for f in ret.findings)


# --- the standard return -------------------------------------------------------------------------

def test_standard_commune_return(tmp_path):
    ret = read(tmp_path, B.commune_sheets())
    assert (ret.status, ret.unit.code, ret.unit.name, ret.level) == ("loaded", B.LOC_NINH, "Xã Lộc Ninh", "commune")
    assert list(ret.tables) == ["kdc", "ntm", "models", "outreach", "bright_spots"]
    # Biểu 1: four areas under two former communes; 3 registered, 2 meeting; the total row agrees
    kdc = ret.tables["kdc"]
    assert kdc.layout == "C" and counts(ret) == (4, 3, 2)
    assert (kdc.records[0]["commune_code"], kdc.records[0]["row"], len(kdc.records[0]["_rows"])) == (B.LOC_NINH, H + 2, 4)
    assert areas(ret) == [("Khu phố Ninh Thịnh", "khu pho ninh thinh", True, True, H + 2),
                          ("KP. Ninh Phú", "khu pho ninh phu", True, False, H + 3),
                          ("Ấp 3", "ap 3", True, True, H + 5),
                          ("Ấp Thạnh Phú", "ap thanh phu", False, False, H + 6)]
    assert {a["commune_code"] for a in kdc.areas} == {B.LOC_NINH} and {a["sheet"] for a in kdc.areas} == {"Biểu 1"}
    assert dict(kdc.account) == {"group": 2, "data": 4, "total": 1}
    assert [(t["row"], t["kdc_total"], t["kdc_registered"], t["kdc_meeting"]) for t in kdc.totals] == [(H + 7, 4, 3, 2)]
    # Biểu 2: the xã's own row
    (ntm,) = ret.tables["ntm"].records
    assert (ntm["commune_code"], ntm["ntm_criteria_met"], ntm["ntm_met"], ntm["ntm_year"]) == (B.LOC_NINH, 19, True, 2024)
    # Biểu 3: every model is the xã's; "Địa bàn" kept when it is an area
    models = ret.tables["models"].records
    assert [(m["commune_code"], m["area"], m["setting"]) for m in models] == [
        (B.LOC_NINH, "Ấp 3", "residential"), (B.LOC_NINH, None, "residential"), (B.LOC_NINH, None, "institutional")]
    # Biểu 4 per area, summed: 2 + 1.5 + 1 + 0.5 hours; banners missing ("?" in Ấp 3); 4 sessions; 185 people
    assert counts(ret, "outreach") == (5.0, None, 4, 185)
    assert dict(ret.tables["outreach"].account) == {"data": 4}
    # Biểu 5: one row for the xã
    assert counts(ret, "bright_spots") == (1, 3, 7, 52)
    (missing,) = ret.findings
    assert (missing.code, missing.sheet, missing.cell, missing.row) == ("value_missing", "Biểu 4", f"D{H + 3}", H + 3)


# --- Biểu 1: marks, counts, a single row, groups -----------------------------------------------------

def test_marks_without_a_commune_column(tmp_path):
    rows = [["Khu dân cư (ấp, khu phố)", 'Đăng ký "An toàn về ANTT"', 'Đạt chuẩn "An toàn về ANTT"'],
            ["KHU VỰC THỊ TRẤN LỘC NINH CŨ"],
            ["Khu phố Ninh Thịnh", "x", "Đạt"],
            ["KP. Ninh Phú", "X", "Chưa đạt"],
            ["KHU VỰC XÃ LỘC THÁI CŨ"],
            ["Ấp 3", "✓", "x"],
            ["Ấp Thạnh Phú", None, None],
            ["Tổng cộng", 3, 2]]
    ret = read(tmp_path, with_table("kdc", rows))
    kdc = ret.tables["kdc"]
    assert kdc.layout == "B" and "commune" not in kdc.columns
    assert counts(ret) == (4, 3, 2)
    assert [(a, r, m) for a, _, r, m, _ in areas(ret)] == [
        ("Khu phố Ninh Thịnh", True, True), ("KP. Ninh Phú", True, False), ("Ấp 3", True, True), ("Ấp Thạnh Phú", False, False)]
    assert dict(kdc.account) == {"group": 2, "data": 4, "total": 1} and codes(ret) == ["value_missing"]


def test_marks_under_a_commune_column(tmp_path):
    # Layout B as a district writes it, the xã's name on its first area row only; the total row
    # carries the count of areas in the area column.
    rows = [["STT", "Xã, phường", "Khu dân cư (ấp, khu phố)", 'Đăng ký "An toàn về ANTT"', 'Đạt chuẩn "An toàn về ANTT"'],
            [1, "Xã Lộc Ninh", "Ấp 1", "x", "x"],
            [2, None, "Ấp 2", "x", None],
            [3, None, "Ấp 3", "Không", "Chưa đạt"],
            [None, "Tổng cộng", "3 khu dân cư", 2, 1]]
    ret = read(tmp_path, with_table("kdc", rows))
    assert ret.tables["kdc"].layout == "B" and counts(ret) == (3, 2, 1)
    assert [a for a, *_ in areas(ret)] == ["Ấp 1", "Ấp 2", "Ấp 3"]
    assert dict(ret.tables["kdc"].account) == {"data": 3, "total": 1}
    # the xã's name beside its sums, the area cell left blank: the total too
    rows[-1] = [None, "Xã Lộc Ninh", None, 2, 1]
    ret = read(tmp_path, with_table("kdc", rows), name="b.xlsx")
    assert counts(ret) == (3, 2, 1) and dict(ret.tables["kdc"].account) == {"data": 3, "total": 1}
    assert [(t["registered"], t["meeting"]) for t in ret.tables["kdc"].totals] == [(2, 1)]


def test_counts_in_the_columns_of_layout_a_and_a_total_row_naming_the_commune(tmp_path):
    # The first column is headed as for communes but holds the areas; the last row names the xã:
    # with area rows above it, it is their total, not a row of data.
    rows = [["Xã, phường, thị trấn", "Tổng số khu dân cư", "Số KDC đăng ký", "Số KDC đạt chuẩn"],
            ["Thôn 4", 1, 1, 1],
            ["TDP 5", 1, 1, 0],
            ["Ấp Sóc Lớn", 1, 0, 0],
            ["Xã Lộc Ninh", 3, 2, 1]]
    ret = read(tmp_path, with_table("kdc", rows))
    kdc = ret.tables["kdc"]
    assert kdc.layout == "A" and counts(ret) == (3, 2, 1)
    assert [k for _, k, *_ in areas(ret)] == ["thon 4", "to dan pho 5", "ap soc lon"]
    assert dict(kdc.account) == {"data": 3, "total": 1}
    assert [(t["row"], t["kdc_total"]) for t in kdc.totals] == [(H + 4, 3)]


def test_a_single_row_for_the_commune(tmp_path):
    rows = [["Xã, phường", "Tổng số khu dân cư", "Số KDC đăng ký", "Số KDC đạt chuẩn", "Tỷ lệ (%)"],
            ["Xã Lộc Ninh", 27, 27, 25, 92.6]]
    ret = read(tmp_path, with_table("kdc", rows))
    assert counts(ret) == (27, 27, 25) and ret.tables["kdc"].records[0]["ratio"] == pytest.approx(0.926)
    assert ret.tables["kdc"].areas == [] and dict(ret.tables["kdc"].account) == {"data": 1}


def test_former_communes_head_groups_however_written(tmp_path):
    # Lộc Ninh took Thị trấn Lộc Ninh, Xã Lộc Thuận and Xã Lộc Thái: each of these heads a group,
    # typed or not, with "(cũ)" or not; "Thị trấn Lộc Ninh" is no "Xã Lộc Ninh".
    rows = [B.KDC_ROWS[0],
            ["", "Thị trấn Lộc Ninh"], [1, "Khu phố 1", 1, 1, 1],
            ["", "Lộc Thuận"], [2, "Ấp 1", 1, 1, 1],
            ["", "KHU VUC XA LOC THAI CU"], [3, "Ấp 2", 1, 1, 1],
            ["", "Xã Lộc Thái (cũ)"], [4, "Ấp Chợ Cũ", 1, 1, 0]]
    ret = read(tmp_path, with_table("kdc", rows))
    assert counts(ret) == (4, 4, 3)
    assert [a for a, *_ in areas(ret)] == ["Khu phố 1", "Ấp 1", "Ấp 2", "Ấp Chợ Cũ"]   # "Chợ Cũ" is an area
    assert dict(ret.tables["kdc"].account) == {"group": 4, "data": 4}


def test_an_area_listed_twice_is_set_aside(tmp_path):
    # "Ấp 3" and "ấp 03" are one area; "KP. 2" and "Khu phố 2" another: all four rows set aside,
    # the two other areas counted; the total row still agrees with every row written.
    rows = [B.KDC_ROWS[0],
            [1, "Ấp 3", 1, 1, 1], [2, "KP. 2", 1, 1, 1], [3, "Ấp 4", 1, 1, 0],
            [4, "ấp 03", 1, 0, 0], [5, "Khu phố 2", 1, 1, 1], [6, "Ấp 5", 1, 1, 1],
            ["", "Tổng cộng", 6, 5, 4]]
    ret = read(tmp_path, with_table("kdc", rows))
    kdc = ret.tables["kdc"]
    assert counts(ret) == (2, 2, 1) and [a for a, *_ in areas(ret)] == ["Ấp 4", "Ấp 5"]
    assert dict(kdc.account) == {"data": 2, "set_aside": 4, "total": 1}
    dups = sorted((f.row, f.cell, f.severity) for f in ret.findings if f.code == "area_duplicate")
    assert dups == [(H + 1, f"B{H + 1}", "error"), (H + 2, f"B{H + 2}", "error")]
    message = next(f.message for f in ret.findings if f.code == "area_duplicate" and f.row == H + 1)
    assert "“Ấp 3”" in message and f"{H + 1}, {H + 4}" in message
    assert sorted(r["row"] for r in kdc.set_aside) == [H + 1, H + 2, H + 4, H + 5]
    assert sum(r["kdc_total"] for r in kdc.records + kdc.set_aside) == 6    # what the total row says


# --- Biểu 2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["Xã Lộc Ninh", None, "Lộc Ninh (xã NTM)", "Kết quả của xã"])
def test_the_row_of_a_xa_whatever_its_label(tmp_path, label):
    rows = [B.NTM_ROWS[0], [1, label, 17, "Chưa đạt", None, "x"]]
    ret = read(tmp_path, with_table("ntm", rows))
    (rec,) = ret.tables["ntm"].records
    assert (rec["commune_code"], rec["ntm_criteria_met"], rec["ntm_met"]) == (B.LOC_NINH, 17, False)


def test_a_xa_with_two_rows_in_table_2(tmp_path):
    rows = [B.NTM_ROWS[0], [1, "Xã Lộc Ninh", 19, "Đạt", 2024, "x"], [2, "Xã Lộc Thái", 19, "Đạt", 2020, "x"]]
    ret = read(tmp_path, with_table("ntm", rows))
    ntm = ret.tables["ntm"]
    assert ntm.records == [] and dict(ntm.account) == {"set_aside": 2} and B.LOC_NINH in ntm.seen
    (f,) = [f for f in ret.findings if f.code == "ntm_rows_commune"]
    assert (f.severity, f.sheet, f.cell, f.row) == ("error", "Biểu 2", f"B{H + 1}", H + 1)
    assert "Xã Lộc Ninh" in f.message and "2 dòng" in f.message and f"{H + 1}, {H + 2}" in f.message


def phuong_sheets(ntm_rows=None) -> list[SheetSpec]:
    tables = {**B.STANDARD}
    if ntm_rows is None:
        del tables["ntm"]
    else:
        tables["ntm"] = ntm_rows
    return B.commune_sheets(tables, unit="UBND PHƯỜNG BÌNH LỘC", place="Bình Lộc, ngày 16 tháng 6 năm 2026")


def test_a_phuong_sends_no_table_2_or_a_blank_one(tmp_path):
    absent = read(tmp_path, phuong_sheets(), name="BinhLoc.xlsx")
    assert (absent.unit.code, absent.unit.kind) == ("26089", "Phường") and "ntm" not in absent.tables
    assert "table_missing" not in codes(absent)          # completeness is the check layer's
    blank = read(tmp_path, phuong_sheets([B.NTM_ROWS[0]]), name="BinhLoc2.xlsx")
    ntm = blank.tables["ntm"]
    assert ntm.records == [] and ntm.empty and dict(ntm.account) == {}


def test_a_row_of_a_phuong_in_table_2_is_excluded(tmp_path):
    ret = read(tmp_path, phuong_sheets([B.NTM_ROWS[0], [1, "Phường Bình Lộc", "-", "Không áp dụng", "-", "-"]]),
               name="BinhLoc.xlsx")
    assert ret.tables["ntm"].records == [] and "26089" in ret.tables["ntm"].seen
    (f,) = [f for f in ret.findings if f.code == "ntm_not_xa"]
    assert (f.severity, f.row) == ("info", H + 1) and "phường" in f.message


# --- Biểu 3, 4, 5 -----------------------------------------------------------------------------------

def test_models_place_an_area_the_commune_or_blank(tmp_path):
    rows = [B.MODEL_ROWS[0],
            ["I", "Mô hình ở khu dân cư"],
            [1, "Tiếng kẻng", "Tiếng kẻng an ninh", "KP. Ninh Phú", "Khu dân cư", 2015, 9, None],
            [2, "Tổ tự quản", "Tổ An ninh nhân dân tự quản", "Lộc Ninh", "Khu dân cư", 2016, 10, None],
            [3, "Camera", "Camera an ninh", None, "Khu dân cư", 2020, 4, 12],
            [4, "Tổ tự quản", "Tổ An ninh nhân dân tự quản", "Xã Lộc Thái (cũ)", "KDC", 2012, 8, None],
            ["", "Xã Lộc Ninh", None, None, None, None, 31, 12]]
    ret = read(tmp_path, with_table("models", rows))
    models = ret.tables["models"]
    assert [(m["commune_code"], m["area"]) for m in models.records] == [
        (B.LOC_NINH, "KP. Ninh Phú"), (B.LOC_NINH, None), (B.LOC_NINH, None), (B.LOC_NINH, "Xã Lộc Thái (cũ)")]
    # "I ..." heads the list; the row naming the xã beside the sums is the total
    assert dict(models.account) == {"group": 1, "data": 4, "total": 1}
    assert [(t["members"], t["cameras"]) for t in models.totals] == [(31, 12)]


def test_bright_spots_per_area_summed_with_a_missing_value(tmp_path):
    rows = [["STT", "Tên khu dân cư", "Điểm sáng cấp tỉnh, cấp huyện", "Điểm sáng cấp xã",
             "Số tổ, nhóm nòng cốt, câu lạc bộ pháp luật", "Số thành viên"],
            [1, "Ấp 1", 0, 1, 2, 12],
            [2, "Ấp 2", 1, 0, 1, "chưa có số liệu"],
            [3, "Ấp 3", 0, 2, 3, 20],
            ["", "Tổng cộng", 1, 3, 6, None]]
    ret = read(tmp_path, with_table("bright_spots", rows))
    table = ret.tables["bright_spots"]
    assert table.layout == "C" and counts(ret, "bright_spots") == (1, 3, 6, None)
    assert table.areas == []                                      # only Biểu 1 keeps its areas
    (f,) = [f for f in ret.findings if f.sheet == "Biểu 5"]
    assert (f.code, f.cell) == ("value_missing", f"F{H + 2}")


def test_outreach_with_an_unreadable_value_in_one_area(tmp_path):
    # The area row that cannot be trusted is set aside; the others still sum.
    rows = [B.OUTREACH_ROWS[0], [1, "Ấp 1", 1, 5, 1, 40], [2, "Ấp 2", 2, "năm", 1, 30], [3, "Ấp 3", 1, 2, 1, 20]]
    ret = read(tmp_path, with_table("outreach", rows))
    assert counts(ret, "outreach") == (2, 7, 2, 60)
    assert dict(ret.tables["outreach"].account) == {"data": 2, "set_aside": 1}
    assert [(f.code, f.cell) for f in ret.findings if f.sheet == "Biểu 4"] == [("value_unreadable", f"D{H + 2}")]


# --- formats and legacy text ------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_and_ods_commune_returns(tmp_path, suffix):
    ret = read(tmp_path, B.commune_sheets(), name=f"LocNinh{suffix}")
    assert (ret.status, ret.format, ret.unit.code) == ("loaded", suffix[1:], B.LOC_NINH)
    assert counts(ret) == (4, 3, 2) and [a for a, *_ in areas(ret)][1] == "KP. Ninh Phú"
    assert counts(ret, "outreach") == (5.0, None, 4, 185) and counts(ret, "bright_spots") == (1, 3, 7, 52)


def test_tcvn3_commune_return(tmp_path):
    from antt.core.text import encode_tcvn3

    sheets = B.commune_sheets()
    for spec in sheets:
        spec.rows = [[encode_tcvn3(v) if isinstance(v, str) else v for v in row] for row in spec.rows]
        spec.fonts = {f"{col}{r}": ".VnTime" for r in range(1, len(spec.rows) + 1) for col in "ABCDEFGH"}
    ret = read(tmp_path, sheets, name="LocNinh_TCVN3.xlsx")
    assert (ret.status, ret.unit.code) == ("loaded", B.LOC_NINH)
    assert "legacy_text_decoded" in codes(ret)
    # .VnTime has no capital with a diacritic ("Ấ" needs .VnTimeH): "Ấp 3" typed in it reads "ấp 3"
    assert [a for a, *_ in areas(ret)] == ["Khu phố Ninh Thịnh", "KP. Ninh Phú", "ấp 3", "ấp Thạnh Phú"]
    assert [k for _, k, *_ in areas(ret)] == ["khu pho ninh thinh", "khu pho ninh phu", "ap 3", "ap thanh phu"]
    assert counts(ret) == (4, 3, 2)


# --- names --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, key", [
    ("KP. 2", "khu pho 2"), ("Khu phố  02", "khu pho 2"), ("K.P 2", "khu pho 2"), ("khu pho 2", "khu pho 2"),
    ("TDP 5", "to dan pho 5"), ("Tổ dân phố số 5", "to dan pho 5"), ("Thôn 04", "thon 4"),
    ("Ấp Thạnh Phú", "ap thanh phu"), ("ẤP THẠNH PHÚ", "ap thanh phu"), ("KDC số 3", "khu dan cu 3"),
])
def test_area_key(written, key):
    assert forms.area_key(written) == key


def test_a_commune_whose_name_starts_like_an_area(tmp_path):
    # "To Tung" (Xã Tơ Tung, Gia Lai, without diacritics) starts as "Tổ ..." does: it is the xã's own row.
    rows = [["Xa, phuong", "Tong so khu dan cu", "So KDC dang ky", "So KDC dat chuan"], ["To Tung", 21, 21, 20]]
    sheets = B.commune_sheets({**B.STANDARD, "kdc": rows}, province="CÔNG AN TỈNH GIA LAI", unit="CÔNG AN XÃ TƠ TUNG",
                              place="Tơ Tung, ngày 18 tháng 6 năm 2026")
    ret = read(tmp_path, sheets, scope="52")
    assert ret.unit.code == "23668" and counts(ret) == (21, 21, 20) and ret.tables["kdc"].areas == []


def test_a_total_row_against_areas_with_a_missing_value(tmp_path):
    # The commune's banners are missing ("?" in Ấp 2), but the total row restates what the rows
    # say (4 + 6): the rules of the check layer compare it with the area rows, not with the sum.
    from antt.check import validate
    from antt.core import units
    from antt.core.cycles import parse_cycle

    rows = [B.OUTREACH_ROWS[0], [1, "Ấp 1", 1, 4, 1, 60], [2, "Ấp 2", 0, "?", 0, 75], [3, "Ấp 3", 0, 6, 2, 87],
            ["", "Tổng cộng", 1, 10, 3, 222]]
    ret = read(tmp_path, with_table("outreach", rows))
    assert counts(ret, "outreach") == (1, None, 3, 222)
    cycle = parse_cycle("2026-H1")
    validate.validate_return(ret, cycle, units.hierarchy_on(cycle.end))
    assert "total_mismatch" not in codes(ret)
