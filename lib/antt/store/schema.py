"""The processed frames of a cycle: their names, columns and pandas dtypes, defined once.

A cycle folder holds one Parquet file per table (``kdc, ntm, models, outreach, bright_spots``:
cycle, unit_code (the reporting unit the row counts for), district_code (the commune's district in
the cycle's hierarchy; null after the 2025 reform), commune_code, the canonical fields, source_file,
sheet, row), ``kdc_areas`` (the residential areas of Biểu 1, one row each), ``findings``, ``files``
(one row per file of the folder), ``completeness`` (expected unit × table), ``accounts`` (how each
non-empty row of each table was counted), ``units`` (the 15 keys per expected unit) and
``communes`` (the 15 keys per commune of the expected units, for ``--units current``). Pure data:
nothing here opens a file or imports pandas.
"""

from __future__ import annotations

from antt.core import forms, indicators
from antt.core.findings import FINDING_COLUMNS

FIELD_DTYPES = {"count": "Int64", "number": "Float64", "mark": "boolean", "year": "Int64",
                "text": "string", "setting": "string", "model_type": "string"}


def _field_kinds(tid: str) -> dict[str, str]:
    table = forms.TABLES[tid]
    kinds = {f.name: f.kind for lay in table.layouts for f in lay.fields if f.name in table.value_fields}
    return kinds | ({f: "count" for f in table.value_fields} if tid == "kdc" else {})


def _frame_dtypes() -> dict[str, dict[str, str]]:
    """Column -> pandas dtype of every processed frame (the order is the order of the columns)."""
    out = {tid: {"cycle": "string", "unit_code": "string", "district_code": "string", "commune_code": "string",
                 **{f: FIELD_DTYPES[k] for f, k in _field_kinds(tid).items()},
                 "source_file": "string", "sheet": "string", "row": "Int64"} for tid in forms.TABLES}
    out["kdc_areas"] = {"cycle": "string", "unit_code": "string", "commune_code": "string", "area": "string",
                        "area_key": "string", "registered": "boolean", "meeting": "boolean",
                        "source_file": "string", "sheet": "string", "row": "Int64"}
    out["findings"] = {c: ("Int64" if c == "row" else "string") for c in FINDING_COLUMNS}
    out["files"] = {"file": "string", "status": "string", "unit_code": "string", "level": "string",
                    "tables": "object", "sha256": "string", "report_date": "object", "format": "string"}
    out["completeness"] = {"unit_code": "string", **{t: "string" for t in forms.TABLES}}
    out["accounts"] = {"file": "string", "table": "string", "sheet": "string",
                       **{c: "int64" for c in forms.ROW_CLASSES}}
    out["units"] = {"unit_code": "string", **{k: "Float64" for k in indicators.KEYS}}
    out["communes"] = {"commune_code": "string", "unit_code": "string", **{k: "Float64" for k in indicators.KEYS}}
    return out


FRAME_DTYPES = _frame_dtypes()
#: The processed frames of a cycle, in the order they are written.
FRAMES = tuple(FRAME_DTYPES)
