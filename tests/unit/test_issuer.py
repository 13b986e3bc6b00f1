"""The unit a return names in its title block or file name (``antt.core.issuer``): districts as
before the reform, communes after it. Expected codes were looked up by hand in the dataset of
vietnamadminunits 1.0.4."""

import pytest

from antt.core import issuer, units

BP = frozenset({"70"})          # Bình Phước, the scope of the district tests
DONG_NAI = frozenset({"75"})    # Đồng Nai after the reform
LOC_NINH, DONG_XOAI, BU_DOP, DONG_PHU, BU_DANG, CHON_THANH = "692", "689", "693", "695", "696", "697"


@pytest.fixture(scope="module")
def old():
    return units.legacy()


@pytest.fixture(scope="module")
def new():
    return units.current()


# --- a district in the title block -------------------------------------------------------------

TITLE = [
    "CÔNG AN TỈNH BÌNH PHƯỚC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CÔNG AN HUYỆN LỘC NINH", "Độc lập - Tự do - Hạnh phúc",
    "Lộc Ninh, ngày 16 tháng 6 năm 2023",
    "BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC",
    "Kỳ báo cáo: 6 tháng đầu năm 2023 (số liệu từ ngày 15/12/2022 đến ngày 14/6/2023)",
    'Biểu 1: Khu dân cư đăng ký, đạt chuẩn "An toàn về an ninh, trật tự"',
]


def test_typical_title_block(old):
    for scope in (BP, None):
        match = issuer.find_unit(old, TITLE, scope)
        assert match.unit.code == LOC_NINH and match.province.code == "70"
        assert match.in_scope and match.evidence == "CÔNG AN HUYỆN LỘC NINH"


@pytest.mark.parametrize("text, expected", [
    ("CÔNG AN HUYỆN LỘC NINH", LOC_NINH),
    ("CÔNG AN TX. BÌNH LONG", "690"),
    ("H. BÙ ĐĂNG", BU_DANG),
    ("UBND THÀNH PHỐ ĐỒNG XOÀI", DONG_XOAI),
    ("TP. ĐỒNG XOÀI", DONG_XOAI),
    ("TP Đồng Xoài", DONG_XOAI),
    ("BAN THƯỜNG TRỰC UBMTTQ VN HUYỆN BÙ GIA MẬP", "691"),
    ("THỊ XÃ CHƠN THÀNH", CHON_THANH),
    ("HUYỆN CHƠN THÀNH", CHON_THANH),  # its type before 2022
    ("huyen loc ninh", LOC_NINH),
    ("ỦY BAN NHÂN DÂN HUYỆN PHÚ RIỀNG", "698"),
    ("CÔNG AN TỈNH BÌNH PHƯỚC\nCÔNG AN HUYỆN BÙ ĐỐP", BU_DOP),
    ("TX Phước Long", "688"),
])
def test_title_forms(old, text, expected):
    match = issuer.find_unit(old, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text, "Độc lập - Tự do - Hạnh phúc"], BP)
    assert (match.unit.code, match.in_scope, match.evidence) == (expected, True, text)


def test_place_line_is_weak_evidence(old):
    no_district = [t for t in TITLE if t != "CÔNG AN HUYỆN LỘC NINH"]
    match = issuer.find_unit(old, no_district, BP)
    assert (match.unit.code, match.evidence) == (LOC_NINH, "Lộc Ninh, ngày 16 tháng 6 năm 2023")
    # strong evidence wins over the place line
    assert issuer.find_unit(old, ["Lộc Ninh, ngày 16 tháng 6 năm 2023", "CÔNG AN HUYỆN BÙ ĐỐP"], BP).unit.code == BU_DOP
    # "Tân Phú" is a district only outside the province: the place line alone does not name it
    assert issuer.find_unit(old, ["Tân Phú, ngày 14 tháng 12 năm 2023"], BP).unit is None
    nothing = issuer.find_unit(old, [t for t in no_district if not t.startswith("Lộc Ninh")], BP)
    assert (nothing.unit, nothing.province.code, nothing.in_scope, nothing.evidence) == (None, "70", False, None)


def test_district_of_another_province(old):
    match = issuer.find_unit(old, ["CÔNG AN HUYỆN TÂN PHÚ, TỈNH ĐỒNG NAI"], BP)
    assert (match.unit.name, match.unit.code, match.province.code, match.in_scope) == (
        "Huyện Tân Phú", "734", "75", False)
    assert issuer.find_unit(old, ["UBND TỈNH ĐỒNG NAI"], BP).province.name == "Tỉnh Đồng Nai"


