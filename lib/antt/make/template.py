"""Blank return templates: one .xlsx per reporting unit, clean at the source (``antt template``).

``write_templates(cycle, out_dir, unit=None, province=None)`` (None: the configured province) writes
one template per unit that reports for the territory in the cycle (``core.territory``: its
districts in a district-level cycle, its communes in a commune-level one), or only ``unit``, each
written to a temporary name in ``out_dir`` then renamed: ``Mau_bao_cao_<cycle>_<district
code>_<Ascii_Short_Name>.xlsx`` for a district, ``Mau_bao_cao_<cycle>_<commune code>_<Ascii_Name>.xlsx``
for a commune (built by ``antt.make.commune_template``, Biểu 1 pre-filled with the residential areas of
the commune's latest processed return). Templates are never written into ``data/raw/`` (the shared
contract: only ``antt sample`` writes raw returns). The pieces of the form are ``antt.make.template_form``'s.

A district's template:

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

from datetime import datetime
from pathlib import Path

from antt.core import config, forms, territory, units
from antt.core.cycles import Cycle, parse_cycle, reporting_level
from antt.make.book import XBook
from antt.make.commune_template import build_commune_template, known_areas
from antt.make.template_form import (DATA_ROW_HEIGHT, FIRST_YEAR, FONT, FORM_TITLE, LIST_SHEET, MODEL_ROW_HEIGHT,
                                     MODEL_ROWS, ROW_FIRST, STYLES, FormSheet, ascii_name, column_widths,
                                     counting_lines, field_validations, form_view, guidance, header, input_rows, letter,
                                     list_sheet, refuse_raw, save, signatures, title_block, total_row)


def template_name(cycle_id: str, unit: units.Unit) -> str:
    """``Mau_bao_cao_2024-H1_692_Loc_Ninh.xlsx`` (a district: its short name),
    ``Mau_bao_cao_2026_26116_Xa_Tan_Phu.xlsx`` (a commune: its name with its type)."""
    name = unit.short if unit.level == units.DISTRICT else unit.name
    return f"Mau_bao_cao_{cycle_id}_{unit.code}_{ascii_name(name)}.xlsx"


# ---------------------------------------------------------------------------------------------
# the public entry point

def write_templates(cycle: str, out_dir: Path | None = None, unit: str | None = None,
                    province: str | None = None, processed_dir: Path | None = None) -> list[Path]:
    """Write one template per reporting unit of ``province`` in ``cycle`` (or only ``unit``);
    returns the paths. Commune templates list the areas found under ``processed_dir`` (default
    ``data/processed``).

    Raises ValueError for an unknown cycle id or scope, a unit that is not one of the scope's
    reporting units in the cycle, or an ``out_dir`` inside ``data/raw/``.
    """
    c = parse_cycle(cycle)
    province = province or config.PROVINCE_CODE
    out = Path(out_dir) if out_dir is not None else config.TEMPLATES_DIR / c.id
    refuse_raw(out)
    expected = territory.resolve(province).expected_units(c)
    level = reporting_level(c)
    word = "huyện" if level == "district" else "xã"
    if not expected:
        raise ValueError(f"không có đơn vị cấp {word} nào của {province} trong danh mục áp dụng cho kỳ {c.id}")
    if unit is not None:
        chosen = [u for u in expected if u.code == str(unit).strip()]
        if not chosen:
            listed = ", ".join(f"{u.code} ({u.short if level == 'district' else u.name})" for u in expected)
            raise ValueError(f"mã đơn vị cấp {word} {unit!r} không thuộc {province} trong kỳ {c.id}; "
                             f"các mã hợp lệ: {listed}")
        expected = chosen
    hierarchy = units.hierarchy_on(c.end)
    out.mkdir(parents=True, exist_ok=True)
    if level == "district":
        return [save(build_template(c, d, hierarchy), out / template_name(c.id, d)) for d in expected]
    areas = known_areas(processed_dir if processed_dir is not None else config.PROCESSED_DIR, c)
    return [save(build_commune_template(c, u, hierarchy, areas.get(u.code, [])), out / template_name(c.id, u))
            for u in expected]


# ---------------------------------------------------------------------------------------------
# a district's workbook

def build_template(cycle: Cycle, district: units.Unit, hierarchy: units.Hierarchy) -> XBook:
    """The template of ``district`` for ``cycle`` (not written)."""
    communes = hierarchy.communes(district.code)
    province = hierarchy.unit(district.parent) if district.parent else None
    sheets = [FormSheet(forms.TABLES[tid].label) for tid in forms.TABLES] + [FormSheet(LIST_SHEET)]
    refs = list_sheet(sheets[-1], [("Danh sách đơn vị cấp xã", [u.name for u in communes]),
                                   ("Danh mục loại mô hình", list(forms.MODEL_TYPES)),
                                   ("Danh mục nơi triển khai", list(forms.SETTINGS.values()))])
    lists = dict(zip(("commune", "model_type", "setting"), refs))
    for sh, tid in zip(sheets, forms.TABLES):
        _table_sheet(sh, forms.TABLES[tid], cycle, district, province, communes, lists)
    created = datetime(cycle.start.year, cycle.start.month, cycle.start.day)
    return XBook([sh.sheet for sh in sheets], created, "antt template", STYLES,
                 title=f"{FORM_TITLE} — {district.name} — {cycle.label}", font=FONT)


def _columns(table: forms.Table) -> list[forms.Field]:
    """Layout A's fields without the optional ratio."""
    return [f for f in table.layouts[0].fields if f.kind != "ratio"]


