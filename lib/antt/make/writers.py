"""The abstract workbook (``book.XBook``) written as a file: ``write_book(book, writer) -> bytes``.

Writers: ``xlsxwriter`` (.xlsx, formulas with their cached values), ``openpyxl`` (.xlsx whose formulas
have no cached value, as a program that did not calculate them saves them; the only writer of input
forms: validation, protection, panes, page setup, fills), ``xlwt`` (.xls, values only) and ``ods``
(``antt.make.ods``). Every writer gives the same bytes for the same book: document dates come from
the book, zip entries carry a fixed date. The sample and the templates both write through here.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy

from antt.make.book import FIXED_EPOCH, XBook, a1, col_letter
from antt.make.ods import write_ods


def write_book(book: XBook, writer: str) -> bytes:
    """The bytes of ``book`` written by ``writer`` (one of ``WRITERS``)."""
    if writer != "openpyxl" and not is_plain(book):
        raise ValueError(f"the {writer} writer writes no input form (validation, protection, panes, "
                         "page setup, fills, indents, unlocked cells): use openpyxl")
    return WRITERS[writer](book)


def is_plain(book: XBook) -> bool:
    """Whether ``book`` uses no input-form feature."""
    return not any(sh.is_form for sh in book.sheets) and not any(
        s.fill or s.indent or s.unlocked for s in book.styles.values())


def normalize_zip(data: bytes, core: bytes | None = None) -> bytes:
    """The same archive with fixed entry dates (and docProps/core.xml replaced when given)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if core is not None and info.filename == "docProps/core.xml":
                payload = core
            zi = zipfile.ZipInfo(info.filename, FIXED_EPOCH)
            zi.compress_type = info.compress_type
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, payload)
    return out.getvalue()


