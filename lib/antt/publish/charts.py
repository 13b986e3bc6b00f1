"""Charts: frames in, matplotlib Figures out. No file I/O (``export`` writes the files).

House style is data: ``style/antt.mplstyle`` (font, sizes, spines, grid, the Okabe–Ito colour cycle)
applied with ``matplotlib.style.context`` inside every function, so importing this module changes no
global state, and ``PALETTE`` below for colours with a meaning (met / not met, no data). Every chart:

- is a ``matplotlib.figure.Figure`` (no pyplot state, nothing to close) of 13.333 × 7.5 in (16:9);
- has a left-aligned Vietnamese title (``fig.get_suptitle()``), a subtitle with the period under it
  and the source line bottom-left ("Nguồn: báo cáo của 11/11 đơn vị cấp huyện, kỳ …"), from
  :class:`ChartMeta`;
- writes numbers the Vietnamese way (1.234; 79,1 %) via ``antt.core.text``;
- writes a missing value as "không có số liệu", never draws it as zero;
- uses DejaVu Sans, which covers every Vietnamese letter.

Input frames (the caller builds them from processed data; values are floats, NaN/NA = no data):

``districts``
    one row per district: ``district_name`` (short name, "Lộc Ninh"), optional ``district_code``,
    and any of the 15 summary keys of ``antt.core.indicators`` (kdc_total, kdc_registered, kdc_meeting,
    ntm_communes, ntm_met, models_residential, models_institutional, communes_with_models, cameras,
    broadcast_hours, banners_posters, bright_spots_upper, bright_spots_commune, core_groups,
    core_group_members).
``ntm``
    one row per xã of table ``ntm``: ``ntm_criteria_met`` (0–19), ``ntm_met`` (bool), ``ntm_year``.
``trend``
    one row per cycle × key: ``cycle`` ("2023-H1"), ``cycle_label`` ("6 tháng đầu năm 2023"),
    ``key`` (a summary key or a ratio of ``antt.core.indicators.RATIOS``), ``value``.
``models``
    one row per model: ``district_name``, ``model_type`` (one of ``forms.MODEL_TYPES``),
    ``setting`` ("residential" / "institutional"), ``cameras``.
``communes``
    one row per commune: ``commune_code``, ``commune_name``, ``district_name``, ``lat``, ``lon``,
    ``status`` (a short category: "Đạt chuẩn NTM", "Chưa đạt", "Phường, thị trấn",
    "100 % KDC đạt chuẩn", "Dưới 95 %", "Không có số liệu", …).
``completeness``
    district × table matrix of "received" / "empty" / "missing" / "rejected": index (or a column)
    ``district_name``, one column per table id (kdc, ntm, models, outreach, bright_spots); or the
    long form with columns ``district_name``, ``table``, ``status``.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from antt.core.cycles import parse_cycle
from antt.core.forms import MODEL_TYPES, OTHER_MODEL_TYPE, TABLES
from antt.core.indicators import KEYS, RATIO, is_flow
from antt.core.text import format_number, format_percent

__all__ = [
    "ChartMeta", "FIGSIZE", "NO_DATA", "PALETTE", "STYLE", "source_line",
    "plot_kdc_coverage", "plot_kdc_registered_meeting", "plot_ntm_by_district",
    "plot_ntm_criteria_distribution", "plot_ntm_recognitions_by_year", "plot_trend",
    "plot_models_by_type", "plot_models_setting", "plot_cameras_per_kdc", "plot_outreach",
    "plot_bright_spots", "plot_commune_map", "plot_completeness",
]

STYLE = Path(__file__).with_name("style") / "antt.mplstyle"
FIGSIZE = (13.333, 7.5)
NO_DATA = "không có số liệu"

#: Okabe–Ito, the colour-blind-safe palette of the style's colour cycle.
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
    "sky_blue": "#56B4E9", "reddish_purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
#: Colours with a meaning.
PALETTE = {
    "primary": OKABE_ITO["blue"],
    "secondary": OKABE_ITO["sky_blue"],
    "accent": OKABE_ITO["orange"],
    "good": OKABE_ITO["bluish_green"],
    "bad": OKABE_ITO["vermillion"],
    "warn": OKABE_ITO["orange"],
    "muted": "#C9C9C9",          # totals behind a part, not-applicable units
    "text": "#262626",
    "subtle": "#666666",         # subtitle, source, "không có số liệu"
    "reference": "#262626",      # target and average lines
}

#: Where the axes go (left, bottom, width, height in figure fractions); header and footer outside.
_PLOT_RECT = (0.012, 0.055, 0.976, 0.80)
_MARGIN = 0.022                  # left edge of title, subtitle and source
_LABEL_SIZE = 12                 # value labels


@dataclass(frozen=True)
class ChartMeta:
    """What a chart says about itself: title, subtitle (the period), source line."""

    title: str
    subtitle: str = ""
    source: str = ""


def source_line(reporting: int, expected: int, period: str) -> str:
    """``source_line(11, 11, "6 tháng đầu năm 2023")`` ->
    "Nguồn: báo cáo của 11/11 đơn vị cấp huyện, kỳ 6 tháng đầu năm 2023"."""
    return f"Nguồn: báo cáo của {reporting}/{expected} đơn vị cấp huyện, kỳ {period}"


# --- machinery ---------------------------------------------------------------------------------

def _styled(func):
    """Run a chart function inside the house style and lay the figure out there.

    Matplotlib reads some settings when the figure is drawn (ticks are created lazily), so the
    figure is laid out once inside the style; drawing it later elsewhere gives the same picture.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.style.context(STYLE, after_reset=True):
            fig = func(*args, **kwargs)
            fig.draw_without_rendering()
        return fig
    return wrapper


