"""Read one return: ``load_return`` turns a file into a ``Return``.

The workbook's cells (``workbook``), every text made Unicode NFC with TCVN3/VNI decoded
(``decode_sheets``: the cell's font name as a hint, one finding per file), the header of each table
(``header``), the reporting unit (a district or a commune), period and report date from the title
block above (``title``), and for each recognised table its rows classified and parsed: per commune
of a district's return (``rows``), or all about the commune in a commune's return (``commune_rows``).  Visible sheets come first, so a
hidden copy never wins over the sheet people see.  Reading never raises on bad data: what cannot
be read becomes a finding.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from antt.core import config, text, units
from antt.core.cycles import Cycle, parse_cycle
from antt.read.commune_rows import read_commune_rows
from antt.read.header import HEADER_SCAN_ROWS, find_header
from antt.read.result import Return, TableRead, cell_of
from antt.read.rows import read_rows
from antt.read.title import read_title, stated_period, title_line, unit_in_filename
from antt.read.workbook import LEGACY_FONT_PREFIXES, Limits, Sheet, WorkbookError, cell_ref, read_bytes, read_workbook

__all__ = ["Return", "TableRead", "cell_of", "decode_sheets", "display_name", "load_return", "stated_cycle"]


def load_return(path: Path, raw_dir: Path, cycle: Cycle | str, scope: str = config.PROVINCE_CODE,
                hierarchy: units.Hierarchy | None = None) -> Return:
    """Read the return at ``path`` (in the folder of ``cycle`` under ``raw_dir``) from a unit of the
    territory ``scope`` (a province code, former or current, or "all"; ``antt.core.territory``) in
    ``hierarchy``, by default the one in force at the cycle's end."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    hierarchy = hierarchy or units.hierarchy_on(cycle.end)
    path = Path(path)
    try:
        rel = display_name(path.relative_to(raw_dir).as_posix())
    except ValueError:
        rel = display_name(path.name)
    ret = Return(file=rel, sha256="")
    limits = Limits()
    try:
        data = read_bytes(path, limits)          # a file too large is refused before a byte is read
        ret.sha256 = hashlib.sha256(data).hexdigest()
        wb = read_workbook(path, limits, data)
    except WorkbookError as e:
        # The file name, if it names a unit, says whose return could not be read.
        ret.unit = unit_in_filename(path.name, cycle, scope, hierarchy)
        return ret.reject(e.code, detail=e.detail)
    ret.format = wb.format
    decode_sheets(wb.sheets, ret)

    found = [(sheet, find_header(sheet)) for sheet in wb.sheets]
    title: dict[str, tuple[str, int, int]] = {}        # each text above the tables -> where it first is
    for sheet, hdr in found:
        last = hdr[0] if hdr else min(len(sheet.rows), 12)
        for r, row in enumerate(sheet.rows[:last]):
            for c, v in enumerate(row):
                if v.__class__ is str and v not in title:
                    title[v] = (sheet.name, r, c)
    read_title(ret, title, path.name, cycle, scope, hierarchy)
    if ret.status == "rejected":
        return ret

    read_table = read_commune_rows if ret.level == units.COMMUNE else read_rows
    # Visible sheets first, so a hidden copy never wins over the sheet people see.
    for sheet, hdr in sorted(found, key=lambda sh: sh[0].hidden):
        if hdr is None:
            continue
        start, end, table, layout, columns = hdr
        if table.id in ret.tables:
            ret.add("table_duplicate", sheet.name, table=table.label, expected=ret.tables[table.id].sheet)
            continue
        ret.tables[table.id] = read_table(ret, sheet, start, end, table, layout, columns, hierarchy, cycle)
        for f in layout.fields:
            if f.name in table.value_fields and f.name not in columns:
                ret.add("column_missing", sheet.name, table=table.label, expected=f.heading)
    if not ret.tables:
        return ret.reject("file_no_table")
    return ret


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name from a legacy code page) shown as �."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def stated_cycle(path: Path) -> Cycle | None:
    """The cycle a return's title block states (for checking a file outside a cycle folder)."""
    try:
        wb = read_workbook(Path(path))
    except WorkbookError:
        return None
    probe = Return(file=Path(path).name, sha256="")
    decode_sheets(wb.sheets, probe)
    texts = [v for sheet in wb.sheets for row in sheet.rows[:HEADER_SCAN_ROWS] for v in row if isinstance(v, str)]
    texts = list(dict.fromkeys(texts))
    stated = stated_period([title_line(t) for t in texts])
    try:
        return parse_cycle(stated) if stated else None
    except ValueError:
        return None


def decode_sheets(sheets: list[Sheet], ret: Return) -> None:
    """Unicode NFC for every text cell; TCVN3/VNI decoded (font name as a hint), noted once per file."""
    noted = False
    for sheet in sheets:
        if sheet.fonts:
            noted = _decode_by_font(sheet, ret, noted)
            continue
        # Without fonts each distinct text is decoded once; only rows holding a changed text are rebuilt.
        decoded = {v: _decode_text(v, None) for v in {v for row in sheet.rows for v in row if v.__class__ is str}}
        changed = {v: s for v, (s, _) in decoded.items() if s != v}
        if not noted and any(enc for _, enc in decoded.values()):
            r, c, v = next((r, c, v) for r, row in enumerate(sheet.rows) for c, v in enumerate(row)
                           if v.__class__ is str and decoded[v][1])
            noted = _note_legacy(ret, sheet, r, c, v, *decoded[v])
        if changed:
            for row in sheet.rows:
                if not changed.keys().isdisjoint(row):
                    row[:] = [changed.get(v, v) if v.__class__ is str else v for v in row]


def _decode_by_font(sheet: Sheet, ret: Return, noted: bool) -> bool:
    fonts = sheet.fonts
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if v.__class__ is str:
                row[c], enc = _decode_text(v, fonts.get((r, c)))
                if enc and not noted:
                    noted = _note_legacy(ret, sheet, r, c, v, row[c], enc)
    return noted


@lru_cache(maxsize=1 << 16)
def _decode_text(v: str, font: str | None) -> tuple[str | None, str | None]:
    """(text, legacy encoding decoded or None); a Unicode font is trusted: "Thèn" stays "Thèn"."""
    if font is None and v.isascii() or font and not font.lower().startswith(LEGACY_FONT_PREFIXES):
        return text.nfc(v) or None, None
    s, enc = text.decode_legacy(v, font)
    return s or None, enc


def _note_legacy(ret: Return, sheet: Sheet, r: int, c: int, raw: str, s: str | None, enc: str) -> bool:
    ret.add("legacy_text_decoded", sheet.name, cell_ref(r, c), r + 1, found=enc.upper(),
            detail=f"{raw[:30]} → {(s or '')[:30]}")
    return True

