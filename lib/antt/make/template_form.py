"""The pieces blank return templates are built of, shared by the district's and the commune's.

Rows of the layout (title block, header, the numbering row "(1) (2) …", the first data row), cell
styles and widths, ``FormSheet`` (an ``XSheet`` addressed as Excel does), the title block, the header
row, data validation by field kind, the hidden sheet of drop-down lists, the guidance block and its
self-counting lines, the signatures, the view/protection/printing of a sheet, and the writing of a
template (the openpyxl writer, atomic; never into ``data/raw/``). The place-and-date line is an
unlocked cell whose dots hold no digit, so no loader takes it for a date.
"""

from __future__ import annotations

import re
from pathlib import Path

from antt.core import config, forms
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle
from antt.make.book import Page, Protection, Style, Validation, XBook, XSheet, col_letter
from antt.make.styles import FORM_TITLES, MOTTO, unmarked
from antt.make.writers import write_book

FORM_TITLE = FORM_TITLES[0]
LIST_SHEET = "Danh mục"
MODEL_ROWS = 60              # empty rows of Biểu 3
FIRST_YEAR = 1990            # earliest year accepted in year columns
DOTS = "....."               # blanks of the place-and-date line (never digits)

#: Rows of the title block (1-based, as Excel numbers them); the header row follows a blank row,
#: then the column numbering "(1) (2) …" and the first data row.
ROW_BODY, ROW_UNIT, ROW_DATE, ROW_TITLE, ROW_PERIOD, ROW_TABLE, ROW_HEADER = 1, 2, 3, 5, 6, 7, 9
ROW_NUMBERING = ROW_HEADER + 1
ROW_FIRST = ROW_HEADER + 2

FONT = "Times New Roman"
DATA_ROW_HEIGHT = 18
MODEL_ROW_HEIGHT = 31         # two lines: model names, types and settings wrap

_HEADER_FILL, _LOCKED_FILL, _TOTAL_FILL = "D9E1F2", "F2F2F2", "FFF2CC"
_CENTER = dict(align="center", wrap=True)
_NAME = dict(align="left", wrap=True, indent=1)
#: The templates' cell styles, by name.
STYLES: dict[str, Style] = {
    "body": Style(**_CENTER),
    "bold": Style(bold=True, **_CENTER),
    "motto2": Style(bold=True, underline=True, **_CENTER),
    "date": Style(italic=True, unlocked=True, **_CENTER),
    "title": Style(size=13, bold=True, **_CENTER),
    "italic": Style(italic=True, **_CENTER),
    "head": Style(bold=True, fill=_HEADER_FILL, border=True, **_CENTER),
    "numbering": Style(size=10, italic=True, fill=_HEADER_FILL, border=True, **_CENTER),
    "stt": Style(fill=_LOCKED_FILL, border=True, **_CENTER),
    "name": Style(fill=_LOCKED_FILL, border=True, **_NAME),
    "input": Style(border=True, unlocked=True, **_CENTER),
    "input_text": Style(border=True, unlocked=True, **_NAME),
    "total": Style(fill=_TOTAL_FILL, border=True, **_CENTER),
    "total_bold": Style(bold=True, fill=_TOTAL_FILL, border=True, **_CENTER),
    "guide_head": Style(size=11, bold=True, align="left", wrap=True),
    "guide": Style(size=11, italic=True, align="left", wrap=True),
    "count_label": Style(size=11, italic=True, align="right", valign=None),
    "count": Style(size=11, bold=True, **_CENTER),
    "signer": Style(bold=True, unlocked=True, **_CENTER),
    "list_head": Style(bold=True, valign=None),
    "list": Style(valign=None),
}

#: Column widths (characters) by field kind, and for a few fields.
WIDTHS = {"count": 18, "number": 18, "mark": 14, "year": 13, "text": 30, "model_type": 30, "setting": 24}
FIELD_WIDTHS = {"commune": 24, "ntm_criteria_met": 15, "founded": 11, "members": 11, "cameras": 10, "area": 30}
#: Field kinds typed as text (left-aligned inputs).
TEXT_KINDS = ("text", "model_type", "commune", "setting")


