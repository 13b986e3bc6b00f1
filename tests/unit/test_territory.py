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