def _write_xlsxwriter(book: XBook) -> bytes:
    import xlsxwriter
    bio = io.BytesIO()
    wb = xlsxwriter.Workbook(bio, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    props = {"created": book.created, "author": book.author}
    if book.title:
        props["title"] = book.title
    wb.set_properties(props)
    formats: dict[tuple[str, bool], object] = {}

    def fmt(style: str, caps: bool):
        key = (style, caps)
        if key not in formats:
            s = book.styles[style]
            spec = {"font_name": book.caps_font if caps else book.font, "font_size": s.size}
            if s.valign:
                spec["valign"] = "vcenter" if s.valign == "center" else s.valign
            if s.bold:
                spec["bold"] = True
            if s.italic:
                spec["italic"] = True
            if s.underline:
                spec["underline"] = 1
            if s.align:
                spec["align"] = s.align
            if s.wrap:
                spec["text_wrap"] = True
            if s.border:
                spec["border"] = 1
            if s.num:
                spec["num_format"] = s.num
            formats[key] = wb.add_format(spec)
        return formats[key]

    for sh in book.sheets:
        ws = wb.add_worksheet(sh.name)
        for c, width in sh.widths.items():
            ws.set_column(c, c, width)
        for r, hgt in sh.heights.items():
            ws.set_row(r, hgt)
        covered = set()
        for (r1, c1, r2, c2) in sh.merges:
            cell = sh.cells[(r1, c1)]
            ws.merge_range(r1, c1, r2, c2, "", fmt(cell.style, cell.caps))
            covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in covered:
                continue
            f = fmt(cell.style, cell.caps)
            if cell.formula:
                ws.write_formula(r, c, cell.formula, f, cell.v if cell.v is not None else 0)
            elif isinstance(cell.v, str):
                ws.write_string(r, c, cell.v, f)
            elif isinstance(cell.v, (int, float)):
                ws.write_number(r, c, cell.v, f)
            else:
                ws.write_blank(r, c, None, f)
        if sh.hidden:
            ws.hide()
    wb.close()
    return bio.getvalue()


def _write_openpyxl(book: XBook) -> bytes:
    """.xlsx through openpyxl: formulas without cached values; input forms."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    wb = Workbook()
    wb.remove(wb.active)
    protos: dict[tuple[str, bool], object] = {}
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)

    def apply(x, st: str, caps: bool) -> None:
        key = (st, caps)
        proto = protos.get(key)
        if proto is not None:        # copying a styled cell's style array is ~20x faster
            x._style = copy(proto)
            return
        s = book.styles[st]
        x.font = Font(name=book.caps_font if caps else book.font, size=s.size, bold=s.bold, italic=s.italic,
                      underline="single" if s.underline else None)
        x.alignment = Alignment(horizontal=s.align, vertical=s.valign, wrap_text=s.wrap, indent=s.indent)
        if s.border:
            x.border = border
        if s.num:
            x.number_format = s.num
        if s.fill:
            x.fill = PatternFill("solid", fgColor=s.fill)
        if s.unlocked:
            x.protection = unlocked
        protos[key] = copy(x._style)

    for sh in book.sheets:
        ws = wb.create_sheet(sh.name)
        for c, width in sh.widths.items():
            ws.column_dimensions[col_letter(c)].width = width
        for r, hgt in sh.heights.items():
            ws.row_dimensions[r + 1].height = hgt
        for (r, c), cell in sorted(sh.cells.items()):
            value = cell.formula if cell.formula else cell.v
            apply(ws.cell(row=r + 1, column=c + 1, value=value), cell.style, cell.caps)
        for (r1, c1, r2, c2) in sh.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        if sh.hidden:
            ws.sheet_state = "hidden"
        _form(ws, sh)
    wb.properties.creator = book.author
    wb.properties.created = book.created
    if book.title:
        wb.properties.title = book.title
    bio = io.BytesIO()
    wb.save(bio)
    stamp = book.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = zipfile.ZipFile(io.BytesIO(bio.getvalue())).read("docProps/core.xml")
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp.encode() + rb"\g<2>", core)
    return normalize_zip(bio.getvalue(), core)


def _form(ws, sh) -> None:
    """The input-form features of ``sh`` on the openpyxl sheet ``ws``."""
    from openpyxl.worksheet.datavalidation import DataValidation
    for v in sh.validations:
        dv = DataValidation(type=v.type, operator=v.operator, formula1=v.formula1, formula2=v.formula2,
                            allow_blank=True, showErrorMessage=True, errorTitle=v.title[:32], error=v.error,
                            showInputMessage=True, promptTitle=v.title[:32], prompt=v.prompt[:255])
        dv.add(v.ref)
        ws.add_data_validation(dv)
    if sh.protection is not None:
        ws.protection.sheet = True
        ws.protection.formatColumns = not sh.protection.format_columns
        ws.protection.formatRows = not sh.protection.format_rows
    if sh.freeze is not None:
        ws.freeze_panes = a1(*sh.freeze)
    page = sh.page
    if page is not None:
        ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = page.fit_width
        ws.page_setup.fitToHeight = page.fit_height
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = page.center
        left, right, top, bottom = page.margins
        ws.page_margins.left, ws.page_margins.right = left, right
        ws.page_margins.top, ws.page_margins.bottom = top, bottom
        if page.title_rows is not None:
            first, last = page.title_rows
            ws.print_title_rows = f"{first + 1}:{last + 1}"


def _write_xlwt(book: XBook) -> bytes:
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    cache_: dict[tuple[str, bool], object] = {}

    def style(st: str, caps: bool):
        key = (st, caps)
        if key not in cache_:
            s = book.styles[st]
            font = f"font: name {book.caps_font if caps else book.font}, height {20 * s.size}"
            if s.bold:
                font += ", bold on"
            if s.italic:
                font += ", italic on"
            if s.underline:
                font += ", underline single"
            align = ([f"vert {s.valign}"] if s.valign else []) + ([f"horiz {s.align}"] if s.align else []) \
                + (["wrap on"] if s.wrap else [])
            spec = [font] + (["align: " + ", ".join(align)] if align else [])
            if s.border:
                spec.append("borders: left thin, right thin, top thin, bottom thin")
            cache_[key] = xlwt.easyxf("; ".join(spec), num_format_str=s.num or "General")
        return cache_[key]

    for sh in book.sheets:
        ws = wb.add_sheet(sh.name, cell_overwrite_ok=True)
        for c, width in sh.widths.items():
            ws.col(c).width = int(256 * width)
        covered = set()
        for (r1, c1, r2, c2) in sh.merges:
            cell = sh.cells[(r1, c1)]
            ws.write_merge(r1, r2, c1, c2, cell.v if cell.v is not None else "", style(cell.style, cell.caps))
            covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in covered:
                continue
            if cell.formula:
                raise ValueError("the .xls writer writes values only (xlwt stores no cached results)")
            ws.write(r, c, cell.v, style(cell.style, cell.caps))
        for r, hgt in sh.heights.items():
            ws.row(r).height_mismatch = True
            ws.row(r).height = int(20 * hgt)
        if sh.hidden:
            ws.visibility = 1
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


WRITERS = {"xlsxwriter": _write_xlsxwriter, "openpyxl": _write_openpyxl, "xlwt": _write_xlwt, "ods": write_ods}
