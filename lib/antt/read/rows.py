"""The rows under a table's header: each classified, the data rows parsed.

``read_rows`` sorts every non-empty row under the header of a district's return into data (a
commune of the district), total, group (a heading such as "I. Các phường"), numbering ("(1) (2)
(3)"), footer (notes and signatures) or set_aside (a row that cannot be trusted, with a finding
saying why), and parses the data rows field by field (``antt.read.cells``). Layout B (one row per
residential area) is summed up per commune, its areas kept (``TableRead.areas``; an area listed twice
for a commune is set aside). The walk under the header (``rows_below``), the labels of totals and
groups and the residential-area helpers serve commune returns too (``antt.read.commune_rows``).
Reading never raises on bad data: what cannot be read becomes a finding; rules between values live
in ``antt.check.validate``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple

from antt.core import forms, text, units
from antt.core.cycles import Cycle
from antt.read.grid import Sheet, cell_ref
from antt.read.cells import parse_record, total_row
from antt.read.result import Return, TableRead, cell_of
from antt.read.title import REPORT_DATE, excerpt

_TOTAL_LABELS = ("tong cong", "tong so", "tong", "cong", "toan huyen", "toan thi xa", "toan thanh pho",
                 "toan quan", "cong toan huyen", "tong cong toan huyen", "toan don vi", "tong toan huyen",
                 "toan xa", "toan phuong", "toan thi tran", "toan dac khu")
_FOOTER_STARTS = ("ghi chu", "nguoi lap bieu", "nguoi lap", "thu truong", "lanh dao", "truong cong an",
                  "xac nhan", "noi nhan", "ky ten", "ky ghi ro", "t m ", "kt ", "tm ", "ghi chu ")
_GROUP_LABELS = ("xa", "phuong", "thi tran", "cac xa", "cac phuong", "cac thi tran", "khoi xa", "khoi phuong",
                 "xa phuong thi tran", "phuong thi tran", "khu vuc thanh thi", "khu vuc nong thon")
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix)(?:\s|$)")   # not "x": "X." abbreviates "Xã"
_NUMBERING_TOKEN = re.compile(r"^\(?(\d{1,2}|[a-e])\)?(?:\s*=\s*.*)?$", re.I)


def is_numbering(values: list) -> bool:
    """"(1) (2) (3)", "1 2 3", "A B 1 2": short tokens in every non-empty cell, at least three."""
    toks = [v for v in values if v is not None]
    if len(toks) < 3:
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 100 or
               isinstance(v, str) and _NUMBERING_TOKEN.match(v.strip()) for v in toks)


def label_of(v) -> str:
    return text.fold(v) if isinstance(v, str) else ""


@lru_cache(maxsize=1 << 14)
def is_total(label: str) -> bool:
    return label in _TOTAL_LABELS or label.startswith(("tong cong", "toan huyen", "cong toan", "tong so toan"))


def is_group(label: str, district_label: str) -> bool:
    if not label:
        return False
    rest = _ROMAN.sub("", label, count=1).strip()
    return (_ROMAN.match(label) is not None and (not rest or not rest[0].isdigit())) \
        or rest in _GROUP_LABELS or label in _GROUP_LABELS or label == district_label \
        or label.startswith(("cac xa", "cac phuong", "khoi "))


class Row(NamedTuple):
    """A non-empty row under a header that is neither footer nor numbering."""

    r: int                     # 0-based
    cells: list                # padded to the table's width
    labels: list[str]          # folded texts of the label columns
    has_values: bool           # a value column holds something


def rows_below(read: TableRead, sheet: Sheet, end: int, columns: dict[str, int], label_cols: list[int],
               value_cols: list[int], resumes: Callable[[list], bool]) -> Iterator[Row]:
    """The non-empty rows under the header (0-based last row ``end``), footer and numbering rows
    counted in ``read.account``. After a footer line the table goes on at a row with values that
    ``resumes`` it (a note in the middle of the table)."""
    width = max(columns.values()) + 1
    footer = False
    rows = sheet.rows
    for r in range(end + 1, len(rows)):
        row = rows[r]
        if row.count(None) == len(row):
            continue
        if len(row) < width:
            row = row + [None] * (width - len(row))
        labels = [label_of(row[c]) for c in label_cols]
        lead = ""
        for v in row:
            if isinstance(v, str) and v.strip():
                lead = text.fold(v)
                break
        values = [row[c] for c in value_cols]
        has_values = values.count(None) < len(values)
        if footer and has_values and resumes(row):
            footer = False                   # a note in the middle of the table: the rows go on
        if footer or lead.startswith(_FOOTER_STARTS) or ("ngay" in lead and REPORT_DATE.search(lead) and not has_values):
            footer = True
            read.account["footer"] += 1
            continue
        if r <= end + 2 and is_numbering(row):
            read.account["numbering"] += 1
            continue
        yield Row(r, row, labels, has_values)


def label_columns(columns: dict[str, int], name_col: int) -> list[int]:
    """The columns whose texts say what a row is: the name column and the first two before it."""
    return sorted({name_col, *(c for c in range(name_col) if c <= 1)})



def parsed(ret: Return, read: TableRead, sheet: Sheet, row: list, r: int, columns: dict[str, int],
           parsers: list[tuple[str, int, forms.Field]], unit: units.Unit) -> dict | None:
    """The record of a data row of ``unit``; None when it cannot be parsed, the row then set aside
    (``read.unparsed``, counted in the accounts)."""
    rec = parse_record(ret, sheet, row, r, columns, parsers, unit)
    if rec is None:
        read.seen.add(unit.code)
        read.unparsed.append((unit.code, r + 1))
        read.account["set_aside"] += 1
    return rec


def read_rows(ret: Return, sheet: Sheet, start: int, end: int, table: forms.Table, layout: forms.Layout,
              columns: dict[str, int], hierarchy: units.Hierarchy, cycle: Cycle) -> TableRead:
    """The rows of a district's return: a row per commune of the district (or per residential area
    of a commune, layout B)."""
    read = TableRead(table.id, sheet.name, layout.name, (start + 1, end + 1), columns, [], [])
    fields = {f.name: f for f in layout.fields}
    value_cols = [c for f, c in columns.items() if fields[f].kind != "commune" and f != "area"]
    commune_col = columns.get("commune", columns.get("area"))     # layout C: names in the area column
    label_cols = label_columns(columns, commune_col)
    parsers = [(f, c, fields[f]) for f, c in columns.items() if fields[f].kind != "commune"]
    total_cols = {f: c for f, c in columns.items() if fields[f].kind in ("count", "number", "mark")}
    district = ret.unit
    district_label = text.fold(district.short) if district else ""
    last_commune = None
    filled = False

    def resumes(row: list) -> bool:
        v = row[commune_col]
        return v is not None and hierarchy.match_commune(str(v), district.code).unit is not None

    for r, row, labels, has_values in rows_below(read, sheet, end, columns, label_cols, value_cols, resumes):
        commune_text = row[commune_col]
        if layout.name == "B":
            area = label_of(row[columns["area"]])
            if commune_text is None and last_commune is not None and area and not is_total(area):
                commune_text = last_commune
            grand = any(map(is_total, labels)) or (is_total(area) and area != "cong")
            if grand or area == "cong":
                # "Cộng" beside (or under) a commune is that commune's subtotal.
                owner = None if grand else (commune_text or last_commune)
                m = hierarchy.match_commune(str(owner), district.code) if owner else None
                read.totals.append(total_row(row, r, total_cols, m.unit.code if m and m.unit else None))
                read.account["total"] += 1
                continue
        if any(map(is_total, labels)):
            read.totals.append(total_row(row, r, total_cols, None))
            read.account["total"] += 1
            continue
        m = hierarchy.match_commune(str(commune_text), district.code) if commune_text is not None else None
        if m is None or m.unit is None:
            # Not a commune: a group heading ("I. Các phường", "XÃ", the district), or a finding.
            if any(is_group(x, district_label) for x in labels if x) or not has_values and (
                    commune_text is None or table.per_commune and layout.name != "B"):
                read.account["group"] += 1
            elif commune_text is None:
                unclassified(ret, read, row, r)
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
        if table.only_xa and (m.unit.kind != "Xã" or not_applicable(row, value_cols)):
            not_xa(ret, read, row, r, commune_col, m.unit, value_cols)
            continue
        rec = parsed(ret, read, sheet, row, r, columns, parsers, m.unit)
        if rec is None:
            continue
        filled = filled or rec.pop("_filled")
        read.records.append(rec)
        read.account["data"] += 1
    read.empty = not filled
    if layout.name == "B":
        areas = set_aside_duplicates(ret, read, read.records, lambda rec: (rec["commune_code"], area_key(rec.get("area"))),
                                     lambda rec: rec.get("area"))
        read.areas = [area_record(rec, rec.get("area"), rec.get("registered"), rec.get("meeting")) for rec in areas]
        read.records = _aggregate_areas(areas)
    return read


def unclassified(ret: Return, read: TableRead, row: list, r: int) -> None:
    """A row that is neither data, total nor heading: set aside with a warning."""
    ret.add("row_unclassified", read.sheet, None, r + 1, found=excerpt([str(v) for v in row if v is not None]))
    read.account["set_aside"] += 1


def not_xa(ret: Return, read: TableRead, row: list, r: int, col: int, unit: units.Unit, value_cols: list[int]) -> None:
    """A Biểu 2 row of a phường, thị trấn or đặc khu, or marked "không áp dụng": set aside with a note."""
    read.seen.add(unit.code)
    kind = unit.kind.lower() if unit.kind != "Xã" else "ghi \u201ckhông áp dụng\u201d"
    ret.add("ntm_not_xa", read.sheet, cell_ref(r, col), r + 1, table=forms.TABLES[read.table].label,
            found=unit.name, kind=kind)
    read.account["set_aside"] += 1


def area_key(name) -> str:
    return forms.area_key(str(name)) if name is not None else ""


def area_record(rec: dict, area, registered, meeting) -> dict:
    """A residential area's record (``TableRead.areas``) from its row's record."""
    name = str(area) if area is not None else None          # NFC already (decode_sheets)
    return {"commune_code": rec["commune_code"], "area": name, "area_key": area_key(name),
            "registered": registered, "meeting": meeting, "sheet": rec["sheet"], "row": rec["row"]}


def set_aside_duplicates(ret: Return, read: TableRead, records: list[dict], key: Callable[[dict], object],
                         shown: Callable[[dict], object], unread: list[tuple[object, int]] = ()) -> list[dict]:
    """A residential area listed twice in one table: every one of its rows set aside with one
    ``area_duplicate`` finding (rows already set aside unread count as listings); the others returned."""
    rows: dict[object, list[int]] = defaultdict(list)
    for rec in records:
        k = key(rec)
        if k[-1]:                                   # an area without a name is no duplicate
            rows[k].append(rec["row"])
    for k, row in unread:
        if k in rows:
            rows[k].append(row)
    dup = {k for k, rs in rows.items() if len(rs) > 1}
    if not dup:
        return records
    kept = []
    for rec in records:
        k = key(rec)
        if k not in dup:
            kept.append(rec)
            continue
        if rows[k][0] == rec["row"]:
            rs = sorted(rows[k])
            ret.add("area_duplicate", read.sheet, cell_of(rec, "area") or cell_of(rec, "commune"), rs[0],
                    table=forms.TABLES[read.table].label, found=shown(rec), count=len(rs), rows=", ".join(map(str, rs)))
        read.seen.add(rec["commune_code"])
        read.set_aside.append(rec)
        read.account["data"] -= 1
        read.account["set_aside"] += 1
    return kept


def not_applicable(row: list, value_cols: list[int]) -> bool:
    """A row marked "Không áp dụng", or with "-" in every filled value cell."""
    vals = [row[c] for c in value_cols]
    words = [text.fold(v) for v in vals if isinstance(v, str)]
    numbers = [v for v in vals if v is not None and not isinstance(v, str)]
    return any(w in ("khong ap dung", "kad") for w in words) or (bool(words) and not numbers and all(w == "" for w in words))


def _aggregate_areas(records: list[dict]) -> list[dict]:
    """Layout B: one row per residential area -> one row per commune (the first area's row kept,
    the area rows in ``_rows``)."""
    out: dict[str, dict] = {}
    for rec in records:
        agg = out.get(rec["commune_code"])
        if agg is None:
            agg = out[rec["commune_code"]] = {
                k: rec[k] for k in ("commune_code", "commune", "sheet", "row", "_kind")
            } | {"kdc_total": 0, "kdc_registered": 0, "kdc_meeting": 0, "_columns": rec["_columns"], "_rows": []}
        agg["kdc_total"] += 1
        agg["kdc_registered"] += bool(rec.get("registered"))
        agg["kdc_meeting"] += bool(rec.get("meeting"))
        agg["_rows"].append(rec)
    return list(out.values())
