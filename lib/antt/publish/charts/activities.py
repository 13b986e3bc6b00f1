"""Charts of the movement's activities by unit: self-managed models by type and by setting,
security cameras per residential area, outreach (broadcast hours, banners), bright spots and core
groups.

Every unit of a district-level cycle is shown; of a commune-level one (95 communes) the highest and
the lowest by the chart's sort key (``kit.unit_rows``), the units between as one labelled gap and a
note "Hiển thị 24/95 đơn vị …": bars of 95 units on a 16:9 slide cannot be read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from antt.analyse.meta import ChartMeta
from antt.analyse.report_frames import model_types
from antt.core.indicators import KEYS
from antt.core.text import format_number
from antt.publish.charts.kit import (NO_DATA, add_note, clear_of_line, column, count_axis, hbar_axis, headroom,
                                     legend_above, mark_gap, new_figure, no_data_label, province_value,
                                     reference_line, styled, unit_names, unit_rows, value_label, wrap)
from antt.publish.house_style import PALE, PALETTE, type_colours


@styled
def plot_models_by_type(models: pd.DataFrame, *, meta: ChartMeta, units: pd.DataFrame | None = None) -> Figure:
    """Models by type and unit: stacked horizontal bars, total at the end, sorted by total.

    Columns of ``models``: unit_name, model_type. Optional ``units`` (unit_name,
    models_residential, models_institutional) adds the units without a model (0) and marks
    those without data ("không có số liệu").
    """
    types = model_types(models)
    table = pd.crosstab(models["unit_name"].astype(str), models["model_type"].astype(str))
    table = table.reindex(columns=types, fill_value=0)
    no_data: set[str] = set()
    if units is not None:
        names = list(unit_names(units))
        res, inst = column(units, "models_residential"), column(units, "models_institutional")
        no_data = {nm for nm, a, b in zip(names, res, inst) if math.isnan(a) and math.isnan(b)}
        table = table.reindex(list(dict.fromkeys(list(table.index) + names)), fill_value=0)
    totals = table.sum(axis=1).astype(float)
    totals[totals.index.isin(no_data)] = np.nan
    top = float(np.nanmax(totals)) if totals.notna().any() else 1.0
    sel, pos = unit_rows(table, totals)
    table = sel.rows
    totals = totals.reindex(table.index)

    colours = type_colours(types)
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    hbar_axis(ax, list(table.index), pos)
    left = np.zeros(len(table))
    for t in types:
        vals = table[t].to_numpy(dtype=float)
        vals[np.isnan(totals.to_numpy())] = 0
        ax.barh(pos, vals, left=left, height=0.68, color=colours[t], label=wrap(t, 28), zorder=2,
                edgecolor="white", linewidth=0.6)
        for p, lft, v in zip(pos, left, vals):
            if v >= top * 0.045:
                dark = colours[t] in PALE
                ax.text(lft + v / 2, p, format_number(v), ha="center", va="center", fontsize=10.5,
                        color=PALETTE["text"] if dark else "white")
        left += vals
    for p, tot in zip(pos, totals):
        if math.isnan(tot):
            no_data_label(ax, p)
        else:
            value_label(ax, tot, p, format_number(tot), weight="bold")
    ax.set_xlim(0, headroom(top, [format_number(top)], 8.5))
    count_axis(ax.xaxis)
    ax.set_xlabel("số mô hình")
    if types:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="Loại mô hình", alignment="left",
                  handlelength=1.2, labelspacing=0.8)
    elif not len(table):
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center", fontsize=16,
                color=PALETTE["subtle"], style="italic")
    mark_gap(ax, sel, pos)
    add_note(fig, sel.note)
    return fig


def _grouped_hbars(ax, d: pd.DataFrame, pos: np.ndarray, series: Sequence[tuple[str, str, str]],
                   size: float = 11) -> list[str]:
    """Two or three bars per unit row at ``pos``, each labelled; NaN written out. Returns the labels."""
    hbar_axis(ax, list(unit_names(d)), pos)
    k = len(series)
    h = 0.8 / k
    texts = []
    none = pd.concat([column(d, key) for key, _, _ in series], axis=1).isna().all(axis=1).to_numpy()
    for p in pos[none]:
        no_data_label(ax, p, size=size - 1)               # once for a unit without any of the values
    for j, (key, label, colour) in enumerate(series):
        vals = column(d, key).to_numpy()
        ys = pos + (j - (k - 1) / 2) * h
        ax.barh(ys, np.nan_to_num(vals), height=h * 0.92, color=colour, label=label, zorder=2)
        for y, v, skip in zip(ys, vals, none):
            if skip:
                continue
            if math.isnan(v):
                no_data_label(ax, y, size=size - 1)
            else:
                texts.append(format_number(v))
                value_label(ax, v, y, texts[-1], size=size)
    return texts


@styled
def plot_models_setting(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Models in residential areas vs in agencies, enterprises and schools, by unit.

    Columns: unit_name, models_residential, models_institutional. Sorted by the first bar (models
    in residential areas), ties by name. The legend gives the province's totals (over the units that
    reported both).
    """
    res, inst = column(units, "models_residential"), column(units, "models_institutional")
    sel, pos = unit_rows(units, res)
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    ok = res.notna() & inst.notna()

    def total(v: pd.Series) -> str:
        return f" (toàn tỉnh {format_number(v[ok].sum())})" if ok.any() else ""
    texts = _grouped_hbars(ax, sel.rows, pos,
                           [("models_residential", "Ở khu dân cư" + total(res), PALETTE["primary"]),
                            ("models_institutional", "Ở cơ quan, doanh nghiệp, nhà trường" + total(inst),
                             PALETTE["accent"])])
    top = float(np.nanmax([res.max(), inst.max(), 1]))
    ax.set_xlim(0, headroom(top, texts, 10.5, 11))
    count_axis(ax.xaxis)
    ax.set_xlabel("số mô hình")
    legend_above(ax)
    mark_gap(ax, sel, pos)
    add_note(fig, sel.note)
    return fig


