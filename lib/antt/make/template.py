"""Blank return templates: one .xlsx per district, clean at the source (``antt template``).

``write_templates(cycle, out_dir, district=None, province=None)`` (None: the configured province) writes
``Mau_bao_cao_<cycle>_<district code>_<Ascii_Short_Name>.xlsx`` for every district-level unit of
the province that reports in the hierarchy valid at the cycle's end date (or only ``district``),
each written to a temporary name in ``out_dir`` then renamed. Templates are never written into
``data/raw/`` (the shared contract: only ``antt sample`` writes raw returns).

Each workbook has the sheets "Biểu 1" … "Biểu 5" and a hidden sheet "Danh mục" (the lists behind the
drop-downs; it holds no recognisable table). Every table sheet is laid out like the form:

- title block: issuing bodies left ("CÔNG AN TỈNH …" / "CÔNG AN HUYỆN …"), the national motto right,
  the place-and-date line "Lộc Ninh, ngày ..... tháng ..... năm ......" (an unlocked cell whose dots
  hold no digit, so no loader takes it for a date), the form title, the period line ("Kỳ báo cáo: 6
  tháng đầu năm 2024 (số liệu từ ngày 15/12/2023 đến ngày 14/6/2024)") and the table's title;
- one header row: "STT" and the standard headings of layout A (``forms.Field.heading``, in order; the
  optional ratio column of Biểu 1 is left out so that a blank template never shows a wrong ratio),
  then a row numbering the columns "(1) (2) …" as on the printed forms: the loaders know it as numbering,
  and it keeps the first data rows from ever being read as further header rows;
- data rows: the district's communes (``Unit.name``) in Biểu 1, 4, 5, only its xã in Biểu 2, and
  ``MODEL_ROWS`` empty rows in Biểu 3 with drop-downs for the model type, the commune and the setting;
- a "Tổng cộng" row of ``=SUM()`` formulas under every count column (Biểu 1, 3, 4, 5). Biểu 2 has no
  total row: its only numbers are criteria (a sum of them means nothing) and marks, which the loader's
  total cross-check reads as numbers; the number of xã meeting the standard is counted with
  ``=COUNTIF`` in the guidance block below instead, where the loader reads no data;
- the guidance block, opening with "Ghi chú" so that the loaders read it as footer, then the
  signature block ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ").

Data validation: counts are whole numbers ≥ 0 or "?" (no data yet: missing, never zero), hours are
numbers ≥ 0 or "?", criteria 0–19 or "?", years between 1990 and the cycle's year, marks the list
"x", Biểu 1 also checks registered ≤ total and meeting ≤ registered. Sheets are protected without a
password; only the input cells (values, the place-and-date line, the signers' names, the model rows)
are unlocked.

A template is built as an abstract workbook (``antt.make.book``) and written by the sample's
openpyxl writer (``antt.make.writers``: formulas without cached values, input-form features), so
the same template is the same bytes from run to run (its document date is the cycle's first day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from antt.core import config, forms, units
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle, parse_cycle
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
_WIDTHS = {"count": 18, "number": 18, "mark": 14, "year": 13, "text": 30, "model_type": 30, "setting": 24}
_FIELD_WIDTHS = {"commune": 24, "ntm_criteria_met": 15, "founded": 11, "members": 11, "cameras": 10}


def ascii_name(s: str) -> str:
    """"Lộc Ninh" -> "Loc_Ninh": no diacritics, đ -> d, words joined by "_"."""
    return "_".join(re.findall(r"[A-Za-z0-9]+", unmarked(s)))


def template_name(cycle_id: str, district: units.Unit) -> str:
    """``Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx``."""
    return f"Mau_bao_cao_{cycle_id}_{district.code}_{ascii_name(district.short)}.xlsx"


def _date_text(d) -> str:
    """15/12/2023, 14/6/2024: the day padded, the month not (as written on the form)."""
    return f"{d.day:02d}/{d.month}/{d.year}"


def period_line(cycle: Cycle) -> str:
    return (f"Kỳ báo cáo: {cycle.label} (số liệu từ ngày {_date_text(cycle.start)} "
            f"đến ngày {_date_text(cycle.end)})")


def place_date_line(district: units.Unit) -> str:
    return f"{district.short}, ngày {DOTS} tháng {DOTS} năm {DOTS}"


# ---------------------------------------------------------------------------------------------
# the public entry point

def write_templates(cycle: str, out_dir: Path | None = None, district: str | None = None,
                    province: str | None = None) -> list[Path]:
    """Write one template per district of ``province`` (or only ``district``); returns the paths.

    Raises ValueError for an unknown cycle id, a district that is not one of the province's
    reporting units, a cycle whose hierarchy has no district-level units, or an ``out_dir`` inside
    ``data/raw/``.
    """
    c = parse_cycle(cycle)
    province = province or config.PROVINCE_CODE
    out = Path(out_dir) if out_dir is not None else config.TEMPLATES_DIR / c.id
    _refuse_raw(out)
    hierarchy = units.hierarchy_on(c.end)
    try:
        expected = hierarchy.districts_expected(province)
    except KeyError:
        raise ValueError(f"mã tỉnh không có trong danh mục đơn vị hành chính: {province!r}") from None
    if not expected:
        raise ValueError(f"không có đơn vị cấp huyện nào của {province} trong danh mục áp dụng cho kỳ {c.id}")
    if district is not None:
        chosen = [d for d in expected if d.code == str(district).strip()]
        if not chosen:
            listed = ", ".join(f"{d.code} ({d.short})" for d in expected)
            raise ValueError(f"mã huyện {district!r} không thuộc {province}; các mã hợp lệ: {listed}")
        expected = chosen
    out.mkdir(parents=True, exist_ok=True)
    return [_save(build_template(c, d, hierarchy), out / template_name(c.id, d)) for d in expected]


def _refuse_raw(out: Path) -> None:
    raw = config.RAW_DIR.resolve()
    target = out.resolve()
    if target == raw or raw in target.parents:
        raise ValueError(f"không ghi biểu mẫu vào thư mục dữ liệu gốc {raw}; chọn thư mục khác (--out)")


def _save(book: XBook, path: Path) -> Path:
    """Write to a temporary name in the same folder, then rename over ``path``."""
    data = write_book(book, "openpyxl")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# the workbook

@dataclass(frozen=True)
class _Lists:
    """Absolute references of the drop-down lists on the hidden sheet."""

    communes: str
    model_types: str
    settings: str


def build_template(cycle: Cycle, district: units.Unit, hierarchy: units.Hierarchy) -> XBook:
    """The template of ``district`` for ``cycle`` (not written)."""
    communes = hierarchy.communes(district.code)
    province = hierarchy.unit(district.parent) if district.parent else None
    sheets = [_Sheet(forms.TABLES[tid].label) for tid in forms.TABLES] + [_Sheet(LIST_SHEET)]
    lists = _list_sheet(sheets[-1], communes)
    for sh, tid in zip(sheets, forms.TABLES):
        _table_sheet(sh, forms.TABLES[tid], cycle, district, province, communes, lists)
    created = datetime(cycle.start.year, cycle.start.month, cycle.start.day)
    return XBook([sh.sheet for sh in sheets], created, "antt template", STYLES,
                 title=f"{FORM_TITLE} — {district.name} — {cycle.label}", font=FONT)


class _Sheet:
    """An ``XSheet`` addressed as Excel does: 1-based rows and columns, ranges as "A1:C1"."""

    def __init__(self, name: str):
        self.sheet = XSheet(name)

    def cell(self, r: int, c: int, value, style: str) -> None:
        self.sheet.put(r - 1, c - 1, value, style)

    def merged(self, r: int, c1: int, c2: int, value, style: str) -> None:
        self.sheet.merge(r - 1, c1 - 1, r - 1, c2 - 1, value, style)

    def width(self, c: int) -> float:
        return self.sheet.widths[c - 1]


def _letter(c: int) -> str:
    """1-based column -> "A"."""
    return col_letter(c - 1)


def _list_sheet(sh: _Sheet, communes: list[units.Unit]) -> _Lists:
    columns = (("Danh sách đơn vị cấp xã", [u.name for u in communes]),
               ("Danh mục loại mô hình", list(forms.MODEL_TYPES)),
               ("Danh mục nơi triển khai", list(forms.SETTINGS.values())))
    refs = []
    quoted = "'" + LIST_SHEET.replace("'", "''") + "'"
    for c, (title, values) in enumerate(columns, start=1):
        sh.cell(1, c, title, "list_head")
        for r, v in enumerate(values, start=2):
            sh.cell(r, c, v, "list")
        sh.sheet.widths[c - 1] = max(len(v) for v in values + [title]) + 2
        col = _letter(c)
        refs.append(f"{quoted}!${col}$2:${col}${len(values) + 1}")
    sh.sheet.hidden = True
    sh.sheet.protection = Protection()
    return _Lists(*refs)


def _columns(table: forms.Table) -> list[forms.Field]:
    """Layout A's fields without the optional ratio."""
    return [f for f in table.layouts[0].fields if f.kind != "ratio"]


