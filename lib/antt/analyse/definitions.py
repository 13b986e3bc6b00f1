"""What each headline indicator and ratio means and where it comes from, built from the definitions
of ``antt.core.indicators`` (label, unit, description, numerator and denominator) and the form of
``antt.core.forms`` (the table and the heading of the column counted): nothing typed a second time.
``AGGREGATION`` says how the province's figures are taken from its units.
"""

from __future__ import annotations

import pandas as pd

from antt.core import forms, indicators

DEFINITION_COLUMNS = ["key", "label", "kind", "definition", "numerator", "denominator", "unit", "timing", "source"]
STOCK, FLOW = "Số tại thời điểm cuối kỳ", "Số phát sinh trong kỳ"
AGGREGATION = ("Số của tỉnh: cộng các đơn vị có số liệu; tỷ lệ của tỉnh: tổng tử số chia tổng mẫu số của các đơn vị "
               "có cả hai số, không lấy bình quân tỷ lệ của các đơn vị.")


def _heading(table: forms.Table, column: str) -> str:
    """The standard heading of a column of the form's table (its first layout naming it)."""
    return next(f.heading for layout in table.layouts for f in layout.fields if f.name == column)


def _how(key: indicators.Key) -> str:
    """How a unit's value of ``key`` is taken from its table's rows, in words."""
    table = forms.TABLES[key.table]
    if key.how == "sum":
        return f"cộng cột “{_heading(table, key.column)}” của các dòng"
    if key.how == "count":
        return "đếm các dòng" + (" (mỗi xã một dòng)" if table.only_xa else "")
    if key.how == "count_true":
        return f"đếm các dòng được đánh dấu ở cột “{_heading(table, key.column)}”"
    if key.how.startswith("count_setting:"):
        setting = forms.SETTINGS[key.how.split(":", 1)[1]]
        return f"đếm các mô hình có cột “{_heading(table, 'setting')}” là “{setting}”"
    if key.how == "distinct_residential":
        return (f"đếm các xã, phường, thị trấn có ít nhất một mô hình có cột “{_heading(table, 'setting')}” "
                f"là “{forms.SETTINGS['residential']}”")
    raise ValueError(key.how)


def ratio_unit(r: indicators.Ratio) -> str:
    """"%" for a share, else the units of its numerator per its denominator ("mắt camera/khu dân cư")."""
    if r.name.endswith("_share"):
        return "%"
    return f"{indicators.KEYS[r.numerator].unit}/{indicators.KEYS[r.denominator].unit}"


def indicator_definitions() -> pd.DataFrame:
    """One row per summary key, then per ratio: key, label, kind ("Chỉ số"/"Tỷ lệ"), definition,
    numerator and denominator (labels; ratios only), unit, timing (a stock at the end of the period
    or a flow over it, ``indicators.is_flow``), source (the form's table and how the value is taken)."""
    rows = []
    for k in indicators.SUMMARY_KEYS:
        rows.append({"key": k.name, "label": k.label, "kind": "Chỉ số", "definition": k.description,
                     "numerator": None, "denominator": None, "unit": k.unit,
                     "timing": FLOW if indicators.is_flow(k.name) else STOCK,
                     "source": f"{forms.TABLES[k.table].title}: {_how(k)}."})
    for r in indicators.RATIOS:
        num, den = indicators.KEYS[r.numerator], indicators.KEYS[r.denominator]
        share = r.name.endswith("_share")
        definition = (f"{num.label} chia cho {den.label[0].lower() + den.label[1:]}"
                      + (", tính theo phần trăm." if share else ".") + (" Có chỉ tiêu của kỳ." if r.target_key else ""))
        tables = dict.fromkeys(forms.TABLES[k.table].title for k in (num, den))
        rows.append({"key": r.name, "label": r.label, "kind": "Tỷ lệ", "definition": definition,
                     "numerator": num.label, "denominator": den.label, "unit": ratio_unit(r),
                     "timing": FLOW if indicators.is_flow(r.name) else STOCK,
                     "source": "; ".join(tables) + "."})
    return pd.DataFrame(rows, columns=DEFINITION_COLUMNS)
