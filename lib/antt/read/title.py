"""The title block of a return: the district it names, the period it states, the report date.

``read_title`` sets ``Return.unit``, ``period`` and ``report_date`` from the texts above the
tables (the district's name, else the file name's; "từ ngày 15/12/2022 đến ngày 14/06/2023", "6
tháng đầu năm 2023", "năm 2022"; "..., ngày 16 tháng 6 năm 2023"), and rejects the return whose
district is unknown or in another province, or whose period is not the cycle's.  ``title_line``
reads one text (memoised), ``stated_period`` the period its lines state.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from antt.core import text, units
from antt.core.cycles import Cycle, cycle_for_period
from antt.read.result import Return

_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
REPORT_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_H1 = re.compile(r"6 thang(?: dau)?(?: nam)?(?: so ket)? (\d{4})")
_YEAR = re.compile(r"(?:tong ket |ca )?nam (\d{4})")


def read_title(ret: Return, texts: list[str], filename: str, cycle: Cycle, scope: str,
               hierarchy: units.Hierarchy) -> None:
    """District, period and report date from the title block; rejects the return when they are wrong."""
    texts = list(dict.fromkeys(t for t in texts if t))
    match = hierarchy.find_district(texts, scope)
    if match.district is None:
        unit = hierarchy.find_district_in_filename(filename, scope)
        if unit is None:
            ret.reject("district_unknown", found=excerpt(texts))
            return
        ret.unit = unit
        ret.add("district_from_filename", district=unit.name)
    elif not match.in_scope:
        prov = hierarchy.unit(match.district.parent) if match.district.parent else None
        where = f"{match.district.name}, {prov.name}" if prov else match.district.name
        scope_name = hierarchy.unit(scope).name if scope != "all" else "phạm vi báo cáo"
        ret.reject("district_other_province", found=where, province=scope_name)
        return
    else:
        ret.unit = match.district

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

