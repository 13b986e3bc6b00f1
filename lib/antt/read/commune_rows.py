"""The rows of a commune's own return: every row is about the reporting commune (return-form.md,
"After the 2025 reform: the commune return"); ``read_commune_rows`` classifies and parses them.

- Biểu 1, 4 and 5: rows per residential area ("Ấp 3", "KP. 2", "TDP 5": counted, never matched),
  with marks (layout B, with or without a commune column) or counts (layouts C, and A whose first
  column then holds the areas), summed into one record for the commune (a missing value in any row
  makes the sum missing); or a single row naming the commune. A row naming the commune is the total
  when area rows exist. Rows naming a former (or any other) commune ("Xã Lộc Thái (cũ)", "KHU VỰC
  PHƯỜNG TÂN PHÚ CŨ", a former commune's bare name) head groups of areas: group rows. An area
  listed twice in one table: ``area_duplicate``, every one of its rows set aside. The areas of
  Biểu 1 are kept in ``TableRead.areas`` (registered and meeting as booleans: a mark, or a count
  above 0).
- Biểu 2: a xã's one row (its label the xã, blank or anything); two or more rows: ``ntm_rows_commune``,
  all set aside. Rows of a phường or đặc khu (or marked "không áp dụng") are excluded with
  ``ntm_not_xa``; its sheet without rows is read as an empty table (nothing is added here: the
  check layer knows a phường sends no Biểu 2).
- Biểu 3: one row per model of the commune; "Địa bàn" an area (kept as ``area``), the commune or blank.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from antt.core import forms, territory, units
from antt.core.cycles import Cycle
from antt.read.cells import parse_record, setting_of, total_row
from antt.read.grid import Sheet, cell_ref
from antt.read.result import Return, TableRead
from antt.read.rows import (area_record, is_group, is_total, label_columns, label_of, not_applicable, not_xa, parsed,
                            rows_below, set_aside_duplicates, unclassified)

#: "(cũ)", "cũ" (or "(cu)") closing a former commune's name.
_FORMER_MARK = re.compile(r"(?:[\s\-–]+cũ|\s*\(\s*(?:cũ|cu)\s*\))\s*$")
#: How residential areas' names start (not "khu", "khu vực": "KHU VỰC XÃ LỘC THÁI CŨ" is a group); a
#: commune's own name may too ("Tơ Tung" written "To Tung"), which the fast path of ``row_kind`` checks.
_AREA_ONLY = tuple(w + " " for w in ("ap", "khu pho", "to dan pho", "thon", "ban", "soc", "buon", "khom", "xom", "to"))
#: The count of areas written in a total row's name column: "17 khu dân cư".
_AREA_COUNT = re.compile(r"^\d+ (?:khu dan cu|kdc)$")


def read_commune_rows(ret: Return, sheet: Sheet, start: int, end: int, table: forms.Table, layout: forms.Layout,
                      columns: dict[str, int], hierarchy: units.Hierarchy, cycle: Cycle) -> TableRead:
    """The rows of a table of a commune's return (module docstring)."""
    read = TableRead(table.id, sheet.name, layout.name, (start + 1, end + 1), columns, [], [])
    reader = {"ntm": _xa_rows, "models": _model_rows}.get(table.id, _area_rows)
    reader(ret, read, sheet, end, table, layout, hierarchy)
    return read


class _Cols:
    """A table's columns by role."""

    def __init__(self, layout: forms.Layout, columns: dict[str, int], name: str):
        fields = {f.name: f for f in layout.fields}
        self.name = columns[name]
        self.value = [c for f, c in columns.items() if fields[f].kind != "commune" and f != "area"]
        self.labels = label_columns(columns, columns.get("commune", self.name))
        self.parsers = [(f, c, fields[f]) for f, c in columns.items() if fields[f].kind != "commune"]
        self.totals = {f: c for f, c in columns.items() if fields[f].kind in ("count", "number", "mark")}