def _figure(meta: ChartMeta, nrows: int = 1, ncols: int = 1, **subplots_kw) -> tuple[Figure, np.ndarray]:
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


def _note(fig: Figure, text: str) -> None:
    """A small grey note bottom-right (what is left out, and why)."""
    if text:
        fig.text(1 - _MARGIN, 0.018, text, ha="right", va="bottom", fontsize=11, style="italic",
                 color=PALETTE["subtle"]).set_in_layout(False)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column as float64 with NaN for missing (NA, text, absent column)."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def _names(frame: pd.DataFrame) -> pd.Series:
    if "district_name" in frame.columns:
        return frame["district_name"].astype(str)
    return pd.Series(frame.index.astype(str), index=frame.index)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _count_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: format_number(x)))


def _percent_axis(axis, upto: float = 1.0) -> None:
    axis.set_major_locator(FixedLocator(np.linspace(0, upto, int(round(upto / 0.2)) + 1)))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: format_percent(x, 0)))


def _horizontal(ax, labels: Sequence[str], positions: Sequence[float] | None = None) -> np.ndarray:
    """Set up a horizontal bar chart: categories top to bottom, grid on x."""
    pos = np.arange(len(labels), dtype=float) if positions is None else np.asarray(positions, dtype=float)
    ax.set_yticks(pos, labels=list(labels))
    ax.set_ylim(pos.max() + 0.6 if len(pos) else 0.6, -0.6)
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    ax.spines["left"].set_visible(False)
    return pos


def _headroom(max_value: float, labels: Sequence[str], axes_width_in: float = 10.0, size: float = _LABEL_SIZE) -> float:
    """The upper axis limit that leaves room for value labels after the longest bar."""
    longest = max((len(s) for s in labels), default=0)
    label_in = longest * size * 0.62 / 72 + 0.15          # DejaVu Sans: ~0.62 em per character
    frac = min(label_in / axes_width_in, 0.6)
    top = max_value if max_value and not math.isnan(max_value) and max_value > 0 else 1.0
    return top / (1 - frac)


def _value_label(ax, x: float, y: float, text: str, *, horizontal: bool = True, size: float = _LABEL_SIZE,
                 color: str | None = None, weight: str = "normal", box: bool = False):
    kw = dict(textcoords="offset points", fontsize=size, color=color or PALETTE["text"], fontweight=weight,
              annotation_clip=False)
    if box:
        kw["bbox"] = dict(boxstyle="square,pad=0.12", facecolor="white", edgecolor="none")
    if horizontal:
        return ax.annotate(text, xy=(x, y), xytext=(5, 0), ha="left", va="center", **kw)
    return ax.annotate(text, xy=(x, y), xytext=(0, 4), ha="center", va="bottom", **kw)


def _no_data(ax, pos: float, *, horizontal: bool = True, size: float = _LABEL_SIZE):
    """Write "không có số liệu" where a bar would start."""
    kw = dict(textcoords="offset points", fontsize=size, color=PALETTE["subtle"], style="italic",
              annotation_clip=False)
    if horizontal:
        return ax.annotate(NO_DATA, xy=(0, pos), xytext=(5, 0), ha="left", va="center", **kw)
    return ax.annotate(NO_DATA, xy=(pos, 0), xytext=(0, 6), ha="center", va="bottom", rotation=90, **kw)


def _sorted(frame: pd.DataFrame, by: pd.Series, ascending: bool = False) -> pd.DataFrame:
    """Rows by value, largest first, rows without a value last (stable on ties)."""
    return frame.assign(_by=by).sort_values("_by", ascending=ascending, na_position="last",
                                            kind="stable").drop(columns="_by")


def _bold_ticklabel(axis, index: int) -> None:
    labels = axis.get_ticklabels()
    if 0 <= index < len(labels):
        labels[index].set_fontweight("bold")


def _reference_line(ax, x: float, label: str, gid: str, *, vertical: bool = True):
    """A dashed reference line (target, average) behind the bars, labelled above the axes."""
    if vertical:
        line = ax.axvline(x, color=PALETTE["reference"], linewidth=1.6, linestyle=(0, (5, 3)), zorder=1.5)
        text = ax.annotate(label, xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(0, 5),
                           textcoords="offset points", ha="center", va="bottom", fontsize=_LABEL_SIZE,
                           fontweight="bold", color=PALETTE["reference"])
    else:
        line = ax.axhline(x, color=PALETTE["reference"], linewidth=1.6, linestyle=(0, (5, 3)), zorder=1.5)
        text = ax.annotate(label, xy=(1, x), xycoords=("axes fraction", "data"), xytext=(5, 0),
                           textcoords="offset points", ha="left", va="center", fontsize=_LABEL_SIZE - 1,
                           fontweight="bold", color=PALETTE["reference"])
    line.set_gid(gid)
    text.set_gid(gid + "_label")
    return line


def _province_share(num: pd.Series, den: pd.Series) -> float:
    ok = num.notna() & den.notna() & (den > 0)
    return float(num[ok].sum() / den[ok].sum()) if ok.any() else float("nan")


