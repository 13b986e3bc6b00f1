"""Units, hierarchies and name matching. Expected codes and names were looked up by hand in the
dataset of vietnamadminunits 1.0.4."""

import unicodedata
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antt.core import units
from antt.core.units import CommuneMatch, Unit

BP = "70"  # Bình Phước
LOC_NINH, DONG_XOAI, BU_DOP, HON_QUAN, DONG_PHU, BU_DANG, CHON_THANH = "692", "689", "693", "694", "695", "696", "697"


@pytest.fixture(scope="module")
def old():
    return units.legacy()


@pytest.fixture(scope="module")
def new():
    return units.current()


def code(match: CommuneMatch) -> str | None:
    return match.unit.code if match.unit else None


# --- the 2023 hierarchy ------------------------------------------------------------------------

def test_binh_phuoc_as_in_2023(old):
    assert old.unit(BP) == Unit("70", "Tỉnh Bình Phước", "Bình Phước", "Tỉnh", "province", None,
                                old.unit(BP).lat, old.unit(BP).lon)
    districts = old.districts(BP)
    assert [d.code for d in districts] == [str(c) for c in range(688, 699)]
    assert {d.code: d.name for d in districts} == {
        "688": "Thị xã Phước Long", "689": "Thành phố Đồng Xoài", "690": "Thị xã Bình Long",
        "691": "Huyện Bù Gia Mập", "692": "Huyện Lộc Ninh", "693": "Huyện Bù Đốp", "694": "Huyện Hớn Quản",
        "695": "Huyện Đồng Phú", "696": "Huyện Bù Đăng", "697": "Thị xã Chơn Thành", "698": "Huyện Phú Riềng",
    }
    assert old.districts_expected(BP) == districts
    communes = [c for d in districts for c in old.communes(d.code)]
    assert len(communes) == 111
    assert Counter(c.kind for c in communes) == {"Xã": 86, "Phường": 20, "Thị trấn": 5}
    assert all(c.level == "commune" and c.lat is not None for c in communes)


def test_unit_fields(old):
    loc_ninh = old.unit(LOC_NINH)
    assert (loc_ninh.name, loc_ninh.short, loc_ninh.kind, loc_ninh.level, loc_ninh.parent) == (
        "Huyện Lộc Ninh", "Lộc Ninh", "Huyện", "district", "70")
    loc_thai = old.unit("25297")
    assert (loc_thai.name, loc_thai.short, loc_thai.kind, loc_thai.parent) == ("Xã Lộc Thái", "Lộc Thái", "Xã", "692")
    assert old.unit("20467").name == "Thị trấn Prao"  # "Thị Trấn Prao" in the dataset
    ward5 = old.unit("27046")  # typed "Xã" in the dataset's type column
    assert (ward5.name, ward5.short, ward5.kind) == ("Phường 5", "Phường 5", "Phường")
    with pytest.raises(KeyError):
        old.unit("99999")


def test_national_counts_and_island_districts(old):
    assert len(old.provinces()) == 63
    assert len(old.districts("all")) == 696
    expected = old.districts_expected("all")
    assert len(expected) == 691
    islands = {d.code for d in old.districts("all")} - {d.code for d in expected}
    assert islands == {"318", "471", "498", "536", "755"}  # Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo
    assert old.communes("755") == []
    assert sum(len(old.communes(d.code)) for d in old.districts("all")) == 10035


# --- commune names -----------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "Xã Lộc Thái", "X. Lộc Thái", "xã Lộc Thái", "Lộc Thái", "LỘC THÁI", "Loc Thai", "loc  thai ",
    "Lộc Thái  ", unicodedata.normalize("NFD", "Xã Lộc Thái"), unicodedata.normalize("NFD", "LỘC THÁI"),
    "Lộc Thái (xã NTM)", "Lộc Thái (*)", "Lộc Thái*", "Lộc Thái - xã NTM", "1. Lộc Thái", "1 Lộc Thái",
    "01) Xã Lộc Thái", "2.Lộc Thái", "X.Lộc Thái", "Xa Loc Thai", "Xã Lộc Thái.",
])
def test_every_form_of_a_commune_name(old, written):
    assert old.match_commune(written, LOC_NINH) == CommuneMatch(old.unit("25297"), None, ())


@pytest.mark.parametrize("written", ["TT. Lộc Ninh", "TT Lộc Ninh", "Thị trấn Lộc Ninh", "thi tran loc ninh",
                                     "T.T Lộc Ninh", "Lộc Ninh", "LỘC NINH (*)"])
