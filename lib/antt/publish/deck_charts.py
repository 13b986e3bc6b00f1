"""The native, editable charts of the deck, one per chart of the catalogue that a chart type of
PowerPoint can draw (``NATIVE``), each the same as its picture (``antt.publish.charts``): the same
units in the same order (sorted by the value shown, ties by name; of many units the highest and the
lowest, the units between one labelled gap), the province bar, the target and average lines as line
series, every value labelled at the bar's end as Vietnamese text ("100,0 %", "2.126").

Each function draws into ``box`` (left, top, width, height in inches) of a slide and returns the note
of the units it shows ("" when all) for the slide's footer.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches, Pt

from antt.analyse.meta import REFORM_LABEL
from antt.analyse.report_frames import MAX_UNITS, model_types, select_units, unit_ratio
from antt.analyse.view import KEY_LABELS, CycleView, complete_points
from antt.core.cycles import parse_cycle
from antt.core.territory import after_reform, joined
from antt.core.text import format_number, format_percent, format_target
from antt.core.values import is_missing
from antt.publish.figures import TREND_KEYS
from antt.publish.house_style import PALE, PALETTE, type_colours
from antt.publish.pptx_kit import (WHITE, fix_plot_area, native_chart, point_labels, rgb, series_as_line, text_width,
                                   textbox, value_rule)

#: A column chart of many units (communes) shows this many: a label above each column needs the width.
COLUMN_UNITS = 16
NO_DATA = "không có số liệu"


def _f(v) -> float:
    return float("nan") if is_missing(v) else float(v)


def _pct(v, decimals: int = 1) -> str | None:
    return None if is_missing(v) else format_percent(float(v), decimals)


def _num(v, decimals: int = 0) -> str | None:
    return None if is_missing(v) else format_number(float(v), decimals)


def unit_rows(view: CycleView, value: pd.Series, *, limit: int = MAX_UNITS, fmt=format_number,
              units: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The units of a chart, largest ``value`` (``_value``) first, ties by name, no value last: all of
    them up to ``MAX_UNITS``; of more (communes) the ``limit`` highest and lowest with a gap row (``_gap``
    True, its name the gap's label), as the pictures show them (``report_frames.select_units``); and the
    note of how many are shown."""
    d = (view.units if units is None else units).assign(_value=pd.to_numeric(value, errors="coerce").astype("float64"))
    sel = select_units(d, d["_value"], MAX_UNITS if len(d) <= MAX_UNITS else limit, fmt)
    rows = sel.rows.assign(_gap=False)
    if sel.gap is not None:
        gap = pd.DataFrame({"unit_name": [sel.gap_label], "_gap": [True]})
        rows = pd.concat([rows.iloc[:sel.gap], gap, rows.iloc[sel.gap:]], ignore_index=True)
    return rows.reset_index(drop=True), sel.note


def _categories(d: pd.DataFrame, missing: pd.Series) -> tuple[list[str], str]:
    """The unit names of a chart's rows, and the note naming those without a value (their row left
    blank: a longer name, "… (không có số liệu)", makes LibreOffice name only every other row)."""
    none = [str(n) for n, m, gap in zip(d["unit_name"], missing, d["_gap"]) if not gap and is_missing(m)]
    note = f"Không có số liệu (để trống): {', '.join(none)}" if none else ""
    return [str(n) for n in d["unit_name"]], note


def _fill(point, colour: str):
    point.format.fill.solid()
    point.format.fill.fore_color.rgb = rgb(colour)


def _province_label(view: CycleView, *keys: str) -> str:
    """"Toàn tỉnh", marked " *" when not every unit reported ``keys``."""
    cov = min(view.province["coverage"][k] for k in keys)
    return "Toàn tỉnh" + (" *" if cov < view.expected else "")


