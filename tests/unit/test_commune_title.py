"""Who a return is from, at both levels and on both sides of the 2025 reform (return-form.md, "After
the 2025 reform"; contract, "Units and scope"): the issuing unit in the title block within the
territory of the scope, the errors for a former unit, a commune of another province, an ambiguous
name, and returns of the other level than the cycle's. Hand-made workbooks; codes looked up by hand
in the dataset of vietnamadminunits 1.0.4."""

from __future__ import annotations

from antt.read.returns import Return, load_return
from tests import commune_builder as B
from tests import returns_builder as D

H = B.TITLE_ROWS + 1


def read(tmp_path, sheets, name="bao_cao.xlsx", cycle="2026-H1", scope="75") -> Return:
    raw = tmp_path / "raw"
    return load_return(B.write(raw / cycle / name, sheets), raw, cycle, scope)


def errors(ret: Return) -> list[str]:
    return [f.code for f in ret.findings if f.severity == "error"]


def test_the_title_forms_of_a_commune(tmp_path):
    for unit, code in (("CA P. TAM HIỆP", "26017"), ("UBND PHƯỜNG BÌNH LỘC", "26089"), ("CÔNG AN XÃ LỘC HƯNG", "25303")):
        ret = read(tmp_path, B.commune_sheets(unit=unit))
        assert (ret.status, ret.unit.code, ret.level) == ("loaded", code, "commune"), unit


def test_a_former_commune_in_a_post_reform_title_block(tmp_path):
    ret = read(tmp_path, B.commune_sheets(unit="CÔNG AN XÃ LỘC THÁI", place="Lộc Thái, ngày 16 tháng 6 năm 2026"))
    assert (ret.status, ret.unit, ret.tables) == ("rejected", None, {})
    (f,) = ret.findings
    # located on the cell that names it: the second line of the title block of the first sheet
    assert (f.code, f.severity, f.sheet, f.cell, f.row) == ("unit_former", "error", "Biểu 1", "A2", 2)
    # it names the old unit and the new one that took its area
    assert "Xã Lộc Thái, Huyện Lộc Ninh, Tỉnh Bình Phước" in f.message and "Xã Lộc Ninh" in f.message
    assert "01/07/2025" in f.message


def test_a_former_district_in_a_post_reform_title_block(tmp_path):
    # No district after 1 July 2025: the place line "Lộc Ninh" must not make it Xã Lộc Ninh's return.
    ret = read(tmp_path, B.commune_sheets(unit="CÔNG AN HUYỆN LỘC NINH"))
    assert ret.status == "rejected" and errors(ret) == ["unit_former"]
    message = ret.findings[0].message
    # its communes went into Xã Lộc Ninh, Lộc Thạnh, Tân Tiến, Lộc Tấn, Lộc Quang, Lộc Thành, Lộc Hưng
    assert "Huyện Lộc Ninh" in message and "Xã Lộc Ninh" in message and "Xã Lộc Thành" in message


def test_a_commune_of_another_province(tmp_path):
    ret = read(tmp_path, B.commune_sheets(province="CÔNG AN TỈNH LÂM ĐỒNG", unit="CÔNG AN ĐẶC KHU PHÚ QUÝ",
                                          place="Phú Quý, ngày 16 tháng 6 năm 2026"))
    assert ret.status == "rejected" and errors(ret) == ["unit_other_province"]
    (f,) = ret.findings
    assert "Đặc khu Phú Quý, Tỉnh Lâm Đồng" in f.message and "Tỉnh Đồng Nai" in f.message
    assert (f.sheet, f.cell) == ("Biểu 1", "A2")
    # the whole country as the scope: it is read
    ok = read(tmp_path, B.commune_sheets(province="CÔNG AN TỈNH LÂM ĐỒNG", unit="CÔNG AN ĐẶC KHU PHÚ QUÝ"),
              name="b.xlsx", scope="all")
    assert (ok.status, ok.unit.code, ok.unit.kind) == ("loaded", "23272", "Đặc khu")


