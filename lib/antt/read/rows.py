"""The rows under a table's header: each classified, the data rows parsed.

``read_rows`` sorts every non-empty row under the header into data (a commune of the district),
total, group (a heading such as "I. Các phường"), numbering ("(1) (2) (3)"), footer (notes and
signatures) or set_aside (a row that cannot be trusted, with a finding saying why), and parses
the data rows field by field (counts, numbers, marks, years, ratios, settings, model types).
Layout B (one row per residential area) is summed up per commune.  Reading never raises on bad
data: what cannot be read becomes a finding; rules between values live in ``antt.check.validate``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from antt.core import forms, text, units
from antt.core.cycles import Cycle
from antt.read.grid import Sheet, cell_ref
from antt.read.result import Return, TableRead
from antt.read.title import REPORT_DATE, excerpt

_TOTAL_LABELS = ("tong cong", "tong so", "tong", "cong", "toan huyen", "toan thi xa", "toan thanh pho",
                 "toan quan", "cong toan huyen", "tong cong toan huyen", "toan don vi", "tong toan huyen")
_FOOTER_STARTS = ("ghi chu", "nguoi lap bieu", "nguoi lap", "thu truong", "lanh dao", "truong cong an",
                  "xac nhan", "noi nhan", "ky ten", "ky ghi ro", "t m ", "kt ", "tm ", "ghi chu ")
_GROUP_LABELS = ("xa", "phuong", "thi tran", "cac xa", "cac phuong", "cac thi tran", "khoi xa", "khoi phuong",
                 "xa phuong thi tran", "phuong thi tran", "khu vuc thanh thi", "khu vuc nong thon")
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix)(?:\s|$)")   # not "x": "X." abbreviates "Xã"
_NUMBERING_TOKEN = re.compile(r"^\(?(\d{1,2}|[a-e])\)?(?:\s*=\s*.*)?$", re.I)


def _is_numbering(values: list) -> bool:
    """"(1) (2) (3)", "1 2 3", "A B 1 2": short tokens in every non-empty cell, at least three."""
    toks = [v for v in values if v is not None]
    if len(toks) < 3:
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 100 or
               isinstance(v, str) and _NUMBERING_TOKEN.match(v.strip()) for v in toks)


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


def read_rows(ret: Return, sheet: Sheet, start: int, end: int, table: forms.Table, layout: forms.Layout,
               columns: dict[str, int], hierarchy: units.Hierarchy, cycle: Cycle) -> TableRead:
    read = TableRead(table.id, sheet.name, layout.name, (start + 1, end + 1), columns, [], [])
    fields = {f.name: f for f in layout.fields}
    value_cols = [c for f, c in columns.items() if fields[f].kind != "commune" and f != "area"]
    label_cols = sorted({columns["commune"], *(c for c in range(columns["commune"]) if c <= 1)})
    parsers = [(f, c, fields[f]) for f, c in columns.items() if fields[f].kind != "commune"]
    total_cols = {f: c for f, c in columns.items() if fields[f].kind in ("count", "number", "mark")}
    width = max(columns.values()) + 1
    commune_col = columns["commune"]
    district = ret.unit
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
        if footer or lead.startswith(_FOOTER_STARTS) or ("ngay" in lead and REPORT_DATE.search(lead) and not has_values):
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
                        found=excerpt([str(v) for v in row if v is not None]))
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
