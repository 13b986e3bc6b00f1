"""Read one district return: title block, tables found by their headings, rows classified and parsed.

``load_return`` turns a workbook into a ``Return``: the district and period from the title block,
and for each recognised table its column mapping, the parsed data records (each carrying its
sheet and row; ``cell_of`` gives the cell of any field), the total rows, and an account of how
every non-empty row was classified (data, total, group, numbering, footer, set_aside). Reading never raises on bad
data: what cannot be read becomes a finding. Rules between values live in ``antt.check.validate``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from antt.core import forms, text, units
from antt.core.cycles import Cycle, cycle_for_period, parse_cycle
from antt.core.findings import Finding, finding
from antt.read.workbook import LEGACY_FONT_PREFIXES, Limits, Sheet, WorkbookError, cell_ref, read_bytes, read_workbook

HEADER_SCAN_ROWS = 30        # the header starts within the first 25 rows and has up to 3 rows
MAX_HEADER_ROWS = 3

_TOTAL_LABELS = ("tong cong", "tong so", "tong", "cong", "toan huyen", "toan thi xa", "toan thanh pho",
                 "toan quan", "cong toan huyen", "tong cong toan huyen", "toan don vi", "tong toan huyen")
_FOOTER_STARTS = ("ghi chu", "nguoi lap bieu", "nguoi lap", "thu truong", "lanh dao", "truong cong an",
                  "xac nhan", "noi nhan", "ky ten", "ky ghi ro", "t m ", "kt ", "tm ", "ghi chu ")
_GROUP_LABELS = ("xa", "phuong", "thi tran", "cac xa", "cac phuong", "cac thi tran", "khoi xa", "khoi phuong",
                 "xa phuong thi tran", "phuong thi tran", "khu vuc thanh thi", "khu vuc nong thon")
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix)(?:\s|$)")   # not "x": "X." abbreviates "Xã"
_NUMBERING_TOKEN = re.compile(r"^\(?(\d{1,2}|[a-e])\)?(?:\s*=\s*.*)?$", re.I)
_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_REPORT_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_H1 = re.compile(r"6 thang(?: dau)?(?: nam)?(?: so ket)? (\d{4})")
_YEAR = re.compile(r"(?:tong ket |ca )?nam (\d{4})")


@dataclass
class TableRead:
    """One recognised table of a return."""

    table: str
    sheet: str
    layout: str
    header_rows: tuple[int, int]                 # first and last header row, 1-based
    columns: dict[str, int]                      # field -> 0-based column
    records: list[dict]                          # parsed data rows (see ``_record``)
    totals: list[dict]                           # total rows: {field: value, "_columns": {...}, "row": n}
    account: Counter = field(default_factory=Counter)
    empty: bool = False                          # no value cell filled in any data row
    seen: set[str] = field(default_factory=set)  # communes named in rows set aside with a finding
    unparsed: list[tuple[str, int]] = field(default_factory=list)   # (commune, row) of rows set aside unread
    set_aside: list[dict] = field(default_factory=list)   # records set aside by a rule (see validate)

    @property
    def signature(self) -> str:
        """The heading layout, to notice a district changing its form between cycles."""
        cols = ",".join(f"{f}:{cell_ref(0, c)[:-1]}" for f, c in sorted(self.columns.items(), key=lambda x: x[1]))
        return f"{self.layout}|{self.header_rows[1] - self.header_rows[0] + 1}|{cols}"


@dataclass
class Return:
    """What one file in a cycle folder holds."""

    file: str                                    # path relative to the raw folder
    sha256: str
    status: str = "loaded"                       # loaded | rejected (superseded is decided per cycle)
    format: str | None = None
    district: units.Unit | None = None
    period: Cycle | None = None                  # stated in the title block
    report_date: date | None = None
    tables: dict[str, TableRead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: str, sheet: str | None = None, cell: str | None = None, row: int | None = None, **kw) -> None:
        self.findings.append(finding(code, self.file, sheet, cell, row, **kw))

    def reject(self, code: str, **kw) -> Return:
        self.add(code, **kw)
        self.status = "rejected"
        self.tables = {}
        return self


def load_return(path: Path, raw_dir: Path, cycle: Cycle | str, scope: str = "70",
                hierarchy: units.Hierarchy | None = None) -> Return:
    """Read the return at ``path`` (in the folder of ``cycle`` under ``raw_dir``)."""
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
        # The file name, if it names a district, says whose return could not be read.
        ret.district = hierarchy.find_district_in_filename(path.name, scope)
        return ret.reject(e.code, detail=e.detail)
    ret.format = wb.format
    _decode_sheets(wb.sheets, ret)

    found = [(sheet, _find_header(sheet)) for sheet in wb.sheets]
    title_texts: list[str] = []
    for sheet, hdr in found:
        last = hdr[0] if hdr else min(len(sheet.rows), 12)
        title_texts += [v for row in sheet.rows[:last] for v in row if isinstance(v, str)]
    _read_title(ret, title_texts, path.name, cycle, scope, hierarchy)
    if ret.status == "rejected":
        return ret

    # Visible sheets first, so a hidden copy never wins over the sheet people see.
    for sheet, hdr in sorted(found, key=lambda sh: sh[0].hidden):
        if hdr is None:
            continue
        start, end, table, layout, columns = hdr
        if table.id in ret.tables:
            ret.add("table_duplicate", sheet.name, table=table.label, expected=ret.tables[table.id].sheet)
            continue
        ret.tables[table.id] = _read_rows(ret, sheet, start, end, table, layout, columns, hierarchy, cycle)
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
    _decode_sheets(wb.sheets, probe)
    texts = [v for sheet in wb.sheets for row in sheet.rows[:HEADER_SCAN_ROWS] for v in row if isinstance(v, str)]
    texts = list(dict.fromkeys(texts))
    stated = _period([_title_line(t) for t in texts])
    try:
        return parse_cycle(stated) if stated else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# text

def _decode_sheets(sheets: list[Sheet], ret: Return) -> None:
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


def _is_numbering(values: list) -> bool:
    """"(1) (2) (3)", "1 2 3", "A B 1 2": short tokens in every non-empty cell, at least three."""
    toks = [v for v in values if v is not None]
    if len(toks) < 3:
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 100 or
               isinstance(v, str) and _NUMBERING_TOKEN.match(v.strip()) for v in toks)


_NUMBER_IN_JOINED = re.compile(r"(?:^|\x00)[\d.,\s%()-]+(?:\x00|$)")


def _header_like(row: list) -> bool:
    """At least two distinct values and no number (nor number text): a row that could be a header row."""
    types = set(map(type, row))           # of the row: a set of values holds 1 or True, not both
    if int in types or float in types:
        return False
    distinct = set(row)
    distinct.discard(None)
    if len(distinct) < 2:
        return False
    return str not in types or not _NUMBER_IN_JOINED.search("\x00".join(v for v in distinct if v.__class__ is str))


def _find_header(sheet: Sheet):
    """(first row, last row, table, layout, {field: col}) of the best header in the sheet, or None."""
    nrows = min(len(sheet.rows), HEADER_SCAN_ROWS + MAX_HEADER_ROWS)
    if nrows == 0:
        return None
    # Only rows that could be header rows make the key, so that the title block's changing dates
    # and the data do not defeat the memo.
    rows = tuple([tuple(r) if _header_like(r) else () for r in sheet.rows[:nrows]])
    merged = tuple(m for m in sheet.merged if m[0] < nrows)
    return _header_of(rows, merged)


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


# ---------------------------------------------------------------------------------------------
# title block

def _read_title(ret: Return, texts: list[str], filename: str, cycle: Cycle, scope: str,
                hierarchy: units.Hierarchy) -> None:
    """District, period and report date from the title block; rejects the return when they are wrong."""
    texts = list(dict.fromkeys(t for t in texts if t))
    match = hierarchy.find_district(texts, scope)
    if match.district is None:
        unit = hierarchy.find_district_in_filename(filename, scope)
        if unit is None:
            ret.reject("district_unknown", found=_excerpt(texts))
            return
        ret.district = unit
        ret.add("district_from_filename", district=unit.name)
    elif not match.in_scope:
        prov = hierarchy.unit(match.district.parent) if match.district.parent else None
        where = f"{match.district.name}, {prov.name}" if prov else match.district.name
        scope_name = hierarchy.unit(scope).name if scope != "all" else "phạm vi báo cáo"
        ret.reject("district_other_province", found=where, province=scope_name)
        return
    else:
        ret.district = match.district

    lines = [_title_line(t) for t in texts]
    report_dates = [d for line in lines for d in line.report_dates]
    ret.report_date = max(report_dates) if report_dates else None
    if ret.report_date is None:
        ret.add("report_date_missing")

    stated = _period(lines)
    if stated is None:
        ret.add("period_from_folder", expected=cycle.id)
    elif stated != cycle.id:
        ret.reject("period_mismatch", found=stated, expected=cycle.id)
    else:
        ret.period = cycle


def _dates(pattern: re.Pattern, s: str, order=(1, 2, 3)) -> list[date]:
    out = []
    for m in pattern.finditer(s):
        d, mth, y = (int(m.group(i)) for i in order)
        try:
            out.append(date(y, mth, d))
        except ValueError:
            pass
    return out


class _TitleLine(NamedTuple):
    """What one text of a title block says about the report date and the period."""

    report_dates: tuple[date, ...]
    period: tuple[date, date] | None       # "từ ngày 15/12/2022 đến ngày 14/06/2023"
    halves: tuple[int, ...]                # years of a half-year ("6 tháng đầu năm 2023")
    years: tuple[int, ...]                 # years of a year review ("năm 2022")


@lru_cache(maxsize=1 << 14)
def _title_line(raw: str) -> _TitleLine:
    """Memoised: a title block repeats its lines in every sheet and cycle after cycle."""
    f = text.fold(raw)
    report_dates = tuple(_dates(_REPORT_DATE, f, order=(1, 2, 3)))
    body = _REPORT_DATE.sub(" ", f)
    if "ngay" in f and _REPORT_DATE.search(f) and not ("ky" in body or "thang" in body or "nam" in body):
        return _TitleLine(report_dates, None, (), ())     # only the place and date of the report
    dates = _dates(_DATE, raw)
    halves = [int(y) for y in _H1.findall(body)]
    if "so ket 6 thang" in body and not _H1.search(body):
        halves += [int(y) for y in re.findall(r"(\d{4})", body)]
    years = [int(y) for y in _YEAR.findall(body)] if not _H1.search(body) else []
    return _TitleLine(report_dates, (dates[0], dates[1]) if len(dates) >= 2 else None, tuple(halves), tuple(years))


def _period(lines: list[_TitleLine]) -> str | None:
    """The cycle id the title block states ("2023-H1"), a description of a non-cycle period, or None."""
    ranges = [line.period for line in lines if line.period]
    halves = [y for line in lines for y in line.halves]
    years = [y for line in lines for y in line.years]
    if ranges:
        start, end = ranges[0]
        c = cycle_for_period(start, end)
        return c.id if c else f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if halves:
        return f"{halves[0]}-H1"
    if years:
        return str(years[0])
    return None


def _excerpt(texts: list[str]) -> str:
    return "; ".join(t[:40] for t in texts[:3]) or "trống"


# ---------------------------------------------------------------------------------------------
# rows

def _label(v) -> str:
    return text.fold(v) if isinstance(v, str) else ""


@lru_cache(maxsize=1 << 14)
def _is_total(label: str) -> bool:
    return label in _TOTAL_LABELS or label.startswith(("tong cong", "toan huyen", "cong toan", "tong so toan"))


def _is_group(label: str, district_label: str) -> bool:
    if not label:
        return False
    rest = _ROMAN.sub("", label, count=1).strip()
    return (_ROMAN.match(label) is not None and (not rest or not rest[0].isdigit())) \
        or rest in _GROUP_LABELS or label in _GROUP_LABELS or label == district_label \
        or label.startswith(("cac xa", "cac phuong", "khoi "))


def _read_rows(ret: Return, sheet: Sheet, start: int, end: int, table: forms.Table, layout: forms.Layout,
               columns: dict[str, int], hierarchy: units.Hierarchy, cycle: Cycle) -> TableRead:
    read = TableRead(table.id, sheet.name, layout.name, (start + 1, end + 1), columns, [], [])
    fields = {f.name: f for f in layout.fields}
    value_cols = [c for f, c in columns.items() if fields[f].kind != "commune" and f != "area"]
    label_cols = sorted({columns["commune"], *(c for c in range(columns["commune"]) if c <= 1)})
    parsers = [(f, c, fields[f]) for f, c in columns.items() if fields[f].kind != "commune"]
    total_cols = {f: c for f, c in columns.items() if fields[f].kind in ("count", "number", "mark")}
    width = max(columns.values()) + 1
    commune_col = columns["commune"]
    district = ret.district
    district_label = text.fold(district.short) if district else ""
    footer = False
    last_commune = None
    filled = False
    rows = sheet.rows
    for r in range(end + 1, len(rows)):
        row = rows[r]
        if row.count(None) == len(row):
            continue
        if len(row) < width:
            row = row + [None] * (width - len(row))
        labels = [_label(row[c]) for c in label_cols]
        lead = ""
        for v in row:
            if isinstance(v, str) and v.strip():
                lead = text.fold(v)
                break
        values = [row[c] for c in value_cols]
        has_values = values.count(None) < len(values)
        if footer and has_values and _names_commune(row, columns, hierarchy, district):
            footer = False                   # a note in the middle of the table: the rows go on
        if footer or lead.startswith(_FOOTER_STARTS) or ("ngay" in lead and _REPORT_DATE.search(lead) and not has_values):
            footer = True
            read.account["footer"] += 1
            continue
        if r <= end + 2 and _is_numbering(row):
            read.account["numbering"] += 1
            continue
        commune_text = row[commune_col]
        if layout.name == "B":
            area = _label(row[columns["area"]])
            if commune_text is None and last_commune is not None and area and not _is_total(area):
                commune_text = last_commune
            grand = any(map(_is_total, labels)) or (_is_total(area) and area != "cong")
            if grand or area == "cong":
                # "Cộng" beside (or under) a commune is that commune's subtotal.
                owner = None if grand else (commune_text or last_commune)
                m = hierarchy.match_commune(str(owner), district.code) if owner else None
                read.totals.append(_total_row(row, r, total_cols, m.unit.code if m and m.unit else None))
                read.account["total"] += 1
                continue
        if any(map(_is_total, labels)):
            read.totals.append(_total_row(row, r, total_cols, None))
            read.account["total"] += 1
            continue
        m = hierarchy.match_commune(str(commune_text), district.code) if commune_text is not None else None
        if m is None or m.unit is None:
            # Not a commune: a group heading ("I. Các phường", "XÃ", the district), or a finding.
            if any(_is_group(x, district_label) for x in labels if x) or not has_values and (
                    commune_text is None or table.per_commune and layout.name != "B"):
                read.account["group"] += 1
            elif commune_text is None:
                ret.add("row_unclassified", sheet.name, None, r + 1,
                        found=_excerpt([str(v) for v in row if v is not None]))
                read.account["set_aside"] += 1
            else:
                cell = cell_ref(r, commune_col)
                if m.other is not None:
                    other = hierarchy.unit(m.other.parent)
                    ret.add("commune_other_district", sheet.name, cell, r + 1, found=commune_text,
                            other=other.name if other else m.other.parent, district=district.name)
                else:
                    ret.add("commune_unknown", sheet.name, cell, r + 1, found=commune_text, district=district.name,
                            candidates=", ".join(m.candidates) or "không có")
                read.account["set_aside"] += 1
            continue
        last_commune = commune_text
        if table.only_xa and (m.unit.kind != "Xã" or _not_applicable(row, value_cols)):
            read.seen.add(m.unit.code)
            ret.add("ntm_not_xa", sheet.name, cell_ref(r, commune_col), r + 1, table=table.label,
                    found=m.unit.name, kind=m.unit.kind.lower() if m.unit.kind != "Xã" else "ghi “không áp dụng”")
            read.account["set_aside"] += 1
            continue
        rec = _record(ret, sheet, row, r, columns, parsers, m.unit)
        if rec is None:
            read.seen.add(m.unit.code)
            read.unparsed.append((m.unit.code, r + 1))
            read.account["set_aside"] += 1
            continue
        filled = filled or rec.pop("_filled")
        read.records.append(rec)
        read.account["data"] += 1
    read.empty = not filled
    if layout.name == "B":
        read.records = _aggregate_areas(read.records)
    return read


def _names_commune(row: list, columns: dict[str, int], hierarchy: units.Hierarchy, district: units.Unit) -> bool:
    v = row[columns["commune"]]
    return v is not None and hierarchy.match_commune(str(v), district.code).unit is not None


def _not_applicable(row: list, value_cols: list[int]) -> bool:
    """A row marked "Không áp dụng", or with "-" in every filled value cell."""
    vals = [row[c] for c in value_cols]
    words = [text.fold(v) for v in vals if isinstance(v, str)]
    numbers = [v for v in vals if v is not None and not isinstance(v, str)]
    return any(w in ("khong ap dung", "kad") for w in words) or (bool(words) and not numbers and all(w == "" for w in words))


def cell_of(rec: dict, name: str | None) -> str | None:
    """The A1 reference of a field's cell in a parsed row (data or total); None without that column.
    A row carries its table's shared field -> column mapping, not references made in advance."""
    c = rec["_columns"].get(name)
    return None if c is None else cell_ref(rec["row"] - 1, c)