def _area_rows(ret: Return, read: TableRead, sheet: Sheet, end: int, table: forms.Table, layout: forms.Layout,
               h: units.Hierarchy) -> None:
    """Biểu 1, 4, 5: rows per area summed for the commune, or the commune's own row."""
    unit, columns = ret.unit, read.columns
    cols = _Cols(layout, columns, "area" if "area" in columns else "commune")
    marks = layout.name == "B"
    beside = columns.get("commune") if marks else None
    areas: list[dict] = []
    unread: list[tuple[tuple[str], int]] = []
    own: list[tuple[int, list]] = []         # rows naming the commune: its row, or the total
    filled = False

    def resumes(row: list) -> bool:
        name = row[cols.name]
        return name is not None and (row_kind(str(name), unit.code, h) == "unit" or forms.looks_like_area(str(name)))

    for r, row, labels, has_values in rows_below(read, sheet, end, columns, cols.labels, cols.value, resumes):
        name = row[cols.name]
        folded = label_of(name)
        if any(map(is_total, labels)) or is_total(folded) or _AREA_COUNT.match(folded):
            read.totals.append(total_row(row, r, cols.totals, unit.code))
            read.account["total"] += 1
            continue
        kind = row_kind(str(name), unit.code, h) if name is not None else "blank"
        if kind == "blank" and beside is not None and row[beside] is not None:
            # layout B, no area: what the commune column says (the commune beside its sums, a group)
            kind = row_kind(str(row[beside]), unit.code, h)
            kind = "blank" if kind == "area" else kind
        if kind == "group" or kind != "unit" and any(is_group(x, "") for x in labels if x):
            read.account["group"] += 1
        elif kind == "blank":
            if has_values:
                unclassified(ret, read, row, r)
            else:
                read.account["group"] += 1
        elif kind == "unit":
            own.append((r, row))
        elif not has_values and not marks:
            read.account["group"] += 1           # a heading without counts
        else:
            rec = parse_record(ret, sheet, row, r, columns, cols.parsers, unit)
            if rec is None:
                read.seen.add(unit.code)
                unread.append(((forms.area_key(str(name)),), r + 1))
                read.account["set_aside"] += 1
                continue
            filled = filled or rec.pop("_filled") or table.id == "kdc"    # an area row counts an area
            rec["area"] = str(name)              # as written (every text is NFC already: decode_sheets)
            areas.append(rec)
            read.account["data"] += 1
    if areas or unread:
        for r, row in own:
            read.totals.append(total_row(row, r, cols.totals, unit.code))
            read.account["total"] += 1
        kept = set_aside_duplicates(ret, read, areas, lambda rec: (forms.area_key(rec["area"]),),
                                    lambda rec: rec["area"], unread)
        if table.id == "kdc":
            read.areas = [area_record(rec, rec["area"], *_area_flags(rec, marks)) for rec in kept]
        read.records = [_sum_areas(kept, table, marks)] if kept else []
    else:
        for r, row in own:
            rec = parsed(ret, read, sheet, row, r, columns, cols.parsers, unit)
            if rec is None:
                continue
            filled = filled or rec.pop("_filled")
            read.records.append(rec)
            read.account["data"] += 1
    read.empty = not filled


def _area_flags(rec: dict, marks: bool) -> tuple[bool | None, bool | None]:
    """(registered, meeting) of an area row: its marks, or its counts above 0 (None: missing)."""
    if marks:
        return rec.get("registered"), rec.get("meeting")
    return tuple(None if rec.get(f) is None else rec[f] > 0 for f in ("kdc_registered", "kdc_meeting"))


def _sum_areas(recs: list[dict], table: forms.Table, marks: bool) -> dict:
    """The commune's record from its area rows (the first row's place kept; the rows in ``_rows``):
    Biểu 1 counts the areas, registered and meeting; Biểu 4 and 5 sum each field. A missing value
    makes a sum missing."""
    first = recs[0]
    out = {k: first[k] for k in ("commune_code", "commune", "sheet", "row", "_columns", "_kind")}
    out["_rows"] = recs
    if table.id == "kdc":
        flags = [_area_flags(rec, marks) for rec in recs]
        out["kdc_total"] = len(recs)
        for i, f in enumerate(("kdc_registered", "kdc_meeting")):
            values = [fl[i] for fl in flags]
            out[f] = None if None in values else sum(values)
        return out
    for f in table.value_fields:
        values = [rec.get(f) for rec in recs]
        out[f] = None if None in values else sum(values)
    return out


def _xa_rows(ret: Return, read: TableRead, sheet: Sheet, end: int, table: forms.Table, layout: forms.Layout,
             h: units.Hierarchy) -> None:
    """Biểu 2: a xã's one row; a phường's or đặc khu's rows excluded."""
    unit, columns = ret.unit, read.columns
    cols = _Cols(layout, columns, "commune")
    rows: list[tuple[int, list]] = []

    def resumes(row: list) -> bool:
        name = row[cols.name]
        return name is not None and row_kind(str(name), unit.code, h) == "unit"

    for r, row, labels, has_values in rows_below(read, sheet, end, columns, cols.labels, cols.value, resumes):
        name = row[cols.name]
        if any(map(is_total, labels)):
            read.totals.append(total_row(row, r, cols.totals, unit.code))
            read.account["total"] += 1
        elif has_values or name is not None and row_kind(str(name), unit.code, h) == "unit":
            rows.append((r, row))
        else:
            read.account["group"] += 1
    data = []
    for r, row in rows:
        if unit.kind != "Xã" or not_applicable(row, cols.value):
            not_xa(ret, read, row, r, cols.name, unit, cols.value)
        else:
            data.append((r, row))
    filled = False
    records = []
    for r, row in data:
        rec = parsed(ret, read, sheet, row, r, columns, cols.parsers, unit)
        if rec is None:
            continue
        filled = filled or rec.pop("_filled")
        records.append(rec)
    if len(data) > 1:
        # one row is the xã's; two or more cannot all be, and none can be told to be the one
        rs = [r + 1 for r, _ in data]
        ret.add("ntm_rows_commune", sheet.name, cell_ref(data[0][0], cols.name), rs[0], table=table.label,
                found=unit.name, count=len(rs), rows=", ".join(map(str, rs)))
        read.seen.add(unit.code)
        read.set_aside += records
        read.account["set_aside"] += len(records)
    elif records:
        read.records = records
        read.account["data"] += len(records)
    read.empty = not filled