def ascii_name(s: str) -> str:
    """"Lộc Ninh" -> "Loc_Ninh": no diacritics, đ -> d, words joined by "_"."""
    return "_".join(re.findall(r"[A-Za-z0-9]+", unmarked(s)))


def _date_text(d) -> str:
    """15/12/2023, 14/6/2024: the day padded, the month not (as written on the form)."""
    return f"{d.day:02d}/{d.month}/{d.year}"


def period_line(cycle: Cycle) -> str:
    return (f"Kỳ báo cáo: {cycle.label} (số liệu từ ngày {_date_text(cycle.start)} "
            f"đến ngày {_date_text(cycle.end)})")


def place_date_line(place: str) -> str:
    return f"{place}, ngày {DOTS} tháng {DOTS} năm {DOTS}"


def refuse_raw(out: Path) -> None:
    raw = config.RAW_DIR.resolve()
    target = out.resolve()
    if target == raw or raw in target.parents:
        raise ValueError(f"không ghi biểu mẫu vào thư mục dữ liệu gốc {raw}; chọn thư mục khác (--out)")


def save(book: XBook, path: Path) -> Path:
    """Write to a temporary name in the same folder, then rename over ``path``."""
    data = write_book(book, "openpyxl")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


class FormSheet:
    """An ``XSheet`` addressed as Excel does: 1-based rows and columns."""

    def __init__(self, name: str):
        self.sheet = XSheet(name)

    def cell(self, r: int, c: int, value, style: str) -> None:
        self.sheet.put(r - 1, c - 1, value, style)

    def merged(self, r: int, c1: int, c2: int, value, style: str) -> None:
        self.sheet.merge(r - 1, c1 - 1, r - 1, c2 - 1, value, style)

    def width(self, c: int) -> float:
        return self.sheet.widths[c - 1]


def letter(c: int) -> str:
    """1-based column -> "A"."""
    return col_letter(c - 1)


def text_lines(s: str, width: float) -> int:
    """Lines a wrapped text takes in a column of ``width`` characters (a rough word wrap)."""
    lines, used = 1, 0
    for word in s.split():
        n = len(word) + (1 if used else 0)
        if used and used + n > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += n
    return lines


def list_sheet(sh: FormSheet, columns: list[tuple[str, list[str]]]) -> list[str]:
    """The hidden, protected sheet of drop-down lists (a title, then the values, per column); the
    absolute reference of each list."""
    refs = []
    quoted = "'" + LIST_SHEET.replace("'", "''") + "'"
    for c, (title, values) in enumerate(columns, start=1):
        sh.cell(1, c, title, "list_head")
        for r, v in enumerate(values, start=2):
            sh.cell(r, c, v, "list")
        sh.sheet.widths[c - 1] = max(len(v) for v in values + [title]) + 2
        col = letter(c)
        refs.append(f"{quoted}!${col}$2:${col}${len(values) + 1}")
    sh.sheet.hidden = True
    sh.sheet.protection = Protection()
    return refs


def column_widths(sh: FormSheet, fields: list[forms.Field], names: list[str]) -> None:
    """STT, then each field's width (a name column wide enough for ``names``)."""
    sh.sheet.widths[0] = 6
    for c, f in enumerate(fields, start=2):
        width = FIELD_WIDTHS.get(f.name, WIDTHS.get(f.kind, 16))
        if f.kind == "commune" and names:
            width = max(width, max(len(n) for n in names) + 3)
        sh.sheet.widths[c - 1] = width


def title_block(sh: FormSheet, ncol: int, split: int, body: str, unit_line: str, place: str, cycle: Cycle,
                caption: str) -> None:
    """Issuing bodies left, the national motto right, the place-and-date line, the form's title,
    the period line and the table's caption."""
    sh.merged(ROW_BODY, 1, split, body, "body")
    sh.merged(ROW_UNIT, 1, split, unit_line, "bold")
    sh.merged(ROW_BODY, split + 1, ncol, MOTTO[0], "bold")
    sh.merged(ROW_UNIT, split + 1, ncol, MOTTO[1], "motto2")
    sh.merged(ROW_DATE, split + 1, ncol, place_date_line(place), "date")
    sh.merged(ROW_TITLE, 1, ncol, FORM_TITLE, "title")
    sh.merged(ROW_PERIOD, 1, ncol, period_line(cycle), "italic")
    sh.merged(ROW_TABLE, 1, ncol, caption, "bold")
    sh.sheet.heights[ROW_TITLE - 1] = 20