def _table_sheet(sh: _Sheet, table: forms.Table, cycle: Cycle, district: units.Unit,
                 province: units.Unit | None, communes: list[units.Unit], lists: _Lists) -> None:
    fields = _columns(table)
    ncol = len(fields) + 1                       # "STT" first
    split = 3 if not table.per_commune else 2    # columns of the left half of the title block
    xs = sh.sheet

    # column widths
    xs.widths[0] = 6
    for c, f in enumerate(fields, start=2):
        width = _FIELD_WIDTHS.get(f.name, _WIDTHS.get(f.kind, 16))
        if f.kind == "commune" and communes:
            width = max(width, max(len(u.name) for u in communes) + 3)
        xs.widths[c - 1] = width

    # title block
    body = f"CÔNG AN {province.name.upper()}" if province else "CÔNG AN"
    sh.merged(ROW_BODY, 1, split, body, "body")
    sh.merged(ROW_UNIT, 1, split, f"CÔNG AN {district.name.upper()}", "bold")
    sh.merged(ROW_BODY, split + 1, ncol, MOTTO[0], "bold")
    sh.merged(ROW_UNIT, split + 1, ncol, MOTTO[1], "motto2")
    sh.merged(ROW_DATE, split + 1, ncol, place_date_line(district), "date")
    sh.merged(ROW_TITLE, 1, ncol, FORM_TITLE, "title")
    sh.merged(ROW_PERIOD, 1, ncol, period_line(cycle), "italic")
    sh.merged(ROW_TABLE, 1, ncol, table.heading, "bold")
    xs.heights[ROW_TITLE - 1] = 20

    # header
    for c, heading in enumerate(["STT"] + [f.heading for f in fields], start=1):
        sh.cell(ROW_HEADER, c, heading, "head")
    lines = max(_lines(f.heading, sh.width(c)) for c, f in enumerate(fields, start=2))
    xs.heights[ROW_HEADER - 1] = 16 * lines + 6
    for c in range(1, ncol + 1):                 # column numbering "(1) (2) …" (deviation 3 of the form)
        sh.cell(ROW_NUMBERING, c, f"({c})", "numbering")

    # data rows
    first = ROW_FIRST
    if table.per_commune:
        rows = [u for u in communes if u.kind == "Xã"] if table.only_xa else communes
        for i, unit in enumerate(rows, start=1):
            r = first + i - 1
            sh.cell(r, 1, i, "stt")
            sh.cell(r, 2, unit.name, "name")
            xs.heights[r - 1] = DATA_ROW_HEIGHT
            for c in range(3, ncol + 1):
                sh.cell(r, c, None, "input")
        end = first + len(rows) - 1
    else:
        end = first + MODEL_ROWS - 1
        for r in range(first, end + 1):
            xs.heights[r - 1] = MODEL_ROW_HEIGHT
            for c, f in enumerate([None] + fields, start=1):
                kind = f.kind if f else "count"
                sh.cell(r, c, None, "input_text" if kind in ("text", "model_type", "commune", "setting") else "input")
    end = max(end, first)                        # a district always has communes; keep ranges valid

    # total row
    r = end + 1
    if table.id != "ntm":
        sh.cell(r, 1, None, "total")
        label_col = 2
        sh.cell(r, label_col, "Tổng cộng", "total_bold")
        for c, f in enumerate(fields, start=2):
            if c == label_col:
                continue
            value = None
            if f.kind in ("count", "number"):
                col = _letter(c)
                value = f"=SUM({col}{first}:{col}{end})"
            sh.cell(r, c, value, "total_bold")
        r += 1

    _validations(xs, table, fields, first, end, cycle, lists)
    r = _guidance(sh, table, fields, r + 1, ncol, first, end, cycle)
    _signatures(sh, r + 1, split, ncol)

    # view, protection, printing
    xs.freeze = (ROW_FIRST - 1, 2)
    xs.protection = Protection(format_columns=True, format_rows=True)     # people may widen columns
    xs.page = Page(landscape=True, fit_width=1, fit_height=1 if table.per_commune else 0,  # a commune table fits one page
                   title_rows=(ROW_HEADER - 1, ROW_NUMBERING - 1))


