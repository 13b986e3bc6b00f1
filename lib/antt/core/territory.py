"""Scope as a territory: what a province code means on any date, and who reports for it in a cycle.

``resolve(code)`` reads a scope the way the contract does ("Units and scope"):

- ``"all"``: the whole country;
- the code of a province of today's hierarchy ("75", Đồng Nai): that province today and, in the
  hierarchy before 1 July 2025, every former province whose communes went into it (70 and 75);
- a code that is only a former province ("70", Bình Phước): that province before the reform and,
  after it, the new communes that took its area (40 communes of Đồng Nai).

Every current code is also the code of a former province (each new province kept one); the current
meaning wins. No former province was divided between new provinces, so a former province is whole
on either side; 23 new communes of the country took area from two former provinces (none in Đồng
Nai). Who reports in a cycle is ``expected_units``: the units of the cycle's reporting level
(``cycles.reporting_level``) in the hierarchy in force at its end date.

``on_current(values, h)`` is the crosswalk of the contract: commune values of any cycle carried onto
today's communes (the divided Xã Xuân Tâm to the dataset's default part, with an info finding; the
new-rural keys null). ``after_reform(cycle)``: whether a cycle is counted in today's hierarchy;
``joined(a, b, flow)``: whether a series may draw a line from one cycle to the next.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from antt.core import indicators, units
from antt.core.cycles import Cycle, reporting_level, span
from antt.core.errors import AnalystError
from antt.core.findings import Finding, finding
from antt.core.units import COMMUNE, PROVINCE, Hierarchy, Unit


@dataclass(frozen=True)
class Territory:
    """A scope: ``code`` is "all", a current province code or a former province code."""

    code: str

    @property
    def country(self) -> bool:
        return self.code == "all"

    @property
    def former(self) -> bool:
        """A former province only (not a province of today's hierarchy)."""
        return not self.country and self.code not in units.province_codes(today=True)

    @property
    def name(self) -> str:
        """"Toàn quốc", "Tỉnh Đồng Nai", "Tỉnh Bình Phước (cũ)"."""
        if self.country:
            return "Toàn quốc"
        if self.former:
            return f"{units.legacy().unit(self.code).name} (cũ)"
        return units.current().unit(self.code).name

    def provinces(self, h: Hierarchy) -> list[Unit]:
        """The whole provinces of ``h`` inside the territory (none for a former province after the
        reform: it is part of a province then)."""
        if self.country:
            return h.provinces()
        if units.is_current(h):
            return [] if self.former else [h.unit(self.code)]
        codes = (self.code,) if self.former else _merged_into(self.code)
        return [h.unit(c) for c in codes]

    def communes(self, h: Hierarchy) -> list[Unit]:
        """The communes of ``h`` inside the territory, in code order."""
        if units.is_current(h) and self.former:
            return [h.unit(c) for c in sorted(_successors_of_province(self.code), key=lambda c: (len(c), c))]
        return [c for p in self.provinces(h) for c in _communes_of(h, p.code)]

    def contains(self, unit: Unit, h: Hierarchy) -> bool:
        """Whether a unit of ``h`` (province, district or commune) lies inside the territory."""
        if self.country:
            return True
        if units.is_current(h) and self.former:
            codes = _successors_of_province(self.code)
            return unit.code in codes if unit.level == COMMUNE else False
        inside = {p.code for p in self.provinces(h)}
        while unit.level != PROVINCE:
            unit = h.unit(unit.parent)
        return unit.code in inside

    def expected_units(self, cycle: Cycle) -> list[Unit]:
        """Who reports for the territory in ``cycle``: its districts that have communes (a district-
        level cycle) or its communes (a commune-level one), in code order."""
        h = units.hierarchy_on(cycle.end)
        if reporting_level(cycle) == COMMUNE:
            return self.communes(h)
        if not any(h.districts(p.code) for p in h.provinces()):
            raise ValueError(f"kỳ {cycle.id}: danh mục đơn vị hành chính {h.name} không có đơn vị cấp huyện; "
                             "cấp báo cáo của kỳ phải là cấp xã (data/reference/targets.json)")
        return [d for p in self.provinces(h) for d in h.districts_expected(p.code)]

    def former_provinces(self, cycle: Cycle) -> list[Unit]:
        """The former provinces (legacy units) whose area the territory covers in ``cycle``:
        for labels such as "Bình Phước + Đồng Nai (cũ)"."""
        legacy = units.legacy()
        if self.country:
            return legacy.provinces()
        if self.former:
            return [legacy.unit(self.code)]
        return [legacy.unit(c) for c in _merged_into(self.code)]

    def covers(self, cycle: Cycle) -> str:
        """What the territory's figures of ``cycle`` cover, for labels: before the reform the former
        provinces ("Bình Phước, Đồng Nai"), after it the province ("Đồng Nai"; a former province:
        "Đồng Nai (địa bàn Bình Phước cũ)")."""
        if self.country:
            return "toàn quốc"
        if not after_reform(cycle):
            return ", ".join(p.short for p in self.former_provinces(cycle))
        now = units.current()
        names = ", ".join(dict.fromkeys(now.unit(now.unit(c.code).parent).short for c in self.communes(now)))
        return f"{names} (địa bàn {units.legacy().unit(self.code).short} cũ)" if self.former else names


def resolve(code: str) -> Territory:
    """The territory of a scope code; AnalystError (a ValueError) for a code that is no province, then or now."""
    code = str(code).strip()
    if code != "all" and code not in units.province_codes(today=True) and code not in units.province_codes(today=False):
        raise AnalystError(f"không có tỉnh, thành phố mã {code!r} (trước hay sau ngày 01/07/2025); "
                         "dùng mã tỉnh như 75 hoặc all")
    return Territory(code)


def after_reform(cycle: Cycle) -> bool:
    """Whether ``cycle`` is counted in today's hierarchy (it ends on or after 1 July 2025)."""
    return units.is_current(units.hierarchy_on(cycle.end))


def joined(a: Cycle, b: Cycle, flow: bool) -> bool:
    """Whether a line of a series may join cycle ``a`` to the later ``b``: ``b`` comes right after ``a``
    (for a flow: the next cycle of the same kind) with no cycle absent between them, and both lie on the
    same side of the reform of 1 July 2025 (a hole, not a line, anywhere else)."""
    between = [c for c in span(a, b) if not flow or c.kind == a.kind]
    return a < b and len(between) == 2 and between[1] == b and after_reform(a) == after_reform(b)


def on_current(values: dict[str, dict], h: Hierarchy) -> tuple[dict[str, dict], list[Finding]]:
    """Commune values of hierarchy ``h`` (code -> {key: value or None}) on today's communes, and the
    info findings of divided communes. Old communes are summed into the new commune that took their
    area (``indicators.carried``: null when any of them has none, communes_with_models recomputed, the
    new-rural keys null); a divided commune goes whole to the dataset's default part. Values already
    on today's communes come back as they are."""
    if units.is_current(h):
        return dict(values), []
    now = units.current()
    mapping, notes = {}, []
    for old in values:
        parts = successors(old)
        mapping[old] = parts[0]
        if len(parts) > 1:
            notes.append(finding("crosswalk_divided", found=h.unit(old).name,
                                 parts=", ".join(now.unit(p).name for p in parts), default=now.unit(parts[0]).name))
    return indicators.carried(values, mapping), notes


def successors(old_commune: str) -> tuple[str, ...]:
    """The current communes that took the area of a legacy commune, the dataset's default first."""
    return units.crosswalk(units.legacy(), units.current())[old_commune]


def predecessors(new_commune: str) -> tuple[str, ...]:
    """The legacy communes whose area (some or all of it) went into a current commune."""
    return _predecessors().get(new_commune, ())


def _communes_of(h: Hierarchy, province: str) -> list[Unit]:
    return [c for d in h.districts(province) for c in h.communes(d.code)] + h.communes(province)


@cache
def _predecessors() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)
    for old, news in units.crosswalk(units.legacy(), units.current()).items():
        for new in news:
            out[new].append(old)
    return {new: tuple(olds) for new, olds in out.items()}


@cache
def _merged_into(current_code: str) -> tuple[str, ...]:
    """The former provinces whose communes went into a current province."""
    legacy, current = units.legacy(), units.current()
    found = {p.code for p in legacy.provinces()
             if any(current.unit(n).parent == current_code
                    for c in _communes_of(legacy, p.code) for n in successors(c.code))}
    return tuple(sorted(found))


@cache
def _successors_of_province(former_code: str) -> frozenset[str]:
    """The current communes that took area from a former province."""
    return frozenset(n for c in _communes_of(units.legacy(), former_code) for n in successors(c.code))