def _total_row(row: list, r: int, total_cols: dict[str, int], commune_code: str | None) -> dict:
    out = {"row": r + 1, "commune_code": commune_code, "_columns": total_cols}
    for f, c in total_cols.items():
        p = text.parse_number(row[c])
        out[f] = p.value if p.status in ("ok", "blank") else None
    return out


_NUMERIC = ("count", "number")


def _record(ret: Return, sheet: Sheet, row: list, r: int, columns: dict[str, int],
            parsers: list[tuple[str, int, forms.Field]], unit: units.Unit) -> dict | None:
    """Parse one data row; None when a value cannot be trusted (the finding says which cell)."""
    rec: dict = {"commune_code": unit.code, "commune": unit.name, "sheet": sheet.name, "row": r + 1,
                 "_columns": columns, "_kind": unit.kind}
    ok = True
    filled = False
    unevaluated = sheet.unevaluated
    for fname, c, f in parsers:
        v = row[c]
        if unevaluated and (r, c) in unevaluated:
            ret.add("formula_unevaluated", sheet.name, cell_ref(r, c), r + 1, found=sheet.formulas.get((r, c), ""))
            rec[fname] = None
            filled = True
            continue
        if type(v) is int and v >= 0 and f.kind in _NUMERIC:
            rec[fname] = v                               # the common case, first
            filled = True
            continue
        value, good, has_value, code, found = _parse(f.kind, type(v), v)
        if code is not None:
            ret.add(code, sheet.name, cell_ref(r, c), r + 1, field=f.heading, found=found)
        rec[fname] = value
        filled = filled or has_value
        ok = ok and good
    rec["_filled"] = filled
    return rec if ok else None


