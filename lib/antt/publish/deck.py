"""The slide deck of a cycle (16:9): a title slide, the key figures (native table), one slide per
chart of the catalogue with its takeaway (``antt.analyse.narrative``) — bar and line charts native
and editable, the map and the multi-panel charts as pictures — and data quality. Each slide's notes
name the source. Drawn from a ``CycleView`` with the kit of ``antt.publish.pptx_kit``; written
atomically.
"""

from __future__ import annotations

import contextlib
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Emu, Inches

from antt.analyse.meta import MOVEMENT, REFORM_LABEL, trend_covers
from antt.analyse.narrative import takeaway
from antt.analyse.report_frames import (FILE_STATUS_LABELS, MAX_UNITS, file_statuses, reporting_rates,
                                        select_units, severity_counts, unit_ratio)
from antt.analyse.view import ACROSS_REFORM, KEY_LABELS, CycleView, comparison
from antt.core import indicators
from antt.core.atomic import atomic_path
from antt.core.cycles import parse_cycle
from antt.core.territory import after_reform, joined
from antt.core.findings import SEVERITY_LABEL
from antt.core.text import format_number, format_percent
from antt.core.values import is_missing
from antt.publish import figures
from antt.publish.chart_files import save_figure
from antt.publish.house_style import HEADING, PALETTE
from antt.publish.pptx_kit import (DARK, MARGIN_IN, SLIDE_W_IN, SUBTLE, data_labels, fit_size, footer, native_chart,
                                   native_table, picture, rgb, series_as_line, set_notes, set_text, slide_title,
                                   takeaway_box, textbox)
from antt.publish.report_files import deck_name, target_file


def _sorted_units(view: CycleView, value: pd.Series, fmt=format_number, limit: int = MAX_UNITS,
                  units: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The units of a native chart, largest ``value`` first (``_v``), as the pictures show them
    (``report_frames.select_units``: of many units the highest and the lowest, the units between
    one category named by the gap's label, without values); and the note of how many are shown."""
    d = (view.units if units is None else units).assign(_value=value.astype("float64"))
    sel = select_units(d, d["_value"], limit, fmt)
    d = sel.rows.rename(columns={"_value": "_v"}).assign(_gap=False)
    if sel.gap is not None:
        gap = pd.DataFrame({"unit_name": [sel.gap_label], "_gap": [True]})
        d = pd.concat([d.iloc[:sel.gap], gap, d.iloc[sel.gap:]], ignore_index=True)
    return d, sel.note


def _categories(d: pd.DataFrame, missing: pd.Series) -> list[str]:
    return [str(n) if gap or not is_missing(m) else f"{n} (không có số liệu)"
            for n, m, gap in zip(d["unit_name"], missing, d["_gap"])]


def _native_kdc_coverage(slide, view: CycleView):
    share = unit_ratio(view, "kdc_meeting_share")
    d, note = _sorted_units(view, share, lambda v: format_percent(v, 1))
    target = view.targets["kdc_meeting_share"]
    cats = _categories(d, d["_v"])
    t = format_percent(target, 0 if round(target * 100, 6).is_integer() else 1)
    chart = native_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                         [("Tỷ lệ khu dân cư đạt chuẩn", list(d["_v"])), (f"Chỉ tiêu {t}", [target] * len(d))],
                         number_format="0.0%", colours=[PALETTE["good"], PALETTE["reference"]], value_max=1.1,
                         major_unit=0.25, gap=60, name="chart_kdc_coverage")
    # labels at the foot of the bars, in white: the target line runs near their tops
    dl = chart.plots[0].data_labels
    dl.position = XL_LABEL_POSITION.INSIDE_BASE
    dl.font.color.rgb = rgb("#FFFFFF")
    dl.font.bold = True
    # bars below the target in vermillion, as in the picture
    for i, v in enumerate(d["_v"]):
        if not is_missing(v) and v < target - 1e-12:
            pt = chart.plots[0].series[0].points[i]
            pt.format.fill.solid()
            pt.format.fill.fore_color.rgb = rgb(PALETTE["bad"])
    series_as_line(chart, 1, PALETTE["reference"])
    return note


def _native_kdc_registered_meeting(slide, view: CycleView):
    d, note = _sorted_units(view, pd.to_numeric(view.units["kdc_total"], errors="coerce"), limit=16)
    native_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, _categories(d, d["_v"]),
                 [("Tổng số khu dân cư", list(d["kdc_total"])), ("Đăng ký", list(d["kdc_registered"])),
                  ("Đạt chuẩn", list(d["kdc_meeting"]))],
                 number_format="#,##0", colours=[PALETTE["muted"], PALETTE["secondary"], PALETTE["primary"]],
                 gap=50, label_size=9, name="chart_kdc_registered_meeting")
    return note


