"""Reporting cycles: ``YYYY-H1`` (15/12 of the year before to 14/6) and ``YYYY`` (15/12 to 14/12).

Cycles order by end date (2022-H1 < 2022 < 2023-H1 < 2023). Stocks compare with the cycle just
before; flows compare with the previous cycle of the same kind (H1 with H1, year with year): which
key is which is said by ``antt.core.indicators.is_flow``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from antt.core import config
from antt.core.errors import AnalystError

_ID = re.compile(r"^(\d{4})(-H1)?$", re.IGNORECASE)

#: The district police were abolished on 1 March 2025: cycles ending from then on expect returns
#: from the commune-level units (``reporting_level``).
COMMUNE_REPORTING_FROM = date(2025, 3, 1)
REPORTING_LEVELS = ("district", "commune")


@dataclass(frozen=True, order=True)
class Cycle:
    """One reporting cycle. Sorting a list of cycles puts them in order of end date."""

    end: date
    id: str

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def half_year(self) -> bool:
        return self.id.endswith("-H1")

    @property
    def kind(self) -> str:
        return "H1" if self.half_year else "year"

    @property
    def start(self) -> date:
        return date(self.year - 1, 12, 15)

    @property
    def deadline(self) -> date:
        days = targets(self.id)["deadline_days"]
        return self.end + timedelta(days=days)

    @property
    def label(self) -> str:
        """Vietnamese name of the period, as people say it."""
        return f"6 tháng đầu năm {self.year}" if self.half_year else f"năm {self.year}"

    @property
    def period_text(self) -> str:
        """The date range as written on a return."""
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def __str__(self) -> str:
        return self.id


def parse_cycle(cycle_id: str) -> Cycle:
    """``"2023-H1"`` (or ``"2023-h1"``) -> Cycle; raises ValueError for anything else."""
    m = _ID.match(str(cycle_id).strip())
    if not m:
        raise ValueError(f"not a cycle id (YYYY-H1 or YYYY): {cycle_id!r}")
    year = int(m.group(1))
    end = date(year, 6, 14) if m.group(2) else date(year, 12, 14)
    return Cycle(end=end, id=m.group(0).upper())


def choose(cycle_id, present: list[Cycle], where: Path, waiting: list[Cycle] = ()) -> Cycle:
    """The cycle ``cycle_id`` names among ``present``, the cycles found in the folder ``where``
    (None: the latest). ``cycle_id`` may be lower case ("2022-h1") or a number (2022). Anything else
    raises ``AnalystError`` with the sentence the command line prints: a malformed id, no cycle at
    all, or a cycle not present (listing those that are; "chạy `antt ingest`" when it is one of
    ``waiting``, the cycles whose returns are in data/raw but not yet processed)."""
    if cycle_id is None:
        if not present:
            raise AnalystError(f"không có kỳ báo cáo nào trong {where} (thư mục con dạng 2023-H1 hoặc 2023)"
                               + ("; chạy `antt ingest`" if waiting else ""))
        return present[-1]
    try:
        cycle = parse_cycle(str(cycle_id))
    except ValueError:
        raise AnalystError(f"mã kỳ không hợp lệ: {cycle_id!r} (dạng YYYY-H1 hoặc YYYY)") from None
    if cycle not in present:
        listed = ", ".join(c.id for c in present) or "không có"
        hint = "; báo cáo của kỳ có trong data/raw nhưng chưa được xử lý: chạy `antt ingest`" if cycle in waiting else ""
        raise AnalystError(f"không có kỳ {cycle.id} trong {where}{hint}; các kỳ hiện có: {listed}")
    return cycle


def is_cycle_id(name: str) -> bool:
    """Whether a folder name is a cycle id as written by the contract ("2023-H1", "2023")."""
    return bool(_ID.match(name)) and name == name.upper()


def cycles_in(raw_dir: Path) -> list[Cycle]:
    """The cycles that have a folder under ``raw_dir``, oldest first."""
    if not Path(raw_dir).is_dir():
        return []
    return sorted(parse_cycle(p.name) for p in Path(raw_dir).iterdir() if p.is_dir() and is_cycle_id(p.name))


def previous(cycle: Cycle, present: list[Cycle], same_kind: bool = False) -> Cycle | None:
    """The latest cycle of ``present`` before ``cycle`` (of the same kind if asked)."""
    earlier = [c for c in present if c < cycle and (not same_kind or c.kind == cycle.kind)]
    return max(earlier) if earlier else None


def span(first: Cycle, last: Cycle) -> list[Cycle]:
    """Every cycle (half-year and year) from ``first`` to ``last``, both included, in order."""
    out = [c for y in range(first.year, last.year + 1) for c in (parse_cycle(f"{y}-H1"), parse_cycle(str(y)))]
    return [c for c in out if first <= c <= last]


def cycle_for_period(start: date | None, end: date) -> Cycle | None:
    """The cycle whose period is exactly ``start``–``end`` (start may be unknown)."""
    for cid in (f"{end.year}-H1", f"{end.year}"):
        c = parse_cycle(cid)
        if c.end == end and (start is None or c.start == start):
            return c
    return None


def targets(cycle_id: str) -> dict:
    """Targets and deadline settings for a cycle (data/reference/targets.json)."""
    ref = config.reference()
    return {**ref["default"], **ref.get("cycles", {}).get(cycle_id, {})}


def reporting_level(cycle: Cycle) -> str:
    """Who reports in ``cycle``: "district" for cycles ending before 1 March 2025, "commune" from then
    on, unless ``reporting_level`` is set for the cycle in data/reference/targets.json."""
    level = targets(cycle.id).get("reporting_level")
    if level is None:
        return "district" if cycle.end < COMMUNE_REPORTING_FROM else "commune"
    if level not in REPORTING_LEVELS:
        raise ValueError(f"data/reference/targets.json: kỳ {cycle.id} có reporting_level {level!r}, "
                         f"cần một trong {', '.join(REPORTING_LEVELS)}")
    return level