def test_a_former_province_as_the_scope_after_the_reform(tmp_path):
    # Bình Phước (70) is, after the reform, the 40 communes that took its area: Lộc Ninh is one of
    # them, Phường Tam Hiệp (former Biên Hòa, Đồng Nai) is not.
    assert read(tmp_path, B.commune_sheets(), scope="70").unit.code == B.LOC_NINH
    ret = read(tmp_path, B.commune_sheets(unit="CÔNG AN PHƯỜNG TAM HIỆP"), name="b.xlsx", scope="70")
    assert errors(ret) == ["unit_other_province"] and "Tỉnh Bình Phước (cũ)" in ret.findings[0].message


def test_an_ambiguous_commune_name_before_the_reform(tmp_path):
    # 2025-H1 still has the old communes; Bình Phước had two Xã Tân Tiến (Bù Đốp, Đồng Phú).
    title = dict(province="CÔNG AN TỈNH BÌNH PHƯỚC", unit="CÔNG AN XÃ TÂN TIẾN", period=B.PERIOD_H1_2025,
                 place="Tân Tiến, ngày 16 tháng 6 năm 2025")
    ret = read(tmp_path, B.commune_sheets(**title), cycle="2025-H1")
    assert ret.status == "rejected" and errors(ret) == ["unit_ambiguous"]
    (f,) = ret.findings
    assert "“CÔNG AN XÃ TÂN TIẾN”" in f.message and "Huyện Bù Đốp" in f.message and "Huyện Đồng Phú" in f.message
    assert (f.sheet, f.cell) == ("Biểu 1", "A2")
    # the district written beside it decides
    ret = read(tmp_path, B.commune_sheets(**{**title, "unit": "CÔNG AN XÃ TÂN TIẾN, HUYỆN BÙ ĐỐP"}),
               name="b.xlsx", cycle="2025-H1")
    assert (ret.status, ret.unit.code, ret.unit.parent) == ("loaded", "25321", "693")


def test_the_file_name_names_the_commune_when_the_title_block_does_not(tmp_path):
    ret = read(tmp_path, B.commune_sheets(unit="BÁO CÁO KẾT QUẢ", place="ngày 16 tháng 6 năm 2026"),
               name="BC TDBVANTQ Loc Hung 6T-2026.xlsx")
    assert (ret.status, ret.unit.code) == ("loaded", "25303")
    (f,) = [f for f in ret.findings if f.code == "unit_from_filename"]
    assert f.severity == "warning" and "Xã Lộc Hưng" in f.message
    unknown = read(tmp_path, B.commune_sheets(unit="BÁO CÁO KẾT QUẢ", place="ngày 16 tháng 6 năm 2026"),
                   name="bao_cao_6_thang.xlsx")
    assert unknown.status == "rejected" and errors(unknown) == ["unit_unknown"]
    assert "BÁO CÁO KẾT QUẢ" in unknown.findings[0].message and "CÔNG AN XÃ" in unknown.findings[0].message


def test_an_unreadable_file_is_still_put_to_the_unit_its_name_names(tmp_path):
    path = tmp_path / "raw" / "2026-H1" / "LocHung_6T2026.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    ret = load_return(path, tmp_path / "raw", "2026-H1", "75")
    assert (ret.status, ret.unit.code, errors(ret)) == ("rejected", "25303", ["file_empty"])


def test_an_old_commune_reports_in_a_commune_level_cycle_before_1_july_2025(tmp_path):
    # 2025-H1: commune returns, in the hierarchy before the reform (Xã Lộc Thái of Huyện Lộc Ninh).
    rows = [B.KDC_ROWS[0], [1, "Ấp 1", 1, 1, 1], [2, "Ấp 2", 1, 1, 0], ["", "Xã Lộc Thái", 2, 2, 1]]
    sheets = B.commune_sheets({**B.STANDARD, "kdc": rows, "ntm": [B.NTM_ROWS[0], [1, "Xã Lộc Thái", 19, "Đạt", 2019, "x"]]},
                              province="CÔNG AN TỈNH BÌNH PHƯỚC", unit="CÔNG AN XÃ LỘC THÁI", period=B.PERIOD_H1_2025,
                              place="Lộc Thái, ngày 16 tháng 6 năm 2025")
    ret = read(tmp_path, sheets, cycle="2025-H1")
    assert (ret.status, ret.unit.code, ret.unit.parent, ret.level) == ("loaded", "25297", "692", "commune")
    (kdc,) = ret.tables["kdc"].records
    assert (kdc["kdc_total"], kdc["kdc_registered"], kdc["kdc_meeting"]) == (2, 2, 1)
    assert dict(ret.tables["kdc"].account) == {"data": 2, "total": 1}
    assert ret.tables["ntm"].records[0]["commune_code"] == "25297"