def _coverage_note(view: CycleView, *keys: str) -> str:
    cov = min(view.province["coverage"][k] for k in keys)
    return "" if cov >= view.expected else f"* Toàn tỉnh: số liệu của {cov}/{view.expected} đơn vị"


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _unit_bars(slide, box, cats: list[str], values: list, texts: list[str | None], colours: list[str], *,
               value_max: float, rule: tuple[float, str] | None, size: float, series: str, name: str):
    """Horizontal bars of units as the pictures draw them (the first category on top), each labelled
    with its text at the bar's end, or inside it in white where the rule would cross the label; the
    rule (value, label) a dashed line over the fixed plot area."""
    x = min(0.4, (max(text_width(c, size) for c in cats) + 0.2) / box[2])
    inner = (x, 0.08, 0.98 - x, 0.9)
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats, [(series, values)], colours=colours[:1],
                         value_max=value_max, number_format="0.0", gap=35, legend=False, category_size=size, box=box,
                         name=name)
    chart.category_axis.reverse_order = True
    fix_plot_area(chart, *inner)
    bars = chart.plots[0].series[0]
    for i, colour in enumerate(colours):
        _fill(bars.points[i], colour)
    per_in = value_max / (box[2] * inner[2])               # value units in an inch of the plot
    inside = [rule is not None and t is not None and not is_missing(v)
              and float(v) <= rule[0] <= float(v) + (text_width(t, size) + 0.15) * per_in
              and (text_width(t, size) + 0.15) * per_in < float(v)
              for v, t in zip(values, texts)]
    point_labels(bars, [None if i else t for t, i in zip(texts, inside)], size=size,
                 position=XL_LABEL_POSITION.OUTSIDE_END)
    point_labels(bars, [t if i else None for t, i in zip(texts, inside)], size=size,
                 position=XL_LABEL_POSITION.INSIDE_END, colour=WHITE)
    if rule is not None:
        value_rule(slide, box, inner, rule[0], value_max, rule[1], PALETTE["reference"], f"{name}_rule")
    return chart


def kdc_coverage(slide, view: CycleView, box) -> str:
    """01: the share of areas meeting the standard, the province first (outlined), bars below the target
    in the "bad" colour, the target a dashed rule, as the picture."""
    share = unit_ratio(view, "kdc_meeting_share")
    many = len(view.units) > MAX_UNITS
    d, note = unit_rows(view, share, fmt=lambda v: format_percent(v, 1))
    target = view.targets["kdc_meeting_share"]
    names, empty = _categories(d, d["_value"])
    cats = [_province_label(view, "kdc_total", "kdc_meeting"), *names]
    values = [view.province["kdc_meeting_share"], *d["_value"]]
    colours = [PALETTE["bad"] if not is_missing(v) and float(v) < target - 1e-12 else PALETTE["good"] for v in values]
    chart = _unit_bars(slide, box, cats, values, [_pct(v) for v in values], colours, value_max=1.12,
                       rule=(target, f"Chỉ tiêu {format_target(target)}"), size=10 if many else 12,
                       series="Tỷ lệ khu dân cư đạt chuẩn", name="chart_kdc_coverage")
    province = chart.plots[0].series[0].points[0]
    province.format.line.color.rgb = rgb(PALETTE["text"])
    province.format.line.width = Pt(1.5)
    return _join(note, empty, _coverage_note(view, "kdc_total", "kdc_meeting"))


def kdc_registered_meeting(slide, view: CycleView, box) -> str:
    """02: areas in total, registered and meeting the standard, by unit (largest total first)."""
    d, note = unit_rows(view, view.units["kdc_total"], limit=COLUMN_UNITS)
    keys = ("kdc_total", "kdc_registered", "kdc_meeting")
    cats, empty = _categories(d, d["_value"])
    chart = native_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                         [(n, list(d[k])) for k, n in zip(keys, ("Tổng số khu dân cư", "Đăng ký", "Đạt chuẩn"))],
                         number_format="#,##0", colours=[PALETTE["muted"], PALETTE["secondary"], PALETTE["primary"]],
                         gap=40, category_size=10, box=box, name="chart_kdc_registered_meeting")
    for s, k in zip(chart.plots[0].series, keys):
        point_labels(s, [_num(v) for v in d[k]], size=9, position=XL_LABEL_POSITION.OUTSIDE_END)
    return _join(note, empty)


