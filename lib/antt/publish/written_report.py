"""The written report of a cycle, ``bao_cao_<cycle>.docx``: the báo cáo sơ kết (a half-year) or tổng
kết (a year) drafted from the view and the narrative the deck uses (``antt.analyse.narrative``), for
the analyst to edit, in the administrative layout of Nghị định 30/2020/NĐ-CP: A4, Times New Roman 14,
the issuing body and national motto side by side, "BÁO CÁO" and its subject, sections I–V (results,
comparison with earlier cycles, gaps by unit, data quality, directions left to the analyst), where it
goes and who signs, and an appendix of the figures by unit.

Every number comes from the view (``CycleView.province``, ``units``, ``comparison``) or the frames and
sentences built on it; tables are in Vietnamese format (1.234; 79,1 %), units in code order with the
province row last, a value that not every unit reported marked "*".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from antt.analyse import narrative, tables
from antt.analyse.changes import NOT_COMPARED_MARK, ON_CURRENT_MARK
from antt.analyse.columns import LABELS, format_change, format_value
from antt.analyse.meta import LEVEL_UNITS, MOVEMENT
from antt.analyse.report_frames import (FILE_STATUS_LABELS, below_target, file_statuses, reporting_rates,
                                        severity_counts)
from antt.analyse.view import ACROSS_REFORM, CycleView, comparison
from antt.core import units
from antt.core.atomic import atomic_path
from antt.core.cycles import parse_cycle
from antt.core.findings import SEVERITY_LABEL
from antt.core.text import format_number, format_percent, format_target
from antt.publish.report_files import target_file, written_report_name

FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT = 14, 12, 12
#: A4 and the margins of Nghị định 30/2020 (top/bottom 20–25, left 30–35, right 15–20 mm).
PAGE_MM, MARGINS_MM = (210, 297), {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
INDENT = Mm(10)
INCOMPLETE = " *"
INCOMPLETE_NOTE = "(*) Không đủ số liệu của tất cả các đơn vị: cộng trên các đơn vị có số liệu."
#: Up to this many rows a table stays on one page.
KEEP_TOGETHER_ROWS = 12
#: The movement inside a sentence ("… phong trào Toàn dân bảo vệ an ninh Tổ quốc …").
_MOVEMENT = MOVEMENT[0].lower() + MOVEMENT[1:]
PLACEHOLDER = "[Cán bộ tổng hợp soạn phần này: phương hướng, nhiệm vụ kỳ tới; kiến nghị, đề xuất.]"


# --- the issuer ---------------------------------------------------------------------------------

def issuer(view: CycleView) -> tuple[str, str]:
    """(issuing body as a sentence says it, place) from the view's territory: ("Công an tỉnh Đồng Nai",
    "Đồng Nai"); a former province before the reform is its own ("Công an tỉnh Bình Phước"), after it
    the province that took it; the whole country "Bộ Công an", Hà Nội. The header writes the body in
    capitals."""
    t = view.territory
    if t.country:
        return "Bộ Công an", "Hà Nội"
    provinces = t.provinces(view.hierarchy)
    if provinces:
        p = provinces[0]
    else:                                           # a former province after the reform
        now = units.current()
        p = now.unit(now.unit(t.communes(now)[0].code).parent)
    return f"Công an {p.name[0].lower()}{p.name[1:]}", p.short


def kind_words(view: CycleView) -> str:
    """"sơ kết" for a half-year, "tổng kết" for a year."""
    return "sơ kết" if view.cycle.half_year else "tổng kết"


# --- layout ---------------------------------------------------------------------------------------

def _font(run, size: float | None = None, bold: bool = False, italic: bool = False) -> None:
    """Size and emphasis of a run (the font is the styles', ``_setup``)."""
    if size:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True


def _para(container, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, before: float = 0, after: float = 6,
          keep: bool = False):
    """A paragraph of one run in the report's font (body text: justified, first line indented)."""
    p = container.add_paragraph()
    f = p.paragraph_format
    f.alignment, f.space_before, f.space_after = align, Pt(before), Pt(after)
    f.first_line_indent = INDENT if indent else None
    f.keep_with_next = keep
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _rule(container, width_mm: float, cell_mm: float) -> None:
    """A rule ``width_mm`` long, centred in a column ``cell_mm`` wide, right under the last paragraph
    of ``container`` (an empty paragraph one point high with a bottom border)."""
    p = container.add_paragraph()
    f = p.paragraph_format
    f.left_indent = f.right_indent = Mm(max(0.0, (cell_mm - width_mm) / 2))
    f.space_before, f.space_after, f.line_spacing = Pt(0), Pt(0), Pt(1)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}.items():
        bottom.set(qn(k), v)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def _cell_margins(table, mm: float) -> None:
    """Left and right padding of every cell of ``table``."""
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(round(mm * 56.7)))
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    table._tbl.tblPr.append(mar)


