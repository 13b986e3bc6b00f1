"""Scope as a territory and who reports in a cycle (contract "Units and scope"; return-form.md, the
commune return). Expected figures are the ones the return form states for Đồng Nai and Bình Phước."""

from __future__ import annotations

import pytest

from antt.core import territory, units
from antt.core.cycles import parse_cycle, reporting_level


@pytest.mark.parametrize("cycle, level", [("2022-H1", "district"), ("2024", "district"),
                                          ("2025-H1", "commune"), ("2025", "commune"), ("2026-H1", "commune")])
def test_reporting_level_changes_on_1_march_2025(cycle, level):
    assert reporting_level(parse_cycle(cycle)) == level


def test_reporting_level_can_be_set_per_cycle(monkeypatch):
    from antt.core import config

    ref = {"default": {"deadline_days": 5}, "cycles": {"2025-H1": {"reporting_level": "district"}}}
    monkeypatch.setattr(config, "reference", lambda: ref)
    assert reporting_level(parse_cycle("2025-H1")) == "district"
    ref["cycles"]["2025-H1"]["reporting_level"] = "xã"
    with pytest.raises(ValueError, match="reporting_level"):
        reporting_level(parse_cycle("2025-H1"))


def test_lower_case_cycle_ids_are_read():
    assert parse_cycle("2022-h1").id == "2022-H1"


def test_dong_nai_is_two_former_provinces_before_the_reform_and_95_communes_after():
    dong_nai = territory.resolve("75")
    assert not dong_nai.former and dong_nai.name == "Tỉnh Đồng Nai"
    before = dong_nai.expected_units(parse_cycle("2023-H1"))
    assert len(before) == 22 and {d.parent for d in before} == {"70", "75"}
    assert [p.short for p in dong_nai.former_provinces(parse_cycle("2026-H1"))] == ["Bình Phước", "Đồng Nai"]
    after = dong_nai.expected_units(parse_cycle("2026-H1"))
    assert len(after) == 95 and sum(u.kind == "Xã" for u in after) == 72 and sum(u.kind == "Phường" for u in after) == 23
    # 2025-H1 ends on 14/6/2025: commune returns, from the old communes (111 of Bình Phước, 159 of Đồng Nai)
    assert len(dong_nai.expected_units(parse_cycle("2025-H1"))) == 111 + 159


def test_binh_phuoc_is_its_11_districts_before_and_its_40_successor_communes_after():
    bp = territory.resolve("70")
    assert bp.former and bp.name == "Tỉnh Bình Phước (cũ)"
    assert len(bp.expected_units(parse_cycle("2023-H1"))) == 11
    after = bp.expected_units(parse_cycle("2026"))
    assert len(after) == 40 and {u.parent for u in after} == {"75"}
    loc_ninh = next(u for u in after if u.name == "Xã Lộc Ninh")
    assert bp.contains(loc_ninh, units.current()) and territory.resolve("75").contains(loc_ninh, units.current())
    bien_hoa = next(u for u in units.current().communes("75") if u.name == "Phường Biên Hòa")
    assert not bp.contains(bien_hoa, units.current())


def test_the_divided_commune_goes_to_its_default_successor_first():
    legacy = units.legacy()
    xuan_tam = next(c for d in legacy.districts("75") for c in legacy.communes(d.code) if c.name == "Xã Xuân Tâm")
    names = [units.current().unit(c).name for c in territory.successors(xuan_tam.code)]
    assert sorted(names) == ["Xã Xuân Hòa", "Xã Xuân Đông"]
    assert xuan_tam.code in territory.predecessors(territory.successors(xuan_tam.code)[0])


def test_the_country_and_unknown_codes():
    assert len(territory.resolve("all").expected_units(parse_cycle("2026-H1"))) == 3321
    with pytest.raises(ValueError, match="không có tỉnh"):
        territory.resolve("99")


# --- the crosswalk and series across the reform -----------------------------------------------------

#: Phường Bình Phước (25195) took the area of six communes of the former Thành phố Đồng Xoài:
#: Phường Tân Phú, Tân Đồng, Tân Bình, Tân Xuân, Tân Thiện and Xã Tiến Hưng.
DONG_XOAI_TO_BINH_PHUOC = ["25195", "25198", "25201", "25204", "25205", "25213"]


