"""The frame every chart shares: a 16:9 Figure drawn inside the house style, with its title,
subtitle and source line, value labels, "không có số liệu" where a value is missing, reference
lines, legends and axes written the Vietnamese way.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from antt.analyse.meta import ChartMeta
from antt.analyse.report_frames import MAX_UNITS, UnitSelection, select_units
from antt.core.indicators import RATIO, province_ratio
from antt.core.text import format_number, format_percent
from antt.publish.house_style import PALETTE, STYLE

FIGSIZE = (13.333, 7.5)
NO_DATA = "không có số liệu"
LABEL_SIZE = 12                  # value labels

#: Where the axes go (left, bottom, width, height in figure fractions); header and footer outside.
_PLOT_RECT = (0.012, 0.055, 0.976, 0.80)
_MARGIN = 0.022                  # left edge of title, subtitle and source


def styled(func):
    """Run a chart function inside the house style and lay the figure out there.

    Matplotlib reads some settings when the figure is drawn (ticks are created lazily), so the
    figure is laid out once inside the style; drawing it later elsewhere gives the same picture.
    The layout is then kept (the constrained-layout engine removed): each later drawing (PNG, SVG,
    a notebook's picture) would otherwise lay the figure out again, about a fifth of its cost.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.style.context(STYLE, after_reset=True):
            fig = func(*args, **kwargs)
            fig.draw_without_rendering()
        fig.set_layout_engine("none")
        return fig
    return wrapper


def new_figure(meta: ChartMeta, nrows: int = 1, ncols: int = 1, **subplots_kw) -> tuple[Figure, np.ndarray]:
    """A 16:9 figure of ``nrows`` × ``ncols`` axes under the title and subtitle, above the source line."""
    fig = Figure(figsize=FIGSIZE, layout=ConstrainedLayoutEngine(rect=_PLOT_RECT, w_pad=0.06, h_pad=0.06,
                                                                 wspace=0.04))
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots_kw)
    # 24 pt, smaller for a long title so that it stays on one line (bold DejaVu Sans ≈ 0.56 em a character)
    size = max(14.0, min(24.0, (FIGSIZE[0] * (1 - 2 * _MARGIN)) * 72 / (0.56 * max(1, len(meta.title)))))
    fig.suptitle(meta.title, x=_MARGIN, y=0.968, ha="left", va="top", fontsize=size,
                 fontweight="bold", color=PALETTE["text"]).set_in_layout(False)
    if meta.subtitle:
        fig.text(_MARGIN, 0.898, meta.subtitle, ha="left", va="top", fontsize=16,
                 color=PALETTE["subtle"]).set_in_layout(False)
    if meta.source:
        fig.text(_MARGIN, 0.018, meta.source, ha="left", va="bottom", fontsize=11,
                 color=PALETTE["subtle"]).set_in_layout(False)
    return fig, axes


def add_note(fig: Figure, text: str) -> None:
    """A small grey note bottom-right (what is left out, and why); the axes rise for each line over one."""
    if text:
        fig.text(1 - _MARGIN, 0.018, text, ha="right", va="bottom", fontsize=11, style="italic",
                 color=PALETTE["subtle"]).set_in_layout(False)
        more = text.count("\n") * 15 / 72 / FIGSIZE[1]           # 11 pt on 15 pt lines
        if more:
            left, bottom, width, height = _PLOT_RECT
            fig.get_layout_engine().set(rect=(left, bottom + more, width, height - more))


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column as float64 with NaN for missing (NA, text, absent column)."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def unit_names(frame: pd.DataFrame) -> pd.Series:
    """The units' names: the ``unit_name`` column, else the index."""
    if "unit_name" in frame.columns:
        return frame["unit_name"].astype(str)
    return pd.Series(frame.index.astype(str), index=frame.index)


def wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def count_axis(axis) -> None:
    """Whole-number ticks written the Vietnamese way (1.234)."""
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: format_number(x)))


