"""A return of another province, typed by hand in an older tool's style (.xls, TCVN3 fonts), combining
deviations the sample never combines: Thị xã Quảng Trị (Tỉnh Quảng Trị, code 45), whose wards are
numbered ("Phường 1") and whose name is also the province's. Every expected number is worked out by
hand in the comments."""

from __future__ import annotations

import xlwt

from antt.check.cycle import load_cycle
from antt.store.frames import CycleFrames
from antt.core.text import encode_tcvn3

DISTRICT, PROVINCE = "462", "45"
CAPS = xlwt.easyxf("font: name .VnTimeH, bold on")
VNTIME = xlwt.easyxf("font: name .VnTime")
PLAIN = xlwt.easyxf("font: name Times New Roman")


def title(ws, heading: str) -> None:
    """Title block typed in TCVN3: capitals in .VnTimeH, the rest in .VnTime; data start in column B."""
    ws.write_merge(0, 0, 1, 3, encode_tcvn3("CÔNG AN TỈNH QUẢNG TRỊ", capitals_font=True), CAPS)
    ws.write_merge(1, 1, 1, 3, encode_tcvn3("CÔNG AN THỊ XÃ QUẢNG TRỊ", capitals_font=True), CAPS)
    ws.write_merge(2, 2, 4, 7, encode_tcvn3("Quảng Trị, ngày 17 tháng 6 năm 2023"), VNTIME)
    ws.write_merge(4, 4, 1, 7, encode_tcvn3("Kỳ báo cáo: 6 tháng đầu năm 2023"), VNTIME)
    ws.write_merge(5, 5, 1, 7, heading, PLAIN)


def rows(ws, start: int, data: list[list]) -> None:
    for r, row in enumerate(data, start=start):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.write(r, c, v, PLAIN)


