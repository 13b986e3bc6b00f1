""".xlsx and .xlsm: the sheets calamine reads, checked and completed, and the fonts of text cells.

``read_xlsx`` inflates (through the guards) the parts calamine reads when it opens the workbook
-- xl/workbook.xml and its rels, sharedStrings, styles -- and every worksheet, scanned by
``xlsx_scan`` before calamine loads any sheet.  The sheet order and the part of each sheet come from
workbook.xml and its rels, as calamine finds them.  ``[Content_Types].xml`` is only searched for
"macroEnabled" (.xlsm), never parsed; macros are never run.  Cached errors go into the grid as
text, formulas without a cached value are evaluated (``formulas``).  Fonts, read only when the
texts may be legacy TCVN3/VNI: styles.xml (cellXfs -> fonts) and each text cell's ``s``, or the
font of the first run of a rich shared string.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from python_calamine import SheetTypeEnum

from antt.core.text import needs_fonts
from antt.read import calamine
from antt.read.formulas import apply_formulas
from antt.read.calamine import clean, is_hidden
from antt.read.grid import Limits, Sheet, Workbook, WorkbookError, col_of, set_cell
from antt.read.guards import Budget, Zip, checked_texts, merged_of, too_large_at
from antt.read.xlsx_scan import PREFIXED_RE, T_ATTR_RE, V_RE, SheetScan, attrs, scan_sheet, scan_sheet_exact

_SHEET_EL_RE = re.compile(rb"(?<=[<:])sheet\s[^>]*>")  # literal first: fast
_REL_EL_RE = re.compile(rb"(?<=[<:])Relationship\s[^>]*>")
# attribute patterns start with a literal (fast search); the attributes they could be confused
# with (sheetId, TargetMode) do not match because "=" must follow the name
_ID_ATTR_RE = re.compile(rb"""Id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TARGET_ATTR_RE = re.compile(rb"""Target\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NAME_ATTR_RE = re.compile(rb"""name\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RID_ATTR_RE = re.compile(rb"""(?:\sr|\srelationships):id\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attr_value(rx: re.Pattern, raw: bytes) -> str | None:
    m = rx.search(raw)
    if m is None:
        return None
    val = m.group(1) if m.group(1) is not None else m.group(2)
    text = val.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _calamine_sheet_path(target: str) -> str:
    """Where calamine looks for a sheet whose relationship target is target."""
    if target.startswith("/xl/"):
        path = target[1:]
    elif target.startswith("xl/"):
        path = target
    else:
        path = "xl/" + target
    return path.replace("\\", "/").lower()


def read_xlsx(path: Path, data: bytes, z: Zip, limits: Limits) -> Workbook:
    # The parts calamine reads when it opens the workbook (fixed names, case-insensitive lookup):
    # each is inflated here first (size and DTD checks).
    wb_xml = z.read("xl/workbook.xml")
    rels_xml = z.read("xl/_rels/workbook.xml.rels") if z.has("xl/_rels/workbook.xml.rels") else b""
    if z.has("xl/sharedstrings.xml"):
        z.read("xl/sharedstrings.xml")
    if z.has("xl/styles.xml"):
        z.read("xl/styles.xml")
    rels: dict[str, str] = {}
    for m in _REL_EL_RE.finditer(rels_xml):
        rid = _attr_value(_ID_ATTR_RE, m.group(0))
        target = _attr_value(_TARGET_ATTR_RE, m.group(0))
        if rid is not None and target is not None:
            rels[rid] = target
    sheet_parts: dict[str, str | None] = {}
    sheet_order: list[str | None] = []
    for m in _SHEET_EL_RE.finditer(wb_xml):
        name = _attr_value(_NAME_ATTR_RE, m.group(0))
        rid = _attr_value(_RID_ATTR_RE, m.group(0))
        target = rels.get(rid) if rid is not None else None
        part = _calamine_sheet_path(target) if target is not None else None
        sheet_order.append(part)
        if name is not None:
            sheet_parts[name] = part
    if z.has("xl/vbaproject.bin"):
        fmt = "xlsm"
    else:
        ct = z.read("[content_types].xml", check_xml=False) if z.has("[content_types].xml") else b""
        fmt = "xlsm" if b"macroEnabled" in ct else "xlsx"

    # Scan every worksheet part before calamine loads any (this also keeps the Python work and the
    # Rust work in separate phases, which measurably helps the CPU caches).
    part_names = {part: name for name, part in sheet_parts.items() if part is not None}
    pre: dict[str, SheetScan] = {}
    for part in sheet_order:
        if part is None or part in pre or part.split("/")[1:2] != ["worksheets"] or not z.has(part):
            continue
        pre[part] = scan_sheet(z.read(part), limits, part_names.get(part, part))
    cwb = calamine.open_calamine(data)
    budget = Budget(limits)
    sheets: list[Sheet] = []
    scans: list[tuple[Sheet, str, SheetScan]] = []
    raws = []
    for idx, meta in enumerate(cwb.sheets_metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        name = meta.name
        part = sheet_parts.get(name)
        if part is None and idx < len(sheet_order):
            part = sheet_order[idx]
        if part not in pre:
            raise WorkbookError(
                "file_unreadable", f"không tìm thấy phần XML của trang tính '{name}' trong tệp"
            )
        scan = pre[part]
        cs = cwb.get_sheet_by_index(idx)
        end = cs.end
        if end is not None:
            if end[0] >= limits.max_rows or end[1] >= limits.max_cols:
                raise too_large_at(name, end[0], end[1], limits)
            budget.take(end[0] + 1, end[1] + 1)
        raws.append((meta, name, part, scan, cs.to_python(skip_empty_area=False),
                     merged_of(cs, name, limits)))
        del cs
    for meta, name, part, scan, raw, merged in raws:
        rows = clean(raw)
        sheet = Sheet(name=name, hidden=is_hidden(meta), rows=rows, merged=merged)
        for (r, c), err in scan.errors.items():
            if r < limits.max_rows and c < limits.max_cols:
                set_cell(rows, r, c, err)
        if scan.nocache:
            apply_formulas(sheet, scan.nocache, scan.errors, limits)
        sheets.append(sheet)
        scans.append((sheet, part, scan))
    del raws
    if needs_fonts(checked_texts(sheets, limits)):
        _fonts(z, scans, limits)
    return Workbook(path=path, format=fmt, sheets=sheets)


# ---------------------------------------------------------------------------------------------
# fonts
# ---------------------------------------------------------------------------------------------
_FONT_BLOCK_RE = re.compile(rb"<(?:[\w.-]+:)?fonts\b[^>]*>(.*?)</(?:[\w.-]+:)?fonts>", re.S)
_FONT_RE = re.compile(rb"<(?:[\w.-]+:)?font\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?font>)", re.S)
_NAME_RE = re.compile(rb"<(?:[\w.-]+:)?(?:name|rFont)\s[^>]*?val\s*=\s*[\"']([^\"']*)[\"']")
_XFS_BLOCK_RE = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF_RE = re.compile(rb"<(?:[\w.-]+:)?xf\s([^>]*)>")
_SI_RE = re.compile(rb"<(?:[\w.-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)", re.S)
_RUN_RE = re.compile(rb"<(?:[\w.-]+:)?r\b[^>]*>(.*?)</(?:[\w.-]+:)?r>", re.S)
_T_RE = re.compile(rb"<(?:[\w.-]+:)?t\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?t>)", re.S)


def _fonts(z: Zip, scans, limits: Limits) -> None:
    fonts: list[str | None] = []
    xf_font: list[int] = []
    if z.has("xl/styles.xml"):
        styles = z.read("xl/styles.xml")
        block = _FONT_BLOCK_RE.search(styles)
        if block:
            for fm in _FONT_RE.finditer(block.group(1)):
                nm = _NAME_RE.search(fm.group(1) or b"")
                fonts.append(html.unescape(nm.group(1).decode("utf-8", "replace")) if nm else None)
        block = _XFS_BLOCK_RE.search(styles)
        if block:
            for xm in _XF_RE.finditer(block.group(1)):
                fid = attrs(xm.group(1)).get("fontId", "0")
                xf_font.append(int(fid) if fid.isdigit() else 0)
    rich: dict[int, str] = {}
    if z.has("xl/sharedstrings.xml"):
        shared = z.read("xl/sharedstrings.xml")
        for i, sm in enumerate(_SI_RE.finditer(shared)):
            body = sm.group(1) or b""
            if b"rFont" not in body:
                continue
            for run in _RUN_RE.finditer(body):
                t = _T_RE.search(run.group(1))
                nm = _NAME_RE.search(run.group(1))
                if nm and t and t.group(1) and t.group(1).strip():
                    rich[i] = html.unescape(nm.group(1).decode("utf-8", "replace"))
                    break

    def font_of(style: int) -> str | None:
        if 0 <= style < len(xf_font):
            fid = xf_font[style]
        else:
            fid = xf_font[0] if xf_font else 0
        return fonts[fid] if 0 <= fid < len(fonts) else None

    for sheet, part, _scan in scans:
        styles = _cell_styles(z.read(part), limits, sheet.name)
        rows = sheet.rows
        for (r, c), (s, t, v) in styles.items():
            if r >= len(rows) or c >= len(rows[r]) or rows[r][c].__class__ is not str:
                continue
            name = None
            if t == "s" and v and v.strip().isdigit():
                name = rich.get(int(v))
            if name is None:
                name = font_of(s)
            if name:
                sheet.fonts[(r, c)] = name


_STYLE_HEAD_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>')
_S_ATTR_RE = re.compile(rb"""\ss\s*=\s*["']([0-9]*)["']""")
_TEXT_TYPES = {b"s": "s", b"inlineStr": "inlineStr", b"str": "str"}
_ODD_CELL_RE = re.compile(rb"<c(?:[>/\t\n\r]| (?!r=\"))")


def _cell_styles(xml: bytes, limits: Limits, name: str) -> dict[tuple[int, int], tuple[int, str, str]]:
    """(row, col) -> (style index, cell type, shared string index) for the text cells."""
    if PREFIXED_RE.search(xml) or _ODD_CELL_RE.search(xml):
        return scan_sheet_exact(xml, limits, name, want_styles=True).styles or {}
    out = {}
    for m in _STYLE_HEAD_RE.finditer(xml):
        attrs_ = m.group(3)
        tm = T_ATTR_RE.search(attrs_) if b"t=" in attrs_ else None
        t = _TEXT_TYPES.get(tm.group(1)) if tm else None
        if t is None:
            continue
        sm = _S_ATTR_RE.search(attrs_)
        v = ""
        if t == "s" and not attrs_.endswith(b"/"):
            vm = V_RE.match(xml, m.end())
            v = vm.group(1).decode("ascii", "replace") if vm and vm.group(1) else ""
        pos = (int(m.group(2)) - 1, col_of(m.group(1).decode("ascii")))
        out[pos] = (int(sm.group(1)) if sm and sm.group(1) else 0, t, v)
    return out