def test_a_district_return_in_a_commune_level_cycle_is_read_per_commune(tmp_path):
    title = dict(period="Kỳ báo cáo: 6 tháng đầu năm 2025 (số liệu từ ngày 15/12/2024 đến ngày 14/6/2025)",
                 place="Đồng Xoài, ngày 16 tháng 6 năm 2025")
    ret = read(tmp_path, D.standard_sheets(**title), cycle="2025-H1", scope="75")
    assert (ret.status, ret.unit.code, ret.level) == ("loaded", "689", "district")
    kdc = ret.tables["kdc"].records
    assert len(kdc) == 8 and sum(r["kdc_total"] for r in kdc) == 72 and ret.tables["kdc"].areas == []


def test_a_commune_return_in_a_district_level_cycle_is_read_as_a_commune_return(tmp_path):
    period = "Kỳ báo cáo: 6 tháng đầu năm 2023 (số liệu từ ngày 15/12/2022 đến ngày 14/6/2023)"
    sheets = B.commune_sheets(province="CÔNG AN HUYỆN LỘC NINH", unit="CÔNG AN XÃ LỘC THÁI", period=period,
                              place="Lộc Thái, ngày 16 tháng 6 năm 2023")
    ret = read(tmp_path, sheets, cycle="2023-H1", scope="70")
    assert (ret.status, ret.unit.code, ret.level) == ("loaded", "25297", "commune")
    assert ret.tables["kdc"].records[0]["kdc_total"] == 4 and len(ret.tables["kdc"].areas) == 4


def test_a_district_return_of_layout_b_keeps_its_areas_per_commune(tmp_path):
    rows = [["Xã, phường", "Khu dân cư", "Đăng ký", "Đạt chuẩn"],
            ["Phường Tân Phú", "Khu phố 1", "x", "x"], [None, "KP. 2", "x", None],
            ["Xã Tiến Hưng", "Ấp 1", "x", "Đạt"], [None, "Ấp 1", "x", "Đạt"], [None, "Ấp 2", None, None],
            ["Xã Tân Thành", "Ấp 1", "x", "x"]]
    ret = read(tmp_path, D.standard_sheets({**D.STANDARD, "kdc": rows}), cycle="2023-H1", scope="70")
    kdc = ret.tables["kdc"]
    assert ret.level == "district" and kdc.layout == "B"
    # "Ấp 1" twice in Tiến Hưng is a duplicate; "Ấp 1" of Tân Thành is another area
    assert [(a["commune_code"], a["area"], a["area_key"], a["registered"], a["meeting"]) for a in kdc.areas] == [
        ("25195", "Khu phố 1", "khu pho 1", True, True), ("25195", "KP. 2", "khu pho 2", True, False),
        ("25213", "Ấp 2", "ap 2", False, False), ("25207", "Ấp 1", "ap 1", True, True)]
    assert {r["commune_code"]: r["kdc_total"] for r in kdc.records} == {"25195": 2, "25213": 1, "25207": 1}
    (f,) = [f for f in ret.findings if f.code == "area_duplicate"]
    assert (f.row, f.cell) == (H + 3, f"B{H + 3}") and "Ấp 1" in f.message


def test_a_former_commune_of_another_province(tmp_path):
    # Xã Hồng Kỳ (Sóc Sơn, Hà Nội) is gone since 1 July 2025 and was never in Đồng Nai.
    ret = read(tmp_path, B.commune_sheets(province="CÔNG AN THÀNH PHỐ HÀ NỘI", unit="CÔNG AN XÃ HỒNG KỲ",
                                          place="Hồng Kỳ, ngày 16 tháng 6 năm 2026"))
    assert errors(ret) == ["unit_other_province"]
    assert "Xã Hồng Kỳ, Thành phố Hà Nội (đơn vị cũ)" in ret.findings[0].message
    assert "Tỉnh Đồng Nai" in ret.findings[0].message