def _native_ntm_by_unit(slide, view: CycleView):
    units = view.units
    if len(units) > MAX_UNITS:                  # communes: the phường (no xã) left out, as in the picture
        units = units[pd.to_numeric(units["ntm_communes"], errors="coerce").astype("float64") != 0]
    d, note = _sorted_units(view, unit_ratio(view, "ntm_share").reindex(units.index), lambda v: format_percent(v, 0),
                            units=units)
    if len(units) < len(view.units):
        note = "; ".join(filter(None, [note, f"{format_number(len(view.units) - len(units))} đơn vị không có xã"]))
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, _categories(d, d["ntm_communes"]),
                         [("Tổng số xã", list(d["ntm_communes"])), ("Xã đạt chuẩn nông thôn mới", list(d["ntm_met"]))],
                         number_format="#,##0", colours=[PALETTE["muted"], PALETTE["good"]], overlap=100, gap=40,
                         name="chart_ntm_by_unit")
    met = chart.plots[0].series[1].data_labels
    data_labels(met, "#,##0", 11, XL_LABEL_POSITION.INSIDE_END)
    met.font.color.rgb = rgb("#FFFFFF")
    met.font.bold = True
    return note


def _native_models_setting(slide, view: CycleView):
    d = view.units
    total = pd.to_numeric(d["models_residential"], errors="coerce").astype("float64").add(
        pd.to_numeric(d["models_institutional"], errors="coerce").astype("float64"), fill_value=0)
    d, note = _sorted_units(view, total)
    cats = [str(n) if gap or not (is_missing(a) and is_missing(b)) else f"{n} (không có số liệu)"
            for n, a, b, gap in zip(d["unit_name"], d["models_residential"], d["models_institutional"], d["_gap"])]
    native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats,
                 [("Ở khu dân cư", list(d["models_residential"])),
                  ("Ở cơ quan, doanh nghiệp, nhà trường", list(d["models_institutional"]))],
                 number_format="#,##0", colours=[PALETTE["primary"], PALETTE["accent"]], gap=40, label_size=10,
                 name="chart_models_setting")
    return note


def _native_cameras_per_kdc(slide, view: CycleView):
    per = unit_ratio(view, "cameras_per_kdc")
    d, note = _sorted_units(view, per, lambda v: format_number(v, 1))
    native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, _categories(d, d["_v"]),
                 [("Camera trên một khu dân cư", list(d["_v"]))],
                 number_format="#,##0.0", colours=[PALETTE["primary"]], gap=50, name="chart_cameras_per_kdc")
    return note


TREND_SHARES = ("kdc_meeting_share", "kdc_registered_share", "ntm_share")