def _lines(s: str, width: float) -> int:
    """Lines a wrapped text takes in a column of ``width`` characters (a rough word wrap)."""
    lines, used = 1, 0
    for word in s.split():
        n = len(word) + (1 if used else 0)
        if used and used + n > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += n
    return lines


# ---------------------------------------------------------------------------------------------
# data validation

def _custom(ref: str, formula: str, title: str, error: str, prompt: str) -> Validation:
    return Validation(ref, "custom", formula, title=title, error=error, prompt=prompt)


def _count_formula(ref: str, extra: str = "") -> str:
    """Whole number ≥ 0 (and ``extra`` conditions), or "?". IF, not AND/OR: a text cell makes
    ``INT()`` an error, and an error anywhere in OR() rejects the value."""
    return f'IF(ISNUMBER({ref}),AND({ref}>=0,{ref}=INT({ref}){extra}),{ref}="?")'


def _validations(xs: XSheet, table: forms.Table, fields: list[forms.Field], first: int, end: int,
                 cycle: Cycle, lists: _Lists) -> None:
    col_of = {f.name: _letter(c) for c, f in enumerate(fields, start=2)}
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
            dv = _list(rng, lists.model_types, title, "Chọn loại mô hình trong danh sách; loại khác chọn “Khác”.")
        elif f.kind == "setting":
            dv = _list(rng, lists.settings, title, "Chọn “Khu dân cư” hoặc “Cơ quan, doanh nghiệp, nhà trường”.")
        elif f.kind == "commune" and not table.per_commune:
            dv = _list(rng, lists.communes, "Địa bàn", "Chọn xã, phường, thị trấn trong danh sách.")
        else:
            continue
        xs.validations.append(dv)


