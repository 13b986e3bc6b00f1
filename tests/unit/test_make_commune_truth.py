"""antt.make.commune_truth: a commune's numbers after the 2025 reform, as the sum of the former
communes whose area it took (in memory, no file written)."""

from __future__ import annotations

import pytest

from antt.core import territory, units
from antt.core.cycles import parse_cycle
from antt.core.text import fold
from antt.make.commune_truth import AREA_EVENT_AT, sources_of, state_of, unit_base
from antt.make.truth import district_base, district_state

Y2025, H2026 = parse_cycle("2025"), parse_cycle("2026-H1")
DONG_NAI = territory.resolve("75").expected_units(H2026)
BINH_PHUOC = territory.resolve("70").expected_units(H2026)
XUAN_TAM, XUAN_HOA, XUAN_DONG = "26449", "26446", "26359"      # Xã Xuân Tâm (741) was divided


def test_every_former_commune_is_carried_by_exactly_one_commune():
    """The 111 communes of Bình Phước and the 159 of former Đồng Nai, each counted once."""
    carried = [s.code for u in DONG_NAI for s in sources_of(u.code)]
    assert len(DONG_NAI) == 95 and len(BINH_PHUOC) == 40
    assert len(carried) == len(set(carried)) == 111 + 159
    legacy = units.legacy()
    assert {legacy.unit(legacy.unit(c).parent).parent for c in carried} == {"70", "75"}


def test_the_divided_xuan_tam_goes_whole_to_its_default_successor():
    assert territory.successors(XUAN_TAM) == (XUAN_HOA, XUAN_DONG)
    assert XUAN_TAM in [s.code for s in sources_of(XUAN_HOA)]
    assert XUAN_TAM not in [s.code for s in sources_of(XUAN_DONG)]


def _sources_summed(code: str, cycle) -> dict[str, int]:
    """The keys a commune's sources have at ``cycle``, read from their districts' states."""
    out: dict[str, int] = {}
    for s in sources_of(code):
        st = district_state(district_base(s.parent), cycle)
        cs = next(c for c in st.communes if c.unit.code == s.code)
        models = [m for m in st.models if m.commune == s.code]
        one = {"kdc_total": cs.kdc_total, "kdc_registered": cs.kdc_registered, "kdc_meeting": cs.kdc_meeting,
               "models_residential": sum(m.setting == "residential" for m in models),
               "models_institutional": sum(m.setting == "institutional" for m in models),
               "cameras": sum(m.cameras for m in models)}
        one |= {f: getattr(cs, f) for f in ("broadcast_hours", "banners_posters", "bright_spots_upper",
                                            "bright_spots_commune", "core_groups", "core_group_members")}
        for k, v in one.items():
            out[k] = out.get(k, 0) + v
    return out


@pytest.mark.parametrize("code", ["25270", "25195", XUAN_HOA, "26041", "25222"])
def test_a_commune_in_2025_is_the_sum_of_its_sources(code):
    totals = state_of(code, Y2025).totals()
    assert {k: totals[k] for k in _sources_summed(code, Y2025)} == _sources_summed(code, Y2025)
    assert totals["communes_with_models"] == 1 and totals["ntm_communes"] == (units.current().unit(code).kind == "Xã")


def test_binh_phuoc_communes_continue_the_published_figures():
    """843 areas all meeting the standard at 2023-H1 (published): still 843 in 2025 (no area event
    before 2026), every one meeting; models, cameras and core groups never fewer than published."""
    sums = {}
    for u in BINH_PHUOC:
        for k, v in state_of(u.code, Y2025).totals().items():
            sums[k] = sums.get(k, 0) + v
    assert (sums["kdc_total"], sums["kdc_registered"], sums["kdc_meeting"]) == (843, 843, 843)
    assert sums["models_residential"] >= 327 and sums["models_institutional"] >= 48 and sums["cameras"] >= 2126
    assert sums["core_groups"] >= 615 and sums["bright_spots_commune"] >= 190
    assert sums["ntm_communes"] == sum(u.kind == "Xã" for u in BINH_PHUOC)