def ntm_by_unit(slide, view: CycleView, box) -> str:
    """03: xã meeting the new-rural standard (the "good" part) out of all xã (the "bad" rest), most met
    first, "68/86 (79 %)" at the bar's end, as the picture; of many units the phường (no xã) left out."""
    units = view.units
    if len(units) > MAX_UNITS:
        units = units[pd.to_numeric(units["ntm_communes"], errors="coerce").astype("float64") != 0]
    met = pd.to_numeric(units["ntm_met"], errors="coerce").astype("float64")
    d, note = unit_rows(view, met.where(pd.to_numeric(units["ntm_communes"], errors="coerce") > 0), units=units,
                        fmt=lambda v: f"{format_number(v)} xã đạt")
    if len(units) < len(view.units):
        note = _join(note, f"{format_number(len(view.units) - len(units))} đơn vị không có xã")
    cats, empty = _categories(d, d["ntm_communes"])
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats,
                         [("Chưa đạt", list(d["ntm_communes"])), ("Đạt chuẩn nông thôn mới", list(d["ntm_met"]))],
                         number_format="#,##0", colours=[PALETTE["bad"], PALETTE["good"]], overlap=100, gap=40,
                         category_size=9 if len(d) > 16 else 12, box=box, name="chart_ntm_by_unit")
    texts = [None if gap or is_missing(n) or is_missing(m) or not n
             else f"{format_number(m)}/{format_number(n)} ({format_percent(float(m) / float(n), 0)})"
             for n, m, gap in zip(d["ntm_communes"], d["ntm_met"], d["_gap"])]
    point_labels(chart.plots[0].series[0], texts, size=11, position=XL_LABEL_POSITION.OUTSIDE_END)
    return _join(note, empty)


def ntm_criteria(slide, view: CycleView, box) -> str:
    """04: how many xã have met each number of the 19 criteria, 19 / 17–18 / fewer as three series."""
    crit = pd.to_numeric(view.tables["ntm"]["ntm_criteria_met"], errors="coerce").astype("float64")
    known = crit.dropna().round().clip(0, 19).astype(int)
    low = int(min(known.min(), 10)) if len(known) else 10
    xs = list(range(low, 20))
    counts = known.value_counts().reindex(xs, fill_value=0)
    groups = [("Đạt đủ 19 tiêu chí", lambda k: k == 19, PALETTE["good"]),
              (f"Còn thiếu 1–2 tiêu chí ({format_number(int(counts.loc[17:18].sum()))} xã)",
               lambda k: 17 <= k < 19, PALETTE["warn"]),
              ("Còn thiếu từ 3 tiêu chí", lambda k: k < 17, PALETTE["secondary"])]
    series = [(name, [int(counts[k]) if inside(k) else None for k in xs]) for name, inside, _ in groups]
    top = max(1, int(counts.max()))
    chart = native_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, [str(k) for k in xs], series, number_format="0",
                         colours=[c for *_, c in groups], gap=40, overlap=100, value_max=top * 1.12, box=box,
                         name="chart_ntm_criteria")
    for s, (_, values) in zip(chart.plots[0].series, series):
        point_labels(s, [None if not v else format_number(v) for v in values], size=12,
                     position=XL_LABEL_POSITION.OUTSIDE_END)
    missing = int(crit.isna().sum())
    return "Số tiêu chí đã đạt (trên 19)" + (f"; {format_number(missing)} xã {NO_DATA} về số tiêu chí" if missing else "")


