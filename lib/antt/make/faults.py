"""Deliberate faults of the sample, and how they are put into a laid-out return.

Faults go only into Bình Phước's 2022-H1 and 2022 returns (``FAULTS``) and into Đồng Nai's commune
returns of 2025 (``COMMUNE_FAULTS``: each given to a commune whose shape can carry it, by
``antt.make.commune_jobs``); each names the finding code it should cause. ``apply_faults`` changes the cells of one laid-out table (a value replaced by "?" or
free text, a total row that does not add up, a model type outside the list, a phường in the NTM
table; a missing table is left out by the return's shape) and records each with its file, sheet,
cell and the value found, as the manifest lists them. 2023-H1 and 2026-H1 have none, so every total
of theirs is complete (but for the communes that send nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from antt.core.findings import CODES
from antt.make.book import a1
from antt.make.layout import Context, SheetLayout


@dataclass(frozen=True)
class Fault:
    """A deliberate fault: ``code`` is the finding it should cause."""

    code: str
    unit: str                      # the reporting unit whose return carries it (district or commune)
    table: str
    field: str | None = None
    index: int = 0                 # which data row (commune, residential area) or residential model
    value: object = None           # the text written ("?", a free-text model type)
    delta: int = 0                 # total_mismatch: what the total row adds to the true sum
    note: str = ""


FAULTS: dict[str, tuple[Fault, ...]] = {
    "2022-H1": (
        Fault("table_missing", "691", "bright_spots", note="Biểu 5 không có trong tệp"),
        Fault("value_missing", "695", "outreach", "banners_posters", index=3, value="?"),
        Fault("total_mismatch", "688", "outreach", "banners_posters", delta=12),
        Fault("model_type_other", "697", "models", "model_type", index=1, value="Dòng họ gương mẫu"),
    ),
    "2022": (
        Fault("value_missing", "696", "bright_spots", "core_group_members", index=2, value="chưa có số liệu"),
        Fault("total_mismatch", "689", "kdc", "kdc_registered", delta=-3),
        Fault("ntm_not_xa", "688", "ntm", "commune", value="Không áp dụng"),
        Fault("model_type_other", "692", "models", "model_type", index=4, value="Cổng trường an toàn"),
    ),
}

#: The faults of commune returns, per (cycle, province): the Fault's fields, and what the commune's
#: return needs to carry it (``needs``: area_values - Biểu 4/5 per area; unit_values - one row for the
#: commune; kdc_total_row - Biểu 1 with 1/0 counts and a total row; phuong_ntm_sheet - a phường that
#: sends a Biểu 2 sheet).
COMMUNE_FAULTS: dict[tuple[str, str], tuple[dict, ...]] = {
    ("2025", "75"): (
        {"code": "value_missing", "table": "outreach", "field": "banners_posters", "index": 1, "value": "?",
         "needs": "area_values"},
        {"code": "total_mismatch", "table": "kdc", "field": "kdc_registered", "delta": -2, "needs": "kdc_total_row"},
        {"code": "model_type_other", "table": "models", "field": "model_type", "index": 0,
         "value": "Tổ tự quản đường hoa"},
        {"code": "table_missing", "table": "bright_spots", "note": "Biểu 5 không có trong tệp"},
        {"code": "ntm_not_xa", "table": "ntm", "field": "commune", "value": "Không áp dụng",
         "needs": "phuong_ntm_sheet"},
        {"code": "value_missing", "table": "bright_spots", "field": "core_group_members", "value": "chưa có số liệu",
         "needs": "unit_values"},
    ),
}


def apply_faults(w: SheetLayout, table: str, ctx: Context, rel: str) -> None:
    """Put this table's deliberate faults into its sheet and record where they went."""
    sh = w.sh
    for f in ctx.faults:
        if f.table != table or f.code == "table_missing":
            continue
        if f.code == "value_missing":
            r, c = w.positions[(ctx.row_key(table, f.index), f.field)]
            found = f.value
            if ("total", f.field) in w.positions:    # the total row sums what is there, as SUM() would
                total = sh.cells[w.positions[("total", f.field)]]
                lost = _as_int(sh.cells[(r, c)].v)
                total.v = w.number(_as_int(total.v) - lost) if total.formula is None else _as_int(total.v) - lost
        elif f.code == "total_mismatch":
            r, c = w.positions[("total", f.field)]
            cell = sh.cells[(r, c)]
            cell.formula = None
            true = _as_int(cell.v)
            cell.v = w.number(true + f.delta)
            found = true + f.delta
        elif f.code == "model_type_other":
            res = [i for i, m in enumerate(ctx.state.models) if m.setting == "residential"]
            r, c = w.positions[(res[f.index], "model_type")]
            found = f.value
        elif f.code == "ntm_not_xa":
            key = next(k for k in w.positions
                       if isinstance(k[0], tuple) and k[0][0] == "ntm_not_xa" and k[1] == "commune")
            r, c = w.positions[key]
            found = sh.cells[(r, c)].v
        else:
            raise ValueError(f.code)
        if f.code in ("value_missing", "model_type_other"):
            sh.cells[(r, c)].v = f.value
            sh.cells[(r, c)].formula = None
        ctx.located.append(fault_record(f, rel, sh.name, a1(r, c), r + 1, found))


def _as_int(v) -> int:
    """A count as written (a number, or text like "2.100" / " 12 ")."""
    return int(v.strip().replace(".", "")) if isinstance(v, str) else int(v or 0)


def fault_record(f: Fault, rel: str, sheet: str | None, cell: str | None, row: int | None, found) -> dict:
    """The manifest's record of a fault put into file ``rel`` (``cell`` "E14", ``row`` 1-based)."""
    return {"code": f.code, "severity": CODES[f.code][0], "file": rel, "sheet": sheet, "cell": cell, "row": row,
            "unit_code": f.unit, "table": f.table, "field": f.field, "found": found, "note": f.note}