def percent_axis(axis, upto: float = 1.0) -> None:
    """Ticks every 20 % from 0 to ``upto`` (a fraction), written "80 %"."""
    axis.set_major_locator(FixedLocator(np.linspace(0, upto, int(round(upto / 0.2)) + 1)))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: format_percent(x, 0)))


def hbar_axis(ax, labels: Sequence[str], positions: Sequence[float] | None = None) -> np.ndarray:
    """Set up a horizontal bar chart: categories top to bottom, grid on x."""
    pos = np.arange(len(labels), dtype=float) if positions is None else np.asarray(positions, dtype=float)
    ax.set_yticks(pos, labels=list(labels))
    ax.set_ylim(pos.max() + 0.6 if len(pos) else 0.6, -0.6)
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.spines["left"].set_visible(False)
    return pos


def headroom(max_value: float, labels: Sequence[str], axes_width_in: float = 10.0, size: float = LABEL_SIZE) -> float:
    """The upper axis limit that leaves room for value labels after the longest bar."""
    longest = max((len(s) for s in labels), default=0)
    label_in = longest * size * 0.62 / 72 + 0.15          # DejaVu Sans: ~0.62 em per character
    frac = min(label_in / axes_width_in, 0.6)
    top = max_value if max_value and not math.isnan(max_value) and max_value > 0 else 1.0
    return top / (1 - frac)


def value_label(ax, x: float, y: float, text: str, *, horizontal: bool = True, size: float = LABEL_SIZE,
                 color: str | None = None, weight: str = "normal", box: bool = False):
    """A value written after the end of a horizontal bar or over a vertical one."""
    kw = dict(textcoords="offset points", fontsize=size, color=color or PALETTE["text"], fontweight=weight,
              annotation_clip=False)
    if box:
        kw["bbox"] = dict(boxstyle="square,pad=0.12", facecolor="white", edgecolor="none")
    if horizontal:
        return ax.annotate(text, xy=(x, y), xytext=(5, 0), ha="left", va="center", **kw)
    return ax.annotate(text, xy=(x, y), xytext=(0, 4), ha="center", va="bottom", **kw)


def no_data_label(ax, pos: float, *, horizontal: bool = True, size: float = LABEL_SIZE):
    """Write "không có số liệu" where a bar would start."""
    kw = dict(textcoords="offset points", fontsize=size, color=PALETTE["subtle"], style="italic",
              annotation_clip=False)
    if horizontal:
        return ax.annotate(NO_DATA, xy=(0, pos), xytext=(5, 0), ha="left", va="center", **kw)
    return ax.annotate(NO_DATA, xy=(pos, 0), xytext=(0, 6), ha="center", va="bottom", rotation=90, **kw)


def unit_rows(units: pd.DataFrame, value: pd.Series, *, limit: int = MAX_UNITS, fmt=format_number,
              first: float = 0.0) -> tuple[UnitSelection, np.ndarray]:
    """The units a per-unit chart shows (``report_frames.select_units``: every unit, or the highest
    and the lowest of many), by ``value`` (largest first), ties by name, and their positions from
    ``first``, one row left empty for the gap."""
    v = pd.to_numeric(pd.Series(value), errors="coerce").astype("float64")
    sel = select_units(units, v, limit, fmt, names=unit_names(units))
    pos = np.arange(len(sel.rows), dtype=float) + first
    if sel.gap is not None:
        pos[sel.gap:] += 1
    return sel, pos


def mark_gap(ax, sel: UnitSelection, pos: np.ndarray, *, horizontal: bool = True) -> None:
    """Write what the gap of a selection holds ("… 71 đơn vị khác, từ 2,1 đến 5,2") where those units
    would be, in grey italics."""
    if sel.gap is None:
        return
    at = float(pos[sel.gap - 1] + 1)
    kw = dict(textcoords="offset points", fontsize=LABEL_SIZE, style="italic", color=PALETTE["subtle"],
              annotation_clip=False)
    if horizontal:
        ax.annotate(sel.gap_label, xy=(0, at), xycoords=("axes fraction", "data"), xytext=(5, 0), ha="left",
                    va="center", **kw)
    else:
        ax.annotate(sel.gap_label, xy=(at, 0), xycoords=("data", "axes fraction"), xytext=(0, 6), ha="center",
                    va="bottom", rotation=90, **kw)