def _list(rng: str, source: str, title: str, message: str) -> Validation:
    return Validation(rng, "list", source, title=title, error=message, prompt=message)


# ---------------------------------------------------------------------------------------------
# guidance and signatures

def _guidance_lines(table: forms.Table, cycle: Cycle) -> list[str]:
    locked = "Tiêu đề, tên đơn vị" + ("" if table.id == "ntm" else " và dòng “Tổng cộng”")
    lines = [
        "Ghi chú — hướng dẫn nhập số liệu:",
        f"1. Chỉ nhập vào các ô trắng. {locked} đã được khóa (bảo vệ trang tính, "
        "không đặt mật khẩu); không thêm, xóa, đổi tên cột hay trang tính.",
        "2. Nhập số nguyên không âm, không kèm đơn vị, không ghi dấu chấm ngăn cách hàng nghìn; "
        "để trống nghĩa là 0. Nếu chưa có số liệu, ghi “?” (không ghi 0).",
    ]
    if table.id == "kdc":
        lines.append("3. Số KDC đạt chuẩn không lớn hơn số KDC đăng ký; số KDC đăng ký không lớn hơn tổng số "
                     "khu dân cư (ấp, khu phố, tổ dân phố) của xã, phường, thị trấn.")
    elif table.id == "ntm":
        lines.append("3. Chỉ các xã (phường, thị trấn không thuộc diện xét nông thôn mới). Số tiêu chí đã đạt "
                     "từ 0 đến 19. Cột “Đạt chuẩn NTM” và “Tiêu chí 19.2” ghi “x” nếu đạt, để trống nếu chưa đạt; "
                     f"xã đạt chuẩn ghi năm được công nhận (từ {FIRST_YEAR} đến {cycle.year}) và đủ 19 tiêu chí.")
    elif table.id == "models":
        lines.append("3. Mỗi mô hình một dòng. Chọn loại mô hình, địa bàn và nơi triển khai trong danh sách "
                     "(loại không có trong danh sách chọn “Khác”); số camera chỉ ghi với mô hình có camera.")
    elif table.id == "outreach":
        lines.append("3. Số giờ phát thanh, tuyên truyền có thể có phần lẻ (ví dụ 2,5); các cột khác là số "
                     "nguyên. Số liệu tính trong kỳ báo cáo.")
    elif table.id == "bright_spots":
        lines.append("3. Số thành viên là tổng số thành viên của các tổ, nhóm nòng cốt, câu lạc bộ pháp luật "
                     "của xã, phường, thị trấn.")
    computed = "Các số đếm dưới đây tự tính." if table.id == "ntm" else "Dòng “Tổng cộng” tự tính."
    lines.append(f"4. Ghi ngày báo cáo ở dòng “…, ngày … tháng … năm …” phía trên biểu. {computed}")
    return lines


