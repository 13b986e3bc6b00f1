"""Blank return templates: one .xlsx per district, clean at the source (``antt template``).

``write_templates(cycle, out_dir, district=None, province="70")`` writes
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
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from antt.core import config, forms, units
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle, parse_cycle

FORM_TITLE = "BIỂU THỐNG KÊ KẾT QUẢ PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
LIST_SHEET = "Danh mục"
MODEL_ROWS = 60              # empty rows of Biểu 3
FIRST_YEAR = 1990            # earliest year accepted in year columns
DOTS = "....."               # blanks of the place-and-date line (never digits)

#: Rows of the title block (1-based); the header row follows a blank row, then the column numbering
#: "(1) (2) …" and the first data row.
ROW_BODY, ROW_UNIT, ROW_DATE, ROW_TITLE, ROW_PERIOD, ROW_TABLE, ROW_HEADER = 1, 2, 3, 5, 6, 7, 9
ROW_NUMBERING = ROW_HEADER + 1
ROW_FIRST = ROW_HEADER + 2

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_NAME = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
DATA_ROW_HEIGHT = 18
MODEL_ROW_HEIGHT = 31         # two lines: model names, types and settings wrap

#: Column widths (characters) by field kind, and for a few fields.
_WIDTHS = {"count": 18, "number": 18, "mark": 14, "year": 13, "text": 30, "model_type": 30, "setting": 24}
_FIELD_WIDTHS = {"commune": 24, "ntm_criteria_met": 15, "founded": 11, "members": 11, "cameras": 10}


def _f(size: int = 12, bold: bool = False, italic: bool = False, underline: str | None = None) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, underline=underline)


def ascii_name(s: str) -> str:
    """"Lộc Ninh" -> "Loc_Ninh": no diacritics, đ -> d, words joined by "_"."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    return "_".join(re.findall(r"[A-Za-z0-9]+", s))


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
                    province: str = "70") -> list[Path]:
    """Write one template per district of ``province`` (or only ``district``); returns the paths.

    Raises ValueError for an unknown cycle id, a district that is not one of the province's
    reporting units, a cycle whose hierarchy has no district-level units, or an ``out_dir`` inside
    ``data/raw/``.
    """
    c = parse_cycle(cycle)
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
    return [_save(build_workbook(c, d, hierarchy), out / template_name(c.id, d)) for d in expected]


def _refuse_raw(out: Path) -> None:
    raw = config.RAW_DIR.resolve()
    target = out.resolve()
    if target == raw or raw in target.parents:
        raise ValueError(f"không ghi biểu mẫu vào thư mục dữ liệu gốc {raw}; chọn thư mục khác (--out)")


def _save(wb: Workbook, path: Path) -> Path:
    """Save to a temporary name in the same folder, then rename over ``path``."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# ---------------------------------------------------------------------------------------------
# the workbook

@dataclass(frozen=True)
class _Lists:
    """Absolute references of the drop-down lists on the hidden sheet."""

    communes: str
    model_types: str
    settings: str


def build_workbook(cycle: Cycle, district: units.Unit, hierarchy: units.Hierarchy) -> Workbook:
    """The template of ``district`` for ``cycle`` (not saved)."""
    communes = hierarchy.communes(district.code)
    province = hierarchy.unit(district.parent) if district.parent else None
    wb = Workbook()
    wb.remove(wb.active)
    sheets = [wb.create_sheet(forms.TABLES[tid].label) for tid in forms.TABLES]
    lists = _list_sheet(wb.create_sheet(LIST_SHEET), communes)
    for ws, tid in zip(sheets, forms.TABLES):
        _table_sheet(ws, forms.TABLES[tid], cycle, district, province, communes, lists)
    wb.active = 0
    wb.properties.title = f"{FORM_TITLE} — {district.name} — {cycle.label}"
    wb.properties.creator = "antt template"
    return wb


def _list_sheet(ws: Worksheet, communes: list[units.Unit]) -> _Lists:
    columns = (("Danh sách đơn vị cấp xã", [u.name for u in communes]),
               ("Danh mục loại mô hình", list(forms.MODEL_TYPES)),
               ("Danh mục nơi triển khai", list(forms.SETTINGS.values())))
    refs = []
    for c, (title, values) in enumerate(columns, start=1):
        ws.cell(1, c, title).font = _f(bold=True)
        for r, v in enumerate(values, start=2):
            ws.cell(r, c, v).font = _f()
        ws.column_dimensions[get_column_letter(c)].width = max(len(v) for v in values + [title]) + 2
        col = get_column_letter(c)
        refs.append(f"{quote_sheetname(ws.title)}!${col}$2:${col}${len(values) + 1}")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return _Lists(*refs)


def _columns(table: forms.Table) -> list[forms.Field]:
    """Layout A's fields without the optional ratio."""
    return [f for f in table.layouts[0].fields if f.kind != "ratio"]


