"""The truth a commune's return is written from: what a reporting commune's numbers are at a cycle.

A commune of the current hierarchy (from 1 July 2025) carries the state of the former communes whose
area went to it. Its *sources* are the legacy communes whose default successor it is (the crosswalk,
``antt.core.territory``): a divided commune such as Xã Xuân Tâm goes whole to its default successor
and is never counted twice. At any cycle its state is the sum of its sources' states at that cycle,
each read from its former district's base (``truth.district_state``), so Bình Phước's 40 communes
continue the trend of the published 2023-H1 figures and the others their own former province's:

- residential areas are the sources' areas, in source order; a name two sources share is given each
  source's name ("Ấp 1" -> "Ấp 1 Lộc Thái"), so no name repeats in a commune;
- models keep their founding times; a model's area is the one its name ends with (renamed with it),
  else one of its source's areas drawn by name; models of agencies, enterprises and schools have none;
- flows, bright spots and core groups are summed;
- a xã is new-rural when every xã it took in was (criteria: the least; year: the latest; criterion
  19.2 when all met it); a xã made only of towns is not; a phường or đặc khu has no new-rural row.

A commune no former commune's area went to (an island đặc khu) gets a generic base of its own
(``truth.standalone_base``). A commune of the legacy hierarchy (a commune-level cycle before 1 July
2025) is its own single source.

Residential areas change after the reform: in about one commune in eight of those with
``EVENT_MIN_AREAS`` areas or more, two areas of one former commune merge or one area splits in two
at ``AREA_EVENT_AT`` (between the cycles 2025 and 2026-H1), so the list changes by one area in
twenty at most (kdc_total never moves by more than 5 %). Every draw comes from ``random.Random``
seeded with text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import cache

from antt.core import territory, units
from antt.core.cycles import Cycle, parse_cycle
from antt.core.text import fold
from antt.make.truth import (CommuneState, DistrictBase, DistrictState, ModelBase, district_base, district_state, person,
                             standalone_base, sum_keys)

AREA_EVENT_AT = 2026.2          # time index of the area merges and splits (2025 = 2025.95, 2026-H1 = 2026.45)
EVENT_SHARE = 0.125
EVENT_MIN_AREAS = 20


@dataclass(frozen=True)
class AreaEvent:
    """Two areas merged (``index`` keeps its name, ``index + 1`` vanishes) or one split in two (``names``)."""

    kind: str                    # merge | split
    index: int
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitBase:
    """A reporting commune, independent of the cycle."""

    unit: units.Unit
    province: units.Unit          # of the unit's hierarchy
    sources: tuple[units.Unit, ...]              # legacy communes it carries (in code order)
    area_names: tuple[tuple[str, ...], ...]      # per source, its areas as this commune names them
    event: AreaEvent | None
    preparer: str
    head: str


@dataclass
class UnitState:
    """A reporting commune at a cycle: its numbers and areas (``commune``), where each area came from,
    its models (``commune`` set to the unit) and each model's area."""

    base: UnitBase
    cycle: Cycle
    commune: CommuneState
    area_source: list[int]                        # per area: index into base.sources, -1 for none
    models: list[ModelBase]
    model_area: list[str | None]

    @property
    def communes(self) -> list[CommuneState]:
        """The one commune, as a district state lists its communes (the layout's and the faults' view)."""
        return [self.commune]

    def totals(self) -> dict[str, int]:
        return sum_keys([self.commune], self.models)

    def groups(self) -> list[tuple[units.Unit, list[int]]]:
        """(former commune, indices of its areas) in area order: the group rows a return may show."""
        out: list[tuple[units.Unit, list[int]]] = []
        for i, s in enumerate(self.area_source):
            if s < 0:
                continue
            if not out or out[-1][0] != self.base.sources[s]:
                out.append((self.base.sources[s], []))
            out[-1][1].append(i)
        return out


def province_of(unit: units.Unit, h: units.Hierarchy) -> units.Unit:
    """The province of a unit of hierarchy ``h`` (itself for a province)."""
    while unit.parent is not None:
        unit = h.unit(unit.parent)
    return unit


def sources_of(code: str) -> tuple[units.Unit, ...]:
    """The legacy communes whose default successor is current commune ``code``, in code order."""
    legacy = units.legacy()
    return tuple(legacy.unit(c) for c in territory.predecessors(code) if territory.successors(c)[0] == code)


@cache
def _district_base(district: str) -> DistrictBase:
    return district_base(district)


@cache
def _district_state(district: str, cycle_id: str) -> DistrictState:
    return district_state(_district_base(district), parse_cycle(cycle_id))


@cache
def _standalone(code: str) -> DistrictBase:
    unit = units.current().unit(code)
    return standalone_base(unit, province_of(unit, units.current()))


@cache
def _standalone_state(code: str, cycle_id: str) -> DistrictState:
    return district_state(_standalone(code), parse_cycle(cycle_id))


def _source_state(source: units.Unit, cycle: Cycle) -> tuple[CommuneState, list[ModelBase]]:
    st = _district_state(source.parent, cycle.id)
    cs = next(c for c in st.communes if c.unit.code == source.code)
    return cs, [m for m in st.models if m.commune == source.code]


def _unique_names(sources: tuple[units.Unit, ...], lists: list[list[str]]) -> list[list[str]]:
    """The sources' area names, a name found in two sources given each source's name."""
    count: dict[str, int] = {}
    for names in lists:
        for n in names:
            count[fold(n)] = count.get(fold(n), 0) + 1
    out = [[f"{n} {s.short}" if count[fold(n)] > 1 else n for n in names] for s, names in zip(sources, lists)]
    seen: set[str] = set()
    for names in out:                  # two sources of the same name: a number keeps them apart
        for i, n in enumerate(names):
            k, extra = n, 1
            while fold(k) in seen:
                extra += 1
                k = f"{n} {extra}"
            names[i] = k
            seen.add(fold(k))
    return out