def test_names_shared_across_provinces(old):
    assert issuer.find_unit(old, ["CÔNG AN HUYỆN CHÂU THÀNH"], None).unit is None
    match = issuer.find_unit(old, ["CÔNG AN TỈNH AN GIANG", "CÔNG AN HUYỆN CHÂU THÀNH"], None)
    assert (match.unit.code, match.unit.parent, match.in_scope) == ("892", "89", True)
    assert issuer.find_unit(old, ["TỈNH BẠC LIÊU", "HUYỆN PHƯỚC LONG"], None).unit.code == "957"
    assert issuer.find_unit(old, ["HUYỆN PHƯỚC LONG"], BP).unit.code == "688"  # the scope decides
    assert issuer.find_unit(old, ["HUYỆN BẠCH LONG VỸ"], frozenset({"31"})).unit.code == "318"  # spelling variant
    assert issuer.find_unit(old, ["CÔNG AN THÀNH PHỐ HỒ CHÍ MINH", "QUẬN 3"], None).unit.code == "770"


@pytest.mark.parametrize("filename, expected", [
    ("LocNinh_6thang2023.xlsx", LOC_NINH),
    ("bao cao Bu Dang.xls", BU_DANG),
    ("Đồng Xoài - lần 2.xlsx", DONG_XOAI),
    ("DONG PHU.XLSX", DONG_PHU),
    ("Bu Dop - Loc Ninh.xlsx", None),
    ("bao_cao_6_thang_2023.xlsx", None),
    ("Tân Phú.xlsx", None),
])
def test_district_in_filename(old, filename, expected):
    unit = issuer.find_unit_in_filename(old, filename, BP)
    assert (unit.code if unit else None) == expected


# --- a commune in the title block ---------------------------------------------------------------

def test_typical_commune_title_block(new):
    title = ["CÔNG AN TỈNH ĐỒNG NAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CÔNG AN XÃ LỘC NINH",
             "Độc lập - Tự do - Hạnh phúc", "Lộc Ninh, ngày 16 tháng 12 năm 2025"]
    match = issuer.find_unit(new, title, DONG_NAI)
    assert (match.unit.code, match.unit.level, match.province.code) == ("25270", "commune", "75")
    assert match.strong and match.in_scope and match.evidence == "CÔNG AN XÃ LỘC NINH"


@pytest.mark.parametrize("text, expected", [
    ("UBND PHƯỜNG BÌNH LỘC", "26089"),
    ("CA P. TAM HIỆP", "26017"),
    ("CA XÃ ĐA KIA", "25231"),
    ("CÔNG AN PHƯỜNG BÌNH PHƯỚC", "25195"),
    ("cong an xa loc ninh", "25270"),
    ("CÔNG AN X. LỘC HƯNG", "25303"),
    ("CÔNG AN XÃ LỘC NINH, TỈNH ĐỒNG NAI", "25270"),
])
def test_commune_title_forms(new, text, expected):
    match = issuer.find_unit(new, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text, "Độc lập - Tự do - Hạnh phúc"], DONG_NAI)
    assert (match.unit.code, match.strong, match.evidence) == (expected, True, text)


def test_special_zone_of_another_province(new):
    match = issuer.find_unit(new, ["CÔNG AN TỈNH LÂM ĐỒNG", "ĐẶC KHU PHÚ QUÝ"], DONG_NAI)
    assert (match.unit.code, match.unit.kind, match.unit.parent, match.in_scope) == ("23272", "Đặc khu", "68", False)


def test_the_type_word_decides_the_level(old, new):
    # Before the reform "Lộc Ninh" is a district and the town at its seat; after it, a xã.
    assert issuer.find_unit(old, ["CÔNG AN HUYỆN LỘC NINH"], BP).unit.code == LOC_NINH
    town = issuer.find_unit(old, ["CÔNG AN THỊ TRẤN LỘC NINH"], BP).unit
    assert (town.code, town.name, town.parent) == ("25270", "Thị trấn Lộc Ninh", LOC_NINH)
    # there is no thị trấn after the reform: the type written is not the xã's
    gone = issuer.find_unit(new, ["CÔNG AN THỊ TRẤN LỘC NINH", "Lộc Ninh, ngày 16 tháng 12 năm 2025"], DONG_NAI)
    assert (gone.unit, gone.typed) == (None, True)
    # neither is there a district: the typed district finds nothing, the place line finds the xã
    weak = issuer.find_unit(new, ["CÔNG AN HUYỆN LỘC NINH", "Lộc Ninh, ngày 16 tháng 12 năm 2025"], DONG_NAI)
    assert (weak.unit.code, weak.strong) == ("25270", False)