def _legend_above(ax, handles=None, ncols: int | None = None, **kw):
    """A one-row legend between the subtitle and the axes."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    return ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols or len(handles),
                     borderaxespad=0.2, handlelength=1.2, columnspacing=1.6, **kw)


# --- KDC -----------------------------------------------------------------------------------------

@_styled
def plot_kdc_coverage(districts: pd.DataFrame, target: float | None = None, *, meta: ChartMeta,
                      show_province: bool = True) -> Figure:
    """Share of residential areas meeting the standard (kdc_meeting / kdc_total) by district, sorted.

    Columns: district_name, kdc_total, kdc_meeting. Bars below ``target`` (a fraction, 0.95) are
    vermillion, at or above it green; the target is a dashed line labelled "Chỉ tiêu 95 %". The
    province ("Toàn tỉnh") is the first bar, over the districts that reported both counts.
    """
    total, meeting = _col(districts, "kdc_total"), _col(districts, "kdc_meeting")
    share = meeting / total.where(total > 0)
    d = _sorted(districts.assign(_share=share), share)
    labels, values = list(_names(d)), list(d["_share"])
    positions = list(np.arange(len(labels)) + (1.35 if show_province else 0))
    if show_province:
        labels.insert(0, "Toàn tỉnh")
        values.insert(0, _province_share(meeting, total))
        positions.insert(0, 0.0)

    fig, axes = _figure(meta)
    ax = axes[0, 0]
    pos = _horizontal(ax, labels, positions)

    def colour(v):
        if target is None:
            return PALETTE["primary"]
        return PALETTE["good"] if v >= target - 1e-12 else PALETTE["bad"]

    for i, (p, v) in enumerate(zip(pos, values)):
        if math.isnan(v):
            _no_data(ax, p)
            continue
        province = show_province and i == 0
        ax.barh(p, v, height=0.68, color=colour(v), zorder=2,
                edgecolor=PALETTE["text"] if province else "none", linewidth=1.4 if province else 0)
        _value_label(ax, v, p, format_percent(v, 1), box=True, weight="bold" if province else "normal")
    if show_province:
        _bold_ticklabel(ax.yaxis, 0)
    top = max([1.0] + [v for v in values if not math.isnan(v)])
    ax.set_xlim(0, _headroom(top, ["100,0 %"], 10.5))
    _percent_axis(ax.xaxis, 1.0)
    ax.set_xlabel(_wrap(RATIO["kdc_meeting_share"].label, 90))
    if target is not None:
        _reference_line(ax, target, f"Chỉ tiêu {format_percent(target, 0)}", "target")
        _legend_above(ax, [Patch(color=PALETTE["good"], label="Đạt chỉ tiêu"),
                           Patch(color=PALETTE["bad"], label="Chưa đạt chỉ tiêu")])
    return fig


@_styled
def plot_kdc_registered_meeting(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Residential areas by district: total, registered, meeting the standard (counts, grouped).

    Columns: district_name, kdc_total, kdc_registered, kdc_meeting. Sorted by total.
    """
    series = [("kdc_total", "Tổng số khu dân cư", PALETTE["muted"]),
              ("kdc_registered", "Đăng ký", PALETTE["secondary"]),
              ("kdc_meeting", "Đạt chuẩn", PALETTE["primary"])]
    d = _sorted(districts, _col(districts, "kdc_total"))
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    x = np.arange(len(d))
    width = 0.27
    top = 0.0
    for j, (key, label, colour) in enumerate(series):
        vals = _col(d, key).to_numpy()
        xs = x + (j - 1) * width
        ax.bar(xs, np.nan_to_num(vals), width=width * 0.94, color=colour, label=label, zorder=2)
        for xi, v in zip(xs, vals):
            if not math.isnan(v):
                _value_label(ax, xi, v, format_number(v), horizontal=False, size=10.5)
                top = max(top, v)
    all_missing = pd.concat([_col(d, k) for k, _, _ in series], axis=1).isna().all(axis=1)
    for xi, missing in zip(x, all_missing):
        if missing:
            _no_data(ax, xi, horizontal=False)
    ax.set_xticks(x, labels=[_wrap(n, 9) for n in _names(d)])
    ax.set_xlim(-0.6, len(d) - 0.4)
    ax.set_ylim(0, (top or 1) * 1.12)
    _count_axis(ax.yaxis)
    ax.set_ylabel("khu dân cư")
    ax.legend(loc="upper right", ncols=3)
    return fig


# --- NTM -----------------------------------------------------------------------------------------