def bold_ticklabel(axis, index: int) -> None:
    """The tick label at ``index`` in bold (the province among the units)."""
    labels = axis.get_ticklabels()
    if 0 <= index < len(labels):
        labels[index].set_fontweight("bold")


def reference_line(ax, x: float, label: str, gid: str):
    """A dashed vertical reference line (target, average) behind the bars, labelled above the axes."""
    line = ax.axvline(x, color=PALETTE["reference"], linewidth=1.6, linestyle=(0, (5, 3)), zorder=1.5, gid=gid)
    ax.annotate(label, xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(0, 5), textcoords="offset points",
                ha="center", va="bottom", fontsize=LABEL_SIZE, fontweight="bold", color=PALETTE["reference"],
                gid=gid + "_label")
    return line


def province_value(frame: pd.DataFrame, ratio: str) -> float:
    """The province value of a ratio of ``indicators.RATIOS`` over the rows of ``frame``
    (``indicators.province_ratio``); NaN when there is none."""
    r = RATIO[ratio]
    value = province_ratio(pd.DataFrame({k: column(frame, k) for k in (r.numerator, r.denominator)}), r)
    return float("nan") if value is None else value


def legend_above(ax, handles=None, ncols: int | None = None, **kw):
    """A one-row legend between the subtitle and the axes."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols or len(handles),
                     borderaxespad=0.2, handlelength=1.2, columnspacing=1.6, **kw)


def clear_of_line(ax, labels, x: float) -> None:
    """Move the value labels (``value_label`` after a horizontal bar) that a vertical line at ``x``
    would cross inside their bar, right-aligned in white (lays the figure out to measure them)."""
    ax.figure.draw_without_rendering()
    at = ax.transData.transform((x, 0))[0]
    for label in labels:
        b = label.get_window_extent()
        if b.x0 - 3 <= at <= b.x1 + 3:
            label.xyann = (-5, 0)
            label.set_horizontalalignment("right")
            label.set_color("white")
            label.set_bbox(None)


@styled
def card(meta: ChartMeta, sentence: str) -> Figure:
    """A slide-sized card saying in a sentence what a chart would show when its picture would carry
    nothing (every unit at 100 %, every table received): title, subtitle and source as a chart's."""
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    ax.set_axis_off()
    ax.text(0.5, 0.55, wrap(sentence, 56), transform=ax.transAxes, ha="center", va="center", fontsize=26,
            linespacing=1.5, color=PALETTE["text"], gid="sentence")
    return fig


def move_apart(ax, texts, fixed=()) -> None:
    """Move each of ``texts`` (annotations placed with an offset in points), in order, to the first of a
    few offsets (up, down, aside, by steps of its height) where it overlaps neither a text placed before
    it nor one of ``fixed``; a text with no free offset stays where it is (lays the figure out to measure)."""
    ax.figure.draw_without_rendering()
    taken = [t.get_window_extent() for t in fixed]
    px = ax.figure.dpi / 72                                  # pixels per point
    for t in texts:
        b = t.get_window_extent()
        h, w = b.height / px, b.width / px * 0.6
        for dx, dy in ((0, 0), (0, h), (0, -h), (w, 0), (-w, 0), (0, 2 * h), (0, -2 * h), (w, h), (-w, -h),
                       (w, -h), (-w, h), (0, 3 * h), (0, -3 * h)):
            moved = b.translated(dx * px, dy * px)
            if not any(moved.overlaps(o) for o in taken):
                t.xyann = (dx, dy)
                b = moved
                break
        taken.append(b)