@lru_cache(maxsize=1 << 14)
def _parse(kind: str, typ: type, v) -> tuple[object, bool, bool, str | None, str]:
    """(value, trusted, filled, finding code or None, what the finding shows) for a cell of a field kind.

    Memoised: a cycle's few hundred distinct texts ("Đạt", "Khu dân cư") are parsed once. The type
    is part of the key, since 1, 1.0 and True are equal as dict keys but not as cell values.
    """
    filled = v is not None and not (typ is str and text.fold(v) in ("", "-"))
    shown = "" if v is None else str(v).strip()
    if kind in _NUMERIC:
        p = text.parse_count(v) if kind == "count" else text.parse_number(v)
        if p.status == "missing":
            return None, True, filled, "value_missing", shown
        if p.status == "invalid":
            return None, False, filled, "value_unreadable", shown
        if p.value < 0:
            return None, False, filled, "value_negative", text.format_number(p.value, 1 if p.value % 1 else 0)
        if kind == "count" and isinstance(p.value, float) and not p.value.is_integer():
            return None, False, filled, "value_not_integer", text.format_number(p.value, 2)
        return (int(p.value) if kind == "count" else p.value), True, filled, None, ""
    if kind == "mark":
        p = text.parse_mark(v)
        if p.status == "invalid":
            return None, False, filled, "mark_unreadable", shown
        return bool(p.value), True, filled, None, ""
    if kind == "year":
        p = text.parse_year(v)
        if p.status == "invalid" and not (typ is str and text.fold(v) == ""):    # "-": no year
            return None, False, filled, "value_unreadable", shown
        return (p.value if p.status == "ok" else None), True, filled, None, ""
    if kind == "ratio":
        p = text.parse_percent(v)
        return (p.value if p.status == "ok" else None), True, filled, None, ""
    if kind == "setting":
        return setting_of(v), True, filled, None, ""           # an unknown setting is judged by validate
    if kind == "model_type":
        found = model_type_of(v)
        if found == forms.OTHER_MODEL_TYPE and (v is None or text.fold(str(v)) != text.fold(found)):
            return found, True, filled, "model_type_other", "" if v is None else text.nfc(str(v))
        return found, True, filled, None, ""
    return (text.nfc(str(v)) if v is not None else None), True, filled, None, ""