def _native_trend(slide, view: CycleView):
    """The shares across the cycles up to this one, one line each (the target is in the footer: a line
    at 95 % would run through the labels of values close to it). A native chart has no dated rule: where
    ``territory.joined`` would draw no line, a blank category leaves a hole, named
    "1/7/2025: sắp xếp đơn vị hành chính" at the reform and "…" where cycles are absent; the footer
    says what each side covers."""
    t = view.trend
    labels, slots = [], []
    cycles = sorted({parse_cycle(c) for c in t["cycle"]})
    for before, c in zip([None, *cycles], cycles):
        if before is not None and not joined(before, c, flow=False):
            labels.append(REFORM_LABEL if after_reform(before) != after_reform(c) else "…")
            slots.append(None)
        labels.append(c.label)
        slots.append(c.id)
    series = []
    for key in TREND_SHARES:
        values = t[t["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")["value"]
        series.append((KEY_LABELS[key], [None if c is None else values.get(c) for c in slots]))
    colours = [PALETTE["primary"], PALETTE["accent"], PALETTE["good"]]
    chart = native_chart(slide, XL_CHART_TYPE.LINE_MARKERS, labels, series, number_format="0.0%", colours=colours,
                         value_max=1.1, major_unit=0.25, name="chart_trend_shares")
    # registered >= meeting: registered labels above its line, meeting below, so they never collide
    data_labels(chart.plots[0].series[0].data_labels, "0.0%", 11, XL_LABEL_POSITION.BELOW)
    return chart


#: Charts drawn natively on their slide (editable), each returning the note of the units it shows; the
#: others are the PNG of ``chart_files.save_charts``.
NATIVE = {
    "kdc_coverage": _native_kdc_coverage,
    "kdc_registered_meeting": _native_kdc_registered_meeting,
    "ntm_by_unit": _native_ntm_by_unit,
    "models_setting": _native_models_setting,
    "cameras_per_kdc": _native_cameras_per_kdc,
}


def _key_figure_rows(view: CycleView) -> list[list[str]]:
    """The key-figures table: each key with its coverage and its change since the comparable earlier
    cycle, then the share of residential areas meeting the standard."""
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    rows = [["Chỉ số", "Giá trị", "Đơn vị tính", "Đơn vị có số liệu", "So với kỳ trước"]]
    for k in indicators.SUMMARY_KEYS:
        c = comp.loc[k.name]
        change = ""
        if not is_missing(c["change"]):
            ch = float(c["change"])
            what = "không đổi" if ch == 0 else f"{'+' if ch > 0 else ''}{format_number(ch)}"
            change = f"{what} ({parse_cycle(c['previous_cycle']).label})" + _across(c, n)
        elif c["reason"] == ACROSS_REFORM:
            change = "không so sánh qua sắp xếp đơn vị hành chính"
        rows.append([k.label, format_number(p[k.name]), k.unit, f"{cov[k.name]}/{n}", change])
    r = indicators.RATIO["kdc_meeting_share"]
    c = comp.loc[r.name]
    change = ""
    if not is_missing(c["change"]):
        pts = float(c["change"]) * 100
        change = f"{'+' if pts > 0 else ''}{format_number(pts, 1)} điểm % ({parse_cycle(c['previous_cycle']).label})"
        change += _across(c, n)
    rows.append([r.label, format_percent(p[r.name]), "%",
                 f"{min(cov[r.numerator], cov[r.denominator])}/{n}", change])
    return rows


def _across(c: pd.Series, n: int) -> str:
    """How a change of ``comparison`` was taken, when not over all ``n`` units of this cycle."""
    if c["basis"] == "current":
        return f", trên {c['common']}/{c['units']} xã, phường hiện nay (quy đổi)"
    return f", trên {c['common']}/{n} đơn vị có số liệu cả hai kỳ" if c["common"] < n else ""


def _slide(prs, layout: int = 5):
    return prs.slides.add_slide(prs.slide_layouts[layout])


def _notes(slide, view: CycleView, *extra: str):
    """The speaker notes: the source of the data, then ``extra`` (the takeaway)."""
    set_notes(slide, view.source + ".", *extra)


def export_deck(view: CycleView, path: Path | str, charts_dir: Path | str | None = None,
                made: date | None = None) -> Path:
    """The slide deck of the cycle (16:9). ``path``: a .pptx file or a folder (→ ``bao_cao_<cycle>.pptx``).

    Pictures come from ``charts_dir`` (``chart_files.save_charts``); a missing PNG is drawn there first (with no
    ``charts_dir``, into a temporary folder). ``made`` is the date on the title slide (default today).
    """
    final = target_file(path, deck_name(view))
    made = made or date.today()
    with contextlib.ExitStack() as stack:
        if charts_dir is None:
            charts_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="antt-charts-")))
        charts_dir = Path(charts_dir)
        prs = Presentation()
        prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)     # 13.333 × 7.5 in, 16:9
        prs.core_properties.title = f"{MOVEMENT} — {view.scope_name}, {view.cycle.label}"
        prs.core_properties.language = "vi-VN"

        # 1. title
        s = _slide(prs, 0)
        title = s.shapes.title
        title.left, title.top = Inches(MARGIN_IN + 0.3), Inches(1.5)
        title.width, title.height = Inches(SLIDE_W_IN - 2 * MARGIN_IN - 0.6), Inches(2.2)
        text = f"{MOVEMENT}\n{view.scope_name}"      # each line on one line: the largest size that allows it
        width = SLIDE_W_IN - 2 * MARGIN_IN - 0.6
        size = min(fit_size(line, width, 2.2, 40, 20, bold=True, max_lines=1) for line in text.split("\n"))
        set_text(title.text_frame, text, size, bold=True, colour=HEADING, anchor=MSO_ANCHOR.BOTTOM)
        sub = s.placeholders[1]
        sub.left, sub.top = Inches(MARGIN_IN + 0.3), Inches(4.0)
        sub.width, sub.height = Inches(SLIDE_W_IN - 2 * MARGIN_IN - 0.6), Inches(1.9)
        text = (f"Báo cáo kết quả {view.cycle.label}\n({view.cycle.period_text})\n"
                f"Ngày lập: {made:%d/%m/%Y}")
        set_text(sub.text_frame, text, fit_size(text, width, 1.9, 24, 14, max_lines=3), colour=DARK)
        footer(s, view.source)
        _notes(s, view)

        # 2. key figures
        s = _slide(prs)
        slide_title(s, f"Các chỉ số chính — {view.scope_name}, {view.cycle.label}")
        rows = _key_figure_rows(view)
        native_table(s, rows, MARGIN_IN, 1.45, SLIDE_W_IN - 2 * MARGIN_IN, 5.5, [5.2, 1.3, 1.7, 1.6, 3.0],
                     size=12, align_right=(1, 3), bold_rows=(len(rows) - 1,), name="key_figures")
        footer(s, view.source + ". Thay đổi: chỉ số tích lũy so với kỳ liền trước; chỉ số trong kỳ "
                                "(giờ phát thanh, băng rôn) so với kỳ cùng loại.")
        _notes(s, view)

        # 3. one slide per chart
        for spec in figures.FIGURES:
            s = _slide(prs)
            slide_title(s, spec.title)
            tw = takeaway(spec.name, view)
            takeaway_box(s, tw)
            if spec.name in NATIVE:
                note = NATIVE[spec.name](s, view)
                footer(s, view.source + (f". {note}" if note else ""))
            else:
                png = charts_dir / f"{spec.stem}.png"
                if not png.exists():
                    save_figure(spec, view, charts_dir)
                picture(s, png)
            _notes(s, view, tw)
            if spec.name == "trend":
                # the shares across cycles, as an editable line chart
                s = _slide(prs)
                slide_title(s, "Tỷ lệ khu dân cư đăng ký, đạt chuẩn và xã đạt chuẩn nông thôn mới qua các kỳ")
                tw = takeaway("trend_shares", view)
                takeaway_box(s, tw)
                _native_trend(s, view)
                footer(s, view.source + f". Chỉ tiêu tỷ lệ khu dân cư đạt chuẩn: "
                                        f"{format_percent(view.targets['kdc_meeting_share'], 0)}. "
                                        + ". ".join(trend_covers(view.trend)) + ".")
                _notes(s, view, tw)

        # last: data quality
        s = _slide(prs)
        slide_title(s, "Chất lượng dữ liệu: nhận báo cáo, phát hiện khi kiểm tra, tệp")
        tw = takeaway("quality", view)
        takeaway_box(s, tw)
        rates = reporting_rates(view)
        rows = [["Biểu", "Đã nhận", "Tỷ lệ nhận"]] + [
            [r.title, f"{r.received}/{r.expected}", format_percent(r.rate)] for r in rates.itertuples()]
        native_table(s, rows, MARGIN_IN, 2.05, 6.3, 2.6, [3.6, 1.2, 1.5], size=13, align_right=(1, 2),
                     name="reporting")
        sev = severity_counts(view)
        rows = [["Phát hiện khi kiểm tra", "Số"]] + [[SEVERITY_LABEL[k], format_number(v)] for k, v in sev.items()]
        native_table(s, rows, 7.3, 2.05, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="findings")
        st = view.files["status"].value_counts()
        rows = [["Tệp trong thư mục kỳ báo cáo", "Số"]] + [
            [FILE_STATUS_LABELS[k].capitalize(), format_number(int(st.get(k, 0)))] for k in FILE_STATUS_LABELS]
        native_table(s, rows, 7.3, 4.05, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="files")
        fs = file_statuses(view)
        odd = fs[fs["status"] != "loaded"]
        if len(odd):
            lines = [textwrap.shorten(f"{r.file.split('/')[-1]} ({r.status_label}): {r.reason}", 170, placeholder=" …")
                     for r in odd.head(4).itertuples()]
            if len(odd) > 4:
                lines.append(f"… và {len(odd) - 4} tệp khác (xem kiem_tra_du_lieu.html).")
            textbox(s, MARGIN_IN, 5.95, SLIDE_W_IN - 2 * MARGIN_IN, 1.0, "\n".join(lines), max_pt=12, min_pt=8,
                    colour=SUBTLE, name="file_notes")
        footer(s, view.source + ". Chi tiết: kiem_tra_du_lieu.html.")
        _notes(s, view, tw)

        with atomic_path(final) as tmp:
            prs.save(tmp)
    return final
