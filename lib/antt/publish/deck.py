"""The slide deck of a cycle (16:9), to put on the screen as it is: a title slide, the agenda, at most
six headline tiles (the share of residential areas meeting the standard against the target first,
each with its like-for-like change, ``antt.analyse.view.comparison``), one slide per chart of the
catalogue — its finding (``antt.analyse.narrative.takeaway``) as the slide's title, the chart's title
under it, the chart native and editable where PowerPoint can draw it (``deck_charts``), else its
picture with alt text — the exceptions (units below the KDC target, xã close to the new-rural
standard and criterion 19.2), a draft of conclusions for the analyst to edit, then after a "Phụ lục"
divider the data-quality slides. Every slide but the title has its number; every slide's notes name
the source. Drawn from a ``CycleView`` with the kit of ``antt.publish.pptx_kit``; written atomically.
"""

from __future__ import annotations

import contextlib
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches

from antt.analyse import narrative, tables
from antt.analyse.meta import MOVEMENT, trend_covers
from antt.analyse.report_frames import (FILE_STATUS_LABELS, below_target, file_statuses, reporting_rates,
                                        severity_counts)
from antt.analyse.view import ACROSS_REFORM, CycleView, comparison
from antt.core import indicators
from antt.core.atomic import atomic_path
from antt.core.cycles import parse_cycle
from antt.core.findings import SEVERITY_LABEL
from antt.core.text import format_number, format_percent, format_target
from antt.core.values import is_missing
from antt.publish import deck_charts, figures
from antt.publish.chart_files import save_figure
from antt.publish.house_style import HEADING, PALETTE
from antt.publish.pptx_kit import (DARK, MARGIN_IN, SLIDE_W_IN, SUBTLE, content_box, fit_size, footer, native_table,
                                   picture, set_notes, set_text, slide_number, slide_title, subtitle, text_lines,
                                   textbox, tile)
from antt.publish.report_files import deck_name, target_file, workbook_name

WIDTH_IN = SLIDE_W_IN - 2 * MARGIN_IN
#: The sections of the agenda, and the charts of the catalogue in each.
SECTIONS = (
    ("Khu dân cư “An toàn về an ninh, trật tự”", ("kdc_coverage", "kdc_registered_meeting")),
    ("Xã đạt chuẩn nông thôn mới", ("ntm_by_unit", "ntm_criteria", "ntm_recognitions", "ntm_map")),
    ("Mô hình tự quản, camera, tuyên truyền, điểm sáng", ("models_by_type", "models_setting", "cameras_per_kdc",
                                                          "outreach", "bright_spots")),
    ("Các chỉ số qua các kỳ báo cáo", ("trend",)),
)
#: Charts of the catalogue in the appendix (data quality).
APPENDIX_CHARTS = ("completeness",)
#: Rows of an exceptions table on one slide.
TABLE_ROWS = 12


def finding(text: str) -> str:
    """A takeaway shortened to a slide title: the clauses (split at "; ") that fit two lines at 22 pt,
    at least the first (cut with " …" if it alone is longer)."""
    clauses = text.rstrip(".").split("; ")
    for n in range(len(clauses), 0, -1):
        head = "; ".join(clauses[:n])
        if text_lines(head, WIDTH_IN, 22, True) <= 2:
            return head + ("." if n == len(clauses) else "")
    return textwrap.shorten(clauses[0], 110, placeholder=" …")


def _slide(prs, layout: int = 5):
    return prs.slides.add_slide(prs.slide_layouts[layout])


def _notes(slide, view: CycleView, *extra: str):
    """The speaker notes: the source of the data, then ``extra`` (the full takeaway)."""
    set_notes(slide, view.source + ".", *extra)


def _footer(slide, view: CycleView, *notes: str):
    footer(slide, ". ".join([view.source, *(n for n in notes if n)]) + ".")


# --- headline tiles ------------------------------------------------------------------------------

def change_line(c: pd.Series) -> str:
    """"so với năm 2025: +110 (10/11 đơn vị)": the like-for-like change of a ``comparison`` row over the
    units with a value in both cycles (a share in percentage points); or why there is none."""
    if c["reason"] == ACROSS_REFORM:
        return "không so sánh qua sắp xếp đơn vị hành chính 1/7/2025"
    if is_missing(c["change"]):
        return c["reason"] or ""
    ch = float(c["change"])
    share = str(c.name).endswith("_share")
    if share:
        pts = round(ch * 100, 1)
        what = "không đổi" if pts == 0 else f"{'+' if pts > 0 else ''}{format_number(pts, 1)} điểm %"
    else:
        what = "không đổi" if ch == 0 else f"{'+' if ch > 0 else ''}{format_number(ch)}"
    over = (f"{c['common']}/{c['units']} xã, phường hiện nay, quy đổi" if c["basis"] == "current"
            else f"{c['common']}/{c['units']} đơn vị")
    return f"so với {parse_cycle(c['previous_cycle']).label}: {what} ({over})"