_RESIDENTIAL = ("khu dan cu", "dan cu", "cong dong", "ap", "khu pho", "to dan pho", "thon")
_INSTITUTIONAL = ("co quan", "doanh nghiep", "nha truong", "truong hoc", "truong", "don vi", "cong ty")


def setting_of(v) -> str | None:
    """"Khu dân cư" -> "residential", "CQ, DN, NT" -> "institutional"; other text kept for validate."""
    if v is None:
        return None
    f = forms.expand(str(v))
    if any(f == k or f.startswith(k) for k in _RESIDENTIAL):
        return "residential"
    if any(k in f for k in _INSTITUTIONAL):
        return "institutional"
    return text.nfc(str(v))


@cache
def _model_type_keys() -> dict[str, str]:
    return {forms.expand(t): t for t in forms.MODEL_TYPES}


def model_type_of(v) -> str:
    """The listed model type this text names (any case, with or without diacritics), else "Khác"."""
    if v is None:
        return forms.OTHER_MODEL_TYPE
    key = forms.expand(str(v))
    keys = _model_type_keys()
    if key in keys:
        return keys[key]
    starts = [t for k, t in keys.items() if k.startswith(key) and len(key) >= 8]
    return starts[0] if len(starts) == 1 else forms.OTHER_MODEL_TYPE


def _aggregate_areas(records: list[dict]) -> list[dict]:
    """Layout B: one row per residential area -> one row per commune (the first area's row kept)."""
    out: dict[str, dict] = {}
    for rec in records:
        agg = out.get(rec["commune_code"])
        if agg is None:
            agg = out[rec["commune_code"]] = {
                k: rec[k] for k in ("commune_code", "commune", "sheet", "row", "_kind")
            } | {"kdc_total": 0, "kdc_registered": 0, "kdc_meeting": 0, "_columns": rec["_columns"],
                 "_areas": 0}
        agg["kdc_total"] += 1
        agg["kdc_registered"] += bool(rec.get("registered"))
        agg["kdc_meeting"] += bool(rec.get("meeting"))
        agg["_areas"] += 1
    return list(out.values())