def ntm_recognitions(slide, view: CycleView, box) -> str:
    """05: xã recognised per year (columns) and the running total (a line); the year of a part-year
    cycle named as such."""
    years = pd.to_numeric(view.tables["ntm"]["ntm_year"], errors="coerce").dropna().round().astype(int)
    if years.empty:
        textbox(slide, *box, "Không có số liệu về năm công nhận.", max_pt=20, min_pt=14, name="no_data")
        return ""
    xs = list(range(int(years.min()), int(years.max()) + 1))
    counts = years.value_counts().reindex(xs, fill_value=0)
    cum = counts.cumsum()
    part = view.cycle.year in xs and view.cycle.end < date(view.cycle.year, 12, 31)
    cats = [f"{y} (đến {view.cycle.end:%d/%m})" if part and y == view.cycle.year else str(y) for y in xs]
    chart = native_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                         [("Số xã được công nhận trong năm", list(counts)),
                          ("Lũy kế (tổng số xã đã được công nhận)", list(cum))],
                         number_format="0", colours=[PALETTE["primary"], PALETTE["accent"]],
                         value_max=max(1, int(cum.max())) * 1.15, gap=60, box=box, name="chart_ntm_recognitions")
    top = float(cum.max())
    # a point of the running total just above its bar's top: the bar's label inside the bar (if it fits)
    inside = [i > 0 and total - c < 0.08 * top and c >= 0.06 * top for i, (c, total) in enumerate(zip(counts, cum))]
    bars = chart.plots[0].series[0]
    point_labels(bars, [None if not c or inner else format_number(c) for c, inner in zip(counts, inside)], size=12,
                 position=XL_LABEL_POSITION.OUTSIDE_END)
    point_labels(bars, [format_number(c) if inner else None for c, inner in zip(counts, inside)], size=12,
                 position=XL_LABEL_POSITION.INSIDE_END, colour=WHITE, bold=True)
    series_as_line(chart, 1, PALETTE["accent"], dash=False, marker=True)
    point_labels(chart.plots[1].series[0], [None if i == 0 else format_number(c) for i, c in enumerate(cum)], size=12,
                 position=XL_LABEL_POSITION.ABOVE, bold=True)
    return f"Năm {view.cycle.year}: đến {view.cycle.end:%d/%m/%Y} (chưa hết năm)" if part else ""


def models_by_type(slide, view: CycleView, box) -> str:
    """07: models by type and unit, stacked, the total at the bar's end (largest total first)."""
    models = view.tables["models"]
    types = model_types(models)
    table = pd.crosstab(models["unit_code"].astype(str), models["model_type"].astype(str)).reindex(columns=types,
                                                                                                  fill_value=0)
    units = view.units.assign(unit_code=view.units["unit_code"].astype(str))
    none = units["models_residential"].isna() & units["models_institutional"].isna()
    table = table.reindex(units["unit_code"], fill_value=0)
    total = table.sum(axis=1).astype("float64").where(~none.to_numpy())
    units = units.join(table.reset_index(drop=True).set_axis(units.index))
    d, note = unit_rows(view, total.set_axis(units.index), units=units)
    colours = list(type_colours(types).values())
    series = [(t, [None if gap else v for v, gap in zip(d[t], d["_gap"])]) for t in types]
    series.append(("Tổng", [None if gap or is_missing(v) else 0 for v, gap in zip(d["_value"], d["_gap"])]))
    cats, empty = _categories(d, d["_value"])
    chart = native_chart(slide, XL_CHART_TYPE.BAR_STACKED, cats, series, number_format="0",
                         colours=[*colours, PALETTE["muted"]], gap=40, overlap=100, legend=False,
                         category_size=9 if len(d) > 16 else 12, box=(box[0], box[1], box[2] - 3.2, box[3]),
                         name="chart_models_by_type")
    top = float(d["_value"].max()) if d["_value"].notna().any() else 1.0
    plot = chart.plots[0]
    for s, t, colour in zip(plot.series, types, colours):
        point_labels(s, [None if gap or not v or v < top * 0.06 else format_number(v) for v, gap in zip(d[t], d["_gap"])],
                     size=10, position=XL_LABEL_POSITION.CENTER, colour=PALETTE["text"] if colour in PALE else WHITE)
    point_labels(plot.series[len(types)], [None if gap or is_missing(v) else format_number(v)
                                           for v, gap in zip(d["_value"], d["_gap"])],
                 size=11, position=XL_LABEL_POSITION.INSIDE_BASE, bold=True)
    _legend_box(slide, (box[0] + box[2] - 3.1, box[1], 3.1, box[3]), "Loại mô hình",
                list(zip(types, colours)))
    return _join(note, empty)