def _coverage(view: CycleView, key: str) -> int:
    cov = view.province["coverage"]
    r = indicators.RATIO.get(key)
    return min(cov[r.numerator], cov[r.denominator]) if r else cov[key]


def headline_tiles(view: CycleView) -> list[tuple[str, str, str, str]]:
    """The headline tiles (value, label, change line, colour): the KDC share against the target first,
    then xã new-rural, models, cameras, bright spots and core groups; a value not every unit reported
    ends in " *"."""
    p, comp = view.province, comparison(view).set_index("key")
    target = view.targets["kdc_meeting_share"]
    t = format_target(target)
    star = {k: "" if _coverage(view, k) >= view.expected else " *" for k in comp.index}
    out = []
    share = p["kdc_meeting_share"]
    out.append((("—" if share is None else format_percent(share)) + star["kdc_meeting_share"],
                f"khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” (chỉ tiêu {t})",
                change_line(comp.loc["kdc_meeting_share"]),
                HEADING if share is None else PALETTE["good"] if share >= target - 1e-12 else PALETTE["bad"]))
    if p["ntm_communes"]:
        out.append((f"{format_number(p['ntm_met'])}/{format_number(p['ntm_communes'])}" + star["ntm_met"],
                    f"xã đạt chuẩn nông thôn mới ({format_percent(p['ntm_share'])})",
                    change_line(comp.loc["ntm_met"]), HEADING))
    for key, label in (("models_residential", "mô hình tự quản về an ninh, trật tự ở khu dân cư"),
                       ("cameras", "camera an ninh"),
                       ("bright_spots_commune", "điểm sáng chấp hành pháp luật cấp xã"),
                       ("core_groups", "tổ, nhóm nòng cốt")):
        if p[key] is not None:
            out.append((format_number(p[key]) + star[key], label, change_line(comp.loc[key]),
                        HEADING))
    return out[:6]


