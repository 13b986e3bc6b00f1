"""One pass over an .xlsx worksheet's XML before calamine loads it: extent, cached errors, formulas.

calamine turns a sheet into a dense rectangle before it can be asked its size: one value in A1 and
one in XFD1048576 make it allocate 550 GB and abort the process (python-calamine 0.9.1), 100,000 x
700 cells take 2.1 GB.  So ``scan_sheet`` finds, with regular expressions, every cell tag that is not
the plain ``<c r="A123"`` whose position is surely inside the limits and looks at each (a styled
empty cell far away is harmless: calamine drops it).  Cells without ``r``, odd references or
namespace prefixes switch to ``scan_sheet_exact``, a streaming parse with ElementTree that computes
positions as calamine does.  Both collect the cached errors (``t="e"``) calamine returns as "" and
the formulas without a cached value (a shared formula is translated from its master by openpyxl's
``Translator``).  The regular expressions are kept because the exact parse is slower: the sample's
sheets all take the fast path, odd files the exact one, and a test keeps the two in agreement.
"""

from __future__ import annotations

import html
import io
import re
from xml.etree.ElementTree import iterparse

from antt.read.grid import Limits, WorkbookError, cell_ref, col_index, col_of, short
from antt.read.guards import too_large_at

_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def attrs(raw: bytes) -> dict[str, str]:
    """The attributes of a start tag's bytes, unescaped."""
    out = {}
    for m in _ATTR_RE.finditer(raw):
        key = m.group(1).decode("ascii", "replace")
        val = m.group(2) if m.group(2) is not None else m.group(3)
        out[key] = html.unescape(val.decode("utf-8", "replace")) if b"&" in val else val.decode(
            "utf-8", "replace"
        )
    return out


def text_of(raw: bytes | None) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


class SheetScan:
    __slots__ = ("max_row", "max_col", "nocache", "errors", "styles")

    def __init__(self):
        self.max_row = -1
        self.max_col = -1
        self.nocache: dict[tuple[int, int], str] = {}
        self.errors: dict[tuple[int, int], str] = {}
        self.styles: dict[tuple[int, int], tuple[int, str, str]] | None = None


_REF_RE = re.compile(rb"\$?([A-Za-z]{1,4})\$?([0-9]{1,8})")
_SCAN_RE_CACHE: dict[tuple[int, int], re.Pattern] = {}
_FORMULA_TAG_RE = re.compile(rb"<f[\s>/]")
PREFIXED_RE = re.compile(rb":(?:c|row|f|v|is|sheetData)[\s>/]")
_ERROR_TYPE_RE = re.compile(rb't="e"')
_PLAIN_REF_RE = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,8})"')
_VALUED_RE = re.compile(rb"<(?:v|f|is)[\s>/]")
V_RE = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>(.*?)</v>)", re.S)
_STRICT_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_F_RE = re.compile(rb"<f(\s[^>]*?)?(?:/>|>(.*?)</f>)", re.S)
_WS = (32, 9, 10, 13)


def _scan_regex(limits: Limits) -> re.Pattern:
    """Matches every cell tag that is not of the plain form <c r="A123" whose position is surely
    inside the limits: no r attribute first, quotes other than ", lower case, $, more letters or
    digits than the limits allow without looking (e.g. rows >= 10000 when max_rows is 20000)."""
    safe_digits = 0  # a row number with this many digits is always inside max_rows
    while 10 ** (safe_digits + 1) - 1 <= limits.max_rows:
        safe_digits += 1
    safe_letters = 0  # a column with this many letters is always inside max_cols
    last = -1
    while True:
        last = (last + 1) * 26 + 25  # last 0-based column written with safe_letters + 1 letters
        if last >= limits.max_cols:
            break
        safe_letters += 1
    key = (safe_digits, safe_letters)
    rx = _SCAN_RE_CACHE.get(key)
    if rx is None:
        if safe_digits >= 1 and safe_letters >= 1:
            plain = rb'r="[A-Z]{1,%d}[0-9]{1,%d}"' % (safe_letters, safe_digits)
        else:
            plain = rb"(?!)"  # nothing is plain: check every reference
        rx = re.compile(rb"<c(?:[>/\t\n\r]| (?!%s))" % plain)
        _SCAN_RE_CACHE[key] = rx
    return rx