def _table_sheet(sh: FormSheet, table: forms.Table, cycle: Cycle, district: units.Unit,
                 province: units.Unit | None, communes: list[units.Unit], lists: dict[str, str]) -> None:
    fields = _columns(table)
    ncol = len(fields) + 1                       # "STT" first
    split = 3 if not table.per_commune else 2    # columns of the left half of the title block
    column_widths(sh, fields, [u.name for u in communes])
    body = f"CÔNG AN {province.name.upper()}" if province else "CÔNG AN"
    title_block(sh, ncol, split, body, f"CÔNG AN {district.name.upper()}", district.short, cycle, table.heading)
    header(sh, fields)

    # data rows
    first = ROW_FIRST
    if table.per_commune:
        rows = [u for u in communes if u.kind == "Xã"] if table.only_xa else communes
        for i, unit in enumerate(rows, start=1):
            r = first + i - 1
            sh.cell(r, 1, i, "stt")
            sh.cell(r, 2, unit.name, "name")
            sh.sheet.heights[r - 1] = DATA_ROW_HEIGHT
            for c in range(3, ncol + 1):
                sh.cell(r, c, None, "input")
        end = first + len(rows) - 1
    else:
        end = first + MODEL_ROWS - 1
        input_rows(sh, fields, first, end, MODEL_ROW_HEIGHT)
    end = max(end, first)                        # a district always has communes; keep ranges valid

    r = end + 1
    if table.id != "ntm":
        total_row(sh, fields, r, first, end)
        r += 1

    field_validations(sh.sheet, fields, first, end, cycle, lists if not table.per_commune else
                      {k: v for k, v in lists.items() if k != "commune"})
    r = guidance(sh, _guidance_lines(table, cycle), r + 1, ncol)
    if table.id == "ntm":
        col_of = {f.name: letter(c) for c, f in enumerate(fields, start=2)}
        r = counting_lines(sh, r, ncol, [
            (label, f'=COUNTIF({col_of[name]}{first}:{col_of[name]}{end},"x")')
            for label, name in (("Số xã đạt chuẩn nông thôn mới (tự tính):", "ntm_met"),
                                ("Số xã đạt tiêu chí 19.2 an ninh, trật tự (tự tính):", "ntm_security_criterion"))])
    signatures(sh, r + 1, split, ncol)
    form_view(sh.sheet, table.per_commune)      # a commune table fits one page


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
