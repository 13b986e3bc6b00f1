"""The header of a return's table: which rows hold it and which column holds each field.

``find_header`` looks at a sheet's first rows (the header starts within the first 25 and has up to
three rows, above the signatures): rows that could be header rows (two distinct texts or more, no
number, neither the national motto nor a mark), merged ranges
filled, 1-3 rows combined column by column, and every layout of every table of the form
(``antt.core.forms``) whose required fields all find a column.  The best match has the most
fields, then the fewest rows, then comes first.  Memoised: a unit sends the same form cycle after
cycle, and units whose title blocks differ share a form.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from antt.core import forms
from antt.read.grid import Sheet

HEADER_SCAN_ROWS = 30        # the header starts within the first 25 rows and has up to 3 rows
MAX_HEADER_ROWS = 3


@cache
def _heading_matches(heading: str) -> tuple[tuple[str, str, str], ...]:
    """(table id, layout, field) triples whose rule matches this expanded heading."""
    exact, first_phrase = _heading_prefilter()
    if heading not in exact and first_phrase.search(f" {heading} ") is None:
        return ()                    # no rule can match: most title and note texts stop here
    return tuple((t.id, lay.name, f.name) for t in forms.TABLES.values() for lay in t.layouts
                 for f in lay.fields if f.matches(heading))


@cache
def _heading_prefilter() -> tuple[frozenset[str], re.Pattern]:
    """What any field's rule needs: a whole heading it takes as it is, or the first phrase of one
    of its alternatives as whole words (see ``forms.Field.matches``)."""
    fields = [f for t in forms.TABLES.values() for lay in t.layouts for f in lay.fields]
    firsts = sorted({alt[0] for f in fields for alt in f.match}, key=len, reverse=True)
    return frozenset(e for f in fields for e in f.exact), re.compile(" (?:" + "|".join(map(re.escape, firsts)) + ") ")


@cache
def _expanded(value: str) -> str:
    return forms.expand(value)


def _merge_fill(rows: tuple[tuple, ...], merged: tuple[tuple[int, int, int, int], ...]) -> list[list[str | None]]:
    """The header area's rows with merged ranges filled, as expanded heading text."""
    width = max((len(r) for r in rows), default=0)
    out = [[_expanded(str(v)) if v is not None and not isinstance(v, bool) else None for v in row] +
           [None] * (width - len(row)) for row in rows]
    last = len(rows) - 1
    for (a, b, e, d) in merged:
        if a > last or b >= len(rows[a]) or rows[a][b] is None:
            continue
        txt = _expanded(str(rows[a][b]))
        for r in range(a, min(e, last) + 1):
            for c in range(b, min(d + 1, width)):
                out[r][c] = txt
    return out



_NUMBER_IN_JOINED = re.compile(r"(?:^|\x00)[\d.,\s%()-]+(?:\x00|$)")
#: Texts no header row holds: the national motto beside the issuer's name in a title block, a mark
#: alone in a cell (rows of residential areas), the Roman number of a group row ("I", "Xã Lộc Thái
#: (cũ)"); and the signatures, below which no header is. They would make every unit's key its own.
_MOTTO = ("cong hoa xa hoi chu nghia", "doc lap tu do hanh phuc")
_MARKS = frozenset({"x", "X", "✓", "✔", *(f"{n}{dot}" for n in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
                                          for dot in ("", "."))})
_SIGNATURES = ("nguoi lap bieu", "thu truong don vi")
_HEADING, _NOT_HEADING, _BELOW_TABLE = 0, 1, 2


@cache
def _text_role(value: str) -> int:
    """Whether a text may be in a header row, may not, or ends the rows a header may be in."""
    if value in _MARKS:
        return _NOT_HEADING
    expanded = _expanded(value)
    if expanded.startswith(_SIGNATURES):
        return _BELOW_TABLE
    return _NOT_HEADING if any(m in expanded for m in _MOTTO) else _HEADING