def test_town_with_the_name_of_its_district(old, written):
    assert code(old.match_commune(written, LOC_NINH)) == "25270"


@pytest.mark.parametrize("written", ["P. Tân Phú", "Phường Tân Phú", "F. Tân Phú", "P.Tân Phú", "Tân Phú",
                                     "Xã Tân Phú"])  # a conflicting type still matches a unique name
def test_ward_forms(old, written):
    assert code(old.match_commune(written, DONG_XOAI)) == "25195"


@pytest.mark.parametrize("name, first, second", [
    ("Tân Thành", (DONG_XOAI, "25207"), (BU_DOP, "25318")),
    ("Tân Hưng", (HON_QUAN, "25345"), (DONG_PHU, "25375")),
    ("Tân Lợi", (HON_QUAN, "25342"), (DONG_PHU, "25378")),
    ("Tân Tiến", (BU_DOP, "25321"), (DONG_PHU, "25393")),
    ("Minh Hưng", (BU_DANG, "25408"), (CHON_THANH, "25441")),
    ("Thanh Bình", (BU_DOP, "25308"), (HON_QUAN, "25354")),
    ("Tân Phú", (DONG_XOAI, "25195"), (DONG_PHU, "25363")),
])
def test_repeated_names_match_within_the_district(old, name, first, second):
    for district, expected in (first, second):
        match = old.match_commune(name, district)
        assert code(match) == expected and match.unit.parent == district
    # asked in a third district: two communes of that name elsewhere, so no single "other"
    elsewhere = old.match_commune(name, LOC_NINH)
    assert elsewhere.unit is None and elsewhere.other is None


@pytest.mark.parametrize("written, district, other, other_district", [
    ("Lộc Thái", BU_DOP, "25297", LOC_NINH),
    ("Thị trấn Tân Phú", LOC_NINH, "25363", DONG_PHU),  # the type written picks one of the two
    ("P. Tân Phú", LOC_NINH, "25195", DONG_XOAI),
    ("Phường Minh Hưng", LOC_NINH, "25441", CHON_THANH),
    ("TT Thanh Bình", LOC_NINH, "25308", BU_DOP),
    ("Xã Tân Hưng", BU_DOP, None, None),  # both are xã
])
def test_commune_of_another_district(old, written, district, other, other_district):
    match = old.match_commune(written, district)
    assert match.unit is None
    found = (match.other.code, match.other.parent) if match.other else (None, None)
    assert found == (other, other_district)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).replace(
        "đ", "d").replace("Đ", "D")


BP_COMMUNES = [c for d in units.legacy().districts(BP) for c in units.legacy().communes(d.code)]
TYPE_WORDS = {
    "Xã": ["Xã ", "xã ", "XÃ ", "X. ", "X.", "Xa "],
    "Phường": ["Phường ", "phường ", "P. ", "P.", "F. ", "Phuong "],
    "Thị trấn": ["Thị trấn ", "thị trấn ", "TT. ", "TT ", "T.T ", "Thi tran "],
}


@st.composite
def written_names(draw):
    """A commune of Bình Phước and its name as a return may write it (deviation 9)."""
    unit = draw(st.sampled_from(BP_COMMUNES))
    name = draw(st.sampled_from([""] + TYPE_WORDS[unit.kind])) + unit.short
    neighbours = [_plain(c.short).lower() for c in units.legacy().communes(unit.parent)]
    if neighbours.count(_plain(unit.short).lower()) == 1 and draw(st.booleans()):
        name = _plain(name)  # without diacritics, where that is still unambiguous
    name = draw(st.sampled_from([str.upper, str.lower, str.title, str]))(name)
    name = name.replace(" ", draw(st.sampled_from([" ", "  "])))
    name = draw(st.sampled_from(["", "1. ", "12 ", "3) "])) + name
    name += draw(st.sampled_from(["", " ", " (xã NTM)", " (*)", " - xã NTM"]))
    return unit, unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)


@settings(max_examples=400, deadline=None)
@given(written_names())
def test_any_written_form_matches_its_commune(written):
    unit, name = written
    assert units.legacy().match_commune(name, unit.parent).unit == unit


