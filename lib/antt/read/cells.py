"""The cells of a data row parsed by the kind of their field: counts, numbers, marks, years,
ratios, settings, model types, texts (``parse_record``), and the values of a total row.

A cell that cannot be trusted gives a finding on its cell and sets its row aside; a missing value
("?", "chưa có số liệu") is kept as None with a warning. Memoised per distinct text and type.
"""

from __future__ import annotations

from functools import cache, lru_cache

from antt.core import forms, text, units
from antt.read.grid import Sheet, cell_ref
from antt.read.result import Return


def total_row(row: list, r: int, total_cols: dict[str, int], commune_code: str | None) -> dict:
    """The values of a total row (a subtotal of ``commune_code``, else of the whole table)."""
    out = {"row": r + 1, "commune_code": commune_code, "_columns": total_cols}
    for f, c in total_cols.items():
        p = text.parse_number(row[c])
        out[f] = p.value if p.status in ("ok", "blank") else None
    return out


_NUMERIC = ("count", "number")


def parse_record(ret: Return, sheet: Sheet, row: list, r: int, columns: dict[str, int],
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
        value, good, has_value, code, found = parse_cell(f.kind, type(v), v)
        if code is not None:
            ret.add(code, sheet.name, cell_ref(r, c), r + 1, field=f.heading, found=found)
        rec[fname] = value
        filled = filled or has_value
        ok = ok and good
    rec["_filled"] = filled
    return rec if ok else None


@lru_cache(maxsize=1 << 14)
def parse_cell(kind: str, typ: type, v) -> tuple[object, bool, bool, str | None, str]:
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
    if any(f == k or f.startswith(k + " ") for k in _RESIDENTIAL):
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
