"""The title block of a return: the unit it is from, the period it states, the report date.

``read_title`` sets ``Return.unit``, ``period`` and ``report_date`` from the texts above the tables:
the issuing unit (a district, or a commune-level unit after the 2025 reform: ``antt.core.issuer``)
in the hierarchy of the cycle's end, within the territory of the scope, else the unit the file name
names; "từ ngày 15/12/2022 đến ngày 14/06/2023", "6 tháng đầu năm 2023", "năm 2022"; "..., ngày 16
tháng 6 năm 2023". It rejects the return whose unit is unknown, ambiguous, outside the territory or
(in a hierarchy after the reform) only a former unit, or whose period is not the cycle's.
``title_line`` reads one text (memoised), ``stated_period`` the period its lines state.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from antt.core import issuer, territory, text, units
from antt.core.cycles import Cycle, cycle_for_period, reporting_level
from antt.read.grid import cell_ref
from antt.read.result import Return

_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
REPORT_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_H1 = re.compile(r"6 thang(?: dau)?(?: nam)?(?: so ket)? (\d{4})")
_YEAR = re.compile(r"(?:tong ket |ca )?nam (\d{4})")


def read_title(ret: Return, title: dict[str, tuple[str, int, int]], filename: str, cycle: Cycle, scope: str,
               hierarchy: units.Hierarchy) -> None:
    """Unit, period and report date from the title block (its texts in order, each with the sheet,
    row and column where it first is); rejects the return when they are wrong."""
    texts = [t for t in title if t]
    ret.unit = issuing_unit(ret, title, filename, cycle, scope, hierarchy)
    if ret.status == "rejected":
        return

    lines = [title_line(t) for t in texts]
    report_dates = [d for line in lines for d in line.report_dates]
    ret.report_date = max(report_dates) if report_dates else None
    if ret.report_date is None:
        ret.add("report_date_missing")

    stated = stated_period(lines)
    if stated is None:
        ret.add("period_from_folder", expected=cycle.id)
    elif stated != cycle.id:
        ret.reject("period_mismatch", found=stated, expected=cycle.id)
    else:
        ret.period = cycle


def issuing_unit(ret: Return, title: dict[str, tuple[str, int, int]], filename: str, cycle: Cycle, scope: str,
                 h: units.Hierarchy) -> units.Unit | None:
    """The unit the return is from (a district or a commune of ``h`` in the territory of ``scope``),
    or None with the return rejected and a finding saying why, on the cell of the name it found."""
    texts = [t for t in title if t]

    def at(text: str | None) -> dict:
        if text not in title:
            return {}
        sheet, r, c = title[text]
        return {"sheet": sheet, "cell": cell_ref(r, c), "row": r + 1}

    terr, within = bounds(scope, h)
    match = issuer.find_unit(h, texts, within)
    if match.unit is not None and match.strong and terr.contains(match.unit, h):
        return match.unit
    former = None
    if h is not units.legacy():
        # After the reform: a typed name that is only a unit of the hierarchy before it.
        old = units.legacy()
        found = issuer.find_unit(old, texts, bounds(scope, old)[1])
        if found.unit is not None and found.strong:
            former = found.unit
            if terr.contains(former, old):
                names = ", ".join(units.current().unit(c).name for c in successors(former, old))
                ret.reject("unit_former", found=_with_province(former, old, parents=True),
                           successors=names or "không có", **at(found.evidence))
                return None
    if match.unit is not None and terr.contains(match.unit, h):
        return match.unit
    if match.unit is not None:
        ret.reject("unit_other_province", found=_with_province(match.unit, h), province=territory_name(terr, h),
                   **at(match.evidence))
        return None
    if former is not None:
        ret.reject("unit_other_province", found=_with_province(former, units.legacy()) + " (đơn vị cũ)",
                   province=territory_name(terr, h), **at(found.evidence))
        return None
    if match.candidates:
        ret.reject("unit_ambiguous", found=match.evidence, candidates="; ".join(
            _with_province(u, h, parents=True) for u in match.candidates[:4]), **at(match.evidence))
        return None
    unit = unit_in_filename(filename, cycle, scope, h)
    if unit is None:
        ret.reject("unit_unknown", found=excerpt(texts))
        return None
    ret.add("unit_from_filename", unit=unit.name)
    return unit


def unit_in_filename(filename: str, cycle: Cycle, scope: str, h: units.Hierarchy) -> units.Unit | None:
    """The one unit of the territory a file name names, the cycle's reporting level first."""
    levels = (units.COMMUNE, units.DISTRICT) if reporting_level(cycle) == units.COMMUNE else (units.DISTRICT, units.COMMUNE)
    return issuer.find_unit_in_filename(h, filename, bounds(scope, h)[1], levels)