def _legend_box(slide, box, title: str, items: list[tuple[str, str]]):
    """A legend as shapes beside a chart (a chart's own legend cannot leave out the total series)."""
    left, top, width, _ = box
    textbox(slide, left, top + 0.2, width, 0.35, title, max_pt=13, min_pt=13, bold=True, name="legend_title")
    y = top + 0.65
    for text, colour in items:
        _swatch(slide, left, y + 0.06, colour)
        textbox(slide, left + 0.32, y, width - 0.32, 0.5, text, max_pt=12, min_pt=10, name="legend_item")
        y += 0.56


def models_setting(slide, view: CycleView, box) -> str:
    """08: models in residential areas and in agencies, enterprises, schools, by unit (most in
    residential areas first)."""
    d, note = unit_rows(view, view.units["models_residential"])
    missing = d["models_residential"].where(d["models_residential"].notna(), d["models_institutional"])
    cats, empty = _categories(d, missing)
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats,
                         [("Ở khu dân cư", list(d["models_residential"])),
                          ("Ở cơ quan, doanh nghiệp, nhà trường", list(d["models_institutional"]))],
                         number_format="#,##0", colours=[PALETTE["primary"], PALETTE["accent"]], gap=40,
                         category_size=9 if len(d) > 16 else 12, box=box, name="chart_models_setting")
    for s, k in zip(chart.plots[0].series, ("models_residential", "models_institutional")):
        point_labels(s, [_num(v) for v in d[k]], size=10 if len(d) > 16 else 11, position=XL_LABEL_POSITION.OUTSIDE_END)
    return _join(note, empty)


def cameras_per_kdc(slide, view: CycleView, box) -> str:
    """09: cameras per residential area by unit, the province mean a dashed rule, as the picture."""
    per = unit_ratio(view, "cameras_per_kdc")
    many = len(view.units) > MAX_UNITS
    d, note = unit_rows(view, per, fmt=lambda v: format_number(v, 1))
    mean = view.province["cameras_per_kdc"]
    top = max([float(v) for v in d["_value"].dropna()] + [0.0 if is_missing(mean) else float(mean), 1.0])
    cats, empty = _categories(d, d["_value"])
    texts = [None if is_missing(v) else f"{format_number(v, 1)} ({format_number(c)} camera)"
             for v, c in zip(d["_value"], d["cameras"])]
    _unit_bars(slide, box, cats, list(d["_value"]), texts,
               [PALETTE["primary"]] * len(d), value_max=top * 1.3,
               rule=None if is_missing(mean) else (float(mean), f"Bình quân toàn tỉnh {format_number(mean, 1)}"),
               size=10 if many else 12, series="Camera trên một khu dân cư", name="chart_cameras_per_kdc")
    return _join(note, empty, _coverage_note(view, "cameras", "kdc_total"))


def _panel(slide, view: CycleView, d: pd.DataFrame, cats, key: str, title: str, colour: str, box, *, names: bool,
           texts=None, name: str):
    textbox(slide, box[0], box[1], box[2], 0.35, title, max_pt=14, min_pt=11, bold=True, name=f"{name}_title",
            max_lines=1)
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats, [(title, list(d[key]))], number_format="#,##0",
                         colours=[colour], gap=40, category_size=9 if len(d) > 16 else 12,
                         box=(box[0], box[1] + 0.4, box[2], box[3] - 0.4), name=name)
    if not names:
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    point_labels(chart.plots[0].series[0], texts or [_num(v) for v in d[key]], size=10 if len(d) > 16 else 11,
                 position=XL_LABEL_POSITION.OUTSIDE_END)
    return chart


def _halves(box, left_share: float = 0.55):
    left, top, width, height = box
    w1 = width * left_share
    return (left, top, w1 - 0.1, height), (left + w1 + 0.1, top, width - w1 - 0.1, height)