def _event(code: str, names: list[str], sources: list[int]) -> AreaEvent | None:
    rng = random.Random(f"{code}-areas-after-reform")
    if len(names) < EVENT_MIN_AREAS or rng.random() >= EVENT_SHARE:
        return None
    taken = {fold(n) for n in names}
    if rng.random() < 0.5:
        pairs = [i for i in range(len(names) - 1) if sources[i] == sources[i + 1]]
        return AreaEvent("merge", rng.choice(pairs)) if pairs else None
    for i in rng.sample(range(len(names)), len(names)):
        n = names[i]
        parts = (f"{n}A", f"{n}B") if n[-1].isdigit() else (f"{n} 1", f"{n} 2")
        if not {fold(p) for p in parts} & taken:
            return AreaEvent("split", i, parts)
    return None


@cache
def unit_base(code: str, hierarchy_name: str) -> UnitBase:
    """The base of reporting commune ``code`` of the hierarchy named ``hierarchy_name``."""
    h = units.current() if hierarchy_name == units.current().name else units.legacy()
    unit = h.unit(code)
    sources = sources_of(code) if units.is_current(h) else (unit,)
    if sources:
        lists = [list(next(c for c in _district_base(s.parent).communes if c.unit.code == s.code).areas)
                 for s in sources]
    else:
        lists = [list(_standalone(code).communes[0].areas)]
    named = _unique_names(sources, lists) if sources else lists
    flat = [n for names in named for n in names]
    origin = [i for i, names in enumerate(named) for _ in names]
    event = _event(code, flat, origin) if units.is_current(h) else None
    rng = random.Random(f"{code}-unit-base")
    return UnitBase(unit, province_of(unit, h), sources, tuple(tuple(n) for n in named), event,
                    person(rng), person(rng, rank=True))


def _model_areas(models: list[ModelBase], old: list[str], new: list[str]) -> list[str | None]:
    by_length = sorted(zip(old, new), key=lambda p: -len(p[0]))
    out: list[str | None] = []
    for m in models:
        found = next((n for o, n in by_length if m.name.endswith(" " + o)), None)
        if found is None and m.setting == "residential" and new:
            found = random.Random(f"{m.name}-{m.t_found}-area").choice(new)
        out.append(found if m.setting == "residential" else None)
    return out


def _ntm(unit: units.Unit, states: list[CommuneState]) -> tuple[int, bool, int | None, bool] | None:
    if unit.kind != "Xã":
        return None
    xa = [s.ntm for s in states if s.ntm is not None]
    if not xa:
        return (17, False, None, True)
    met = all(n[1] for n in xa)
    if met:
        return (19, True, max(n[2] for n in xa), True)
    return (min(n[0] for n in xa), False, None, all(n[3] for n in xa))


def unit_state(base: UnitBase, cycle: Cycle) -> UnitState:
    """The commune at ``cycle``: its sources' states summed, then the area event if it has happened."""
    if base.sources:
        read = [_source_state(s, cycle) for s in base.sources]
    else:
        st = _standalone_state(base.unit.code, cycle.id)
        read = [(st.communes[0], st.models)]
    areas: list[tuple[str, bool, bool]] = []
    origin: list[int] = []
    models: list[ModelBase] = []
    model_area: list[str | None] = []
    for k, ((cs, ms), names) in enumerate(zip(read, base.area_names)):
        areas += [(n, reg, meet) for n, (_, reg, meet) in zip(names, cs.areas)]
        origin += [k if base.sources else -1] * len(names)
        models += [replace(m, commune=base.unit.code) for m in ms]
        model_area += _model_areas(ms, [a for a, _, _ in cs.areas], list(names))
    ev = base.event
    t = cycle.year + (0.45 if cycle.half_year else 0.95)
    if ev is not None and t >= AREA_EVENT_AT:
        i = ev.index
        if ev.kind == "merge":
            (a, ra, ma), (b, rb, mb) = areas[i], areas[i + 1]
            areas[i:i + 2] = [(a, ra or rb, ma or mb)]
            del origin[i + 1]
            model_area = [a if x == b else x for x in model_area]
        else:
            name, reg, meet = areas[i]
            areas[i:i + 1] = [(ev.names[0], reg, meet), (ev.names[1], reg, meet)]
            origin.insert(i, origin[i])
            model_area = [ev.names[0] if x == name else x for x in model_area]
    states = [cs for cs, _ in read]
    order = sorted(range(len(models)), key=lambda j: (models[j].setting != "residential", j))
    commune = CommuneState(
        base.unit, len(areas), sum(r for _, r, _ in areas), sum(m for _, _, m in areas), areas,
        _ntm(base.unit, states),
        *(sum(getattr(s, f) for s in states) for f in (
            "broadcast_hours", "banners_posters", "sessions", "attendees", "bright_spots_upper",
            "bright_spots_commune", "core_groups", "core_group_members")))
    return UnitState(base, cycle, commune, origin, [models[j] for j in order], [model_area[j] for j in order])


def state_of(code: str, cycle: Cycle) -> UnitState:
    """Reporting commune ``code`` (of the hierarchy in force at the cycle's end) at ``cycle``."""
    return unit_state(unit_base(code, units.hierarchy_on(cycle.end).name), cycle)
