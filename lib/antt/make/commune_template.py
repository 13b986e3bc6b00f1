"""A commune's blank return template (a commune-level cycle), and the residential areas it lists.

``build_commune_template(cycle, unit, hierarchy, areas)`` lays the commune's return out on the form
pieces of ``antt.make.template_form``. The title block names the commune under the province police
("CÔNG AN TỈNH ĐỒNG NAI" / "CÔNG AN XÃ TÂN PHÚ"). Sheets:

- "Biểu 1": one row per residential area, "STT | Khu dân cư (ấp, khu phố, tổ dân phố) | Đăng ký … |
  Đạt chuẩn …" (layout B without its commune column: the return is the commune's own), marks "x"
  from a drop-down. The areas of the commune's latest processed return are filled in (unlocked: an
  area renamed, merged or split is corrected in place), with ``AREA_SPARE`` empty rows below them,
  or ``AREA_ROWS`` empty rows where no list is known. No total row: the number of areas, of areas
  registered and of areas meeting the standard are counted (COUNTA, COUNTIF) below the guidance,
  where the loaders read no data;
- "Biểu 2", only for a xã: its one row (a phường or đặc khu is not eligible and has no sheet);
- "Biểu 3": ``MODEL_ROWS`` empty rows, "Địa bàn" free text (an area, the commune, or blank), type
  and setting from drop-downs, a "Tổng cộng" row;
- "Biểu 4", "Biểu 5": the commune's one row;
- the hidden "Danh mục" (the lists behind the drop-downs).

``known_areas(processed_dir, cycle)`` gives commune code -> the area names of its latest processed
return with area rows, from the frame ``kdc_areas`` (columns ``unit_code, commune_code, area,
area_key, registered, meeting, source_file, sheet, row``), in the order they were written, one name
per normalised key; cycles after ``cycle`` or in another hierarchy are not used, and a processed
cycle without the frame is passed over.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from antt.core import forms, units
from antt.core.cycles import Cycle
from antt.make.book import XBook
from antt.make.commune_truth import province_of
from antt.make.template_form import (DATA_ROW_HEIGHT, FIRST_YEAR, FONT, FORM_TITLE, LIST_SHEET, MODEL_ROW_HEIGHT,
                                     MODEL_ROWS, ROW_FIRST, STYLES, FormSheet, column_widths, counting_lines,
                                     field_validations, form_view, guidance, header, input_rows, letter, list_sheet,
                                     signatures, title_block, total_row)
from antt.store.processed import processed_cycles, read_frame

AREA_ROWS = 60                # empty area rows where the commune's areas are not known
AREA_SPARE = 10               # empty area rows below the known ones
UNIT_HEADING = "Xã, phường"
PLACE_HEADING = "Địa bàn (ấp, khu phố)"


def known_areas(processed_dir: Path, cycle: Cycle) -> dict[str, list[str]]:
    """Commune code -> its residential areas in its latest processed return (module docstring)."""
    found: dict[str, list[str]] = {}
    hierarchy = units.hierarchy_on(cycle.end)
    for c in reversed(processed_cycles(processed_dir)):
        if c.end > cycle.end or units.hierarchy_on(c.end) is not hierarchy:
            continue
        try:
            frame = read_frame(processed_dir, c, "kdc_areas")
        except (ValueError, FileNotFoundError):       # a store without the frame, or a cycle processed before it
            continue
        frame = frame.sort_values(["source_file", "sheet", "row"], kind="stable")
        for code, rows in frame.groupby("commune_code", sort=False):
            if code in found:
                continue
            names: dict[str, str] = {}
            for area, key in zip(rows["area"], rows["area_key"]):
                names.setdefault(key, area)
            found[code] = list(names.values())
    return found


def _fields(table: forms.Table) -> list[forms.Field]:
    """The columns after "STT": Biểu 1 layout B's area and marks, the others layout A's (the name
    columns worded for a commune: "Xã, phường", "Địa bàn (ấp, khu phố)")."""
    if table.id == "kdc":
        return [f for f in table.layouts[1].fields if f.name != "commune"]
    fields = [f for f in table.layouts[0].fields if f.kind != "ratio"]
    if table.id in ("outreach", "bright_spots"):
        return [replace(f, heading=UNIT_HEADING) if f.name == "commune" else f for f in fields]
    if table.id == "models":
        return [replace(f, heading=PLACE_HEADING) if f.name == "commune" else f for f in fields]
    return fields


def build_commune_template(cycle: Cycle, unit: units.Unit, hierarchy: units.Hierarchy, areas: list[str]) -> XBook:
    """The template of commune ``unit`` for ``cycle`` (not written); ``areas`` fill Biểu 1."""
    province = province_of(unit, hierarchy)
    tables = [t for t in forms.TABLES.values() if t.id != "ntm" or unit.kind == "Xã"]
    sheets = [FormSheet(t.label) for t in tables] + [FormSheet(LIST_SHEET)]
    refs = list_sheet(sheets[-1], [("Danh mục loại mô hình", list(forms.MODEL_TYPES)),
                                   ("Danh mục nơi triển khai", list(forms.SETTINGS.values()))])
    lists = dict(zip(("model_type", "setting"), refs))
    for sh, table in zip(sheets, tables):
        _table_sheet(sh, table, cycle, unit, province, areas, lists)
    created = datetime(cycle.start.year, cycle.start.month, cycle.start.day)
    return XBook([sh.sheet for sh in sheets], created, "antt template", STYLES,
                 title=f"{FORM_TITLE} — {unit.name} — {cycle.label}", font=FONT)


def _table_sheet(sh: FormSheet, table: forms.Table, cycle: Cycle, unit: units.Unit, province: units.Unit,
                 areas: list[str], lists: dict[str, str]) -> None:
    fields = _fields(table)
    ncol = len(fields) + 1
    split = 3 if table.id == "models" else 2
    column_widths(sh, fields, [unit.name])
    title_block(sh, ncol, split, f"CÔNG AN {province.name.upper()}", f"CÔNG AN {unit.name.upper()}", unit.short,
                cycle, table.heading)
    header(sh, fields)
    first = ROW_FIRST
    counts: list[tuple[str, str]] = []
    if table.id == "kdc":
        end = first + (len(areas) + AREA_SPARE if areas else AREA_ROWS) - 1
        input_rows(sh, fields, first, end, DATA_ROW_HEIGHT)
        for i, area in enumerate(areas):
            sh.cell(first + i, 1, i + 1, "input")
            sh.cell(first + i, 2, area, "input_text")
        col = {f.name: letter(c) for c, f in enumerate(fields, start=2)}
        counts = [("Số khu dân cư (tự tính):", f"=COUNTA({col['area']}{first}:{col['area']}{end})"),
                  ("Số khu dân cư đăng ký (tự tính):", f'=COUNTIF({col["registered"]}{first}:{col["registered"]}{end},"x")'),
                  ("Số khu dân cư đạt chuẩn (tự tính):", f'=COUNTIF({col["meeting"]}{first}:{col["meeting"]}{end},"x")')]
        r = end + 1
    elif table.id == "models":
        end = first + MODEL_ROWS - 1
        input_rows(sh, fields, first, end, MODEL_ROW_HEIGHT)
        total_row(sh, fields, end + 1, first, end)
        r = end + 2
    else:                                       # the commune's one row
        end = first
        sh.cell(first, 1, 1, "stt")
        sh.cell(first, 2, unit.name, "name")
        sh.sheet.heights[first - 1] = DATA_ROW_HEIGHT
        for c in range(3, ncol + 1):
            sh.cell(first, c, None, "input")
        r = end + 1
    field_validations(sh.sheet, fields, first, end, cycle, lists)
    r = guidance(sh, _guidance_lines(table, cycle, unit), r + 1, ncol)
    r = counting_lines(sh, r, ncol, counts)
    signatures(sh, r + 1, split, ncol)
    form_view(sh.sheet, table.id not in ("kdc", "models"))


def _guidance_lines(table: forms.Table, cycle: Cycle, unit: units.Unit) -> list[str]:
    items = ["Chỉ nhập vào các ô trắng. Tiêu đề và tên đơn vị đã được khóa (bảo vệ trang tính, không đặt mật "
             "khẩu); không thêm, xóa, đổi tên cột hay trang tính."]
    if table.id == "kdc":
        items += ["Mỗi khu dân cư (ấp, khu phố, tổ dân phố) của đơn vị một dòng, mỗi tên một lần. Danh sách lấy "
                  "theo báo cáo kỳ trước: sửa tên, gộp hay tách khu dân cư thì sửa ngay trên dòng, khu dân cư mới "
                  "ghi vào dòng trống.",
                  "Cột “Đăng ký” và “Đạt chuẩn” ghi “x” nếu có, để trống nếu không; chỉ khu dân cư đã đăng ký "
                  "mới ghi đạt chuẩn. Các số đếm dưới đây tự tính."]
    elif table.id == "ntm":
        items.append(f"Một dòng cho {unit.name}. Số tiêu chí đã đạt từ 0 đến 19. Cột “Đạt chuẩn NTM” và "
                     "“Tiêu chí 19.2” ghi “x” nếu đạt, để trống nếu chưa đạt; xã đạt chuẩn ghi năm được công nhận "
                     f"(từ {FIRST_YEAR} đến {cycle.year}) và đủ 19 tiêu chí.")
    elif table.id == "models":
        items.append("Mỗi mô hình một dòng. “Địa bàn” ghi tên khu dân cư nơi mô hình hoạt động (hoặc tên đơn "
                     "vị, hoặc để trống); chọn loại mô hình và nơi triển khai trong danh sách (loại không có trong "
                     "danh sách chọn “Khác”); số camera chỉ ghi với mô hình có camera. Dòng “Tổng cộng” tự tính.")
    else:
        items.append("Nhập số nguyên không âm, không kèm đơn vị, không ghi dấu chấm ngăn cách hàng nghìn; để "
                     "trống nghĩa là 0. Nếu chưa có số liệu, ghi “?” (không ghi 0)."
                     + (" Số giờ phát thanh có thể có phần lẻ (ví dụ 2,5); số liệu tính trong kỳ báo cáo."
                        if table.id == "outreach" else ""))
    items.append("Ghi ngày báo cáo ở dòng “…, ngày … tháng … năm …” phía trên biểu.")
    return ["Ghi chú — hướng dẫn nhập số liệu:"] + [f"{i}. {text}" for i, text in enumerate(items, start=1)]
