"""What every output says about itself: a chart's title, subtitle and source line, the movement
the returns report on (the title of the deck and the workbooks), and what a series across the
reform of 1 July 2025 says of its points (``REFORM_LABEL``, ``era_line``, ``trend_covers``,
``trend_absent``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from antt.core.cycles import Cycle, parse_cycle, span
from antt.core.territory import after_reform

#: The movement the returns report on.
MOVEMENT = "Phong trào Toàn dân bảo vệ an ninh Tổ quốc"


@dataclass(frozen=True)
class ChartMeta:
    """What a chart says about itself: title, subtitle (the period), source line."""

    title: str
    subtitle: str = ""
    source: str = ""


#: Who reports, as a source line says it.
LEVEL_UNITS = {"district": "đơn vị cấp huyện", "commune": "xã, phường"}


def source_line(reporting: int, expected: int, period: str, level: str = "district") -> str:
    """``source_line(11, 11, "6 tháng đầu năm 2023")`` ->
    "Nguồn: báo cáo của 11/11 đơn vị cấp huyện, kỳ 6 tháng đầu năm 2023";
    at commune level "… của 93/95 xã, phường, kỳ …"."""
    return f"Nguồn: báo cáo của {reporting}/{expected} {LEVEL_UNITS[level]}, kỳ {period}"


#: The reform of the administrative units, as series across it mark it (a dated rule, a heading).
REFORM_LABEL = "1/7/2025: sắp xếp đơn vị hành chính"
#: Who reports, as a heading over a series says it.
LEVEL_WORDS = {"district": "cấp huyện báo cáo", "commune": "cấp xã báo cáo"}


def era_line(after: bool, covers: str, level: str) -> str:
    """"Trước 1/7/2025: Bình Phước, Đồng Nai — cấp huyện báo cáo" (``Territory.covers``, a level)."""
    return f"{'Từ 1/7/2025' if after else 'Trước 1/7/2025'}: {covers} — {LEVEL_WORDS[level]}"


def trend_covers(trend: pd.DataFrame) -> list[str]:
    """What the points of a trend cover (``covers`` and ``level`` of ``CycleView.trend``), one
    ``era_line`` per side of the reform; none for a frame without these columns."""
    if not {"covers", "level"} <= set(trend.columns):
        return []
    first = trend.drop_duplicates("cycle").set_index("cycle")
    cycles = sorted({parse_cycle(c) for c in trend["cycle"]})
    lines = []
    for after in (False, True):
        eras = dict.fromkeys((first.at[c.id, "covers"], first.at[c.id, "level"]) for c in cycles
                             if after_reform(c) == after)
        lines += [era_line(after, covers, level) for covers, level in eras]
    return lines


def trend_absent(trend: pd.DataFrame) -> str:
    """The cycles absent between the first and the last of a trend, as ranges of consecutive ones:
    "năm 2023 – 6 tháng đầu năm 2025" ("" when none is)."""
    cycles = sorted({parse_cycle(c) for c in trend["cycle"]})
    present = set(cycles)
    runs: list[list[Cycle]] = [[]]
    for c in (span(cycles[0], cycles[-1]) if cycles else []):
        if c not in present:
            runs[-1].append(c)
        elif runs[-1]:
            runs.append([])
    return ", ".join(r[0].label if len(r) == 1 else f"{r[0].label} – {r[-1].label}" for r in runs if r)