def _table_sheet(ws: Worksheet, table: forms.Table, cycle: Cycle, district: units.Unit,
                 province: units.Unit | None, communes: list[units.Unit], lists: _Lists) -> None:
    fields = _columns(table)
    ncol = len(fields) + 1                       # "STT" first
    last = get_column_letter(ncol)
    split = 3 if not table.per_commune else 2    # columns of the left half of the title block

    # column widths
    ws.column_dimensions["A"].width = 6
    for c, f in enumerate(fields, start=2):
        width = _FIELD_WIDTHS.get(f.name, _WIDTHS.get(f.kind, 16))
        if f.kind == "commune" and communes:
            width = max(width, max(len(u.name) for u in communes) + 3)
        ws.column_dimensions[get_column_letter(c)].width = width

    # title block
    left = f"A{{r}}:{get_column_letter(split)}{{r}}"
    right = f"{get_column_letter(split + 1)}{{r}}:{last}{{r}}"
    body = f"CÔNG AN {province.name.upper()}" if province else "CÔNG AN"
    _merged(ws, left.format(r=ROW_BODY), body, _f(), _CENTER)
    _merged(ws, left.format(r=ROW_UNIT), f"CÔNG AN {district.name.upper()}", _f(bold=True), _CENTER)
    _merged(ws, right.format(r=ROW_BODY), MOTTO[0], _f(bold=True), _CENTER)
    _merged(ws, right.format(r=ROW_UNIT), MOTTO[1], _f(bold=True, underline="single"), _CENTER)
    date_cell = _merged(ws, right.format(r=ROW_DATE), place_date_line(district), _f(italic=True), _CENTER)
    date_cell.protection = _UNLOCKED
    _merged(ws, f"A{ROW_TITLE}:{last}{ROW_TITLE}", FORM_TITLE, _f(13, bold=True), _CENTER)
    _merged(ws, f"A{ROW_PERIOD}:{last}{ROW_PERIOD}", period_line(cycle), _f(italic=True), _CENTER)
    _merged(ws, f"A{ROW_TABLE}:{last}{ROW_TABLE}", table.heading, _f(bold=True), _CENTER)
    ws.row_dimensions[ROW_TITLE].height = 20

    # header
    for c, heading in enumerate(["STT"] + [f.heading for f in fields], start=1):
        cell = ws.cell(ROW_HEADER, c, heading)
        cell.font, cell.alignment, cell.fill, cell.border = _f(bold=True), _CENTER, _HEADER_FILL, _BORDER
    lines = max(_lines(f.heading, ws.column_dimensions[get_column_letter(c)].width)
                for c, f in enumerate(fields, start=2))
    ws.row_dimensions[ROW_HEADER].height = 16 * lines + 6
    for c in range(1, ncol + 1):                 # column numbering "(1) (2) …" (deviation 3 of the form)
        cell = ws.cell(ROW_NUMBERING, c, f"({c})")
        cell.font, cell.alignment, cell.fill, cell.border = _f(10, italic=True), _CENTER, _HEADER_FILL, _BORDER

    # data rows
    first = ROW_FIRST
    if table.per_commune:
        rows = [u for u in communes if u.kind == "Xã"] if table.only_xa else communes
        for i, unit in enumerate(rows, start=1):
            r = first + i - 1
            _cell(ws, r, 1, i, _CENTER, _LOCKED_FILL)
            _cell(ws, r, 2, unit.name, _NAME, _LOCKED_FILL)
            ws.row_dimensions[r].height = DATA_ROW_HEIGHT
            for c in range(3, ncol + 1):
                _cell(ws, r, c, None, _CENTER, unlocked=True)
        end = first + len(rows) - 1
    else:
        end = first + MODEL_ROWS - 1
        for r in range(first, end + 1):
            ws.row_dimensions[r].height = MODEL_ROW_HEIGHT
            for c, f in enumerate([None] + fields, start=1):
                kind = f.kind if f else "count"
                _cell(ws, r, c, None, _NAME if kind in ("text", "model_type", "commune", "setting") else _CENTER,
                      unlocked=True)
    end = max(end, first)                        # a district always has communes; keep ranges valid

    # total row
    r = end + 1
    if table.id != "ntm":
        _cell(ws, r, 1, None, _CENTER, _TOTAL_FILL)
        label_col = 2
        _cell(ws, r, label_col, "Tổng cộng", _CENTER, _TOTAL_FILL, font=_f(bold=True))
        for c, f in enumerate(fields, start=2):
            if c == label_col:
                continue
            value = None
            if f.kind in ("count", "number"):
                col = get_column_letter(c)
                value = f"=SUM({col}{first}:{col}{end})"
            _cell(ws, r, c, value, _CENTER, _TOTAL_FILL, font=_f(bold=True))
        r += 1

    _validations(ws, table, fields, first, end, cycle, lists)
    r = _guidance(ws, table, fields, r + 1, ncol, first, end, cycle)
    _signatures(ws, r + 1, split, ncol)

    # view, protection, printing
    ws.freeze_panes = ws.cell(ROW_FIRST, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False          # people may widen columns
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if table.per_commune else 0   # a commune table fits one page
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{ROW_HEADER}:{ROW_NUMBERING}"


def _merged(ws: Worksheet, ref: str, value, font: Font, alignment: Alignment):
    ws.merge_cells(ref)
    cell = ws[ref.split(":")[0]]
    cell.value, cell.font, cell.alignment = value, font, alignment
    return cell


def _cell(ws: Worksheet, r: int, c: int, value, alignment: Alignment, fill: PatternFill | None = None,
          unlocked: bool = False, font: Font | None = None):
    cell = ws.cell(r, c, value)
    cell.font, cell.alignment, cell.border = font or _f(), alignment, _BORDER
    if fill is not None:
        cell.fill = fill
    if unlocked:
        cell.protection = _UNLOCKED
    return cell


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

def _rule(ws: Worksheet, col: str, first: int, end: int, dv: DataValidation) -> None:
    dv.add(f"{col}{first}:{col}{end}")
    ws.add_data_validation(dv)


def _custom(formula: str, title: str, error: str, prompt: str) -> DataValidation:
    return DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                          errorTitle=title, error=error, showInputMessage=True, promptTitle=title[:32],
                          prompt=prompt[:255])