def test_a_commune_under_its_district(old):
    # Bình Phước had two Xã Tân Tiến (Bù Đốp, Đồng Phú): the district named decides, nothing else can.
    title = ["CÔNG AN HUYỆN BÙ ĐỐP", "CÔNG AN XÃ TÂN TIẾN"]
    assert issuer.find_unit(old, title, BP).unit.code == "25321"
    alone = issuer.find_unit(old, ["CÔNG AN TỈNH BÌNH PHƯỚC", "CÔNG AN XÃ TÂN TIẾN"], BP)
    assert alone.unit is None and {u.code for u in alone.candidates} == {"25321", "25393"}
    assert alone.evidence == "CÔNG AN XÃ TÂN TIẾN"


def test_a_former_commune_is_not_in_the_current_hierarchy(old, new):
    title = ["CÔNG AN TỈNH ĐỒNG NAI", "CÔNG AN XÃ LỘC THÁI", "Lộc Thái, ngày 16 tháng 6 năm 2026"]
    now = issuer.find_unit(new, title, DONG_NAI)
    assert (now.unit, now.strong, now.typed) == (None, False, True)
    before = issuer.find_unit(old, title, frozenset({"70", "75"}))
    assert (before.unit.code, before.unit.name, before.strong) == ("25297", "Xã Lộc Thái", True)


def test_the_national_motto_names_no_commune(new):
    match = issuer.find_unit(new, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CÔNG AN TỈNH ĐỒNG NAI"], DONG_NAI)
    assert (match.unit, match.province.code, match.typed) == (None, "75", False)


def test_place_line_names_a_commune_only_without_any_typed_name(new):
    assert issuer.find_unit(new, ["CÔNG AN TỈNH ĐỒNG NAI", "Lộc Hưng, ngày 2 tháng 1 năm 2026"], DONG_NAI).unit.code == "25303"
    # a place that is not dated is no place line
    assert issuer.find_unit(new, ["CÔNG AN TỈNH ĐỒNG NAI", "Lộc Hưng"], DONG_NAI).unit is None
    # a commune of the territory only
    assert issuer.find_unit(new, ["Phú Quý, ngày 2 tháng 1 năm 2026"], DONG_NAI).unit is None


@pytest.mark.parametrize("filename, expected", [
    ("BC TDBVANTQ Loc Hung 6T-2026.xlsx", "25303"),
    ("PhuongBinhLoc_6T2026.xlsx", "26089"),
    ("Bao cao 6 thang 2026.xlsx", None),
])
def test_commune_in_filename(new, filename, expected):
    unit = issuer.find_unit_in_filename(new, filename, DONG_NAI)
    assert (unit.code if unit else None) == expected


def test_filename_level_order(old):
    # "Lộc Ninh" names a district and a town: the first level asked for wins
    assert issuer.find_unit_in_filename(old, "LocNinh.xlsx", BP).code == LOC_NINH
    assert issuer.find_unit_in_filename(old, "LocNinh.xlsx", BP, (units.COMMUNE, units.DISTRICT)).code == "25270"
    assert issuer.find_unit_in_filename(old, "LocThai_6T2025.xlsx", BP, (units.COMMUNE, units.DISTRICT)).code == "25297"


def test_a_commune_names_the_issuer_only_in_an_issuers_line(old, new):
    # a list of communes above a table (a template's drop-down list) names no issuer
    listing = ["CÔNG AN THỊ XÃ PHƯỚC LONG", "Danh sách đơn vị cấp xã", "Phường Thác Mơ", "Phường Long Thủy"]
    assert issuer.find_unit(old, listing, BP).unit.code == "688"
    # nor does a dated place line, even typed
    dated = ["CÔNG AN TỈNH ĐỒNG NAI", "Xã Lộc Hưng, ngày 2 tháng 1 năm 2026"]
    assert issuer.find_unit(new, dated, DONG_NAI).strong is False
    # "ĐẶC KHU" needs no body before it
    assert issuer.find_unit(new, ["CÔNG AN TỈNH LÂM ĐỒNG", "ĐẶC KHU PHÚ QUÝ"], None).unit.code == "23272"
