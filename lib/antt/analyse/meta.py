"""What every output says about itself: a chart's title, subtitle and source line, and the movement
the returns report on (the title of the deck and the workbooks)."""

from __future__ import annotations

from dataclasses import dataclass

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
