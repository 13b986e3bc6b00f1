"""The loaders on hand-made returns: one test per deviation of the form (return-form.md, 1–13)."""

from __future__ import annotations

import copy

import openpyxl
import pytest
from openpyxl.styles import Font

from antt.check.cycle import load_cycle
from antt.store.frames import CycleFrames
from antt.read.returns import Return, decode_sheets
from antt.read.workbook import read_workbook
from tests.returns_builder import (DONG_XOAI_TOTALS, KDC_ROWS, MODEL_ROWS, NTM_ROWS, SCOPE, STANDARD, SheetSpec,
                                   standard_sheets, title_rows, write_xlsx)

DONG_XOAI = "689"


def load(tmp_path, sheets, name="DongXoai.xlsx", cycle="2023-H1"):
    folder = tmp_path / "raw" / cycle
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / name, sheets)
    return CycleFrames(load_cycle(tmp_path / "raw", cycle, SCOPE))


def totals(data) -> dict:
    row = data.units.loc[DONG_XOAI]
    return {k: (None if v is None or v != v else v) for k, v in row.to_dict().items()}


def codes(data, severity=None) -> list[str]:
    f = data.findings
    return sorted(f[f.severity == severity].code if severity else f.code)


def test_standard_return_loads_to_the_hand_worked_totals(tmp_path):
    data = load(tmp_path, standard_sheets())
    assert totals(data) == DONG_XOAI_TOTALS
    assert codes(data, "error") == [] and codes(data, "warning") == []
    assert set(data.completeness[DONG_XOAI].values()) == {"received"}
    kdc = data.tables["kdc"]
    assert len(kdc) == 8 and kdc.commune_code.is_unique
    # Every row traces back to its sheet and row: Phường Tân Phú is row 10 of "Biểu 1" (8 title rows + header).
    tan_phu = kdc[kdc.commune_code == "25195"].iloc[0]
    assert (tan_phu.source_file, tan_phu.sheet, tan_phu.row) == ("2023-H1/DongXoai.xlsx", "Biểu 1", 10)


def test_header_anywhere_with_two_merged_rows_and_line_breaks(tmp_path):
    # 1: parent heading merged over three children, headings with line breaks, extra blank rows.
    rows = [[None], [None]] + title_rows(table_title="Biểu 1") + [[None], [None]] + [
        ["STT", "Xã, phường,\nthị trấn", "Số khu dân cư", None, None],
        [None, None, "Tổng số", "Đăng ký", "Đạt chuẩn"],
    ] + [r for r in KDC_ROWS[1:]]
    h = 2 + 8 + 2 + 1   # 1-based row of the parent heading
    sheets = standard_sheets() [1:] + [SheetSpec("KDC", rows, merges=[f"C{h}:E{h}", f"A{h}:A{h + 1}", f"B{h}:B{h + 1}"])]
    data = load(tmp_path, sheets)
    assert totals(data)["kdc_total"] == 72 and totals(data)["kdc_meeting"] == 69
    assert totals(data)["kdc_registered"] == 72


def test_headings_without_diacritics_any_case_and_abbreviations(tmp_path):
    # 2: "TS KDC", "SO KDC DK", "so kdc dat chuan antt".
    kdc = [["stt", "XA, PHUONG, THI TRAN", "TS KDC", "SO KDC DK AN TOAN VE ANTT", "so kdc dat chuan antt"]] + KDC_ROWS[1:]
    ntm = [["TT", "Xa", "SO TIEU CHI DA DAT", "DAT CHUAN NTM", "NAM DUOC CONG NHAN", "TC 19.2"]] + [
        [1, "Xa Tan Thanh", 19, "dat", 2019, "X"], [2, "xa tien hung", 17, "CHUA DAT", None, "x"]]
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": kdc, "ntm": ntm}))
    assert totals(data)["kdc_meeting"] == 69
    assert totals(data)["ntm_met"] == 1 and totals(data)["ntm_communes"] == 2