def test_shared_area_names_take_their_former_commune_name():
    """Xã Lộc Ninh took in Thị trấn Lộc Ninh (Khu phố 1-10), Xã Lộc Thuận (Ấp 1-7) and Xã Lộc Thái
    (Ấp 1-5): Ấp 1-5 are in both xã and get their names; Ấp 6 and 7 stay as they were."""
    base = unit_base("25270", units.current().name)
    assert [s.name for s in base.sources] == ["Thị trấn Lộc Ninh", "Xã Lộc Thuận", "Xã Lộc Thái"]
    khu_pho, loc_thuan, loc_thai = base.area_names
    assert khu_pho == tuple(f"Khu phố {i}" for i in range(1, 11))
    assert loc_thuan == tuple(f"Ấp {i} Lộc Thuận" for i in range(1, 6)) + ("Ấp 6", "Ấp 7")
    assert loc_thai == tuple(f"Ấp {i} Lộc Thái" for i in range(1, 6))


def test_area_names_are_unique_in_every_commune_and_kdc_total_counts_them():
    for u in DONG_NAI:
        st = state_of(u.code, H2026)
        names = [fold(a) for a, _, _ in st.commune.areas]
        assert len(names) == len(set(names)), u.name
        assert st.commune.kdc_total == len(names)
        assert st.commune.kdc_meeting <= st.commune.kdc_registered <= st.commune.kdc_total


def test_areas_merge_or_split_between_2025_and_2026_h1_by_one_in_twenty_at_most():
    changed = []
    for u in DONG_NAI:
        before = [a for a, _, _ in state_of(u.code, Y2025).commune.areas]
        after = [a for a, _, _ in state_of(u.code, H2026).commune.areas]
        base = unit_base(u.code, units.current().name)
        assert before == [a for names in base.area_names for a in names]     # 2025: the sources' areas
        if base.event is None:
            assert after == before
            continue
        changed.append(u.code)
        assert abs(len(after) - len(before)) == 1 and len(before) >= 20
        if base.event.kind == "merge":
            assert set(before) - set(after) == {before[base.event.index + 1]} and set(after) < set(before)
        else:
            assert set(after) - set(before) == set(base.event.names)
            assert set(before) - set(after) == {before[base.event.index]}
    assert 3 <= len(changed) <= 15                                   # a few communes
    assert parse_cycle("2025").end.year + 0.95 < AREA_EVENT_AT < 2026.45


def test_a_xa_is_new_rural_when_every_xa_it_took_in_was():
    for u in DONG_NAI:
        st = state_of(u.code, Y2025)
        if u.kind != "Xã":
            assert st.commune.ntm is None
            continue
        olds = []
        for s in sources_of(u.code):
            ds = district_state(district_base(s.parent), Y2025)
            olds.append(next(c for c in ds.communes if c.unit.code == s.code).ntm)
        xa = [n for n in olds if n is not None]
        crit, met, year, _ = st.commune.ntm
        assert met == (bool(xa) and all(n[1] for n in xa)), u.name
        assert (crit == 19 and year is not None) if met else (crit < 19 and year is None)


def test_models_carry_the_commune_code_and_an_area_of_the_commune():
    st = state_of("25270", Y2025)
    areas = {a for a, _, _ in st.commune.areas}
    assert {m.commune for m in st.models} == {"25270"}
    assert all((a in areas) if m.setting == "residential" else a is None for m, a in zip(st.models, st.model_area))
    assert [m.setting for m in st.models] == sorted((m.setting for m in st.models), key=lambda s: s != "residential")


def test_a_commune_no_former_commune_went_to_has_a_base_of_its_own():
    assert territory.predecessors("26732") == ()                       # Đặc khu Côn Đảo
    st = state_of("26732", H2026)
    assert st.commune.kdc_total >= 4 and st.commune.ntm is None and st.models
    assert state_of("26732", H2026).totals() == st.totals()              # deterministic


def test_a_legacy_commune_in_a_commune_level_cycle_is_its_own_source():
    cycle = parse_cycle("2025-H1")                                      # ends 14/6/2025: legacy hierarchy
    st = state_of("25297", cycle)                                       # Xã Lộc Thái
    old = next(c for c in district_state(district_base("692"), cycle).communes if c.unit.code == "25297")
    assert st.commune.areas == old.areas and st.base.event is None
