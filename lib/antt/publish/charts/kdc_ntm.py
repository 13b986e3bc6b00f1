"""Charts of residential areas (KDC) and new-rural xã (NTM): the share of areas meeting the standard
against the target, areas registered and meeting it, xã meeting the standard by unit, the
criteria the xã have met, and the recognitions year by year.

A per-unit chart shows every unit of a district-level cycle (11 districts); of a commune-level one
(95 communes) the highest and the lowest (``kit.unit_rows``), the units between as one labelled gap
and a note "Hiển thị 24/95 đơn vị …": bars of 95 units on a 16:9 slide cannot be read.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from antt.analyse.meta import ChartMeta
from antt.analyse.report_frames import MAX_UNITS
from antt.core.indicators import RATIO
from antt.core.text import format_number, format_percent, format_target
from antt.publish.charts.kit import (LABEL_SIZE, NO_DATA, add_note, bold_ticklabel, clear_of_line, column, count_axis,
                                     hbar_axis, headroom, legend_above, mark_gap, new_figure, no_data_label,
                                     percent_axis, province_value, reference_line, styled, unit_names, unit_rows,
                                     value_label, wrap)
from antt.publish.house_style import PALETTE


# --- KDC -----------------------------------------------------------------------------------------

@styled
def plot_kdc_coverage(units: pd.DataFrame, target: float | None = None, *, meta: ChartMeta,
                      show_province: bool = True) -> Figure:
    """Share of residential areas meeting the standard (kdc_meeting / kdc_total) by unit, sorted.

    Columns: unit_name, kdc_total, kdc_meeting. Bars below ``target`` (a fraction, 0.95) are
    "bad", at or above it "good"; the target is a dashed line labelled "Chỉ tiêu 95 %" (a value label
    it would cross goes inside its bar), the
    legend counts the units on each side of it (all units, also those a selection leaves out). The
    province ("Toàn tỉnh") is the first bar, over the units that reported both counts. Of many units
    the highest and the lowest (the module's note).
    """
    total, meeting = column(units, "kdc_total"), column(units, "kdc_meeting")
    share = meeting / total.where(total > 0)
    sel, unit_pos = unit_rows(units.assign(_share=share), share, first=1.35 if show_province else 0,
                              fmt=lambda v: format_percent(v, 1))
    d = sel.rows
    labels, values = list(unit_names(d)), list(d["_share"])
    positions = list(unit_pos)
    if show_province:
        labels.insert(0, "Toàn tỉnh")
        values.insert(0, province_value(units, "kdc_meeting_share"))
        positions.insert(0, 0.0)

    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    pos = hbar_axis(ax, labels, positions)

    def colour(v):
        if target is None:
            return PALETTE["primary"]
        return PALETTE["good"] if v >= target - 1e-12 else PALETTE["bad"]

    texts = []
    for i, (p, v) in enumerate(zip(pos, values)):
        if math.isnan(v):
            no_data_label(ax, p)
            continue
        province = show_province and i == 0
        ax.barh(p, v, height=0.68, color=colour(v), zorder=2,
                edgecolor=PALETTE["text"] if province else "none", linewidth=1.4 if province else 0)
        texts.append(value_label(ax, v, p, format_percent(v, 1), box=True, weight="bold" if province else "normal"))
    if show_province:
        bold_ticklabel(ax.yaxis, 0)
    top = max([1.0] + [v for v in values if not math.isnan(v)])
    ax.set_xlim(0, headroom(top, ["100,0 %"], 10.5))
    percent_axis(ax.xaxis, 1.0)
    ax.set_xlabel(wrap(RATIO["kdc_meeting_share"].label, 90))
    mark_gap(ax, sel, unit_pos)
    if target is not None:
        reference_line(ax, target, f"Chỉ tiêu {format_target(target)}", "target")
        clear_of_line(ax, texts, target)
        met = int((share >= target - 1e-12).sum())
        legend_above(ax, [Patch(color=PALETTE["good"], label=f"Đạt chỉ tiêu ({format_number(met)} đơn vị)"),
                           Patch(color=PALETTE["bad"], label="Chưa đạt chỉ tiêu "
                                 f"({format_number(int(share.notna().sum()) - met)} đơn vị)")])
    add_note(fig, sel.note)
    return fig


@styled
def plot_kdc_registered_meeting(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Residential areas by unit: total, registered, meeting the standard (counts, grouped).

    Columns: unit_name, kdc_total, kdc_registered, kdc_meeting. Sorted by total; of many units the
    16 largest and smallest (three columns a unit: 16 fit across a slide), names in a smaller font.
    """
    series = [("kdc_total", "Tổng số khu dân cư", PALETTE["muted"]),
              ("kdc_registered", "Đăng ký", PALETTE["secondary"]),
              ("kdc_meeting", "Đạt chuẩn", PALETTE["primary"])]
    sel, x = unit_rows(units, column(units, "kdc_total"), limit=16)
    d = sel.rows
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    width = 0.27
    top = 0.0
    for j, (key, label, colour) in enumerate(series):
        vals = column(d, key).to_numpy()
        xs = x + (j - 1) * width
        ax.bar(xs, np.nan_to_num(vals), width=width * 0.94, color=colour, label=label, zorder=2)
        for xi, v in zip(xs, vals):
            if not math.isnan(v):
                value_label(ax, xi, v, format_number(v), horizontal=False, size=10.5)
                top = max(top, v)
    all_missing = pd.concat([column(d, k) for k, _, _ in series], axis=1).isna().all(axis=1)
    for xi, missing in zip(x, all_missing):
        if missing:
            no_data_label(ax, xi, horizontal=False)
    many = sel.total > len(d)
    ax.set_xticks(x, labels=[wrap(n, 8 if many else 9) for n in unit_names(d)], fontsize=11 if many else None)
    ax.set_xlim(-0.6, (x.max() if len(x) else 0) + 0.6)
    ax.set_ylim(0, (top or 1) * 1.12)
    count_axis(ax.yaxis)
    ax.set_ylabel("khu dân cư")
    ax.legend(loc="upper right", ncols=3)
    mark_gap(ax, sel, x, horizontal=False)
    add_note(fig, sel.note)
    return fig


# --- NTM -----------------------------------------------------------------------------------------

@styled
def plot_ntm_by_unit(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Xã meeting the new-rural standard out of all xã, by unit ("68/86"), sorted by the xã met (the
    "good" bar), ties by name.

    Columns: unit_name, ntm_communes, ntm_met. A bar is every xã: the "good" part those met, the "bad" rest not.
    Of many units (communes: each its own xã, 1/1 or 0/1) the units without a xã (phường) are left
    out and counted in the note, and of the others the highest and the lowest are shown.
    """
    n, met = column(units, "ntm_communes"), column(units, "ntm_met")
    frame = units.assign(_n=n, _met=met)
    without = 0
    if len(units) > MAX_UNITS:
        frame = frame[frame["_n"] != 0]
        without = len(units) - len(frame)
    sel, pos = unit_rows(frame, frame["_met"].where(frame["_n"] > 0), fmt=lambda v: f"{format_number(v)} xã đạt")
    d = sel.rows
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    hbar_axis(ax, list(unit_names(d)), pos)
    labels = []
    for p, total, m in zip(pos, d["_n"], d["_met"]):
        if math.isnan(total) or math.isnan(m):
            no_data_label(ax, p)
            continue
        if total == 0:
            ax.annotate("không có xã", xy=(0, p), xytext=(5, 0), textcoords="offset points", va="center",
                        fontsize=LABEL_SIZE, color=PALETTE["subtle"], style="italic")
            continue
        ax.barh(p, total, height=0.68, color=PALETTE["bad"], zorder=2)
        ax.barh(p, m, height=0.68, color=PALETTE["good"], zorder=2.1)
        text = f"{format_number(m)}/{format_number(total)}  ({format_percent(m / total, 0)})"
        labels.append(text)
        value_label(ax, total, p, text)
    top = float(np.nanmax(d["_n"])) if d["_n"].notna().any() else 1.0
    ax.set_xlim(0, headroom(top, labels, 10.5))
    count_axis(ax.xaxis)
    if top < 3:                                   # a commune is one xã: ticks 0 and 1, never 0,2 written "0"
        ax.xaxis.set_major_locator(MultipleLocator(1))
    ax.set_xlabel("số xã")
    ok = n.notna() & met.notna()
    prov = f" — toàn tỉnh {format_number(met[ok].sum())}/{format_number(n[ok].sum())} xã" if ok.any() else ""
    legend_above(ax, [Patch(color=PALETTE["good"], label="Đạt chuẩn nông thôn mới" + prov),
                       Patch(color=PALETTE["bad"], label="Chưa đạt")])
    mark_gap(ax, sel, pos)
    add_note(fig, "; ".join(filter(None, [sel.note,
                                          f"{format_number(without)} đơn vị không có xã" if without else ""])))
    return fig


@styled
def plot_ntm_criteria_distribution(ntm: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """How many xã have met each number of the 19 criteria: all 19 "good", 17–18 ("one or two short")
    "warn", fewer "bad" (the furthest from the standard).

    Columns: ntm_criteria_met (0–19). Xã without a value are counted in a note, not as zero.
    """
    crit = column(ntm, "ntm_criteria_met")
    known = crit.dropna().round().clip(0, 19).astype(int)
    low = int(min(known.min(), 10)) if len(known) else 10
    xs = np.arange(low, 20)
    counts = known.value_counts().reindex(xs, fill_value=0)

    def colour(k):
        return PALETTE["good"] if k == 19 else PALETTE["warn"] if k >= 17 else PALETTE["bad"]

    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    ax.bar(xs, counts.to_numpy(), width=0.72, color=[colour(k) for k in xs], zorder=2)
    for k, c in zip(xs, counts):
        if c:
            value_label(ax, k, c, format_number(c), horizontal=False)
    ax.set_xticks(xs, labels=[str(k) for k in xs])
    ax.set_xlim(low - 0.6, 19.6)
    ax.set_ylim(0, max(1, counts.max()) * 1.15)
    count_axis(ax.yaxis)
    ax.set_xlabel("Số tiêu chí đã đạt (trên 19 tiêu chí)")
    ax.set_ylabel("số xã")
    short = int(counts.loc[17:18].sum())
    legend_above(ax, [Patch(color=PALETTE["good"], label="Đạt đủ 19 tiêu chí"),
                       Patch(color=PALETTE["warn"], label=f"Còn thiếu 1–2 tiêu chí ({format_number(short)} xã)"),
                       Patch(color=PALETTE["bad"], label="Còn thiếu từ 3 tiêu chí")])
    missing = int(crit.isna().sum())
    if missing:
        add_note(fig, f"{format_number(missing)} xã {NO_DATA} về số tiêu chí")
    return fig


@styled
def plot_ntm_recognitions_by_year(ntm: pd.DataFrame, *, meta: ChartMeta, until: date | None = None) -> Figure:
    """Xã recognised as new-rural: the running total (line, above) and the xã recognised each year
    (bars, below, on their own scale), one x axis of years.

    Columns: ntm_year (year of recognition, NaN if none), optional ntm_met (bool): xã met but with
    no year are counted in a note. ``until`` (the cycle's end): a year it ends before 31/12 is a part
    year, its bar hatched, its tick marked "*" and the note saying up to when.
    """
    years = column(ntm, "ntm_year").dropna().round().astype(int)
    fig, axes = new_figure(meta, 2, 1, sharex=True, height_ratios=[1.15, 1])
    top_ax, ax = axes[0, 0], axes[1, 0]
    notes = []
    if len(years):
        xs = np.arange(years.min(), years.max() + 1)
        counts = years.value_counts().reindex(xs, fill_value=0)
        cum = counts.cumsum()
        top_ax.plot(xs, cum.to_numpy(), color=PALETTE["primary"], marker="o", zorder=3, gid="cumulative")
        for x, c in zip(xs, cum):
            top_ax.annotate(format_number(c), xy=(x, c), xytext=(0, 8), textcoords="offset points", ha="center",
                            va="bottom", fontsize=LABEL_SIZE, color=PALETTE["text"], fontweight="bold")
        top_ax.set_ylim(0, max(1, cum.max()) * 1.3)
        bars = ax.bar(xs, counts.to_numpy(), width=0.66, color=PALETTE["secondary"], zorder=2)
        for x, c in zip(xs, counts):
            if c:
                value_label(ax, x, c, format_number(c), horizontal=False)
        ax.set_ylim(0, max(1, counts.max()) * 1.3)
        part = until is not None and (until.month, until.day) != (12, 31) and until.year in set(xs)
        if part:                                            # the part year hatched: not a whole year's count
            bars[list(xs).index(until.year)].set(hatch="///", edgecolor="white", linewidth=0)
        ax.set_xticks(xs, labels=[f"{x}*" if part and x == until.year else str(x) for x in xs])
        ax.set_xlim(xs.min() - 0.6, xs.max() + 0.6)
        if part:
            notes.append(f"* Năm {until.year}: đến ngày {until:%d/%m/%Y}")
    else:
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center", fontsize=16,
                color=PALETTE["subtle"], style="italic")
        ax.set_xticks([])
    for a in (top_ax, ax):
        count_axis(a.yaxis)
    top_ax.set_title("Lũy kế: tổng số xã đã được công nhận")
    ax.set_title("Số xã được công nhận trong năm")
    top_ax.set_ylabel("số xã")
    ax.set_ylabel("số xã")
    ax.set_xlabel("Năm được công nhận")
    if "ntm_met" in ntm.columns:
        met = ntm["ntm_met"].astype("boolean").fillna(False).astype(bool)
        no_year = int((met & column(ntm, "ntm_year").isna()).sum())
        if no_year:
            notes.append(f"{format_number(no_year)} xã đạt chuẩn chưa ghi năm công nhận")
    add_note(fig, "; ".join(notes))
    return fig