def old_values(**overrides) -> dict:
    """One old commune's 15 keys: 1 of everything, a residential model, a xã met (new-rural 1/1)."""
    from antt.core import indicators

    return {k: 1.0 for k in indicators.KEYS} | overrides


def test_old_communes_are_summed_into_the_new_commune_that_took_their_area():
    legacy = units.legacy()
    assert [legacy.unit(c).name for c in DONG_XOAI_TO_BINH_PHUOC] == [
        "Phường Tân Phú", "Phường Tân Đồng", "Phường Tân Bình", "Phường Tân Xuân", "Phường Tân Thiện", "Xã Tiến Hưng"]
    values = {code: old_values(kdc_total=float(i + 1), cameras=10.0) for i, code in enumerate(DONG_XOAI_TO_BINH_PHUOC)}
    values["25213"]["cameras"] = None                   # Tiến Hưng without its cameras
    values["25198"]["communes_with_models"] = 0.0
    now, notes = territory.on_current(values, legacy)
    assert list(now) == ["25195"] and notes == []
    binh_phuoc = now["25195"]
    assert binh_phuoc["kdc_total"] == 1 + 2 + 3 + 4 + 5 + 6
    assert binh_phuoc["cameras"] is None                # one predecessor without a value: none
    assert binh_phuoc["communes_with_models"] == 1      # recomputed (any predecessor has one), never summed
    assert binh_phuoc["ntm_communes"] is None and binh_phuoc["ntm_met"] is None     # never carried across


def test_the_divided_xuan_tam_goes_whole_to_xuan_hoa_with_an_info_finding():
    # Xuân Tâm (26449) went to Xuân Hòa (26446, the dataset's default) and Xuân Đông (26359)
    values = {"26449": old_values(kdc_total=5.0), "26443": old_values(kdc_total=9.0), "26446": old_values(kdc_total=8.0),
              "26356": old_values(kdc_total=7.0), "26359": old_values(kdc_total=7.0)}
    now, notes = territory.on_current(values, units.legacy())
    assert now["26446"]["kdc_total"] == 5 + 9 + 8 and now["26359"]["kdc_total"] == 7 + 7
    assert [(f.severity, f.code) for f in notes] == [("info", "crosswalk_divided")]
    assert "Xã Xuân Tâm" in notes[0].message and "tính cho Xã Xuân Hòa" in notes[0].message


def test_values_already_on_todays_communes_keep_their_new_rural_keys():
    values = {"25195": old_values(ntm_communes=0.0, ntm_met=0.0)}
    assert territory.on_current(values, units.current()) == (values, [])


@pytest.mark.parametrize("a, b, flow, joined", [
    ("2022-H1", "2022", False, True),        # a stock: the cycle just before
    ("2022-H1", "2022", True, False),        # a flow: only the same kind
    ("2022-H1", "2023-H1", True, True),
    ("2022-H1", "2023-H1", False, False),    # "năm 2022" between them
    ("2023-H1", "2025", False, False),       # absent cycles and the reform
    ("2025-H1", "2025", False, False),       # consecutive, but across 1/7/2025
    ("2025", "2026-H1", False, True),
])
def test_a_series_joins_only_consecutive_cycles_on_one_side_of_the_reform(a, b, flow, joined):
    assert territory.joined(parse_cycle(a), parse_cycle(b), flow) is joined


def test_what_a_territory_covers_before_and_after_the_reform():
    dong_nai, binh_phuoc = territory.resolve("75"), territory.resolve("70")
    assert dong_nai.covers(parse_cycle("2023-H1")) == "Bình Phước, Đồng Nai"
    assert dong_nai.covers(parse_cycle("2025")) == "Đồng Nai"
    assert binh_phuoc.covers(parse_cycle("2023-H1")) == "Bình Phước"
    assert binh_phuoc.covers(parse_cycle("2026-H1")) == "Đồng Nai (địa bàn Bình Phước cũ)"
    assert not territory.after_reform(parse_cycle("2025-H1")) and territory.after_reform(parse_cycle("2025"))