def _model_rows(ret: Return, read: TableRead, sheet: Sheet, end: int, table: forms.Table, layout: forms.Layout,
                h: units.Hierarchy) -> None:
    """Biểu 3: every model is the commune's; its "Địa bàn" kept as ``area`` unless the commune or blank."""
    unit, columns = ret.unit, read.columns
    cols = _Cols(layout, columns, "commune")
    cols.labels = sorted({*cols.labels, columns["model_name"]})
    data_cols = [c for f, c in columns.items() if f not in ("commune", "model_name")]
    kind_cols = [columns[f] for f in ("setting", "model_type") if f in columns]
    name, setting = columns["model_name"], columns["setting"]

    def resumes(row: list) -> bool:
        return row[name] is not None and setting_of(row[setting]) in forms.SETTINGS

    def names_unit(row: list) -> bool:
        return any(row[c] is not None and row_kind(str(row[c]), unit.code, h) == "unit" for c in cols.labels)

    filled = False
    for r, row, labels, _ in rows_below(read, sheet, end, columns, cols.labels, cols.value, resumes):
        if any(map(is_total, labels)) or all(row[c] is None for c in kind_cols) and names_unit(row):
            # a total row, "Tổng cộng" or the commune's name beside the sums
            read.totals.append(total_row(row, r, cols.totals, None))
            read.account["total"] += 1
            continue
        if all(row[c] is None for c in data_cols):
            # Only a name: a heading ("I. Mô hình tại khu dân cư"), else a row that says too little.
            if any(is_group(x, "") for x in labels if x):
                read.account["group"] += 1
            else:
                unclassified(ret, read, row, r)
            continue
        rec = parsed(ret, read, sheet, row, r, columns, cols.parsers, unit)
        if rec is None:
            continue
        place = row[cols.name]
        kind = row_kind(str(place), unit.code, h) if place is not None else "blank"
        rec["area"] = None if kind in ("blank", "unit") else str(place)
        filled = filled or rec.pop("_filled")
        read.records.append(rec)
        read.account["data"] += 1
    read.empty = not filled


@lru_cache(maxsize=1 << 16)
def row_kind(name: str, unit_code: str, h: units.Hierarchy) -> str:
    """What a name in a commune's return is: "unit" (the commune itself), "group" (a former or any
    other commune, "Xã Lộc Thái (cũ)", "KHU VỰC PHƯỜNG TÂN PHÚ CŨ"), "area" (anything else: a
    residential area) or "blank"."""
    s = name.strip()
    key = forms.area_key(s)
    if not key:
        return "blank"
    if key.startswith(_AREA_ONLY) and not key.replace(" ", "").startswith(_starts(unit_code, h)):
        return "area"                        # "Ấp 3", "KP. 2", "Thôn 4 Hòa Bình": no commune's name
    unit = h.unit(unit_code)
    marked = _FORMER_MARK.search(s.lower())
    bare = s[:marked.start()] if marked else s
    if _names(bare, unit, h):
        return "group" if marked else "unit"
    rest = units.fold_name(bare)
    rest = rest[len("khu vuc "):] if rest.startswith("khu vuc ") else rest
    if units.split_type(rest, units.COMMUNE_TYPES)[0] is not None or units.name_key(rest) in _keys(unit_code, h)[1]:
        return "group"
    return "area"


def _names(written: str, unit: units.Unit, h: units.Hierarchy) -> bool:
    """Whether a text names the commune (of the type written, if one is)."""
    if unit.parent is None or unit not in h.communes_named(written, unit.parent):
        return False
    kind = units.split_type(units.fold_name(written), units.COMMUNE_TYPES)[0]
    return kind is None or kind == unit.kind


@cache
def _starts(unit_code: str, h: units.Hierarchy) -> tuple[str, ...]:
    """The keys a name of the commune or of a former one starts with ("totung": "To Tung")."""
    own, former = _keys(unit_code, h)
    return tuple(own | former)


@cache
def _keys(unit_code: str, h: units.Hierarchy) -> tuple[frozenset[str], frozenset[str]]:
    """The name keys of a commune, and of the former communes whose area it took (after the reform)."""
    unit = h.unit(unit_code)
    own = frozenset((units.name_key(unit.short), units.name_key(unit.name)))
    if h is units.legacy():
        return own, frozenset()
    legacy = units.legacy()
    olds = [legacy.unit(c) for c in territory.predecessors(unit_code)]
    return own, frozenset(k for u in olds for k in (units.name_key(u.short), units.name_key(u.name))) - own
