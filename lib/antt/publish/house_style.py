"""The house style as data, shared by the charts, the deck, the workbooks and the quality report:
the matplotlib style file, the colour-blind-safe palette and the colours with a meaning, the
Vietnamese labels and colours of a table's status, and the font of the Office files.
"""

from __future__ import annotations

from pathlib import Path

from antt.core.forms import OTHER_MODEL_TYPE

#: The matplotlib style of every chart (font, sizes, spines, grid, the Okabe–Ito colour cycle).
STYLE = Path(__file__).with_name("style") / "antt.mplstyle"
#: The font of the deck and the workbooks.
OFFICE_FONT = "Arial"

#: Okabe–Ito, the colour-blind-safe palette of the style's colour cycle.
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
    "sky_blue": "#56B4E9", "reddish_purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
#: Colours with a meaning. The status colours ("good" = đạt, "bad" = chưa đạt, "warn" = close to it or
#: to be looked at) mean only that, in every chart, the deck and the workbooks; every other series takes
#: "primary", "secondary", "accent" or ``SERIES`` (blues and purples), never a status colour.
PALETTE = {
    "primary": OKABE_ITO["blue"],
    "secondary": OKABE_ITO["sky_blue"],
    "accent": OKABE_ITO["reddish_purple"],
    "good": OKABE_ITO["bluish_green"],
    "bad": OKABE_ITO["vermillion"],
    "warn": OKABE_ITO["orange"],
    "muted": "#C9C9C9",          # totals behind a part, not-applicable units
    "other": "#8C8C8C",          # the "Khác" of a category
    "text": "#262626",
    "subtle": "#666666",         # subtitle, source, "không có số liệu"
    "reference": "#262626",      # target and average lines
}
#: Series without a status (model types, one colour per panel): the non-status colours in this order.
SERIES = (PALETTE["primary"], PALETTE["secondary"], PALETTE["accent"], "#332288", "#9F8CC9", "#5B7083")

#: Fills light enough for dark text on them (white on the others).
PALE = (PALETTE["secondary"], SERIES[4], PALETTE["muted"])


def type_colours(types: list[str]) -> dict[str, str]:
    """A non-status colour (``SERIES``) per model type, in the order given; grey for "Khác"."""
    others = [t for t in types if t != OTHER_MODEL_TYPE]
    return {t: SERIES[others.index(t) % len(SERIES)] if t in others else PALETTE["other"] for t in types}


#: Titles and headings of the deck and the workbooks.
HEADING = "#1F4E79"

#: A table of a district's return: received, empty (counts as not received), missing, rejected.
COMPLETENESS_LABELS = {"received": "Đã nhận", "empty": "Trống", "missing": "Thiếu", "rejected": "Bị từ chối"}
#: Received is a pale green so that what is not received stands out.
COMPLETENESS_COLORS = {"received": "#CDEBE1", "empty": OKABE_ITO["yellow"], "missing": OKABE_ITO["orange"],
                       "rejected": OKABE_ITO["vermillion"]}