def outreach(slide, view: CycleView, box) -> str:
    """10: broadcast hours and banners by unit, two panels, the units in the same order (by hours)."""
    d, note = unit_rows(view, view.units["broadcast_hours"])
    cats, empty = _categories(d, d["_value"])
    b1, b2 = _halves(box)
    _panel(slide, view, d, cats, "broadcast_hours", f"{KEY_LABELS['broadcast_hours']} (giờ)", PALETTE["primary"], b1,
           names=True, name="chart_outreach_hours")
    _panel(slide, view, d, cats, "banners_posters", f"{KEY_LABELS['banners_posters']} (cái)", PALETTE["accent"], b2,
           names=False, name="chart_outreach_banners")
    return _join(note, empty)


def bright_spots(slide, view: CycleView, box) -> str:
    """11: bright spots (upper level and commune level, stacked, total at the end) and core groups
    (with members), by unit, the units in the same order (by bright spots)."""
    u = view.units
    total = pd.to_numeric(u["bright_spots_upper"], errors="coerce") + pd.to_numeric(u["bright_spots_commune"],
                                                                                    errors="coerce")
    d, note = unit_rows(view, total)
    cats, empty = _categories(d, d["_value"])
    b1, b2 = _halves(box)
    textbox(slide, b1[0], b1[1], b1[2], 0.35, "Điểm sáng chấp hành pháp luật", max_pt=14, min_pt=11, bold=True,
            name="chart_bright_spots_title", max_lines=1)
    series = [("Cấp tỉnh, cấp huyện", list(d["bright_spots_upper"])), ("Cấp xã", list(d["bright_spots_commune"])),
              ("Tổng", [None if gap or is_missing(v) else 0 for v, gap in zip(d["_value"], d["_gap"])])]
    chart = native_chart(slide, XL_CHART_TYPE.BAR_STACKED, cats, series, number_format="#,##0",
                         colours=[PALETTE["primary"], PALETTE["secondary"], PALETTE["muted"]], gap=40, overlap=100,
                         legend=False, category_size=9 if len(d) > 16 else 12,
                         box=(b1[0], b1[1] + 0.4, b1[2], b1[3] - 0.85), name="chart_bright_spots")
    _legend_row(slide, (b1[0] + 1.5, b1[1] + b1[3] - 0.4), [(series[0][0], PALETTE["primary"]),
                                                          (series[1][0], PALETTE["secondary"])])
    point_labels(chart.plots[0].series[2], [None if gap or is_missing(v) else format_number(v)
                                            for v, gap in zip(d["_value"], d["_gap"])],
                 size=10 if len(d) > 16 else 11, position=XL_LABEL_POSITION.INSIDE_BASE, bold=True)
    texts = [None if is_missing(g) else format_number(g) + ("" if is_missing(m) else f" ({format_number(m)} người)")
             for g, m in zip(d["core_groups"], d["core_group_members"])]
    _panel(slide, view, d, cats, "core_groups", KEY_LABELS["core_groups"], PALETTE["accent"], b2, names=False,
           texts=texts, name="chart_core_groups")
    return _join(note, empty)


def _legend_row(slide, at, items: list[tuple[str, str]]):
    """A one-line legend as shapes from ``at`` (left, top in inches)."""
    left, top = at
    for text, colour in items:
        _swatch(slide, left, top + 0.06, colour)
        width = 0.3 + len(text) * 0.1
        textbox(slide, left + 0.3, top, width, 0.35, text, max_pt=12, min_pt=12, name="legend_item", max_lines=1)
        left += 0.3 + width + 0.2


def _swatch(slide, left, top, colour: str):
    sw = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(0.22), Inches(0.22))
    sw.fill.solid()
    sw.fill.fore_color.rgb = rgb(colour)
    sw.line.fill.background()