@pytest.mark.parametrize("numbering", [["(1)", "(2)", "(3)", "(4)", "(5)"], [1, 2, 3, 4, 5], ["A", "B", 1, 2, 3]])
def test_numbering_row_under_the_header_is_skipped(tmp_path, numbering):
    kdc = [KDC_ROWS[0], numbering] + KDC_ROWS[1:]
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": kdc}))
    assert totals(data)["kdc_total"] == 72
    acc = data.accounts.set_index("table").loc["kdc"]
    assert acc["numbering"] == 1 and acc["data"] == 8


def test_columns_in_any_order_extra_columns_ignored_and_ratio_cross_checked(tmp_path):
    # 4: order changed, "Ghi chú" and "Đơn vị tính" ignored, a ratio column restating meeting/total.
    head = ["Ghi chú", 'Số KDC đạt chuẩn "An toàn về ANTT"', "Xã, phường, thị trấn", "Đơn vị tính",
            "Tổng số khu dân cư", "Tỷ lệ đạt chuẩn (%)", 'Số KDC đăng ký "An toàn về ANTT"']
    rows = [head] + [["", r[4], r[1], "KDC", r[2], round(r[4] / r[2] * 100, 1), r[3]] for r in KDC_ROWS[1:]]
    rows[1][5] = 50.0   # Phường Tân Phú: 11/12 is 91,7 %, not 50 %
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    assert totals(data)["kdc_meeting"] == 69
    f = data.findings
    mism = f[f.code == "ratio_mismatch"]
    assert len(mism) == 1 and mism.iloc[0].cell == "F10" and "91,7 %" in mism.iloc[0].message


def test_free_sheet_names_any_order_hidden_sheet_and_missing_table(tmp_path):
    # 5: names and order free; a hidden junk sheet; Biểu 5 missing.
    sheets = standard_sheets({k: v for k, v in STANDARD.items() if k != "bright_spots"})
    for s, name in zip(sheets, ["Sheet1", "B2-NTM", "MH", "tuyen truyen"]):
        s.name = name
    sheets = [sheets[3], sheets[0], SheetSpec("Data", [["abc", 1], ["def", 2]], hidden=True), sheets[2], sheets[1]]
    data = load(tmp_path, sheets)
    t = totals(data)
    assert t["kdc_total"] == 72 and t["ntm_met"] == 1 and t["cameras"] == 30 and t["broadcast_hours"] == 9
    assert t["core_groups"] is None and t["bright_spots_upper"] is None
    assert data.completeness[DONG_XOAI]["bright_spots"] == "missing"
    assert "table_missing" in codes(data, "warning")


def test_total_rows_top_and_bottom_and_group_rows(tmp_path):
    # 6: a total row on top, group rows "I. Các phường" / "II. Các xã", a wrong total at the bottom.
    body = KDC_ROWS[1:]
    phuong = [r for r in body if r[1].startswith("Phường")]
    xa = [r for r in body if r[1].startswith("Xã")]
    rows = [KDC_ROWS[0], ["", "Tổng cộng", 72, 72, 69], ["I", "Các phường", 59, 59, 57]] + phuong + \
           [["II", "Các xã", 13, 13, 12]] + xa + [["", "TOÀN THÀNH PHỐ", 72, 72, 70]]
    rows[-1][1] = "Tổng số"
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    assert totals(data)["kdc_meeting"] == 69
    acc = data.accounts.set_index("table").loc["kdc"]
    assert (acc["data"], acc["total"], acc["group"]) == (8, 2, 2)
    mism = data.findings[data.findings.code == "total_mismatch"]
    assert list(mism.cell) == ["E21"]     # the bottom total says 70 where the rows add up to 69