def scan_sheet(xml: bytes, limits: Limits, name: str) -> SheetScan:
    """Cheap pass: cell tags outside the plain form are looked at one by one (the exact streaming
    parse takes over when one lies past the limits or has no r); formulas and cached errors are
    located with their own literal searches."""
    if PREFIXED_RE.search(xml) is not None:  # namespace-prefixed cells: the regexes below miss them
        return scan_sheet_exact(xml, limits, name)
    scan = SheetScan()
    error_at: list[int] = []
    for m in _scan_regex(limits).finditer(xml):
        ref = _PLAIN_REF_RE.match(xml, m.start())
        if ref is None:
            return scan_sheet_exact(xml, limits, name)
        r, c = _ref_pos(ref)
        if r >= limits.max_rows or c >= limits.max_cols:
            # calamine keeps only cells with a value: a styled empty cell out there is harmless
            cell = _cell_from(xml, m.start())
            if cell is not None and _VALUED_RE.search(cell[1]) is not None:
                raise too_large_at(name, r, c, limits)
    em = _ERROR_TYPE_RE.search(xml)  # (a literal regex search beats "in" on XML here)
    if em is not None:
        for m in _ERROR_TYPE_RE.finditer(xml, em.start()):
            start = _cell_start_before(xml, m.start())
            if start >= 0 and xml.find(b">", start) > m.start():
                error_at.append(start)
    for start in error_at:
        cell = _cell_from(xml, start)
        if cell is not None:
            head, body = cell
            ref = _REF_RE.search(head)
            v = V_RE.search(body)
            if ref and v and v.group(1):
                scan.errors[_ref_pos(ref)] = html.unescape(v.group(1).decode("utf-8", "replace"))
    fm = _FORMULA_TAG_RE.search(xml)
    if fm is not None:
        _collect_formulas(scan, _formula_cells(xml, fm.start()))
    return scan


# a formula as Excel, LibreOffice, openpyxl and xlsxwriter write it: the <f> right after the cell's
# start tag, then the <v>.  The search starts at "><f" (rare), the cell's start tag is found
# backwards from there.
_FCELL_RE = re.compile(
    rb"><f(\s[^>]*?)?(?:/>|>([^<]*)</f>)(?:(<v)(?:\s[^>]*)?(?:/>|>([^<]*)</v>)|(<is[\s>]))?"
)
_CELL_HEAD_AT_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)')
T_ATTR_RE = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")


def _formula_cells(xml: bytes, first: int) -> list:
    """The formula cells of a sheet (fast path: one regular expression; when it does not account
    for every <f>, each <f> is looked at on its own)."""
    n_tags = len(_FORMULA_TAG_RE.findall(xml, first))
    items = []
    n_found = 0
    for m in _FCELL_RE.finditer(xml, first - 1):
        fattrs, ftext, v_tag, vtext, is_tag = m.groups()
        if vtext and not fattrs:  # the usual Excel cell: a cached value, not a shared formula
            n_found += 1
            continue
        start = xml.rfind(b"<c ", 0, m.start())
        head = _CELL_HEAD_AT_RE.match(xml, start) if start >= 0 else None
        if head is None or head.end() != m.start():
            continue  # not counted: the slow path below takes over
        n_found += 1
        t = T_ATTR_RE.search(head.group(3)) if head.group(3) else None
        items.append((
            (int(head.group(2)) - 1, col_of(head.group(1).decode("ascii"))),
            t.group(1).decode("ascii", "replace") if t else None,
            attrs(fattrs) if fattrs else None,
            text_of(ftext),
            text_of(vtext) if v_tag is not None else None,
            is_tag is not None,
        ))
    if n_found == n_tags:
        return items
    items = []
    for m in _FORMULA_TAG_RE.finditer(xml, first):
        pos = m.start()
        start = _cell_start_before(xml, pos)
        cell = _cell_from(xml, start) if start >= 0 else None
        if cell is None or start + len(cell[0]) > pos:
            continue
        head, body = cell
        ref = _REF_RE.search(head)
        fe = _F_RE.search(body)
        if ref is None or fe is None:
            continue
        t = T_ATTR_RE.search(head)
        vm = V_RE.search(body)
        items.append((
            _ref_pos(ref),
            t.group(1).decode("ascii", "replace") if t else None,
            attrs(fe.group(1)) if fe.group(1) else None,
            text_of(fe.group(2)),
            text_of(vm.group(1)) if vm is not None else None,
            b"<is" in body,
        ))
    return items


def _cell_start_before(xml: bytes, pos: int) -> int:
    start = xml.rfind(b"<c", 0, pos)
    while start >= 0 and (start + 2 >= len(xml) or xml[start + 2] not in _WS):
        start = xml.rfind(b"<c", 0, start)
    return start


def _ref_pos(m: re.Match) -> tuple[int, int]:
    return int(m.group(2)) - 1, col_of(m.group(1).decode("ascii").upper())