@_styled
def plot_ntm_by_district(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Xã meeting the new-rural standard out of all xã, by district ("68/86"), sorted by share.

    Columns: district_name, ntm_communes, ntm_met. A grey bar is every xã, the green part those met.
    """
    n, met = _col(districts, "ntm_communes"), _col(districts, "ntm_met")
    d = _sorted(districts.assign(_n=n, _met=met), met / n.where(n > 0))
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    pos = _horizontal(ax, list(_names(d)))
    labels = []
    for p, total, m in zip(pos, d["_n"], d["_met"]):
        if math.isnan(total) or math.isnan(m):
            _no_data(ax, p)
            continue
        if total == 0:
            ax.annotate("không có xã", xy=(0, p), xytext=(5, 0), textcoords="offset points", va="center",
                        fontsize=_LABEL_SIZE, color=PALETTE["subtle"], style="italic")
            continue
        ax.barh(p, total, height=0.68, color=PALETTE["muted"], zorder=2)
        ax.barh(p, m, height=0.68, color=PALETTE["good"], zorder=2.1)
        text = f"{format_number(m)}/{format_number(total)}  ({format_percent(m / total, 0)})"
        labels.append(text)
        _value_label(ax, total, p, text)
    top = float(np.nanmax(d["_n"])) if d["_n"].notna().any() else 1.0
    ax.set_xlim(0, _headroom(top, labels, 10.5))
    _count_axis(ax.xaxis)
    ax.set_xlabel("số xã")
    ok = n.notna() & met.notna()
    prov = f" — toàn tỉnh {format_number(met[ok].sum())}/{format_number(n[ok].sum())} xã" if ok.any() else ""
    _legend_above(ax, [Patch(color=PALETTE["good"], label="Đạt chuẩn nông thôn mới" + prov),
                       Patch(color=PALETTE["muted"], label="Chưa đạt")])
    return fig


@_styled
def plot_ntm_criteria_distribution(ntm: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """How many xã have met each number of the 19 criteria; 17–18 ("one or two short") highlighted.

    Columns: ntm_criteria_met (0–19). Xã without a value are counted in a note, not as zero.
    """
    crit = _col(ntm, "ntm_criteria_met")
    known = crit.dropna().round().clip(0, 19).astype(int)
    low = int(min(known.min(), 10)) if len(known) else 10
    xs = np.arange(low, 20)
    counts = known.value_counts().reindex(xs, fill_value=0)

    def colour(k):
        return PALETTE["good"] if k == 19 else PALETTE["warn"] if k >= 17 else PALETTE["secondary"]

    fig, axes = _figure(meta)
    ax = axes[0, 0]
    ax.bar(xs, counts.to_numpy(), width=0.72, color=[colour(k) for k in xs], zorder=2)
    for k, c in zip(xs, counts):
        if c:
            _value_label(ax, k, c, format_number(c), horizontal=False)
    ax.set_xticks(xs, labels=[str(k) for k in xs])
    ax.set_xlim(low - 0.6, 19.6)
    ax.set_ylim(0, max(1, counts.max()) * 1.15)
    _count_axis(ax.yaxis)
    ax.set_xlabel("Số tiêu chí đã đạt (trên 19 tiêu chí)")
    ax.set_ylabel("số xã")
    short = int(counts.loc[17:18].sum())
    _legend_above(ax, [Patch(color=PALETTE["good"], label="Đạt đủ 19 tiêu chí"),
                       Patch(color=PALETTE["warn"], label=f"Còn thiếu 1–2 tiêu chí ({format_number(short)} xã)"),
                       Patch(color=PALETTE["secondary"], label="Còn thiếu từ 3 tiêu chí")])
    missing = int(crit.isna().sum())
    if missing:
        _note(fig, f"{format_number(missing)} xã {NO_DATA} về số tiêu chí")
    return fig


@_styled
def plot_ntm_recognitions_by_year(ntm: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Xã recognised as new-rural per year (bars) and the running total (line).

    Columns: ntm_year (year of recognition, NaN if none), optional ntm_met (bool): xã met but with
    no year are counted in a note.
    """
    years = _col(ntm, "ntm_year").dropna().round().astype(int)
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    if len(years):
        xs = np.arange(years.min(), years.max() + 1)
        counts = years.value_counts().reindex(xs, fill_value=0)
        cum = counts.cumsum()
        ax.bar(xs, counts.to_numpy(), width=0.66, color=PALETTE["primary"], zorder=2,
               label="Số xã được công nhận trong năm")
        for x, c in zip(xs, counts):
            if c:
                _value_label(ax, x, c, format_number(c), horizontal=False)
        ax.plot(xs, cum.to_numpy(), color=PALETTE["accent"], marker="o", zorder=3,
                label="Lũy kế (tổng số xã đã được công nhận)")
        for i, (x, c) in enumerate(zip(xs, cum)):
            if i == 0:
                continue                                    # the bar's label says it already
            ax.annotate(format_number(c), xy=(x, c), xytext=(0, 8), textcoords="offset points", ha="center",
                        va="bottom", fontsize=_LABEL_SIZE, color=PALETTE["text"], fontweight="bold",
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))
        ax.set_xticks(xs, labels=[str(x) for x in xs])     # years: no thousands separator
        ax.set_xlim(xs.min() - 0.6, xs.max() + 0.6)
        ax.set_ylim(0, max(1, cum.max()) * 1.15)
        ax.legend(loc="upper left")
    else:
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center", fontsize=16,
                color=PALETTE["subtle"], style="italic")
        ax.set_xticks([])
    _count_axis(ax.yaxis)
    ax.set_ylabel("số xã")
    ax.set_xlabel("Năm được công nhận")
    if "ntm_met" in ntm.columns:
        met = ntm["ntm_met"].astype("boolean").fillna(False).astype(bool)
        no_year = int((met & _col(ntm, "ntm_year").isna()).sum())
        if no_year:
            _note(fig, f"{format_number(no_year)} xã đạt chuẩn chưa ghi năm công nhận")
    return fig


# --- trend ---------------------------------------------------------------------------------------

def _key_label(key: str) -> str:
    if key in KEYS:
        return KEYS[key].label
    if key in RATIO:
        return RATIO[key].label
    return key


def _key_format(key: str):
    if key.endswith("_share"):
        return lambda v: format_percent(v, 1), lambda v, _p: format_percent(v, 0)
    if key in RATIO:
        return lambda v: format_number(v, 1), lambda v, _p: format_number(v, 1)
    return lambda v: format_number(v), lambda v, _p: format_number(v)