@styled
def plot_cameras_per_kdc(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Security cameras per residential area by unit (cameras / kdc_total), with the province mean.

    Columns: unit_name, cameras, kdc_total. A value label the mean's line would cross goes inside its bar.
    """
    cams, kdc = column(units, "cameras"), column(units, "kdc_total")
    per = cams / kdc.where(kdc > 0)
    sel, pos = unit_rows(units.assign(_per=per, _cams=cams), per, fmt=lambda v: format_number(v, 1))
    d = sel.rows
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    hbar_axis(ax, list(unit_names(d)), pos)
    texts = []
    for p, v, c in zip(pos, d["_per"], d["_cams"]):
        if math.isnan(v):
            no_data_label(ax, p)
            continue
        ax.barh(p, v, height=0.68, color=PALETTE["primary"], zorder=2)
        texts.append(value_label(ax, v, p, f"{format_number(v, 1)}  ({format_number(c)} camera)", box=True))
    top = float(np.nanmax(per)) if per.notna().any() else 1.0
    ax.set_xlim(0, headroom(top, [t.get_text() for t in texts], 10.5))
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: format_number(x, 1)))
    ax.set_xlabel("camera trên một khu dân cư")
    mean = province_value(units, "cameras_per_kdc")
    if not math.isnan(mean):
        reference_line(ax, mean, f"Bình quân toàn tỉnh {format_number(mean, 1)}", "province_mean")
        clear_of_line(ax, texts, mean)
    mark_gap(ax, sel, pos)
    add_note(fig, sel.note)
    return fig


# --- outreach, bright spots ----------------------------------------------------------------------

def _panel_hbars(ax, names: Sequence[str], pos: np.ndarray, values: np.ndarray, colour: str, fmt=format_number,
                 labels: Sequence[str] | None = None, axes_width_in: float = 5.2, show_names: bool = True):
    hbar_axis(ax, list(names) if show_names else [""] * len(names), pos)
    texts = []
    for i, (p, v) in enumerate(zip(pos, values)):
        if math.isnan(v):
            no_data_label(ax, p, size=11)
            continue
        ax.barh(p, v, height=0.68, color=colour, zorder=2)
        texts.append(labels[i] if labels is not None else fmt(v))
        value_label(ax, v, p, texts[-1], size=11)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    ax.set_xlim(0, headroom(top, texts, axes_width_in, 11))
    count_axis(ax.xaxis)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=3))
    return pos


@styled
def plot_outreach(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Outreach by unit in two panels: broadcast hours, and banners/slogans/posters.

    Columns: unit_name, broadcast_hours, banners_posters. Same units in the same order in both
    panels (by hours: of many units, the highest and the lowest).
    """
    hours, banners = column(units, "broadcast_hours"), column(units, "banners_posters")
    sel, pos = unit_rows(units.assign(_h=hours, _b=banners), hours)
    d = sel.rows
    fig, axes = new_figure(meta, 1, 2, sharey=True)
    names = list(unit_names(d))
    _panel_hbars(axes[0, 0], names, pos, d["_h"].to_numpy(), PALETTE["primary"])
    _panel_hbars(axes[0, 1], names, pos, d["_b"].to_numpy(), PALETTE["accent"])
    mark_gap(axes[0, 0], sel, pos)
    add_note(fig, sel.note)
    axes[0, 1].tick_params(axis="y", labelleft=False)
    axes[0, 0].set_title(f"{KEYS['broadcast_hours'].label} (giờ)")
    axes[0, 1].set_title(f"{KEYS['banners_posters'].label} (cái)")
    return fig


@styled
def plot_bright_spots(units: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Bright spots (upper level vs commune level, stacked) and core groups (with members), by unit
    (of many, the highest and the lowest by bright spots).

    Columns: unit_name, bright_spots_upper, bright_spots_commune, core_groups, core_group_members.
    """
    up, com = column(units, "bright_spots_upper"), column(units, "bright_spots_commune")
    groups, members = column(units, "core_groups"), column(units, "core_group_members")
    total = (up + com)
    sel, pos = unit_rows(units.assign(_up=up, _com=com, _tot=total, _g=groups, _m=members), total)
    d = sel.rows
    fig, axes = new_figure(meta, 1, 2, sharey=True, width_ratios=[1, 1])
    ax, ax2 = axes[0, 0], axes[0, 1]
    hbar_axis(ax, list(unit_names(d)), pos)
    texts = []
    for p, a, b, t in zip(pos, d["_up"], d["_com"], d["_tot"]):
        if math.isnan(t):
            no_data_label(ax, p, size=11)
            continue
        ax.barh(p, a, height=0.68, color=PALETTE["primary"], zorder=2)
        ax.barh(p, b, left=a, height=0.68, color=PALETTE["secondary"], zorder=2)
        texts.append(format_number(t))
        value_label(ax, t, p, texts[-1], size=11, weight="bold")
    top = float(np.nanmax(d["_tot"])) if d["_tot"].notna().any() else 1.0
    ax.set_xlim(0, headroom(top, texts, 5.2, 11))
    count_axis(ax.xaxis)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=3))
    ax.set_title("Điểm sáng chấp hành pháp luật")
    ax.legend(handles=[Patch(color=PALETTE["primary"], label="Cấp tỉnh, cấp huyện"),
                       Patch(color=PALETTE["secondary"], label="Cấp xã")], loc="lower right")
    group_labels = [f"{format_number(g)} ({format_number(m)} người)" if not math.isnan(m) else format_number(g)
                    for g, m in zip(d["_g"], d["_m"])]
    _panel_hbars(ax2, list(unit_names(d)), pos, d["_g"].to_numpy(), PALETTE["accent"], labels=group_labels)
    ax2.tick_params(axis="y", labelleft=False)
    ax2.set_title(KEYS["core_groups"].label)
    mark_gap(ax, sel, pos)
    add_note(fig, sel.note)
    return fig