def test_footer_rows_are_not_data(tmp_path):
    # 7
    rows = KDC_ROWS + [[None], ["Ghi chú: số liệu tính đến 14/6/2023"], [None],
                       [None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"], [None, "Nguyễn Văn A", None, "Trần Văn B"]]
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    assert totals(data)["kdc_total"] == 72
    acc = data.accounts.set_index("table").loc["kdc"]
    assert acc["footer"] == 3 and acc["data"] == 8


def test_numbers_as_text_blank_dash_and_missing_markers(tmp_path):
    # 8: "2.100"-style text, spaces, units, blank and "-" are zero, "?" is missing (reported) not zero.
    out = copy.deepcopy(STANDARD["outreach"])
    out[1][2:] = [" 2 ", "30 cái", "3", "1.250"]
    out[2][2:] = ["1,5", "-", None, "?"]
    data = load(tmp_path, standard_sheets({**STANDARD, "outreach": out}))
    t = totals(data)
    assert t["broadcast_hours"] == 9 and t["banners_posters"] == 110     # 130 − 20 (Tân Đồng now "-")
    frame = data.tables["outreach"].set_index("commune_code")
    assert frame.loc["25195", "attendees"] == 1250
    assert frame.loc["25198", "sessions"] == 0
    assert frame.loc["25198", "attendees"] is None or str(frame.loc["25198", "attendees"]) == "<NA>"
    miss = data.findings[data.findings.code == "value_missing"]
    assert list(miss.cell) == ["F11"] and list(miss.severity) == ["warning"]


def test_commune_names_in_every_form(tmp_path):
    # 9: prefixes abbreviated, capitals, no diacritics, NFD, double spaces, a trailing note.
    import unicodedata
    names = ["P. Tân Phú", "phường TÂN ĐỒNG", "Tan Binh", unicodedata.normalize("NFD", "Phường Tân Xuân"),
             "P.  Tân  Thiện ", "X. Tân Thành (xã NTM)", "TIẾN THÀNH", "xã Tiến Hưng"]
    kdc = [KDC_ROWS[0]] + [[r[0], n, *r[2:]] for r, n in zip(KDC_ROWS[1:], names)]
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": kdc}))
    assert totals(data)["kdc_total"] == 72 and codes(data, "error") == []
    assert data.tables["kdc"].commune_code.nunique() == 8


def test_unknown_commune_and_commune_of_another_district_are_located_errors(tmp_path):
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[1][1] = "Phường Tân Phứ Mới"        # not a commune of Đồng Xoài
    kdc[2][1] = "Xã Lộc Thái"               # a commune of Lộc Ninh
    kdc[3][4] = 12                          # Tân Bình: meeting 12 > total 9
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": kdc}))
    f = data.findings[data.findings.severity == "error"].set_index("code")
    assert f.loc["commune_unknown", "cell"] == "B10"
    assert f.loc["commune_other_district", "cell"] == "B11" and "Lộc Ninh" in f.loc["commune_other_district", "message"]
    assert f.loc["kdc_meeting_gt_total", "cell"] == "E12"
    # The other five rows still load: 72 − 12 − 10 − 9 = 41 areas.
    assert totals(data)["kdc_total"] == 41


def test_setting_outside_the_two_allowed_is_an_error_and_free_type_is_other(tmp_path):
    models = copy.deepcopy(MODEL_ROWS)
    models[1][4] = "Chợ"                     # neither a residential area nor an agency, enterprise, school
    models[4][2] = "Mô hình dân vận khéo"    # free text -> "Khác"
    models[2][4] = "KDC"
    models[3][4] = "CQ, DN, NT"
    data = load(tmp_path, standard_sheets({**STANDARD, "models": models}))
    f = data.findings.set_index("code")
    assert f.loc["setting_unknown", "severity"] == "error" and f.loc["setting_unknown", "cell"] == "E10"
    assert f.loc["model_type_other", "severity"] == "info"
    t = totals(data)
    assert (t["models_residential"], t["models_institutional"]) == (2, 1)
    assert "Khác" in set(data.tables["models"].model_type)


def test_phuong_row_in_ntm_is_excluded_with_a_note(tmp_path):
    ntm = NTM_ROWS + [[3, "Phường Tân Phú", "-", "-", "-", "-"]]
    data = load(tmp_path, standard_sheets({**STANDARD, "ntm": ntm}))
    assert totals(data)["ntm_communes"] == 2
    assert codes(data, "info").count("ntm_not_xa") == 1


def test_ntm_rules(tmp_path):
    ntm = copy.deepcopy(NTM_ROWS)
    ntm[1][2] = 18                           # met with 18 criteria
    ntm[2][3], ntm[2][4], ntm[2][2] = "x", 2024, 19   # recognised after the cycle's year
    data = load(tmp_path, standard_sheets({**STANDARD, "ntm": ntm}))
    f = data.findings.set_index("code")
    assert f.loc["ntm_met_criteria", "cell"] == "D10"
    assert f.loc["ntm_year_after_cycle", "cell"] == "E11"
    assert totals(data)["ntm_communes"] == 0


def test_period_in_title_other_than_the_folder_rejects_the_file(tmp_path):
    sheets = standard_sheets(period="Kỳ báo cáo: năm 2022 (số liệu từ ngày 15/12/2021 đến ngày 14/12/2022)")
    data = load(tmp_path, sheets)
    assert list(data.files.status) == ["rejected"]
    assert codes(data, "error") == ["period_mismatch"]
    assert data.completeness[DONG_XOAI]["kdc"] == "rejected"


@pytest.mark.parametrize("period", ["6 THÁNG ĐẦU NĂM 2023", "6 tháng năm 2023", "Sơ kết 6 tháng 2023",
                                    "(số liệu từ ngày 15/12/2022 đến ngày 14/6/2023)"])
def test_period_forms_for_the_half_year(tmp_path, period):
    data = load(tmp_path, standard_sheets(period=period))
    assert list(data.files.status) == ["loaded"] and "period_mismatch" not in codes(data)


@pytest.mark.parametrize("unit", ["CÔNG AN TP. ĐỒNG XOÀI", "UBND THÀNH PHỐ ĐỒNG XOÀI", "TP Đồng Xoài",
                                  "BAN THƯỜNG TRỰC UBMTTQ VN THÀNH PHỐ ĐỒNG XOÀI"])
def test_district_from_the_title_block(tmp_path, unit):
    data = load(tmp_path, standard_sheets(unit=unit))
    assert list(data.files.unit_code) == [DONG_XOAI]


def test_district_of_another_province_is_rejected(tmp_path):
    # Bình Dương is neither Bình Phước nor the configured Đồng Nai (whose other districts a narrower
    # scope leaves out of view rather than rejects).
    sheets = standard_sheets(unit="CÔNG AN HUYỆN DẦU TIẾNG, TỈNH BÌNH DƯƠNG")
    for s in sheets:
        s.rows[0][0] = "CÔNG AN TỈNH BÌNH DƯƠNG"
    data = load(tmp_path, sheets)
    assert list(data.files.status) == ["rejected"] and codes(data, "error") == ["unit_other_province"]


def test_formulas_without_cached_values_are_evaluated(tmp_path):
    # 12: openpyxl writes formulas with no cached value.
    rows = KDC_ROWS + [["", "Tổng cộng", "=SUM(C10:C17)", "=SUM(D10:D17)", "=SUM(E10:E17)"]]
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    assert totals(data)["kdc_total"] == 72
    assert "total_mismatch" not in codes(data) and "formula_unevaluated" not in codes(data)


def test_a_formula_that_cannot_be_evaluated_is_reported_not_blank(tmp_path):
    kdc = copy.deepcopy(KDC_ROWS)
    kdc[1][2] = "=VLOOKUP(B10,Data!A:B,2,0)"
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": kdc}))
    f = data.findings[data.findings.code == "formula_unevaluated"]
    assert list(f.cell) == ["C10"]
    assert totals(data)["kdc_total"] is None      # missing, never a silent zero


def test_resubmission_later_report_date_wins(tmp_path):
    first = standard_sheets(place="Đồng Xoài, ngày 16 tháng 6 năm 2023")
    later_rows = copy.deepcopy(STANDARD)
    later_rows["kdc"][1][4] = 12                 # Tân Phú now 12/12 meeting
    later = standard_sheets(later_rows, place="Đồng Xoài, ngày 18 tháng 6 năm 2023")
    folder = tmp_path / "raw" / "2023-H1"
    folder.mkdir(parents=True)
    write_xlsx(folder / "b_DongXoai_lan2.xlsx", later)
    write_xlsx(folder / "a_DongXoai.xlsx", first)
    data = CycleFrames(load_cycle(tmp_path / "raw", "2023-H1", SCOPE))
    status = dict(zip(data.files.file, data.files.status))
    assert status == {"2023-H1/a_DongXoai.xlsx": "superseded", "2023-H1/b_DongXoai_lan2.xlsx": "loaded"}
    assert totals(data)["kdc_meeting"] == 70
    assert "file_superseded" in codes(data, "info")


def test_layout_b_one_row_per_area_is_aggregated(tmp_path):
    head = ["STT", "Xã, phường, thị trấn", "Khu dân cư", 'Đăng ký "An toàn về ANTT"', 'Đạt chuẩn "An toàn về ANTT"']
    rows = [head]
    for _, name, total, reg, meet in KDC_ROWS[1:]:
        for i in range(total):
            rows.append([None, name if i == 0 else None, f"Khu phố {i + 1}", "x" if i < reg else None,
                         ["Đạt", "✓", "X", 1][i % 4] if i < meet else "Chưa đạt"])
        rows.append([None, None, "Cộng", reg, meet])
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    t = totals(data)
    assert (t["kdc_total"], t["kdc_registered"], t["kdc_meeting"]) == (72, 72, 69)
    assert codes(data, "error") == [] and "total_mismatch" not in codes(data)
    assert len(data.tables["kdc"]) == 8


def test_every_row_is_accounted_for(tmp_path):
    rows = [KDC_ROWS[0], ["(1)", "(2)", "(3)", "(4)", "(5)"]] + copy.deepcopy(KDC_ROWS[1:]) + [
        ["", "Tổng cộng", 72, 72, 69], ["NGƯỜI LẬP BIỂU"]]
    rows[3][1] = "Phường Không Có"
    data = load(tmp_path, standard_sheets({**STANDARD, "kdc": rows}))
    acc = data.accounts.set_index("table").loc["kdc"]
    assert (acc["data"], acc["set_aside"], acc["numbering"], acc["total"], acc["footer"]) == (7, 1, 1, 1, 1)


def test_a_missing_optional_column_is_reported_and_its_key_is_null(tmp_path):
    models = [r[:7] for r in MODEL_ROWS]                       # no "Số camera" column
    data = load(tmp_path, standard_sheets({**STANDARD, "models": models}))
    f = data.findings[data.findings.code == "column_missing"]
    assert len(f) == 1 and "Số camera" in f.iloc[0].message and f.iloc[0].severity == "warning"
    t = totals(data)
    assert t["cameras"] is None and t["models_residential"] == 3     # missing, not zero; the rest loads


def test_a_dash_in_a_year_cell_is_no_year(tmp_path):
    models = copy.deepcopy(MODEL_ROWS)
    models[1][5] = "-"
    ntm = copy.deepcopy(NTM_ROWS)
    ntm[2][4] = "-"
    data = load(tmp_path, standard_sheets({**STANDARD, "models": models, "ntm": ntm}))
    assert codes(data, "error") == [] and totals(data)["models_residential"] == 3
    assert data.tables["models"].founded.isna().sum() == 1


def test_ambiguous_text_is_read_by_its_font(tmp_path):
    """"X. Hoang Thèn" (Lai Châu) reads as TCVN3 "X. Hoang Thốn" too: its font says which it is."""
    for font, expected in (("Times New Roman", "X. Hoang Thèn"), (".VnTime", "X. Hoang Thốn")):
        wb = openpyxl.Workbook()
        wb.active["A1"] = "Bình Long"
        wb.active["A2"] = "X. Hoang Thèn"
        wb.active["A2"].font = Font(name=font)
        wb.save(tmp_path / "a.xlsx")
        sheet = read_workbook(tmp_path / "a.xlsx").sheets[0]
        assert sheet.fonts[(1, 0)] == font
        ret = Return(file="a.xlsx", sha256="")
        decode_sheets([sheet], ret)
        assert sheet.rows[1][0] == expected
        assert [f.code for f in ret.findings] == ([] if font == "Times New Roman" else ["legacy_text_decoded"])
