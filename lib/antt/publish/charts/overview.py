"""Charts of the whole cycle: the key figures across the cycles, the communes on a map coloured by
status, and which table of which district arrived.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import shapely
import shapely.ops
from matplotlib import dates as mdates
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from antt.analyse.meta import REFORM_LABEL, ChartMeta, trend_absent, trend_covers
from antt.analyse.report_frames import MAX_UNITS
from antt.analyse.view import NOT_ACROSS_REFORM
from antt.core.cycles import Cycle, parse_cycle
from antt.core.territory import after_reform, joined
from antt.core.units import REFORM_2025
from antt.core.forms import TABLES
from antt.core.indicators import KEYS, RATIO, is_flow
from antt.core.text import fold, format_number, format_percent, format_target
from antt.publish.charts.kit import LABEL_SIZE, NO_DATA, add_note, column, move_apart, new_figure, styled, wrap
from antt.publish.house_style import COMPLETENESS_COLORS, COMPLETENESS_LABELS, PALETTE, SERIES


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


_KIND_LABELS = {"H1": "6 tháng đầu năm", "year": "cả năm"}


def _runs(cycles: Sequence[Cycle], flow: bool) -> list[list[Cycle]]:
    """The present cycles as runs a line may join (``territory.joined``); a flow: per kind."""
    runs: list[list[Cycle]] = []
    for kind in (("H1", "year") if flow else (None,)):
        last: list[Cycle] | None = None
        for c in (c for c in cycles if kind is None or c.kind == kind):
            if last and joined(last[-1], c, flow):
                last.append(c)
            else:
                last = [c]
                runs.append(last)
    return runs


#: Marker of a point by its cycle's kind; a point whose value does not cover every unit is hollow.
_KIND_MARKERS = {"H1": "o", "year": "s"}
INCOMPLETE_NOTE = "Điểm rỗng: chưa đủ số liệu của các đơn vị"


def _complete(trend: pd.DataFrame, key: str, cycles: Sequence[Cycle]) -> dict[Cycle, bool]:
    """Whether each cycle's value of ``key`` covers every expected unit (``reported`` == ``expected``);
    complete when the frame does not say."""
    if not {"reported", "expected"} <= set(trend.columns):
        return {c: True for c in cycles}
    rows = trend[trend["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")
    out = {}
    for c in cycles:
        r = rows["reported"].get(c.id) if c.id in rows.index else None
        e = rows["expected"].get(c.id) if c.id in rows.index else None
        out[c] = r is None or e is None or pd.isna(r) or pd.isna(e) or r >= e
    return out


def _panel_titles(axes: Sequence, titles: Sequence[str], size: float) -> None:
    """Left-aligned panel titles whose first lines align: every title gets as many lines as the
    longest (blank lines under a shorter one)."""
    lines = max((t.count("\n") + 1 for t in titles), default=1)
    for ax, t in zip(axes, titles):
        ax.set_title(t + "\n " * (lines - 1 - t.count("\n")), fontsize=size)


@styled
def plot_trend(trend: pd.DataFrame, keys: Sequence[str] | None = None, *, meta: ChartMeta,
               targets: dict[str, float] | None = None) -> Figure:
    """Each key across cycles, one small panel per key (own scale, from zero, one non-status colour),
    values labelled, each point at its cycle's end date on a time axis labelled by year: half-year
    points circles, year points squares (a legend says so when both are there), half-year values
    labelled above the point, year values below.

    Columns: cycle, cycle_label, key, value; with ``covers`` and ``level`` (``CycleView.trend``) the
    top right says what the points before and after 1/7/2025 cover (gid ``covers``); with ``reported``
    and ``expected`` (units with a value, units expected) a value that does not cover every unit is a
    hollow point, the segment to it dashed, and the note says "điểm rỗng: chưa đủ số liệu của các đơn
    vị". Keys may be summary keys or ratios (``*_share`` are shown as percentages). A line joins a cycle
    only to the one right after it (``territory.joined``): a cycle absent in between leaves a hole,
    never a line, and so does the reform, a dated vertical rule "1/7/2025: sắp xếp đơn vị hành chính"
    (gid ``reform``) when there are cycles on both sides. Stocks are one series (the cycle just
    before is comparable); flows (giờ phát thanh, băng rôn) are a series per kind, each joined only to
    the previous one of its kind. A cycle without a value is marked "không có số liệu"; a note bottom
    right names the absent cycles. ``targets`` ({key: value}, e.g. {"kdc_meeting_share": 0.95}) draws a
    dashed target line (gid ``target``) in that key's panel, named in the panel's legend.
    """
    keys = list(keys) if keys is not None else list(dict.fromkeys(trend["key"]))
    cycles = sorted({parse_cycle(c) for c in trend["cycle"]})
    x_of = {c: mdates.date2num(c.end) for c in cycles}
    reform = mdates.date2num(REFORM_2025) if len({after_reform(c) for c in cycles}) > 1 else None
    n = max(1, len(keys))
    ncols = n if n <= 3 else math.ceil(n / 2)
    nrows = 1 if n <= 3 else 2
    fig, axes = new_figure(meta, nrows, ncols)
    small = nrows > 1 or ncols > 2
    both_kinds = len({c.kind for c in cycles}) > 1
    colour = PALETTE["primary"]
    pad = 120.0                                               # days either side of the first and last point
    any_incomplete = False
    titles = []
    for i, ax in enumerate(axes.flat):
        if i >= n or not keys:
            ax.set_visible(False)
            continue
        key = keys[i]
        values = (trend[trend["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")["value"]
                  .reindex([c.id for c in cycles]))
        v = dict(zip(cycles, pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()))
        complete = _complete(trend, key, cycles)
        fmt_label, fmt_tick = _key_format(key)
        flow = is_flow(key)
        for run in _runs(cycles, flow):
            for part in _known_parts(run, v):
                for a, b in zip(part, part[1:]):
                    ax.plot([x_of[a], x_of[b]], [v[a], v[b]], color=colour, zorder=3, gid="series",
                            linestyle="-" if complete[a] and complete[b] else (0, (4, 2.5)))
        for kind in ("H1", "year"):
            for whole in (True, False):
                pts = [c for c in cycles if c.kind == kind and math.isfinite(v[c]) and complete[c] == whole]
                any_incomplete |= bool(pts) and not whole
                ax.plot([x_of[c] for c in pts], [v[c] for c in pts], linestyle="none", marker=_KIND_MARKERS[kind],
                        markersize=7.5, markeredgewidth=2, color=colour,
                        markerfacecolor=colour if whole else "white", zorder=3.5)
        known = [vi for vi in v.values() if math.isfinite(vi)]
        top = max(known) if known else 1.0
        for c, vi in v.items():
            if math.isnan(vi):
                ax.annotate(NO_DATA, xy=(x_of[c], 0), xytext=(0, 6), textcoords="offset points", ha="center",
                            va="bottom", rotation=90, fontsize=10 if small else LABEL_SIZE,
                            color=PALETTE["subtle"], style="italic")
            else:
                below = c.kind == "year" and both_kinds
                ax.annotate(fmt_label(vi), xy=(x_of[c], vi), xytext=(0, -9 if below else 9), textcoords="offset points",
                            ha="center", va="top" if below else "bottom", fontsize=10.5 if small else LABEL_SIZE,
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
            ax.axhline(t, color=PALETTE["reference"], linewidth=1.6, linestyle=(0, (5, 3)), zorder=1.5, gid="target",
                       label="Chỉ tiêu " + (format_target(t)
                                            if key.endswith("_share") else format_number(t)))
        titles.append(wrap(_key_label(key), 34 if ncols > 2 else 60))
        if reform is not None:
            head, tail = REFORM_LABEL.split(": ", 1)
            ax.axvline(reform, color=PALETTE["text"], linewidth=1.4, zorder=1.5, gid="reform")
            ax.annotate(f"{head}:\n{wrap(tail, 14)}", xy=(reform, 0.03), xycoords=("data", "axes fraction"),
                        xytext=(-4, 0), textcoords="offset points", rotation=90, ha="right", va="bottom",
                        fontsize=9.5 if small else 11, color=PALETTE["text"], gid="reform_label")
        years = range(cycles[0].year, cycles[-1].year + 1) if cycles else []
        ax.set_xticks([mdates.date2num(date(y, 1, 1)) for y in [*years, cycles[-1].year + 1]] if cycles else [],
                      labels=[])
        ax.set_xticks([mdates.date2num(date(y, 7, 1)) for y in years], labels=[str(y) for y in years],
                      minor=True, fontsize=10.5 if small else 12)
        ax.tick_params(axis="x", which="minor", length=0)
        if cycles:
            ax.set_xlim(min(x_of.values()) - pad, max(x_of.values()) + pad)
        ax.grid(True, axis="x", which="major")          # a light rule between the years
        if reform is not None and key in NOT_ACROSS_REFORM:
            ax.annotate("không so sánh\nqua mốc này", xy=(reform, 0.97), xycoords=("data", "axes fraction"),
                        xytext=(5, 0), textcoords="offset points", ha="left", va="top", fontsize=9.5 if small else 11,
                        style="italic", color=PALETTE["subtle"], gid="not_compared")
    shown = [ax for ax in axes.flat if ax.get_visible()]
    _panel_titles(shown, titles, 13 if small else 15)
    points = []                                               # what the markers mean, in the first panel
    if both_kinds or any_incomplete:
        points = [Line2D([], [], linestyle="none", marker=_KIND_MARKERS[k], markersize=7.5, color=colour,
                         label=_KIND_LABELS[k]) for k in ("H1", "year") if both_kinds or k == cycles[0].kind]
    if any_incomplete:
        points.append(Line2D([], [], linestyle=(0, (4, 2.5)), marker="o", markersize=7.5, markeredgewidth=2,
                             color=colour, markerfacecolor="white", label="chưa đủ số liệu"))
    for i, ax in enumerate(shown):
        handles = (points if i == 0 else []) + [ln for ln in ax.get_lines() if ln.get_gid() == "target"]
        if handles:
            ax.legend(handles=handles, loc="lower left", fontsize=10, handlelength=1.8, borderaxespad=0.3,
                      framealpha=0.9)
    covers = trend_covers(trend)
    if covers:
        fig.text(1 - 0.022, 0.898, "\n".join(covers), ha="right", va="top", fontsize=11.5, color=PALETTE["subtle"],
                 gid="covers").set_in_layout(False)
    absent = trend_absent(trend)
    add_note(fig, "\n".join(filter(None, [f"Không nối qua kỳ không có số liệu: {absent}" if absent else "",
                                          INCOMPLETE_NOTE if any_incomplete else ""])))
    return fig


def _known_parts(run: Sequence[Cycle], v: dict) -> list[list[Cycle]]:
    """A run split where a cycle has no value (a hole there too)."""
    parts: list[list[Cycle]] = [[]]
    for c in run:
        if math.isfinite(v[c]):
            parts[-1].append(c)
        elif parts[-1]:
            parts.append([])
    return [p for p in parts if len(p) > 1]


# --- map -----------------------------------------------------------------------------------------

#: Colours of the usual statuses; others take the next colour of ``SERIES``.
STATUS_COLORS = {
    "Đạt chuẩn NTM": PALETTE["good"],
    "Chưa đạt": PALETTE["bad"],
    "Không phải xã": PALETTE["muted"],
    "100 % KDC đạt chuẩn": PALETTE["good"],
    "Từ 95 % đến dưới 100 %": PALETTE["warn"],
    "Dưới 95 %": PALETTE["bad"],
    "Không có số liệu": "white",
}
APPROXIMATE = "Ranh giới gần đúng, dựng từ tọa độ trung tâm xã"
MAX_NAMED = 10                       # communes named in the list beside the map


def _status_colours(statuses: Sequence[str]) -> dict[str, str]:
    out = {}
    for s in statuses:
        if s in STATUS_COLORS:
            out[s] = STATUS_COLORS[s]
        elif NO_DATA in s.lower():
            out[s] = "white"
        else:
            out[s] = SERIES[len([k for k in out if k not in STATUS_COLORS]) % len(SERIES)]
    return out


def commune_cells(x: Sequence[float], y: Sequence[float]) -> list:
    """Approximate areas of communes known only by their centre points: the Voronoi cells of the points
    (shapely ``voronoi_polygons``), clipped to an outline that follows the points (their concave hull
    widened by about half the spacing of neighbours). Communes sharing a point share its cell. One
    polygon per point, in order."""
    pts = [(float(a), float(b)) for a, b in zip(x, y)]
    if not pts:
        return []
    unique = list(dict.fromkeys(pts))
    cloud = shapely.MultiPoint(unique)
    if len(unique) < 3:
        outline = cloud.buffer(10 / 111.32)                      # 10 km around one or two points
        cells = [outline] if len(unique) == 1 else list(shapely.voronoi_polygons(cloud, extend_to=outline,
                                                                                 ordered=True).geoms)
    else:
        spacing = float(np.median([shapely.Point(p).distance(shapely.MultiPoint([q for q in unique if q != p]))
                                   for p in unique]))
        outline = shapely.concave_hull(cloud, ratio=0.3).buffer(spacing * 0.6)
        cells = list(shapely.voronoi_polygons(cloud, extend_to=outline.envelope.buffer(spacing), ordered=True).geoms)
    by_point = {p: c.intersection(outline) for p, c in zip(unique, cells)}
    return [by_point[p] for p in pts]


def _path(geom) -> MplPath:
    """A shapely (multi)polygon as one matplotlib path, holes included."""
    rings = [r for g in getattr(geom, "geoms", [geom]) if not g.is_empty for r in (g.exterior, *g.interiors)]
    return MplPath.make_compound_path(*[MplPath(np.asarray(r.coords), closed=True) for r in rings]) if rings \
        else MplPath(np.zeros((0, 2)))


@styled
def plot_commune_map(communes: pd.DataFrame, *, meta: ChartMeta, status_order: Sequence[str] | None = None) -> Figure:
    """Communes as areas coloured by status: approximate cells built from their centre points
    (``commune_cells``, said so under the map), the unit boundaries drawn over them and, of a few
    units, their names; beside the map the legend and the communes that need action, numbered on the map.

    Columns: commune_code, commune_name, unit_name, lat, lon, status; optional ntm_criteria_met.
    Longitude is scaled by cos(latitude) so distances look right; a 10 km bar gives the scale.
    Communes without coordinates are counted in a note. ``status_order`` orders the legend (default:
    as first seen, with "Không có số liệu" last). Need action: the communes of a "bad" status, fewest
    criteria first (ties by name), then those without data; the first ``MAX_NAMED`` are listed.
    Units are named (at the pole of their area, moved off each other) up to ``MAX_UNITS`` units.
    """
    lat, lon = column(communes, "lat"), column(communes, "lon")
    ok = lat.notna() & lon.notna()
    c = communes[ok].assign(_lat=lat[ok], _lon=lon[ok], _crit=column(communes, "ntm_criteria_met")[ok])
    status = c["status"].astype("string").fillna("Không có số liệu").astype(str)
    seen = list(dict.fromkeys(status))
    preferred = list(status_order or STATUS_COLORS)
    order = [s for s in preferred if s in seen] + [s for s in seen if s not in preferred]
    order.sort(key=lambda s: NO_DATA in s.lower())          # no data last, stable otherwise
    colours = _status_colours(order)
    k = math.cos(math.radians(float(c["_lat"].mean()))) if len(c) else 1.0
    x, y = (c["_lon"] * k).to_numpy(), c["_lat"].to_numpy()
    cells = commune_cells(x, y)

    fig, axes = new_figure(meta, 1, 2, width_ratios=[2.4, 1])
    ax, side = axes[0, 0], axes[0, 1]
    face = [colours[s] for s in status]
    ax.add_collection(PathCollection([_path(g) for g in cells], facecolors=face, edgecolors="white", linewidths=0.7,
                                     zorder=2, gid="communes"))
    halo = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    labels = []
    areas = {}
    if len(c):
        for unit, idx in c.groupby("unit_name", sort=True).indices.items():
            areas[str(unit)] = shapely.unary_union([cells[i] for i in idx])
        whole = shapely.unary_union(list(areas.values()))
        borders = [a.boundary for a in areas.values()] if 1 < len(areas) <= MAX_UNITS else []
        ax.add_collection(PathCollection([_path(whole)], facecolors="none", edgecolors=PALETTE["text"],
                                         linewidths=1.4, zorder=3, gid="outline"))
        for b in borders:
            for line in getattr(b, "geoms", [b]):
                ax.plot(*np.asarray(line.coords).T, color=PALETTE["text"], linewidth=1.0, zorder=2.5,
                        solid_capstyle="round", gid="unit_border")
    # the communes that need action: numbered on the map, named beside it
    bad = status.map(lambda st: colours[st] == PALETTE["bad"]).to_numpy()
    none = status.map(lambda st: colours[st] == "white").to_numpy()
    names = c["commune_name"].astype(str).to_numpy()
    need = sorted(np.flatnonzero(bad), key=lambda i: (np.nan_to_num(c["_crit"].iloc[i], nan=99), fold(names[i])))
    need += sorted(np.flatnonzero(none), key=lambda i: fold(names[i]))
    many_units = c["unit_name"].nunique() > MAX_UNITS
    listed = []
    for n, i in enumerate(need[:MAX_NAMED], start=1):
        at = shapely.ops.polylabel(cells[i]) if cells[i].geom_type == "Polygon" else cells[i].representative_point()
        labels.append(ax.text(at.x, at.y, str(n), ha="center", va="center", fontsize=10, fontweight="bold",
                              color=PALETTE["text"], zorder=5, gid="need_number",
                              bbox=dict(boxstyle="circle,pad=0.18", facecolor="white", edgecolor=PALETTE["text"],
                                        linewidth=0.8)))
        crit = c["_crit"].iloc[i]
        what = f"{format_number(crit)}/19" if bad[i] and not math.isnan(crit) else status.iloc[i].lower()
        unit = "" if many_units else f" ({c['unit_name'].iloc[i]})"
        listed.append(f"{n}. {names[i]}{unit}: {what}")
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for edge in ax.spines.values():
        edge.set_visible(False)
    if len(c):
        x0, y0, x1, y1 = shapely.unary_union(cells).bounds
        pad = 0.03 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - 2.5 * pad, y1 + pad)
        km = 10 / 111.32                                     # 10 km in degrees of latitude
        ax.plot([x0, x0 + km], [y0 - 1.6 * pad] * 2, color=PALETTE["text"], linewidth=3, solid_capstyle="butt",
                gid="scale_bar")
        ax.annotate("10 km", xy=(x0 + km, y0 - 1.6 * pad), xytext=(6, 0), textcoords="offset points", ha="left",
                    va="center", fontsize=11, color=PALETTE["text"])
    if not many_units:
        names_at = []
        for unit, area in areas.items():
            at = shapely.ops.polylabel(area) if area.geom_type == "Polygon" else area.representative_point()
            names_at.append(ax.annotate(unit, xy=(at.x, at.y), xytext=(0, 0), textcoords="offset points",
                                        ha="center", va="center", fontsize=12.5, fontweight="bold",
                                        color=PALETTE["text"], zorder=4, path_effects=halo, gid="unit_name"))
        move_apart(ax, names_at, fixed=labels)
    side.set_axis_off()
    handles = [Patch(facecolor=colours[s], edgecolor="#595959" if colours[s] == "white" else "none", linewidth=0.8,
                     label=f"{s} ({format_number(int((status == s).sum()))})") for s in order]
    side.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 1), title="Trạng thái (số đơn vị)",
                alignment="left", labelspacing=0.7, borderaxespad=0)
    if listed:
        head = ("Cần quan tâm: " + ("xã chưa đạt, ít tiêu chí đạt nhất (số tiêu chí/19)" if bad.any() else "")
                + (" và " if bad.any() and none.any() else "") + ("đơn vị không có số liệu" if none.any() else ""))
        more = len(need) - len(listed)
        tail = [f"… và {format_number(more)} đơn vị khác"] if more else []
        side.text(0, 0.74, "\n".join([wrap(head, 38), *listed, *tail]), transform=side.transAxes, ha="left",
                  va="top", fontsize=11.5, linespacing=1.4, color=PALETTE["text"], gid="need_list")
    missing = int((~ok).sum())
    add_note(fig, "; ".join(filter(None, [APPROXIMATE, f"{format_number(missing)} đơn vị không có toạ độ, không vẽ "
                                                       "trên bản đồ" if missing else ""])))
    return fig


# --- completeness --------------------------------------------------------------------------------

@styled
def plot_completeness(completeness: pd.DataFrame, *, meta: ChartMeta) -> Figure:
    """Which table of which unit arrived: a unit × table matrix of coloured, labelled cells.

    ``completeness``: index (or column) unit_name, one column per table id, values "received",
    "empty", "missing", "rejected"; or long form with columns unit_name, table, status. With more
    than ``MAX_UNITS`` units (95 communes) only the units with a table not received are rows (at
    most ``MAX_UNITS``), the others one line "… 91 đơn vị khác: đã nhận đủ 5 biểu"; the column
    heads count over all units, and the note says how many are shown of how many.
    """
    frame = completeness
    if {"unit_name", "table", "status"} <= set(frame.columns):
        frame = frame.pivot(index="unit_name", columns="table", values="status")
    elif "unit_name" in frame.columns:
        frame = frame.set_index("unit_name")
    frame = frame.drop(columns=[c for c in ("unit_code",) if c in frame.columns])
    tables = [t for t in TABLES if t in frame.columns] + [t for t in frame.columns if t not in TABLES]
    frame = frame[tables]
    received = [(frame[t] == "received").sum() for t in tables]
    total = len(frame)
    rest = ""
    if total > MAX_UNITS:
        short = frame[(frame != "received").any(axis=1)]
        rest = f"… {format_number(total - len(short))} đơn vị khác: đã nhận đủ {len(tables)} biểu"
        frame = short.head(MAX_UNITS)
    fig, axes = new_figure(meta)
    ax = axes[0, 0]
    nrows, ncols = frame.shape
    for i, (_unit, row) in enumerate(frame.iterrows()):
        for j, value in enumerate(row):
            key = str(value) if pd.notna(value) else "missing"
            colour = COMPLETENESS_COLORS.get(key, "white")
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colour,
                                                      edgecolor="white", linewidth=3))
            light = colour != COMPLETENESS_COLORS["rejected"]
            ax.text(j, i, COMPLETENESS_LABELS.get(key, key), ha="center", va="center",
                    fontsize=12 if nrows <= 14 else 10, color=PALETTE["text"] if light else "white",
                    fontweight="normal" if key == "received" else "bold")
    col_labels = []
    for t, r in zip(tables, received):
        title = TABLES[t].title.split(" — ") if t in TABLES else [str(t)]
        head = title[0] + ("\n" + wrap(title[1], 22) if len(title) > 1 else "")
        col_labels.append((head, f"{r}/{total} đã nhận"))
    lines = max((h.count("\n") for h, _ in col_labels), default=0)   # blank lines between: heads and counts level
    col_labels = [h + "\n " * (lines - h.count("\n")) + "\n" + n for h, n in col_labels]
    rows_drawn = nrows
    if rest:
        ax.text(-0.5, nrows, rest, ha="left", va="center", fontsize=LABEL_SIZE, style="italic",
                color=PALETTE["subtle"])
        rows_drawn = max(nrows + 1, 8)            # a few rows keep their height
        add_note(fig, f"Hiển thị {format_number(nrows)}/{format_number(total)} đơn vị: các đơn vị còn biểu chưa nhận")
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(rows_drawn - 0.5, -0.5)
    ax.set_xticks(range(ncols), labels=col_labels, fontsize=11.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(nrows), labels=[str(i) for i in frame.index])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return fig