def build(path) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    # Biểu 1, layout B: one row per residential area, a subtotal "Cộng" per commune, a total on top.
    ws = wb.add_sheet("KDC-chi tiet")
    title(ws, "Biểu 1: Khu dân cư")
    ws.write_merge(7, 8, 1, 1, "Xã, phường", PLAIN)
    ws.write_merge(7, 8, 2, 2, "Tên khu dân cư", PLAIN)
    ws.write_merge(7, 7, 3, 4, '"An toàn về ANTT"', PLAIN)
    rows(ws, 8, [[None, None, "Đăng ký", "Đạt chuẩn"]])
    rows(ws, 9, [
        ["Tổng cộng", None, 11, 8],
        ["Phường 1", "Khu phố 1", "x", "Đạt"], [None, "Khu phố 2", "x", "Đạt"], [None, "Khu phố 3", "x", "Chưa đạt"],
        [None, "Cộng", 3, 2],                                          # Phường 1: 3 areas, 3 registered, 2 meeting
        ["P. An Đôn", "Khu phố 1", "X", "✓"], [None, "Khu phố 2", "X", "✓"],        # 2, 2, 2
        ["phuong 2", "Khu phố 1", "x", "x"], [None, "Khu phố 2", None, None],       # 2, 1, 1
        ["P.3", "Khu phố 1", "Có", "Có"], [None, "Khu phố 2", "Có", "Không"],       # 2, 2, 1
        ["X. Hải Lệ", "Thôn 1", 1, 1], [None, "Thôn 2", 1, 1], [None, "Thôn 3", 1, 0],   # 3, 3, 2
    ])                                                                 # 12 areas, 11 registered, 8 meeting
    # Biểu 2: the phường listed with dashes is not eligible and is set aside with a note.
    ws = wb.add_sheet("NTM")
    title(ws, "Biểu 2: Nông thôn mới")
    rows(ws, 7, [["Đơn vị", "Năm công nhận", "Số TC đạt", "Đạt chuẩn NTM", "TC 19.2"],
                 ["Phường 1", "-", "-", "-", "-"],
                 ["Xã Hải Lệ", 2021, "19", "Đã đạt", "x"]])            # 1 xã, met
    # Biểu 3: lower-case and upper-case types, abbreviated settings, cameras as text.
    ws = wb.add_sheet("Mo hinh")
    title(ws, "Biểu 3: Mô hình")
    rows(ws, 7, [["TT", "Tên mô hình", "Loại", "Địa bàn", "Nơi triển khai", "Năm thành lập", "Số thành viên", "Số camera"],
                 [1, "Camera KP1", "camera an ninh", "P.1", "KDC", 2020, 12, " 24 "],
                 [2, "Tổ ANTT trường THCS", "Tổ tự quản trường học", "P. An Đôn", "CQ, DN, NT", 2019, 8, None],
                 [3, "Tiếng kẻng thôn 2", "TIẾNG KẺNG AN NINH", "X. Hải Lệ", "khu dan cu", 2022, 30, "-"]])
    # 2 residential (P.1, Hải Lệ), 1 institutional, 2 communes with a residential model, 24 cameras
    # Biểu 4: columns reordered, numbers as text with "." thousands and "," decimals, a units column.
    ws = wb.add_sheet("TT")
    title(ws, "Biểu 4: Tuyên truyền")
    rows(ws, 7, [["Đơn vị", "Đơn vị tính", "Số lượt người tham dự", "Số băng rôn, khẩu hiệu", "Số giờ phát thanh",
                  "Số buổi"],
                 ["A", "B", 1, 2, 3, 4],
                 ["Phường 1", "", "1.200", "1.250", "12,5", "4"],
                 ["P. An Đôn", "", 150, 40, 3, 2],
                 ["Phường 2", "", 90, "35 cái", 2, 1],
                 ["Phường 3", "", 80, 20, "1,5", 1],
                 ["Xã Hải Lệ", "", 300, 60, 4, 3]])              # hours 23, banners 1.405
    # Biểu 5: two parent headings merged over their children.
    ws = wb.add_sheet("Diem sang")
    title(ws, "Biểu 5: Điểm sáng")
    ws.write_merge(7, 8, 1, 1, "Xã, phường, thị trấn", PLAIN)
    ws.write_merge(7, 7, 2, 3, "Điểm sáng chấp hành pháp luật", PLAIN)
    ws.write_merge(7, 7, 4, 5, "Tổ, nhóm nòng cốt, CLB pháp luật", PLAIN)
    rows(ws, 8, [[None, "Cấp tỉnh, cấp huyện", "Cấp xã", "Số tổ, nhóm", "Số thành viên"],
                 ["Phường 1", 1, 2, 3, 25], ["Phường An Đôn", 0, 1, 2, 14], ["Phường 2", 0, 1, 2, 16],
                 ["Phường 3", 1, 1, 2, 15], ["Xã Hải Lệ", 0, 2, 4, 30],
                 [encode_tcvn3("NGƯỜI LẬP BIỂU", capitals_font=True)]])   # 2, 7, 13 groups, 100 members
    wb.save(str(path))


def test_a_hand_typed_xls_of_another_province_loads_to_the_numbers_it_holds(tmp_path):
    folder = tmp_path / "raw" / "2023-H1"
    folder.mkdir(parents=True)
    build(folder / "TX Quang Tri - bao cao 6 thang.xls")
    data = CycleFrames(load_cycle(tmp_path / "raw", "2023-H1", scope=PROVINCE))
    assert list(data.files.status) == ["loaded"] and list(data.files.unit_code) == [DISTRICT]
    values = {k: (None if v != v else v) for k, v in data.units.loc[DISTRICT].to_dict().items()}
    assert values == {
        "kdc_total": 12, "kdc_registered": 11, "kdc_meeting": 8, "ntm_communes": 1, "ntm_met": 1,
        "models_residential": 2, "models_institutional": 1, "communes_with_models": 2, "cameras": 24,
        "broadcast_hours": 23, "banners_posters": 1405, "bright_spots_upper": 2, "bright_spots_commune": 7,
        "core_groups": 13, "core_group_members": 100,
    }
    f = data.findings
    assert sorted(f[f.severity != "info"].code) == []                 # no error, no warning
    assert {"legacy_text_decoded", "ntm_not_xa", "model_type_other"} <= set(f.code)
    # The other districts of Quảng Trị sent nothing: expected, missing, and not counted.
    assert data.completeness[DISTRICT] == dict.fromkeys(data.completeness[DISTRICT], "received")
    assert len(data.completeness) > 1 and all(
        set(row.values()) == {"missing"} for d, row in data.completeness.items() if d != DISTRICT)