def _widths(table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _cell_text(cell, text: str, *, size: float = TABLE_PT, bold: bool = False, italic: bool = False,
               align=WD_ALIGN_PARAGRAPH.LEFT, keep: bool = False, after: float = 0) -> None:
    p = cell.paragraphs[0]
    f = p.paragraph_format
    f.alignment, f.space_before, f.space_after, f.keep_with_next = align, Pt(1), Pt(after), keep
    _font(p.add_run(_NO_BREAK.sub("\u00a0", text)), size, bold, italic)


#: A space that never breaks a line: before "%" and the marks ("100,0 %", "2.202 *", "+3 †").
_NO_BREAK = re.compile(r" (?=[%*†‡])")


def _row_flag(row, tag: str) -> None:
    """A row property: "w:tblHeader" (repeated on each page), "w:cantSplit"."""
    e = OxmlElement(tag)
    e.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(e)


_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}


def data_table(doc, caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
               align: str, *, bold_last: bool = False, note: str | None = None, size: float = TABLE_PT):
    """A caption numbered in order ("Bảng 3. …"), then a grid table: header row bold and repeated on
    each page, rows never split, ``align`` one letter (l, r, c) per column, the last row bold if asked;
    a short table kept on one page with its caption; ``note`` under it, kept with its last row."""
    _para(doc, f"Bảng {next(doc.table_numbers)}. {caption}", size=TABLE_PT, bold=True, italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=6, after=3, keep=True)
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    _cell_margins(table, 1.2)
    keep = len(rows) <= KEEP_TOGETHER_ROWS
    for i, (row, values) in enumerate(zip(table.rows, [header, *rows])):
        _row_flag(row, "w:cantSplit")
        if i == 0:
            _row_flag(row, "w:tblHeader")
        last = i == len(rows)
        for cell, value, a in zip(row.cells, values, align):
            _cell_text(cell, str(value), size=size, bold=i == 0 or (bold_last and last),
                       align=WD_ALIGN_PARAGRAPH.CENTER if i == 0 else _ALIGN[a],
                       keep=(keep or i == 0) and not last or (last and note is not None))
    _widths(table, widths_mm)
    if note:
        _para(doc, note, size=NOTE_PT, italic=True, indent=False, before=3)
    else:
        _para(doc, "", size=4, after=0, indent=False)
    return table


def _setup(doc) -> None:
    """A4, the margins, Times New Roman 14 throughout, headings in the body's font, the page number
    centred at the top from page 2 on."""
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    s.header_distance = Mm(10)
    for name, size in (("Normal", BODY_PT), ("Heading 1", BODY_PT), ("Heading 2", BODY_PT), ("Table Grid", TABLE_PT)):
        st = doc.styles[name]
        st.font.name, st.font.size = FONT, Pt(size)
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        if name.startswith("Heading"):
            st.font.bold, st.font.italic, st.font.color.rgb = True, False, None
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                st.element.rPr.rFonts.attrib.pop(qn(attr), None)
            pf = st.paragraph_format
            pf.space_before, pf.space_after, pf.keep_with_next = Pt(6), Pt(6), True
            pf.first_line_indent = INDENT
    doc.styles["Normal"].paragraph_format.line_spacing = 1.1
    s.different_first_page_header_footer = True
    p = s.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            e = OxmlElement("w:fldChar")
            e.set(qn("w:fldCharType"), kind)
        else:
            e = OxmlElement("w:instrText")
            e.set(qn("xml:space"), "preserve")
            e.text = text
        run._r.append(e)