def header(sh: FormSheet, fields: list[forms.Field]) -> None:
    """One header row ("STT" and the fields' headings), then the numbering row "(1) (2) …"
    (deviation 3 of the form: it keeps the first data rows from being read as headings)."""
    ncol = len(fields) + 1
    for c, heading in enumerate(["STT"] + [f.heading for f in fields], start=1):
        sh.cell(ROW_HEADER, c, heading, "head")
    lines = max(text_lines(f.heading, sh.width(c)) for c, f in enumerate(fields, start=2))
    sh.sheet.heights[ROW_HEADER - 1] = 16 * lines + 6
    for c in range(1, ncol + 1):
        sh.cell(ROW_NUMBERING, c, f"({c})", "numbering")


def input_rows(sh: FormSheet, fields: list[forms.Field], first: int, end: int, height: float) -> None:
    """Empty, unlocked rows ``first``..``end`` (STT included)."""
    for r in range(first, end + 1):
        sh.sheet.heights[r - 1] = height
        for c, f in enumerate([None] + fields, start=1):
            kind = f.kind if f else "count"
            sh.cell(r, c, None, "input_text" if kind in TEXT_KINDS else "input")


def _custom(ref: str, formula: str, title: str, error: str, prompt: str) -> Validation:
    return Validation(ref, "custom", formula, title=title, error=error, prompt=prompt)


def _count_formula(ref: str, extra: str = "") -> str:
    """Whole number ≥ 0 (and ``extra`` conditions), or "?". IF, not AND/OR: a text cell makes
    ``INT()`` an error, and an error anywhere in OR() rejects the value."""
    return f'IF(ISNUMBER({ref}),AND({ref}>=0,{ref}=INT({ref}){extra}),{ref}="?")'


def _list(rng: str, source: str, title: str, message: str) -> Validation:
    return Validation(rng, "list", source, title=title, error=message, prompt=message)


def field_validations(xs: XSheet, fields: list[forms.Field], first: int, end: int, cycle: Cycle,
                      lists: dict[str, str]) -> None:
    """Data validation of every input column: counts whole ≥ 0 or "?" (Biểu 1 layout A also
    registered ≤ total, meeting ≤ registered), hours ≥ 0 or "?", criteria 0-19 or "?", years from
    ``FIRST_YEAR`` to the cycle's, marks "x", types, settings and (where ``lists`` has it) the
    commune from the drop-down lists."""
    col_of = {f.name: letter(c) for c, f in enumerate(fields, start=2)}
    for f in fields:
        col = col_of[f.name]
        ref = f"{col}{first}"
        rng = f"{col}{first}:{col}{end}"
        title = f.heading if len(f.heading) <= 32 else f.heading[:31] + "…"
        if f.kind == "count":
            extra = ""
            note = ""
            if f.name == "kdc_registered":
                t = f"{col_of['kdc_total']}{first}"
                extra, note = f",OR(NOT(ISNUMBER({t})),{ref}<={t})", " và không lớn hơn tổng số khu dân cư"
            elif f.name == "kdc_meeting":
                g, t = f"{col_of['kdc_registered']}{first}", f"{col_of['kdc_total']}{first}"
                extra = f",OR(NOT(ISNUMBER({g})),{ref}<={g}),OR(NOT(ISNUMBER({t})),{ref}<={t})"
                note = " và không lớn hơn số khu dân cư đăng ký, tổng số khu dân cư"
            elif f.name == "ntm_criteria_met":
                extra, note = f",{ref}<=19", " từ 0 đến 19"
            dv = _custom(rng, _count_formula(ref, extra), title,
                         f"Cần một số nguyên không âm{note}, hoặc “?” nếu chưa có số liệu.",
                         f"Nhập số nguyên không âm{note}; để trống là 0; chưa có số liệu ghi “?”.")
        elif f.kind == "number":
            dv = _custom(rng, f'IF(ISNUMBER({ref}),{ref}>=0,{ref}="?")', title,
                         "Cần một số không âm (có thể có phần lẻ), hoặc “?” nếu chưa có số liệu.",
                         "Nhập số không âm, có thể có phần lẻ (ví dụ 2,5); chưa có số liệu ghi “?”.")
        elif f.kind == "year":
            dv = Validation(rng, "whole", str(FIRST_YEAR), str(cycle.year), operator="between", title=title,
                            error=f"Cần một năm từ {FIRST_YEAR} đến {cycle.year}.",
                            prompt=f"Năm (4 chữ số), từ {FIRST_YEAR} đến {cycle.year}.")
        elif f.kind == "mark":
            dv = Validation(rng, "list", '"x"', title=title, error="Ghi “x” nếu đạt; để trống nếu chưa đạt.",
                            prompt="Ghi “x” (chọn trong danh sách) nếu đạt; để trống nếu chưa đạt.")
        elif f.kind == "model_type":
            dv = _list(rng, lists["model_type"], title, "Chọn loại mô hình trong danh sách; loại khác chọn “Khác”.")
        elif f.kind == "setting":
            dv = _list(rng, lists["setting"], title, "Chọn “Khu dân cư” hoặc “Cơ quan, doanh nghiệp, nhà trường”.")
        elif f.kind == "commune" and "commune" in lists:
            dv = _list(rng, lists["commune"], "Địa bàn", "Chọn xã, phường, thị trấn trong danh sách.")
        else:
            continue
        xs.validations.append(dv)