def trend_slots(view: CycleView) -> tuple[list[str], list[str | None]]:
    """The categories of a chart across cycles and the cycle of each (None: a hole, where
    ``territory.joined`` would draw no line: "1/7/2025: sắp xếp đơn vị hành chính" at the reform, "…"
    where cycles are absent)."""
    labels, slots = [], []
    cycles = sorted({parse_cycle(c) for c in view.trend["cycle"]})
    for before, c in zip([None, *cycles], cycles):
        if before is not None and not joined(before, c, flow=False):
            labels.append(REFORM_LABEL if after_reform(before) != after_reform(c) else "…")
            slots.append(None)
        labels.append(c.label)
        slots.append(c.id)
    return labels, slots


def short_label(label: str) -> str:
    """A category of ``trend_slots`` short enough for a small panel: "6 tháng 2023", "năm 2025", "1/7/2025"."""
    return REFORM_LABEL.split(":")[0] if label == REFORM_LABEL else label.replace("6 tháng đầu năm", "6 tháng")


def trend(slide, view: CycleView, box) -> str:
    """12: each key across the cycles, one small line chart each (own scale); a value not every unit
    reported is a hollow marker and its label ends in " *"; the target of the KDC share a dashed line."""
    labels, slots = trend_slots(view)
    t = view.trend
    complete = complete_points(view.trend)
    left, top, width, height = box
    cols, rows = 3, 2
    w, h = width / cols, height / rows
    short = [short_label(lb) for lb in labels]
    incomplete = False
    for i, key in enumerate(TREND_KEYS):
        x, y = left + (i % cols) * w, top + (i // cols) * h
        values = t[t["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")["value"]
        vals = [None if s is None or is_missing(values.get(s)) else float(values.get(s)) for s in slots]
        share = key.endswith("_share")
        series = [(KEY_LABELS[key], vals)]
        target = view.targets.get(key)
        if target is not None:
            series.append((f"Chỉ tiêu {format_target(target)}", [None if s is None else target for s in slots]))
        known = [v for v in vals if v is not None]
        top_v = max(known + [target or 0.0, 1e-9])
        textbox(slide, x + 0.05, y, w - 0.1, 0.55, KEY_LABELS[key] + (f" (chỉ tiêu {format_target(target)})" if target else ""),
                max_pt=13, min_pt=10, bold=True, name=f"trend_{key}_title")
        chart = native_chart(slide, XL_CHART_TYPE.LINE_MARKERS, short, series, number_format="0.0%" if share else "#,##0",
                             colours=[PALETTE["primary"], PALETTE["reference"]], value_max=top_v * 1.3, legend=False,
                             category_size=9, box=(x, y + 0.5, w - 0.1, h - 0.55), name=f"chart_trend_{key}")
        s = chart.plots[0].series[0]
        texts = []
        for j, (v, c) in enumerate(zip(vals, slots)):
            if v is None:
                texts.append(None)
                continue
            full = complete[(c, key)]
            incomplete |= not full
            texts.append((format_percent(v, 1) if share else format_number(v)) + ("" if full else " *"))
            if not full:
                m = s.points[j].marker
                m.format.fill.solid()
                m.format.fill.fore_color.rgb = rgb(WHITE)
                m.format.line.color.rgb = rgb(PALETTE["primary"])
                m.format.line.width = Pt(2)
        point_labels(s, texts, size=10, position=XL_LABEL_POSITION.ABOVE)
        if target is not None:
            ts = chart.plots[0].series[1]
            ts.marker.style = XL_MARKER_STYLE.NONE
            ts.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            ts.format.line.width = Pt(1.5)
    return "* Chưa đủ số liệu của các đơn vị (điểm rỗng)" if incomplete else ""


#: Charts of the catalogue drawn natively (the others are pictures with alt text).
NATIVE = {
    "kdc_coverage": kdc_coverage,
    "kdc_registered_meeting": kdc_registered_meeting,
    "ntm_by_unit": ntm_by_unit,
    "ntm_criteria": ntm_criteria,
    "ntm_recognitions": ntm_recognitions,
    "models_by_type": models_by_type,
    "models_setting": models_setting,
    "cameras_per_kdc": cameras_per_kdc,
    "outreach": outreach,
    "bright_spots": bright_spots,
    "trend": trend,
}