def _count_formula(ref: str, extra: str = "") -> str:
    """Whole number ≥ 0 (and ``extra`` conditions), or "?". IF, not AND/OR: a text cell makes
    ``INT()`` an error, and an error anywhere in OR() rejects the value."""
    return f'IF(ISNUMBER({ref}),AND({ref}>=0,{ref}=INT({ref}){extra}),{ref}="?")'


def _validations(ws: Worksheet, table: forms.Table, fields: list[forms.Field], first: int, end: int,
                 cycle: Cycle, lists: _Lists) -> None:
    col_of = {f.name: get_column_letter(c) for c, f in enumerate(fields, start=2)}
    for f in fields:
        col = col_of[f.name]
        ref = f"{col}{first}"
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
            dv = _custom(_count_formula(ref, extra), title,
                         f"Cần một số nguyên không âm{note}, hoặc “?” nếu chưa có số liệu.",
                         f"Nhập số nguyên không âm{note}; để trống là 0; chưa có số liệu ghi “?”.")
        elif f.kind == "number":
            dv = _custom(f'IF(ISNUMBER({ref}),{ref}>=0,{ref}="?")', title,
                         "Cần một số không âm (có thể có phần lẻ), hoặc “?” nếu chưa có số liệu.",
                         "Nhập số không âm, có thể có phần lẻ (ví dụ 2,5); chưa có số liệu ghi “?”.")
        elif f.kind == "year":
            dv = DataValidation(type="whole", operator="between", formula1=str(FIRST_YEAR),
                                formula2=str(cycle.year), allow_blank=True, showErrorMessage=True,
                                errorTitle=title, error=f"Cần một năm từ {FIRST_YEAR} đến {cycle.year}.",
                                showInputMessage=True, promptTitle=title,
                                prompt=f"Năm (4 chữ số), từ {FIRST_YEAR} đến {cycle.year}.")
        elif f.kind == "mark":
            dv = DataValidation(type="list", formula1='"x"', allow_blank=True, showErrorMessage=True,
                                errorTitle=title, error="Ghi “x” nếu đạt; để trống nếu chưa đạt.",
                                showInputMessage=True, promptTitle=title,
                                prompt="Ghi “x” (chọn trong danh sách) nếu đạt; để trống nếu chưa đạt.")
        elif f.kind == "model_type":
            dv = _list(lists.model_types, title, "Chọn loại mô hình trong danh sách; loại khác chọn “Khác”.")
        elif f.kind == "setting":
            dv = _list(lists.settings, title, "Chọn “Khu dân cư” hoặc “Cơ quan, doanh nghiệp, nhà trường”.")
        elif f.kind == "commune" and not table.per_commune:
            dv = _list(lists.communes, "Địa bàn", "Chọn xã, phường, thị trấn trong danh sách.")
        else:
            continue
        _rule(ws, col, first, end, dv)