# --- parts ----------------------------------------------------------------------------------------

HEADER_MM = (72, TEXT_MM - 72)


def _header_block(doc, view: CycleView) -> None:
    """The issuing body and the national motto side by side (a borderless 2-column table), the
    number under the body, the place and date under the motto."""
    body, place = issuer(view)
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    _cell_text(left, body.upper(), size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("[TÊN ĐƠN VỊ]"), 13, bold=True)
    _rule(left, 25, HEADER_MM[0])
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("Độc lập - Tự do - Hạnh phúc"), 13, bold=True)
    _rule(right, 62, HEADER_MM[1])
    left, right = t.rows[1].cells
    _cell_text(left, "Số: …/BC-…", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _cell_text(right, f"{place}, ngày … tháng … năm {view.cycle.end.year}", size=14, italic=True,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    for c in (left, right):
        c.paragraphs[0].paragraph_format.space_before = Pt(6)
    _widths(t, HEADER_MM)


def _title(doc, view: CycleView) -> None:
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=18, after=0, keep=True)
    _para(doc, f"{kind_words(view).capitalize()} {_MOVEMENT} {view.cycle.label}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0, keep=True)
    _rule(doc, 40, TEXT_MM)
    _para(doc, "", size=6, after=6, indent=False)


def _intro(doc, view: CycleView) -> None:
    body, _ = issuer(view)
    _para(doc, (f"{body} báo cáo kết quả thực hiện "
                f"{_MOVEMENT} {view.cycle.label} ({view.cycle.period_text}) trên địa bàn "
                f"{view.territory.covers(view.cycle)} như sau. Số liệu tổng hợp từ báo cáo của "
                f"{view.reporting}/{view.expected} {LEVEL_UNITS[view.level]} theo các biểu mẫu của phong trào."))


def _marked(key: str, value, covered: dict[str, int], expected: int) -> str:
    """A key's or ratio's province value, "*" when not every unit has it (``covered``: the units with
    a value, ``tables.headline``)."""
    return format_value(key, value) + ("" if covered[key] == expected else INCOMPLETE)


def _key_figures(doc, view: CycleView, covered: dict[str, int]) -> None:
    h = tables.headline(view)
    rows = [[r.label, _marked(r.key, r.value, covered, view.expected), r.unit, f"{r.coverage}/{r.expected}"]
            for r in h.itertuples()]
    data_table(doc, f"Các chỉ số chính, {view.cycle.label}",
               ["Chỉ số", "Số liệu", "Đơn vị tính", "Số đơn vị có số liệu"], rows, [83, 25, 34, 23], "lrlc",
               note=INCOMPLETE_NOTE if any(INCOMPLETE in r[1] for r in rows) else None)


def _results(doc, view: CycleView, covered: dict[str, int], conclusions: list[str]) -> None:
    tw = narrative.takeaway
    doc.add_heading("I. KẾT QUẢ THỰC HIỆN", 1)
    _key_figures(doc, view, covered)
    parts = [
        ("1. Xây dựng khu dân cư đạt chuẩn “An toàn về an ninh, trật tự”", ["kdc_registered_meeting", "kdc_coverage"]),
        ("2. Xây dựng xã đạt chuẩn nông thôn mới (tiêu chí 19.2 về an ninh, trật tự)",
         ["ntm_by_unit", "ntm_criteria", "ntm_recognitions"]),
        ("3. Mô hình tự quản về an ninh, trật tự và camera an ninh", ["models_setting", "models_by_type", "cameras_per_kdc"]),
        ("4. Công tác tuyên truyền", ["outreach"]),
        ("5. Điểm sáng chấp hành pháp luật, tổ, nhóm nòng cốt", ["bright_spots"]),
    ]
    for head, names in parts:
        doc.add_heading(head, 2)
        for name in names:
            _para(doc, tw(name, view))
    doc.add_heading(f"{len(parts) + 1}. Đánh giá chung", 2)
    for sentence in conclusions:
        _para(doc, f"- {sentence}")


def _comparison(doc, view: CycleView, covered: dict[str, int]) -> None:
    doc.add_heading("II. SO SÁNH VỚI CÁC KỲ TRƯỚC", 1)
    _para(doc, narrative.takeaway("trend", view))
    _para(doc, narrative.takeaway("trend_shares", view))
    comp = comparison(view)
    if comp["previous_cycle"].isna().all():
        return
    rows, marks = [], set()
    before_complete = _previous_complete(view, comp)
    for c in comp.itertuples():
        before = parse_cycle(c.previous_cycle).label if isinstance(c.previous_cycle, str) else "–"
        if c.reason == ACROSS_REFORM:
            change, over = NOT_COMPARED_MARK, "–"
            marks.add(NOT_COMPARED_MARK)
        else:
            change = format_change(c.key, c.change) + (f" {ON_CURRENT_MARK}" if c.basis == "current" else "")
            marks |= {ON_CURRENT_MARK} if c.basis == "current" else set()
            over = f"{c.common}/{c.units}" if c.units else "–"
        old = format_value(c.key, c.previous) + ("" if before_complete.get(c.key, True) else INCOMPLETE)
        rows.append([LABELS[c.key], _marked(c.key, c.value, covered, view.expected), before, old, change, over])
    notes = ["Thay đổi cộng trên các đơn vị có số liệu ở cả hai kỳ (cột cuối); chỉ số tồn cuối kỳ so với kỳ liền "
             "trước, chỉ số phát sinh trong kỳ (giờ phát thanh, băng rôn) so với kỳ cùng loại."]
    if any(INCOMPLETE in r[1] + r[3] for r in rows):
        notes.append(INCOMPLETE_NOTE)
    if ON_CURRENT_MARK in marks:
        notes.append(f"{ON_CURRENT_MARK} Hai kỳ được quy về các xã, phường hiện nay (sắp xếp đơn vị hành chính 1/7/2025).")
    if NOT_COMPARED_MARK in marks:
        notes.append(f"{NOT_COMPARED_MARK} Chỉ số nông thôn mới không so sánh qua đợt sắp xếp đơn vị hành chính 1/7/2025.")
    data_table(doc, "Các chỉ số so với kỳ trước",
               ["Chỉ số", "Kỳ này", "Kỳ so sánh", "Số liệu kỳ so sánh", "Thay đổi", "Số đơn vị so sánh"],
               rows, [49, 21, 27, 21, 30, 17], "lrcrrc", note=" ".join(notes))


def _previous_complete(view: CycleView, comp: pd.DataFrame) -> dict[str, bool]:
    """Per key of a ``comparison`` frame: whether its earlier value had every unit (of the earlier
    cycle's units, or of today's communes when the two cycles were put on them)."""
    out = {}
    for cycle_id, rows in comp[comp["previous"].notna()].groupby("previous_cycle"):
        old = CycleView(parse_cycle(cycle_id), view.processed_dir, view.scope)
        for c in rows.itertuples():
            out[c.key] = narrative.complete(old.on_current if c.basis == "current" else old.units, c.key)
    return out


def _gaps(doc, view: CycleView, conclusions: list[str]) -> None:
    doc.add_heading("III. TỒN TẠI, HẠN CHẾ", 1)
    target = view.targets["kdc_meeting_share"]
    doc.add_heading(f"1. Đơn vị chưa đạt chỉ tiêu khu dân cư đạt chuẩn ({format_target(target)})", 2)
    _para(doc, conclusions[1])
    below = below_target(view)
    if len(below):
        rows = [[str(i), r.unit_name, format_value("kdc_total", r.kdc_total), format_value("kdc_meeting", r.kdc_meeting),
                 format_value("kdc_meeting_share", r.kdc_meeting_share), format_number(r.needed)]
                for i, r in enumerate(below.itertuples(), 1)]
        data_table(doc, "Đơn vị dưới chỉ tiêu khu dân cư đạt chuẩn",
                   ["STT", "Đơn vị", "Khu dân cư", "Đạt chuẩn", "Tỷ lệ", "Cần thêm để đạt chỉ tiêu"], rows,
                   [12, 50, 25, 25, 23, 30], "clrrrr")
    doc.add_heading("2. Xã chưa đạt chuẩn nông thôn mới, tiêu chí 19.2 (an ninh, trật tự)", 2)
    _para(doc, conclusions[2])
    if view.level == units.DISTRICT:
        sec = tables.security_criterion(view)
        sec = sec[sec["ntm_not_met"].fillna(0) > 0]
        if len(sec):
            rows = [[str(i), r.unit_name, format_value("ntm_communes", r.ntm_communes),
                     format_value("ntm_not_met", r.ntm_not_met), format_value("security_not_met", r.security_not_met),
                     format_value("not_met_without_security", r.not_met_without_security)]
                    for i, r in enumerate(sec.itertuples(), 1)]
            data_table(doc, "Xã chưa đạt chuẩn nông thôn mới theo đơn vị",
                       ["STT", "Đơn vị", "Số xã", "Xã chưa đạt chuẩn", "Xã chưa đạt tiêu chí 19.2",
                        "Chưa đạt chuẩn, chưa đạt 19.2"], rows, [12, 43, 20, 30, 30, 30], "clrrrr")
    near = tables.near_standard(view)
    if len(near):           # at commune level the unit is the xã: one column
        named = (["Đơn vị", "Xã"], [36, 42], "ll") if view.level == units.DISTRICT else (["Xã"], [78], "l")
        rows = [[str(i), *([r.unit_name, r.commune_name] if view.level == units.DISTRICT else [r.commune_name]),
                 format_number(r.ntm_criteria_met), format_number(r.criteria_short),
                 format_value("ntm_security_criterion", r.ntm_security_criterion)]
                for i, r in enumerate(near.itertuples(), 1)]
        data_table(doc, "Xã còn thiếu 1–2 tiêu chí nông thôn mới",
                   ["STT", *named[0], "Tiêu chí đã đạt", "Còn thiếu", "Tiêu chí 19.2"], rows,
                   [12, *named[1], 25, 22, 28], f"c{named[2]}rrc")


def _quality(doc, view: CycleView) -> None:
    doc.add_heading("IV. CHẤT LƯỢNG SỐ LIỆU", 1)
    _para(doc, narrative.takeaway("completeness", view))
    _para(doc, narrative.takeaway("quality", view))
    rates = reporting_rates(view)
    sev = severity_counts(view)
    rows = [[r.title, f"{r.received}/{r.expected}", format_percent(r.rate)] for r in rates.itertuples()]
    data_table(doc, "Tình hình nhận báo cáo theo biểu", ["Biểu", "Đã nhận", "Tỷ lệ"], rows, [100, 30, 30],
               "lrr", note=("Kiểm tra số liệu: " + ", ".join(f"{format_number(v)} {SEVERITY_LABEL[k].lower()}"
                                                             for k, v in sev.items())
                            + ". Chi tiết từng phát hiện: kiem_tra_du_lieu.html."))
    odd = file_statuses(view)
    odd = odd[odd["status"] != "loaded"]
    for r in odd.itertuples():
        _para(doc, f"- Tệp {r.file.split('/')[-1]} ({FILE_STATUS_LABELS[r.status]}): {r.reason}", size=NOTE_PT,
              align=WD_ALIGN_PARAGRAPH.LEFT)


def _directions(doc) -> None:
    doc.add_heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ", 1)
    for text in (PLACEHOLDER, "1. …", "2. …"):
        p = _para(doc, text, keep=True)                 # with the signature
        p.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW


def _signature(doc) -> None:
    """Where it goes (left) and who signs (right), a borderless table kept together."""
    _para(doc, "", size=6, after=0, indent=False, keep=True)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    left, right = t.rows[0].cells
    _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True, keep=True)
    for line in ("- [Cơ quan nhận báo cáo];", "- Lưu: VT, [đơn vị soạn thảo]."):
        p = left.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(line), 11)
    _cell_text(right, "[CHỨC VỤ NGƯỜI KÝ]", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    for text, bold, italic, before in (("(Ký, ghi rõ họ tên, đóng dấu)", False, True, 0), ("[Họ và tên]", True, False, 60)):
        p = right.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(before)
        p.paragraph_format.keep_with_next = not bold
        _font(p.add_run(text), 13, bold, italic)
    _row_flag(t.rows[0], "w:cantSplit")
    _widths(t, (TEXT_MM / 2 - 5, TEXT_MM / 2 + 5))
    _para(doc, "", size=2, after=0, indent=False)      # ends the chain of kept paragraphs before the appendix


APPENDIX_COLUMNS = ("kdc_total", "kdc_meeting", "kdc_meeting_share", "ntm_communes", "ntm_met",
                    "models_residential", "cameras")
APPENDIX_HEADER = ("STT", "Đơn vị", "Khu dân cư", "Khu dân cư đạt chuẩn", "Tỷ lệ đạt chuẩn", "Số xã",
                   "Xã đạt chuẩn NTM", "Mô hình ở khu dân cư", "Camera an ninh")


def _appendix(doc, view: CycleView, covered: dict[str, int]) -> None:
    """A new page: the figures of every unit in code order, the province row last."""
    p = _para(doc, "Phụ lục", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0, keep=True)
    p.paragraph_format.page_break_before = True
    _para(doc, f"SỐ LIỆU THEO ĐƠN VỊ, {view.cycle.label.upper()}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, after=0, keep=True)
    _para(doc, "(Kèm theo Báo cáo số …/BC-… ngày … tháng … năm …)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False, keep=True)
    d = view.units
    rows = [[str(i), r["unit_name"], *(format_value(k, r[k]) for k in APPENDIX_COLUMNS)]
            for i, (_, r) in enumerate(d.iterrows(), 1)]
    rows.append(["", tables.PROVINCE_ROW, *(_marked(k, view.province[k], covered, view.expected) for k in APPENDIX_COLUMNS)])
    missing = [n for n, has in zip(d["unit_name"], d[list(APPENDIX_COLUMNS)].notna().all(axis=1)) if not has]
    note = "“–”: không có số liệu."
    if missing:
        note += f" {INCOMPLETE_NOTE}"
    data_table(doc, "Số liệu theo đơn vị (theo thứ tự mã đơn vị hành chính)", APPENDIX_HEADER, rows,
               [10, 35, 16, 18, 20, 13, 17, 18, 18], "clrrrrrrr", bold_last=True, note=note, size=11)


def export_written_report(view: CycleView, path: Path | str) -> Path:
    """``bao_cao_<cycle>.docx``, written atomically; ``path``: a .docx file or a folder."""
    final = target_file(path, written_report_name(view))
    doc = Document()
    doc.table_numbers = itertools.count(1)
    _setup(doc)
    doc.core_properties.title = f"Báo cáo {kind_words(view)} {_MOVEMENT} {view.cycle.label}"
    doc.core_properties.subject = f"{view.scope_name}, {view.cycle.label}"
    doc.core_properties.language = "vi-VN"
    doc.core_properties.comments = view.source
    _header_block(doc, view)
    _title(doc, view)
    _intro(doc, view)
    covered = tables.headline(view)["coverage"].to_dict()
    conclusions = narrative.conclusions(view)
    _results(doc, view, covered, conclusions)
    _comparison(doc, view, covered)
    _gaps(doc, view, conclusions)
    _quality(doc, view)
    _directions(doc)
    _signature(doc)
    _appendix(doc, view, covered)
    with atomic_path(final) as tmp:
        doc.save(str(tmp))
    return final