def guidance(sh: FormSheet, lines: list[str], r: int, ncol: int) -> int:
    """The guidance block from row ``r`` (its first line opens with "Ghi chú", so that loaders read
    it as footer); returns the next free row."""
    width = sum(sh.width(c) for c in range(1, ncol + 1))
    for i, line in enumerate(lines):
        sh.merged(r, 1, ncol, line, "guide_head" if i == 0 else "guide")
        sh.sheet.heights[r - 1] = 15 * text_lines(line, width * 1.2) + 3
        r += 1
    return r


def counting_lines(sh: FormSheet, r: int, ncol: int, counts: list[tuple[str, str]]) -> int:
    """Self-counting lines below the guidance ((label, formula) each), where loaders read no data."""
    for label, formula in counts:
        sh.merged(r, 1, ncol - 1, label, "count_label")
        sh.cell(r, ncol, formula, "count")
        r += 1
    return r


def signatures(sh: FormSheet, r: int, split: int, ncol: int) -> None:
    sh.merged(r, 1, split, "NGƯỜI LẬP BIỂU", "bold")
    sh.merged(r, split + 1, ncol, "THỦ TRƯỞNG ĐƠN VỊ", "bold")
    sh.merged(r + 1, 1, split, "(Ký, ghi rõ họ tên)", "italic")
    sh.merged(r + 1, split + 1, ncol, "(Ký tên, đóng dấu)", "italic")
    names = r + 5                                 # room for the signatures
    sh.merged(names, 1, split, None, "signer")
    sh.merged(names, split + 1, ncol, None, "signer")


def form_view(xs: XSheet, one_page: bool) -> None:
    """Panes frozen under the header, the sheet protected (columns and rows may be widened), A4
    landscape, one page wide (and high when ``one_page``), the header repeated on every page."""
    xs.freeze = (ROW_FIRST - 1, 2)
    xs.protection = Protection(format_columns=True, format_rows=True)
    xs.page = Page(landscape=True, fit_width=1, fit_height=1 if one_page else 0,
                   title_rows=(ROW_HEADER - 1, ROW_NUMBERING - 1))


def total_row(sh: FormSheet, fields: list[forms.Field], r: int, first: int, end: int) -> None:
    """"Tổng cộng" in row ``r`` with ``=SUM()`` of rows ``first``..``end`` under every count column."""
    sh.cell(r, 1, None, "total")
    sh.cell(r, 2, "Tổng cộng", "total_bold")
    for c, f in enumerate(fields, start=2):
        if c == 2:
            continue
        col = letter(c)
        sh.cell(r, c, f"=SUM({col}{first}:{col}{end})" if f.kind in ("count", "number") else None, "total_bold")