def _cell_from(xml: bytes, start: int) -> tuple[bytes, bytes] | None:
    """The <c ...> head (without '>') and the body of the cell starting at start."""
    head_end = xml.find(b">", start)
    if head_end < 0 or xml[head_end - 1] == 47:  # "/>": no body
        return None
    end = xml.find(b"</c>", head_end)
    if end < 0:
        return None
    return xml[start:head_end], xml[head_end + 1 : end]


def _collect_formulas(scan: SheetScan, items) -> None:
    """items: ((r, c), cell t attribute, <f> attributes, formula text, <v> text or None when there
    is no <v>, has an <is>).  Fills scan.nocache with the formulas that have no cached value."""
    masters: dict[str, tuple[int, int, str]] = {}
    pending = []
    for pos, cell_t, fattrs, text, vtext, has_is in items:
        ftype = fattrs.get("t", "normal") if fattrs else "normal"
        if ftype == "shared" and text and "si" in fattrs:
            masters[fattrs["si"]] = (pos[0], pos[1], text)
        has_value = (vtext is not None and (vtext != "" or cell_t == "str")) or has_is
        if not has_value:
            pending.append((pos, ftype, fattrs.get("si") if fattrs else None, text))
    for pos, ftype, si, text in pending:
        if not text and ftype == "shared" and si in masters:
            scan.nocache[pos] = _translate(*masters[si], *pos)
        else:
            scan.nocache[pos] = "=" + text if text else "=?"


def _translate(r0: int, c0: int, text: str, r: int, c: int) -> str:
    """A shared formula's master text, as it reads in cell (r, c): relative references moved."""
    from openpyxl.formula.translate import Translator, TranslatorError  # rare: imported when met

    try:
        return Translator("=" + text, origin=cell_ref(r0, c0)).translate_formula(cell_ref(r, c))
    except TranslatorError:  # a reference moved off the sheet (Excel shows #REF!): not evaluated
        return "=?"


def scan_sheet_exact(xml: bytes, limits: Limits, name: str, want_styles: bool = False) -> SheetScan:
    """Streaming parse: exact positions as calamine computes them, early exit when a valued cell
    lies past the limits.  ``want_styles``: also (style, type, shared string index) of text cells."""

    scan = SheetScan()
    if want_styles:
        scan.styles = {}
    cells = []
    row = -1
    col = -1
    max_r = max_c = -1
    sheet_data = None
    try:
        for event, el in iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    r_attr = el.get("r")
                    row = int(r_attr) - 1 if r_attr and r_attr.isdigit() else row + 1
                    col = -1
                elif tag == "sheetData":
                    sheet_data = el
                continue
            if tag == "c":
                ref = el.get("r")
                if ref:
                    m = _STRICT_REF_RE.fullmatch(ref)
                    if m is None:  # calamine's arithmetic on such a reference is anyone's guess
                        raise WorkbookError(
                            "file_hostile", f"trang tính '{name}' có tham chiếu ô không hợp lệ: {ref[:40]!r}"
                        )
                    r, col = int(m.group(2)) - 1, col_index(m.group(1))
                else:
                    col += 1
                    r = row
                row = r
                v = f = is_ = None
                for child in el:
                    ctag = child.tag.rsplit("}", 1)[-1]
                    if ctag == "v":
                        v = child
                    elif ctag == "f":
                        f = child
                    elif ctag == "is":
                        is_ = child
                if v is not None or f is not None or is_ is not None:
                    if r >= limits.max_rows or col >= limits.max_cols:
                        raise too_large_at(name, r, col, limits)
                    if r > max_r:
                        max_r = r
                    if col > max_c:
                        max_c = col
                t = el.get("t", "n")
                if t == "e" and v is not None and v.text:
                    scan.errors[(r, col)] = v.text
                if f is not None:
                    fa = {k.rsplit("}", 1)[-1]: val for k, val in f.attrib.items()}
                    vtext = (v.text or "") if v is not None else None
                    cells.append(((r, col), t, fa, f.text or "", vtext, is_ is not None))
                if want_styles and t in ("s", "inlineStr", "str"):
                    scan.styles[(r, col)] = (int(el.get("s", "0") or 0), t, v.text if v is not None else "")
                el.clear()
            elif tag == "row":
                el.clear()
                if sheet_data is not None:
                    sheet_data.clear()
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML: calamine would refuse it too
        raise WorkbookError("file_unreadable", f"XML của trang tính '{name}' hỏng ({short(exc)})") from None
    scan.max_row, scan.max_col = max_r, max_c
    _collect_formulas(scan, cells)
    return scan