def _cycle_end(cycle_id: str):
    try:
        return parse_cycle(cycle_id).end
    except ValueError:
        return None


@_styled
def plot_trend(trend: pd.DataFrame, keys: Sequence[str] | None = None, *, meta: ChartMeta,
               targets: dict[str, float] | None = None) -> Figure:
    """Each key across cycles, one small panel per key (own scale, from zero), values labelled.

    Columns: cycle, cycle_label, key, value. Keys may be summary keys or ratios (``*_share`` are
    shown as percentages). Cycles are ordered by end date. A cycle without a value is a gap marked
    "không có số liệu". Flows (giờ phát thanh, băng rôn) of half-year and whole-year cycles are not
    comparable: a panel mixing them says so. ``targets`` ({key: value}, e.g.
    {"kdc_meeting_share": 0.95}) draws a dashed target line in that key's panel.
    """
    keys = list(keys) if keys is not None else list(dict.fromkeys(trend["key"]))
    cycles = trend[["cycle", "cycle_label"]].drop_duplicates("cycle")
    cycles = cycles.assign(_end=[_cycle_end(c) for c in cycles["cycle"]])
    if cycles["_end"].notna().all():
        cycles = cycles.sort_values("_end", kind="stable")
    order = list(cycles["cycle"])
    xlabels = [_wrap(lbl, 12) for lbl in cycles["cycle_label"]]
    n = max(1, len(keys))
    ncols = n if n <= 3 else math.ceil(n / 2)
    nrows = 1 if n <= 3 else 2
    fig, axes = _figure(meta, nrows, ncols)
    x = np.arange(len(order))
    for i, ax in enumerate(axes.flat):
        if i >= n or not keys:
            ax.set_visible(False)
            continue
        key = keys[i]
        values = (trend[trend["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")["value"]
                  .reindex(order))
        v = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        fmt_label, fmt_tick = _key_format(key)
        colour = list(OKABE_ITO.values())[i % 7]
        known = np.isfinite(v)
        if known.sum() > 1 and not known.all():            # bridge a missing cycle, dotted
            ax.plot(x[known], v[known], color=colour, linestyle=(0, (1, 2.5)), linewidth=1.6, zorder=2.5)
        ax.plot(x, v, color=colour, marker="o", zorder=3)
        top = np.nanmax(v) if known.any() else 1.0
        small = nrows > 1 or ncols > 2
        for xi, vi in zip(x, v):
            if math.isnan(vi):
                ax.annotate(NO_DATA, xy=(xi, 0), xytext=(0, 6), textcoords="offset points", ha="center",
                            va="bottom", rotation=90, fontsize=10 if small else _LABEL_SIZE,
                            color=PALETTE["subtle"], style="italic")
            else:
                ax.annotate(fmt_label(vi), xy=(xi, vi), xytext=(0, 9), textcoords="offset points",
                            ha="center", va="bottom", fontsize=10.5 if small else _LABEL_SIZE,
                            fontweight="bold", color=PALETTE["text"], zorder=4,
                            bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))
        if key.endswith("_share"):
            ax.set_ylim(0, max(1.0, top) * 1.18)
            ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        else:
            ax.set_ylim(0, (top if top > 0 else 1) * 1.25)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4 if small else 6, steps=[1, 2, 2.5, 5, 10],
                                                   min_n_ticks=3))
        ax.yaxis.set_major_formatter(FuncFormatter(fmt_tick))
        if targets and targets.get(key) is not None:
            t = targets[key]
            _reference_line(ax, t, "Chỉ tiêu\n" + (format_percent(t, 0 if round(t * 100, 6).is_integer() else 1)
                                                   if key.endswith("_share") else format_number(t)),
                            "target", vertical=False)
        ax.set_xticks(x, labels=xlabels, fontsize=10.5 if small else 12)
        ax.set_xlim(-0.4, len(order) - 0.6 if len(order) > 1 else 0.4)
        ax.set_title(_wrap(_key_label(key), 34 if ncols > 2 else 60), fontsize=13 if small else 15)
        kinds = {c.endswith("-H1") for c in order}
        if is_flow(key) and len(kinds) > 1:
            ax.text(0, -0.32 if small else -0.2, "Số liệu 6 tháng và cả năm không so sánh trực tiếp",
                    transform=ax.transAxes, fontsize=10, style="italic", color=PALETTE["subtle"])
    return fig


# --- models --------------------------------------------------------------------------------------

def _type_colours(types: Sequence[str]) -> dict[str, str]:
    cycle = [c for name, c in OKABE_ITO.items() if name != "black"]
    out, i = {}, 0
    for t in types:
        if t == OTHER_MODEL_TYPE:
            out[t] = "#A6A6A6"
        else:
            out[t] = cycle[i % len(cycle)]
            i += 1
    return out