def _guidance(sh: _Sheet, table: forms.Table, fields: list[forms.Field], r: int, ncol: int,
              first: int, end: int, cycle: Cycle) -> int:
    """The guidance block from row ``r``; returns the next free row."""
    width = sum(sh.width(c) for c in range(1, ncol + 1))
    for i, line in enumerate(_guidance_lines(table, cycle)):
        sh.merged(r, 1, ncol, line, "guide_head" if i == 0 else "guide")
        sh.sheet.heights[r - 1] = 15 * _lines(line, width * 1.2) + 3
        r += 1
    if table.id == "ntm":
        col_of = {f.name: _letter(c) for c, f in enumerate(fields, start=2)}
        for label, name in (("Số xã đạt chuẩn nông thôn mới (tự tính):", "ntm_met"),
                            ("Số xã đạt tiêu chí 19.2 an ninh, trật tự (tự tính):", "ntm_security_criterion")):
            col = col_of[name]
            sh.merged(r, 1, ncol - 1, label, "count_label")
            sh.cell(r, ncol, f'=COUNTIF({col}{first}:{col}{end},"x")', "count")
            r += 1
    return r


def _signatures(sh: _Sheet, r: int, split: int, ncol: int) -> None:
    sh.merged(r, 1, split, "NGƯỜI LẬP BIỂU", "bold")
    sh.merged(r, split + 1, ncol, "THỦ TRƯỞNG ĐƠN VỊ", "bold")
    sh.merged(r + 1, 1, split, "(Ký, ghi rõ họ tên)", "italic")
    sh.merged(r + 1, split + 1, ncol, "(Ký tên, đóng dấu)", "italic")
    names = r + 5                                 # room for the signatures
    sh.merged(names, 1, split, None, "signer")
    sh.merged(names, split + 1, ncol, None, "signer")