def test_unknown_names_give_candidates(old):
    assert old.match_commune("Lộc Thia", LOC_NINH).candidates[0] == "Xã Lộc Thái"
    assert "Xã Lộc Thái" in old.match_commune("Xã Loc Thay", LOC_NINH).candidates
    unknown = old.match_commune("Tổng cộng", LOC_NINH)
    assert (unknown.unit, unknown.other) == (None, None) and len(unknown.candidates) <= 3
    assert old.match_commune("Lộc Thái", "755") == CommuneMatch(None, None, ())  # island: no communes
    with pytest.raises(KeyError):
        old.match_commune("Lộc Thái", "000")


def test_names_that_fold_alike_are_told_apart_by_diacritics_then_type(old):
    # Lộc Ninh has Xã Lộc Thạnh and Xã Lộc Thành: without diacritics the name is ambiguous.
    assert code(old.match_commune("Lộc Thạnh", LOC_NINH)) == "25280"
    assert code(old.match_commune("xã LỘC THÀNH", LOC_NINH)) == "25294"
    assert old.match_commune("Loc Thanh", LOC_NINH) == CommuneMatch(None, None, ("Xã Lộc Thạnh", "Xã Lộc Thành"))
    # Huyện Thiệu Hóa: Thị trấn Thiệu Hóa and Xã Thiệu Hòa; old-style tone placement "Hoá" is the same.
    assert code(old.match_commune("Thiệu Hoá", "398")) == "15772"
    assert code(old.match_commune("Thiệu Hoà", "398")) == "15823"
    assert code(old.match_commune("TT Thieu Hoa", "398")) == "15772"
    assert code(old.match_commune("Xa Thieu Hoa", "398")) == "15823"
    assert code(old.match_commune("Thieu Hoa", "398")) is None
    # Huyện Tháp Mười: Thị trấn Mỹ An and Xã Mỹ An, the same short name: the type decides.
    assert code(old.match_commune("TT. Mỹ An", "872")) == "30037"
    assert code(old.match_commune("Xã Mỹ An", "872")) == "30064"
    assert old.match_commune("Mỹ An", "872").candidates == ("Thị trấn Mỹ An", "Xã Mỹ An")


def test_numbered_wards_and_dataset_aliases(old):
    for written in ("Phường 1", "P.1", "P1", "F1", "phường 01", "1. Phường 1"):
        assert code(old.match_commune(written, "770")) == "27160"  # Quận 3
    assert code(old.match_commune("Phường 10", "770")) == "27142"  # merged into Phường 9
    assert code(old.match_commune("Xã Đắc Ơ", "691")) == "25225"  # spelling variant of Xã Đak Ơ
    assert code(old.match_commune("Thị trấn Chơn Thành", CHON_THANH)) == "25432"  # now Phường Hưng Long


# --- the 2025 hierarchy, the registry and the crosswalk ----------------------------------------

def test_2025_hierarchy(new):
    assert len(new.provinces()) == 34
    assert "70" not in {p.code for p in new.provinces()}
    assert all(p.short != "Bình Phước" for p in new.provinces())
    dong_nai = new.unit("75")
    assert (dong_nai.name, dong_nai.level) == ("Tỉnh Đồng Nai", "province")
    communes = new.communes("75")
    assert len(communes) == 95 and {c.parent for c in communes} == {"75"}
    assert new.districts("75") == [] and new.districts_expected("all") == []
    assert code(new.match_commune("Xã Lộc Ninh", "75")) == "25270"


def test_registry(old, new):
    assert units.hierarchy_on(date(2023, 6, 14)) is old
    assert units.hierarchy_on(date(2025, 6, 30)) is old
    assert units.hierarchy_on(date(2025, 7, 1)) is new
    assert (old.valid_from, old.valid_to, new.valid_from, new.valid_to) == (
        None, date(2025, 7, 1), date(2025, 7, 1), None)


def test_crosswalk(old, new):
    walk = units.crosswalk(old, new)
    assert walk["25297"] == ("25270",)  # Xã Lộc Thái (Lộc Ninh, Bình Phước) -> Xã Lộc Ninh, Đồng Nai
    assert new.unit("25270").name == "Xã Lộc Ninh"
    assert walk["25325"] == ("25333",)  # Phường Phú Thịnh (Bình Long) -> Phường An Lộc
    assert walk["31268"] == ("31288", "31666")  # Xã Tân Thạnh (Thới Lai, Cần Thơ), divided in two
    assert len(walk) == 10035
    assert {new.unit(c).parent for c in old.communes(LOC_NINH) for c in walk[c.code]} == {"75"}
    with pytest.raises(LookupError):
        units.crosswalk(new, old)