@_styled
def plot_models_by_type(models: pd.DataFrame, *, meta: ChartMeta, districts: pd.DataFrame | None = None) -> Figure:
    """Models by type and district: stacked horizontal bars, total at the end, sorted by total.

    Columns of ``models``: district_name, model_type. Optional ``districts`` (district_name,
    models_residential, models_institutional) adds the districts without a model (0) and marks
    those without data ("không có số liệu").
    """
    types_present = list(dict.fromkeys(models["model_type"].dropna().astype(str)))
    types = [t for t in MODEL_TYPES if t in types_present and t != OTHER_MODEL_TYPE]
    types += [t for t in types_present if t not in MODEL_TYPES]
    if OTHER_MODEL_TYPE in types_present:
        types.append(OTHER_MODEL_TYPE)
    table = pd.crosstab(models["district_name"].astype(str), models["model_type"].astype(str))
    table = table.reindex(columns=types, fill_value=0)
    no_data: set[str] = set()
    if districts is not None:
        names = list(_names(districts))
        res, inst = _col(districts, "models_residential"), _col(districts, "models_institutional")
        no_data = {nm for nm, a, b in zip(names, res, inst) if math.isnan(a) and math.isnan(b)}
        table = table.reindex(list(dict.fromkeys(list(table.index) + names)), fill_value=0)
    totals = table.sum(axis=1).astype(float)
    totals[totals.index.isin(no_data)] = np.nan
    table = table.loc[totals.sort_values(ascending=False, na_position="last", kind="stable").index]
    totals = totals.reindex(table.index)

    colours = _type_colours(types)
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    pos = _horizontal(ax, list(table.index))
    top = float(np.nanmax(totals)) if totals.notna().any() else 1.0
    left = np.zeros(len(table))
    for t in types:
        vals = table[t].to_numpy(dtype=float)
        vals[np.isnan(totals.to_numpy())] = 0
        ax.barh(pos, vals, left=left, height=0.68, color=colours[t], label=_wrap(t, 28), zorder=2,
                edgecolor="white", linewidth=0.6)
        for p, lft, v in zip(pos, left, vals):
            if v >= top * 0.045:
                dark = colours[t] in (OKABE_ITO["yellow"], OKABE_ITO["sky_blue"], OKABE_ITO["orange"], "#A6A6A6")
                ax.text(lft + v / 2, p, format_number(v), ha="center", va="center", fontsize=10.5,
                        color=PALETTE["text"] if dark else "white")
        left += vals
    for p, tot in zip(pos, totals):
        if math.isnan(tot):
            _no_data(ax, p)
        else:
            _value_label(ax, tot, p, format_number(tot), weight="bold")
    ax.set_xlim(0, _headroom(top, [format_number(top)], 8.5))
    _count_axis(ax.xaxis)
    ax.set_xlabel("số mô hình")
    if types:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="Loại mô hình", alignment="left",
                  handlelength=1.2, labelspacing=0.8)
    elif not len(table):
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center", fontsize=16,
                color=PALETTE["subtle"], style="italic")
    return fig


def _grouped_hbars(ax, d: pd.DataFrame, series: Sequence[tuple[str, str, str]], size: float = 11) -> list[str]:
    """Two or three bars per district row, each labelled; NaN written out. Returns the labels."""
    pos = _horizontal(ax, list(_names(d)))
    k = len(series)
    h = 0.8 / k
    texts = []
    for j, (key, label, colour) in enumerate(series):
        vals = _col(d, key).to_numpy()
        ys = pos + (j - (k - 1) / 2) * h
        ax.barh(ys, np.nan_to_num(vals), height=h * 0.92, color=colour, label=label, zorder=2)
        for y, v in zip(ys, vals):
            if math.isnan(v):
                _no_data(ax, y, size=size - 1)
            else:
                texts.append(format_number(v))
                _value_label(ax, v, y, texts[-1], size=size)
    return texts


@_styled
def plot_models_setting(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Models in residential areas vs in agencies, enterprises and schools, by district.

    Columns: district_name, models_residential, models_institutional. Sorted by their sum.
    """
    res, inst = _col(districts, "models_residential"), _col(districts, "models_institutional")
    d = _sorted(districts, res.add(inst, fill_value=0).where(res.notna() | inst.notna()))
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    texts = _grouped_hbars(ax, d, [("models_residential", "Ở khu dân cư", PALETTE["primary"]),
                                   ("models_institutional", "Ở cơ quan, doanh nghiệp, nhà trường",
                                    PALETTE["accent"])])
    top = float(np.nanmax([res.max(), inst.max(), 1]))
    ax.set_xlim(0, _headroom(top, texts, 10.5, 11))
    _count_axis(ax.xaxis)
    ax.set_xlabel("số mô hình")
    _legend_above(ax)
    ok = res.notna() & inst.notna()
    if ok.any():
        _note(fig, f"Toàn tỉnh: {format_number(res[ok].sum())} mô hình ở khu dân cư, "
                   f"{format_number(inst[ok].sum())} ở cơ quan, doanh nghiệp, nhà trường")
    return fig


@_styled
def plot_cameras_per_kdc(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Security cameras per residential area by district (cameras / kdc_total), with the province mean.

    Columns: district_name, cameras, kdc_total.
    """
    cams, kdc = _col(districts, "cameras"), _col(districts, "kdc_total")
    per = cams / kdc.where(kdc > 0)
    d = _sorted(districts.assign(_per=per, _cams=cams), per)
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    pos = _horizontal(ax, list(_names(d)))
    texts = []
    for p, v, c in zip(pos, d["_per"], d["_cams"]):
        if math.isnan(v):
            _no_data(ax, p)
            continue
        ax.barh(p, v, height=0.68, color=PALETTE["primary"], zorder=2)
        texts.append(f"{format_number(v, 1)}  ({format_number(c)} camera)")
        _value_label(ax, v, p, texts[-1], box=True)
    top = float(np.nanmax(per)) if per.notna().any() else 1.0
    ax.set_xlim(0, _headroom(top, texts, 10.5))
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: format_number(x, 1)))
    ax.set_xlabel("camera trên một khu dân cư")
    mean = _province_share(cams, kdc)
    if not math.isnan(mean):
        _reference_line(ax, mean, f"Bình quân toàn tỉnh {format_number(mean, 1)}", "province_mean")
    return fig