def _row_role(row: list) -> int:
    """A row that could be a header row (two distinct values or more, no number nor number text, no
    text that no header holds), a row that cannot, or a row that ends the rows a header may be in."""
    types = set(map(type, row))           # of the row: a set of values holds 1 or True, not both
    if int in types or float in types:
        return _NOT_HEADING
    distinct = set(row)
    distinct.discard(None)
    if len(distinct) < 2:
        return _NOT_HEADING
    if str not in types:
        return _HEADING
    texts = [v for v in distinct if v.__class__ is str]
    role = max(map(_text_role, texts))
    if role == _HEADING and _NUMBER_IN_JOINED.search("\x00".join(texts)):
        return _NOT_HEADING
    return role


def find_header(sheet: Sheet):
    """(first row, last row, table, layout, {field: col}) of the best header in the sheet, or None."""
    nrows = min(len(sheet.rows), HEADER_SCAN_ROWS + MAX_HEADER_ROWS)
    if nrows == 0:
        return None
    # Only rows that could be header rows make the key, so that the title block's changing dates and
    # names, the data and the signatures do not defeat the memo.
    rows = []
    for r in sheet.rows[:nrows]:
        role = _row_role(r)
        if role == _BELOW_TABLE:
            break
        rows.append(tuple(r) if role == _HEADING else ())
    merged = tuple(m for m in sheet.merged if m[0] < len(rows))
    return _header_of(tuple(rows), merged)


@lru_cache(maxsize=4096)
def _header_of(rows: tuple[tuple, ...], merged: tuple):
    """The header of a sheet's first rows; memoised: a district sends the same form cycle after cycle."""
    grid = _merge_fill(rows, merged)
    # A header row has at least two distinct headings (a title line spans the width with one text)
    # and no number (a data row never joins the header).
    candidate = [bool(rows[r]) and len({v for v in row if v}) >= 2 for r, row in enumerate(grid)]
    best, best_key = None, None
    for end in range(len(grid)):
        if not candidate[end]:
            continue
        for k in range(1, MAX_HEADER_ROWS + 1):
            start = end - k + 1
            if start < 0 or not all(candidate[start:end + 1]):
                break
            for table, layout, columns in _match_layouts(tuple(_combine(grid[start:end + 1]))):
                key = (len(columns), -k, -end)    # most fields, then fewest rows, then earliest
                if best_key is None or key > best_key:
                    best, best_key = (start, end, table, layout, columns), key
    return best


def _combine(rows: list[list[str | None]]) -> list[str]:
    """Flatten 1–3 header rows: each column's distinct texts, top to bottom."""
    width = max(len(r) for r in rows)
    out = []
    for c in range(width):
        parts: list[str] = []
        for row in rows:
            v = row[c] if c < len(row) else None
            if v and (not parts or parts[-1] != v):
                parts.append(v)
        out.append(" ".join(parts))
    return out


@lru_cache(maxsize=4096)
def _match_layouts(headings: tuple[str, ...]) -> tuple:
    """Every (table, layout, columns) whose required fields all find a column among ``headings``."""
    hits: dict[tuple[str, str], dict[str, list[int]]] = {}
    for c, h in enumerate(headings):
        if not h or h in forms.IGNORED_HEADINGS:
            continue
        for tid, lay, fname in _heading_matches(h):
            hits.setdefault((tid, lay), {}).setdefault(fname, []).append(c)
    out = []
    for (tid, lay), by_field in hits.items():
        table = forms.TABLES[tid]
        layout = next(x for x in table.layouts if x.name == lay)
        if not all(f.name in by_field for f in layout.required):
            continue
        columns: dict[str, int] = {}
        # The most particular fields choose first; each column serves one field.
        for fname in sorted(by_field, key=lambda f: (len(by_field[f]), by_field[f][0])):
            free = [c for c in by_field[fname] if c not in columns.values()]
            if free:
                columns[fname] = free[0]
        if all(f.name in columns for f in layout.required):
            out.append((table, layout, columns))
    return tuple(out)