@lru_cache(maxsize=64)
def bounds(scope: str, h: units.Hierarchy) -> tuple[territory.Territory, frozenset[str] | None]:
    """The territory of a scope code and the codes that bound it in ``h`` (its provinces, or its
    communes for a former province after the reform; None for the country)."""
    terr = territory.resolve(scope)
    if terr.country:
        return terr, None
    return terr, frozenset(p.code for p in terr.provinces(h)) or frozenset(c.code for c in terr.communes(h))


def successors(unit: units.Unit, h: units.Hierarchy) -> list[str]:
    """Codes of the current communes that took the area of a former commune or district."""
    communes = [unit] if unit.level == units.COMMUNE else h.communes(unit.code)
    return list(dict.fromkeys(c for u in communes for c in territory.successors(u.code)))


def territory_name(terr: territory.Territory, h: units.Hierarchy) -> str:
    """The territory as the hierarchy of the cycle names it: its provinces then, else its name."""
    provinces = [] if terr.country else terr.provinces(h)
    return " và ".join(p.name for p in provinces) or terr.name


def _with_province(u: units.Unit, h: units.Hierarchy, parents: bool = False) -> str:
    """"Huyện Tân Phú, Tỉnh Đồng Nai"; with ``parents`` every unit above ("Xã Tân Tiến, Huyện Bù
    Đốp, Tỉnh Bình Phước")."""
    names = [u.name]
    while u.parent is not None:
        u = h.unit(u.parent)
        if parents or u.level == units.PROVINCE:
            names.append(u.name)
    return ", ".join(names)


def _dates(pattern: re.Pattern, s: str, order=(1, 2, 3)) -> list[date]:
    out = []
    for m in pattern.finditer(s):
        d, mth, y = (int(m.group(i)) for i in order)
        try:
            out.append(date(y, mth, d))
        except ValueError:
            pass
    return out


class _TitleLine(NamedTuple):
    """What one text of a title block says about the report date and the period."""

    report_dates: tuple[date, ...]
    period: tuple[date, date] | None       # "từ ngày 15/12/2022 đến ngày 14/06/2023"
    halves: tuple[int, ...]                # years of a half-year ("6 tháng đầu năm 2023")
    years: tuple[int, ...]                 # years of a year review ("năm 2022")


@lru_cache(maxsize=1 << 14)
def title_line(raw: str) -> _TitleLine:
    """Memoised: a title block repeats its lines in every sheet and cycle after cycle."""
    f = text.fold(raw)
    report_dates = tuple(_dates(REPORT_DATE, f, order=(1, 2, 3)))
    body = REPORT_DATE.sub(" ", f)
    if "ngay" in f and REPORT_DATE.search(f) and not ("ky" in body or "thang" in body or "nam" in body):
        return _TitleLine(report_dates, None, (), ())     # only the place and date of the report
    dates = _dates(_DATE, raw)
    halves = [int(y) for y in _H1.findall(body)]
    if "so ket 6 thang" in body and not _H1.search(body):
        halves += [int(y) for y in re.findall(r"(\d{4})", body)]
    years = [int(y) for y in _YEAR.findall(body)] if not _H1.search(body) else []
    return _TitleLine(report_dates, (dates[0], dates[1]) if len(dates) >= 2 else None, tuple(halves), tuple(years))


def stated_period(lines: list[_TitleLine]) -> str | None:
    """The cycle id the title block states ("2023-H1"), a description of a non-cycle period, or None."""
    ranges = [line.period for line in lines if line.period]
    halves = [y for line in lines for y in line.halves]
    years = [y for line in lines for y in line.years]
    if ranges:
        start, end = ranges[0]
        c = cycle_for_period(start, end)
        return c.id if c else f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if halves:
        return f"{halves[0]}-H1"
    if years:
        return str(years[0])
    return None


def excerpt(texts: list[str]) -> str:
    """The first three texts, 40 characters each, for a finding."""
    return "; ".join(t[:40] for t in texts[:3]) or "trống"