# --- outreach, bright spots ----------------------------------------------------------------------

def _panel_hbars(ax, names: Sequence[str], values: np.ndarray, colour: str, fmt=format_number,
                 labels: Sequence[str] | None = None, axes_width_in: float = 5.2, show_names: bool = True):
    pos = _horizontal(ax, list(names) if show_names else [""] * len(names))
    texts = []
    for i, (p, v) in enumerate(zip(pos, values)):
        if math.isnan(v):
            _no_data(ax, p, size=11)
            continue
        ax.barh(p, v, height=0.68, color=colour, zorder=2)
        texts.append(labels[i] if labels is not None else fmt(v))
        _value_label(ax, v, p, texts[-1], size=11)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    ax.set_xlim(0, _headroom(top, texts, axes_width_in, 11))
    _count_axis(ax.xaxis)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=3))
    return pos


@_styled
def plot_outreach(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Outreach by district in two panels: broadcast hours, and banners/slogans/posters.

    Columns: district_name, broadcast_hours, banners_posters. Same district order in both panels
    (by hours).
    """
    hours, banners = _col(districts, "broadcast_hours"), _col(districts, "banners_posters")
    d = _sorted(districts.assign(_h=hours, _b=banners), hours)
    fig, axes = _figure(meta, 1, 2, sharey=True)
    names = list(_names(d))
    _panel_hbars(axes[0, 0], names, d["_h"].to_numpy(), PALETTE["primary"])
    _panel_hbars(axes[0, 1], names, d["_b"].to_numpy(), PALETTE["accent"])
    axes[0, 1].tick_params(axis="y", labelleft=False)
    axes[0, 0].set_title(f"{KEYS['broadcast_hours'].label} (giờ)")
    axes[0, 1].set_title(f"{KEYS['banners_posters'].label} (cái)")
    return fig


@_styled
def plot_bright_spots(districts: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Bright spots (upper level vs commune level, stacked) and core groups (with members), by district.

    Columns: district_name, bright_spots_upper, bright_spots_commune, core_groups, core_group_members.
    """
    up, com = _col(districts, "bright_spots_upper"), _col(districts, "bright_spots_commune")
    groups, members = _col(districts, "core_groups"), _col(districts, "core_group_members")
    total = (up + com)
    d = _sorted(districts.assign(_up=up, _com=com, _tot=total, _g=groups, _m=members), total)
    fig, axes = _figure(meta, 1, 2, sharey=True, width_ratios=[1, 1])
    ax, ax2 = axes[0, 0], axes[0, 1]
    pos = _horizontal(ax, list(_names(d)))
    texts = []
    for p, a, b, t in zip(pos, d["_up"], d["_com"], d["_tot"]):
        if math.isnan(t):
            _no_data(ax, p, size=11)
            continue
        ax.barh(p, a, height=0.68, color=PALETTE["primary"], zorder=2)
        ax.barh(p, b, left=a, height=0.68, color=PALETTE["secondary"], zorder=2)
        texts.append(format_number(t))
        _value_label(ax, t, p, texts[-1], size=11, weight="bold")
    top = float(np.nanmax(d["_tot"])) if d["_tot"].notna().any() else 1.0
    ax.set_xlim(0, _headroom(top, texts, 5.2, 11))
    _count_axis(ax.xaxis)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=3))
    ax.set_title("Điểm sáng chấp hành pháp luật")
    ax.legend(handles=[Patch(color=PALETTE["primary"], label="Cấp tỉnh, cấp huyện"),
                       Patch(color=PALETTE["secondary"], label="Cấp xã")], loc="lower right")
    group_labels = [f"{format_number(g)} ({format_number(m)} người)" if not math.isnan(m) else format_number(g)
                    for g, m in zip(d["_g"], d["_m"])]
    _panel_hbars(ax2, list(_names(d)), d["_g"].to_numpy(), PALETTE["good"], labels=group_labels)
    ax2.tick_params(axis="y", labelleft=False)
    ax2.set_title(KEYS["core_groups"].label)
    return fig


# --- map -----------------------------------------------------------------------------------------

#: Colours of the usual statuses; others take the next colour of the cycle.
STATUS_COLORS = {
    "Đạt chuẩn NTM": OKABE_ITO["bluish_green"],
    "Chưa đạt": OKABE_ITO["vermillion"],
    "Phường, thị trấn": PALETTE["muted"],
    "100 % KDC đạt chuẩn": OKABE_ITO["bluish_green"],
    "Từ 95 % đến dưới 100 %": OKABE_ITO["sky_blue"],
    "Dưới 95 %": OKABE_ITO["vermillion"],
    "Không có số liệu": "white",
}


def _status_colours(statuses: Sequence[str]) -> dict[str, str]:
    spare = [OKABE_ITO[k] for k in ("blue", "orange", "reddish_purple", "sky_blue", "yellow")]
    out = {}
    for s in statuses:
        if s in STATUS_COLORS:
            out[s] = STATUS_COLORS[s]
        elif NO_DATA in s.lower():
            out[s] = "white"
        else:
            out[s] = spare[len([k for k in out if k not in STATUS_COLORS]) % len(spare)]
    return out