def _tiles_slide(prs, view: CycleView):
    s = _slide(prs)
    slide_title(s, f"Kết quả chính — {view.scope_name}, {view.cycle.label}")
    tiles = headline_tiles(view)
    left, top, width, height = content_box()
    cols = 3
    gap = 0.3
    w = (width - (cols - 1) * gap) / cols
    h = (height - 0.2 - gap) / 2
    for i, (value, label, change, colour) in enumerate(tiles):
        tile(s, left + (i % cols) * (w + gap), top + 0.1 + (i // cols) * (h + gap), w, h, value, label, change,
             colour=colour, name=f"tile_{i + 1}")
    short = {_coverage(view, k) for k in ("kdc_meeting_share", "ntm_met", "models_residential", "cameras",
                                          "bright_spots_commune", "core_groups") if _coverage(view, k) < view.expected}
    note = (f"* Số liệu của {min(short)}/{view.expected} đơn vị" if short else "")
    _footer(s, view, note, "Thay đổi: trên các đơn vị có số liệu cả hai kỳ")
    _notes(s, view, *("; ".join(t[:3]) for t in tiles))


# --- exceptions ----------------------------------------------------------------------------------

def _rows_or_more(rows: list[list[str]], what: str) -> tuple[list[list[str]], str]:
    if len(rows) <= TABLE_ROWS:
        return rows, ""
    return rows[:TABLE_ROWS], f"… và {len(rows) - TABLE_ROWS} {what} khác"


def _kdc_exceptions(prs, view: CycleView, wb: str):
    s = _slide(prs)
    below = below_target(view)
    target = view.targets["kdc_meeting_share"]
    t = format_target(target)
    units = view.units
    missing = units[units["kdc_total"].isna() | units["kdc_meeting"].isna()]
    known = len(units) - len(missing)
    if below.empty:
        title = f"Tất cả {known}/{len(units)} đơn vị có số liệu đạt chỉ tiêu {t} khu dân cư đạt chuẩn"
    else:
        title = (f"{len(below)}/{len(units)} đơn vị dưới chỉ tiêu {t}: cần thêm "
                 f"{format_number(int(below['needed'].sum()))} khu dân cư đạt chuẩn để đạt chỉ tiêu")
    slide_title(s, title)
    subtitle(s, f"Đơn vị dưới chỉ tiêu khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” ({t})")
    lines = []
    if len(below):
        rows = [[r.unit_name, f"{format_number(r.kdc_meeting)}/{format_number(r.kdc_total)}",
                 format_percent(r.kdc_meeting_share), format_number(r.needed)] for r in below.itertuples()]
        rows, more = _rows_or_more(rows, "đơn vị")
        head = ["Đơn vị", "Khu dân cư đạt chuẩn / tổng số", "Tỷ lệ", f"Cần thêm để đạt {t}"]
        native_table(s, [head, *rows], MARGIN_IN, 1.95, WIDTH_IN, 0.38 * (len(rows) + 1), [4, 3, 1.6, 2.4],
                     size=13, align_right=(1, 2, 3), name="kdc_below")
        if more:
            lines.append(more + f" (xem {wb}).")
    if len(missing):
        lines.append(f"Không có số liệu ({len(missing)} đơn vị): "
                     + ", ".join(missing.sort_values("unit_code")["unit_name"].astype(str)) + ".")
    if lines:
        top = 1.95 + (0.38 * (min(len(below), TABLE_ROWS) + 1) + 0.2 if len(below) else 0)
        textbox(s, MARGIN_IN, top, WIDTH_IN, 6.9 - top, "\n".join(lines), max_pt=16, min_pt=11, colour=DARK,
                name="kdc_missing")
    _footer(s, view, "Đơn vị theo thứ tự mã đơn vị hành chính")
    _notes(s, view, title)


def _named_counts(frame: pd.DataFrame, column: str, limit: int = 4) -> str:
    """"Bù Đăng (5 xã), Lộc Ninh (4 xã)": the units with the most of ``column``, ties named together."""
    d = frame[frame[column].fillna(0) > 0].sort_values([column, "unit_name"], ascending=[False, True])
    if d.empty:
        return ""
    cut = d[column].iloc[min(limit, len(d)) - 1]
    d = d[d[column] >= cut]
    return ", ".join(f"{r.unit_name} ({format_number(getattr(r, column))} xã)" for r in d.itertuples())


def _ntm_exceptions(prs, view: CycleView, wb: str):
    s = _slide(prs)
    near = tables.near_standard(view)
    sec = tables.security_criterion(view)
    not_met = int(sec["ntm_not_met"].sum())
    without = int(sec["not_met_without_security"].sum())
    no_19_2 = int((near["ntm_security_criterion"].astype("boolean") == False).sum())  # noqa: E712 — NA stays out
    if not_met == 0:
        title = "Tất cả xã có số liệu đã đạt chuẩn nông thôn mới"
    elif near.empty:
        title = f"{format_number(not_met)} xã chưa đạt chuẩn nông thôn mới; không xã nào chỉ còn thiếu 1–2 tiêu chí"
    else:
        title = (f"{format_number(len(near))} xã chỉ còn thiếu 1–2 tiêu chí nông thôn mới; "
                 f"{format_number(no_19_2)} xã trong số đó chưa đạt tiêu chí 19.2 (an ninh, trật tự)")
    slide_title(s, title)
    subtitle(s, "Xã gần đạt chuẩn nông thôn mới và tiêu chí 19.2 về an ninh, trật tự")
    lines = []
    if not_met:
        lines.append(f"{format_number(not_met)} xã chưa đạt chuẩn nông thôn mới, trong đó {format_number(without)} xã "
                     "chưa đạt tiêu chí 19.2.")
        most = _named_counts(sec, "ntm_not_met")
        if most:
            lines.append(f"Nhiều xã chưa đạt chuẩn nhất: {most}.")
    missing = view.units[view.units["ntm_communes"].isna()].sort_values("unit_code")
    if len(missing):
        lines.append(f"Không có số liệu ({len(missing)} đơn vị): " + ", ".join(missing["unit_name"].astype(str)) + ".")
    top = 1.95
    if lines:
        textbox(s, MARGIN_IN, top, WIDTH_IN, 1.05, "\n".join(lines), max_pt=16, min_pt=11, colour=DARK,
                name="ntm_gaps")
        top += 1.15
    if len(near):
        def crit(v) -> str:
            return "không có số liệu" if is_missing(v) else "đạt" if bool(v) else "chưa đạt"
        rows = [[r.unit_name, r.commune_name, format_number(r.ntm_criteria_met), format_number(r.criteria_short),
                 crit(r.ntm_security_criterion)] for r in near.itertuples()]
        rows, more = _rows_or_more(rows, "xã")
        head = ["Đơn vị", "Xã", "Tiêu chí đã đạt", "Còn thiếu", "Tiêu chí 19.2"]
        native_table(s, [head, *rows], MARGIN_IN, top, WIDTH_IN, 0.36 * (len(rows) + 1), [3, 3.4, 1.8, 1.5, 2],
                     size=13, align_right=(2, 3), name="ntm_near")
        if more:
            textbox(s, MARGIN_IN, top + 0.36 * (len(rows) + 1) + 0.1, WIDTH_IN, 0.35, more + f" (xem {wb}).",
                    max_pt=13, min_pt=10, colour=SUBTLE, name="ntm_more")
    _footer(s, view, "Xã theo thứ tự mã đơn vị hành chính")
    _notes(s, view, title, *lines)


# --- chart slides ----------------------------------------------------------------------------------

def _chart_slide(prs, view: CycleView, spec: figures.FigureSpec, charts_dir: Path):
    s = _slide(prs)
    tw = narrative.takeaway(spec.name, view)
    slide_title(s, finding(tw))
    subtitle(s, spec.title)
    sentence = figures.uniform_sentence(spec.name, view)
    if sentence:                    # a picture of identical bars carries nothing: the sentence says it
        left, top, width, height = content_box()
        textbox(s, left + 0.5, top, width - 1.0, height, sentence, max_pt=28, min_pt=16, colour=DARK,
                align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="uniform_sentence")
        _footer(s, view)
    elif spec.name in deck_charts.NATIVE:
        note = deck_charts.NATIVE[spec.name](s, view, content_box())
        notes = [note]
        if spec.name == "trend":
            notes += trend_covers(view.trend)
        _footer(s, view, *notes)
    else:
        png = charts_dir / f"{spec.stem}.png"
        if not png.exists():
            save_figure(spec, view, charts_dir)
        picture(s, png, f"{spec.title}. {tw}")
        _footer(s, view)
    _notes(s, view, tw)


# --- the rest ----------------------------------------------------------------------------------------

def _title_slide(prs, view: CycleView, made: date):
    s = _slide(prs, 0)
    title = s.shapes.title
    width = WIDTH_IN - 0.6
    title.left, title.top = Inches(MARGIN_IN + 0.3), Inches(1.5)
    title.width, title.height = Inches(width), Inches(2.2)
    text = f"{MOVEMENT}\n{view.scope_name}"      # each line on one line: the largest size that allows it
    size = min(fit_size(line, width, 2.2, 40, 20, bold=True, max_lines=1) for line in text.split("\n"))
    set_text(title.text_frame, text, size, bold=True, colour=HEADING, anchor=MSO_ANCHOR.BOTTOM)
    sub = s.placeholders[1]
    sub.left, sub.top = Inches(MARGIN_IN + 0.3), Inches(4.0)
    sub.width, sub.height = Inches(width), Inches(1.9)
    text = f"Báo cáo kết quả {view.cycle.label}\n({view.cycle.period_text})\nNgày lập: {made:%d/%m/%Y}"
    set_text(sub.text_frame, text, fit_size(text, width, 1.9, 24, 14, max_lines=3), colour=DARK)
    footer(s, view.source)
    _notes(s, view)


def _bullets_slide(prs, view: CycleView, title: str, items: list[str], name: str, sub: str = ""):
    s = _slide(prs)
    slide_title(s, title)
    if sub:
        subtitle(s, sub)
    text = "\n".join(f"• {i}" for i in items)
    left, top, width, height = content_box()
    textbox(s, left, top + 0.1, width, height - 0.1, text, max_pt=22, min_pt=12, colour=DARK, name=name)
    _footer(s, view)
    _notes(s, view, *items)
    return s


def _divider(prs, view: CycleView, title: str, sub: str):
    s = _slide(prs, 5)
    slide_title(s, title, top=2.6, height=1.2, max_pt=40)
    textbox(s, MARGIN_IN, 3.95, WIDTH_IN, 0.8, sub, max_pt=20, min_pt=14, colour=SUBTLE, name="divider_text")
    _footer(s, view)
    _notes(s, view, sub)


def _quality_slide(prs, view: CycleView):
    s = _slide(prs)
    tw = narrative.takeaway("quality", view)
    slide_title(s, finding(tw))
    subtitle(s, "Chất lượng dữ liệu: nhận báo cáo, phát hiện khi kiểm tra, tệp")
    rates = reporting_rates(view)
    rows = [["Biểu", "Đã nhận", "Tỷ lệ nhận"]] + [
        [r.title, f"{r.received}/{r.expected}", format_percent(r.rate)] for r in rates.itertuples()]
    native_table(s, rows, MARGIN_IN, 1.95, 6.3, 2.6, [3.6, 1.2, 1.5], size=13, align_right=(1, 2), name="reporting")
    sev = severity_counts(view)
    rows = [["Phát hiện khi kiểm tra", "Số"]] + [[SEVERITY_LABEL[k], format_number(v)] for k, v in sev.items()]
    native_table(s, rows, 7.3, 1.95, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="findings")
    st = view.files["status"].value_counts()
    rows = [["Tệp trong thư mục kỳ báo cáo", "Số"]] + [
        [FILE_STATUS_LABELS[k].capitalize(), format_number(int(st.get(k, 0)))] for k in FILE_STATUS_LABELS]
    native_table(s, rows, 7.3, 3.95, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="files")
    odd = file_statuses(view)
    odd = odd[odd["status"] != "loaded"]
    if len(odd):
        lines = [textwrap.shorten(f"{r.file.split('/')[-1]} ({r.status_label}): {r.reason}", 150, placeholder=" …")
                 for r in odd.head(4).itertuples()]
        if len(odd) > 4:
            lines.append(f"… và {len(odd) - 4} tệp khác (xem kiem_tra_du_lieu.html).")
        textbox(s, MARGIN_IN, 5.85, WIDTH_IN, 1.1, "\n".join(lines), max_pt=12, min_pt=8, colour=SUBTLE,
                name="file_notes")
    _footer(s, view, "Chi tiết: kiem_tra_du_lieu.html")
    _notes(s, view, tw)


def export_deck(view: CycleView, path: Path | str, charts_dir: Path | str | None = None,
                made: date | None = None) -> Path:
    """The slide deck of the cycle (16:9). ``path``: a .pptx file or a folder (→ ``bao_cao_<cycle>.pptx``).

    Pictures come from ``charts_dir`` (``chart_files.save_charts``); a missing PNG is drawn there first (with no
    ``charts_dir``, into a temporary folder). ``made`` is the date on the title slide (default today).
    """
    final = target_file(path, deck_name(view))
    made = made or date.today()
    wb = workbook_name(view)
    with contextlib.ExitStack() as stack:
        if charts_dir is None:
            charts_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="antt-charts-")))
        charts_dir = Path(charts_dir)
        prs = Presentation()
        prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)     # 13.333 × 7.5 in, 16:9
        prs.core_properties.title = f"{MOVEMENT} — {view.scope_name}, {view.cycle.label}"
        prs.core_properties.language = "vi-VN"

        _title_slide(prs, view, made)
        agenda = _slide(prs)
        starts = [("Kết quả chính", len(prs.slides) + 1)]
        _tiles_slide(prs, view)
        for section, names in SECTIONS:
            starts.append((section, len(prs.slides) + 1))
            for name in names:
                _chart_slide(prs, view, figures.BY_NAME[name], charts_dir)
        starts.append(("Những nơi cần quan tâm", len(prs.slides) + 1))
        _kdc_exceptions(prs, view, wb)
        _ntm_exceptions(prs, view, wb)
        starts.append(("Kết luận (dự thảo)", len(prs.slides) + 1))
        _bullets_slide(prs, view, "Kết luận", narrative.conclusions(view), "conclusions",
                       "Dự thảo từ số liệu, để người báo cáo chỉnh sửa, bổ sung")
        starts.append(("Phụ lục: chất lượng dữ liệu", len(prs.slides) + 1))
        _divider(prs, view, "Phụ lục", "Chất lượng dữ liệu: tình hình nhận báo cáo, phát hiện khi kiểm tra, tệp")
        for name in APPENDIX_CHARTS:
            _chart_slide(prs, view, figures.BY_NAME[name], charts_dir)
        _quality_slide(prs, view)

        slide_title(agenda, "Nội dung")
        table = [["", "Nội dung", "Trang"]] + [[str(i), t, str(n)] for i, (t, n) in enumerate(starts, 1)]
        native_table(agenda, table, MARGIN_IN + 1.5, 1.7, WIDTH_IN - 3, 0.5 * len(table), [0.6, 8, 1.2], size=18,
                     align_right=(2,), name="agenda")
        _footer(agenda, view)
        _notes(agenda, view)
        for i, slide in enumerate(prs.slides):
            if i:
                slide_number(slide, i + 1)

        with atomic_path(final) as tmp:
            prs.save(tmp)
    return final