def _list(ref: str, title: str, message: str) -> DataValidation:
    return DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True,
                          errorTitle=title[:32], error=message, showInputMessage=True, promptTitle=title[:32],
                          prompt=message)


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


def _guidance(ws: Worksheet, table: forms.Table, fields: list[forms.Field], r: int, ncol: int,
              first: int, end: int, cycle: Cycle) -> int:
    """The guidance block from row ``r``; returns the next free row."""
    last = get_column_letter(ncol)
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, ncol + 1))
    for i, line in enumerate(_guidance_lines(table, cycle)):
        _merged(ws, f"A{r}:{last}{r}", line, _f(11, bold=i == 0, italic=i > 0), _LEFT)
        ws.row_dimensions[r].height = 15 * _lines(line, width * 1.2) + 3
        r += 1
    if table.id == "ntm":
        col_of = {f.name: get_column_letter(c) for c, f in enumerate(fields, start=2)}
        for label, name in (("Số xã đạt chuẩn nông thôn mới (tự tính):", "ntm_met"),
                            ("Số xã đạt tiêu chí 19.2 an ninh, trật tự (tự tính):", "ntm_security_criterion")):
            col = col_of[name]
            label_end = get_column_letter(ncol - 1)
            _merged(ws, f"A{r}:{label_end}{r}", label, _f(11, italic=True), Alignment(horizontal="right"))
            cell = ws[f"{last}{r}"]
            cell.value = f'=COUNTIF({col}{first}:{col}{end},"x")'
            cell.font, cell.alignment = _f(11, bold=True), _CENTER
            r += 1
    return r


def _signatures(ws: Worksheet, r: int, split: int, ncol: int) -> None:
    left = f"A{{r}}:{get_column_letter(split)}{{r}}"
    right = f"{get_column_letter(split + 1)}{{r}}:{get_column_letter(ncol)}{{r}}"
    _merged(ws, left.format(r=r), "NGƯỜI LẬP BIỂU", _f(bold=True), _CENTER)
    _merged(ws, right.format(r=r), "THỦ TRƯỞNG ĐƠN VỊ", _f(bold=True), _CENTER)
    _merged(ws, left.format(r=r + 1), "(Ký, ghi rõ họ tên)", _f(italic=True), _CENTER)
    _merged(ws, right.format(r=r + 1), "(Ký tên, đóng dấu)", _f(italic=True), _CENTER)
    names = r + 5                                 # room for the signatures
    for ref in (left.format(r=names), right.format(r=names)):
        _merged(ws, ref, None, _f(bold=True), _CENTER).protection = _UNLOCKED