@_styled
def plot_commune_map(communes: pd.DataFrame, *, meta: ChartMeta, status_order: Sequence[str] | None = None) -> Figure:
    """Communes as points at their coordinates, coloured by status, district names at their centre.

    Columns: commune_code, commune_name, district_name, lat, lon, status. Longitude is scaled by
    cos(latitude) so distances look right; a 10 km bar gives the scale. Communes without
    coordinates are counted in a note. ``status_order`` orders the legend (default: as first seen,
    with "Không có số liệu" last).
    """
    lat, lon = _col(communes, "lat"), _col(communes, "lon")
    ok = lat.notna() & lon.notna()
    c = communes[ok].assign(_lat=lat[ok], _lon=lon[ok])
    status = c["status"].astype("string").fillna("Không có số liệu").astype(str)
    seen = list(dict.fromkeys(status))
    preferred = list(status_order or STATUS_COLORS)
    order = [s for s in preferred if s in seen] + [s for s in seen if s not in preferred]
    order.sort(key=lambda s: NO_DATA in s.lower())          # no data last, stable otherwise
    colours = _status_colours(order)
    k = math.cos(math.radians(float(c["_lat"].mean()))) if len(c) else 1.0
    x, y = c["_lon"] * k, c["_lat"]

    fig, axes = _figure(meta)
    ax = axes[0, 0]
    # one scatter, so that the map holds exactly one point per commune
    face = [colours[s] for s in status]
    edge = ["#595959" if colours[s] == "white" else "white" for s in status]
    ax.scatter(x, y, s=90, c=face, edgecolors=edge, linewidths=0.9, zorder=3, gid="communes")
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=11, markerfacecolor=colours[s],
                      markeredgecolor="#595959" if colours[s] == "white" else "white",
                      label=f"{s} ({format_number(int((status == s).sum()))})") for s in order]
    for name, g in c.assign(_x=x).groupby("district_name", sort=True):
        ax.text(g["_x"].mean(), g["_lat"].mean(), str(name), ha="center", va="center", fontsize=13,
                fontweight="bold", color=PALETTE["text"], zorder=4,
                path_effects=[patheffects.withStroke(linewidth=4, foreground="white")])
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    if len(c):
        km = 10 / 111.32                                     # 10 km in degrees of latitude
        x0 = float(x.min())
        y0 = float(y.min()) - 0.03
        ax.plot([x0, x0 + km], [y0, y0], color=PALETTE["text"], linewidth=3, solid_capstyle="butt",
                gid="scale_bar")
        ax.text(x0 + km / 2, y0, "10 km", ha="center", va="bottom", fontsize=11, color=PALETTE["text"])
        ax.margins(0.04)
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), title="Trạng thái (số đơn vị)",
              alignment="left", labelspacing=0.9)
    missing = int((~ok).sum())
    if missing:
        _note(fig, f"{format_number(missing)} đơn vị không có toạ độ, không vẽ trên bản đồ")
    return fig


# --- completeness --------------------------------------------------------------------------------

COMPLETENESS_LABELS = {"received": "Đã nhận", "empty": "Trống", "missing": "Thiếu", "rejected": "Bị từ chối"}
#: Received is a pale green so that what is not received stands out.
COMPLETENESS_COLORS = {"received": "#CDEBE1", "empty": OKABE_ITO["yellow"], "missing": OKABE_ITO["orange"],
                       "rejected": OKABE_ITO["vermillion"]}


@_styled
def plot_completeness(completeness: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Which table of which district arrived: a district × table matrix of coloured, labelled cells.

    ``completeness``: index (or column) district_name, one column per table id, values "received",
    "empty", "missing", "rejected"; or long form with columns district_name, table, status.
    """
    frame = completeness
    if {"district_name", "table", "status"} <= set(frame.columns):
        frame = frame.pivot(index="district_name", columns="table", values="status")
    elif "district_name" in frame.columns:
        frame = frame.set_index("district_name")
    frame = frame.drop(columns=[c for c in ("district_code",) if c in frame.columns])
    tables = [t for t in TABLES if t in frame.columns] + [t for t in frame.columns if t not in TABLES]
    frame = frame[tables]
    fig, axes = _figure(meta)
    ax = axes[0, 0]
    nrows, ncols = frame.shape
    for i, (_district, row) in enumerate(frame.iterrows()):
        for j, value in enumerate(row):
            key = str(value) if pd.notna(value) else "missing"
            colour = COMPLETENESS_COLORS.get(key, "white")
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colour,
                                                      edgecolor="white", linewidth=3))
            light = colour != OKABE_ITO["vermillion"]
            ax.text(j, i, COMPLETENESS_LABELS.get(key, key), ha="center", va="center",
                    fontsize=12 if nrows <= 14 else 10, color=PALETTE["text"] if light else "white",
                    fontweight="normal" if key == "received" else "bold")
    received = [(frame[t] == "received").sum() for t in tables]
    col_labels = []
    for t, r in zip(tables, received):
        title = TABLES[t].title.split(" — ") if t in TABLES else [str(t)]
        head = title[0] + ("\n" + _wrap(title[1], 22) if len(title) > 1 else "")
        col_labels.append(f"{head}\n{r}/{nrows} đã nhận")
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(nrows - 0.5, -0.5)
    ax.set_xticks(range(ncols), labels=col_labels, fontsize=11.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(nrows), labels=[str(i) for i in frame.index])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return fig
