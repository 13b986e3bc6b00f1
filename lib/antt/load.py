"""Load a whole cycle folder: every file read and validated, resubmissions settled, tidy frames built.

``load_cycle(raw_dir, cycle)`` -> ``CycleData`` with one tidy frame per table (columns: cycle,
district_code, commune_code, the canonical fields, source_file, sheet, row), the findings, a
status per file, the completeness matrix, and an account of every non-empty row of every table.
Large cycles are read by a process pool over files; small ones in this process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import forms, indicators, units, validate
from .cycles import Cycle, parse_cycle
from .findings import FINDING_COLUMNS, SEVERITY_ORDER, Finding
from .returns import ROW_CLASSES, Return, load_return

POOL_MIN_FILES = 40          # below this a pool costs more than it saves

FIELD_DTYPES = {"count": "Int64", "number": "Float64", "mark": "boolean", "year": "Int64",
                "text": "string", "setting": "string", "model_type": "string"}


@dataclass
class CycleData:
    cycle: Cycle
    scope: str
    tables: dict[str, pd.DataFrame]
    findings: pd.DataFrame
    files: pd.DataFrame                         # file, status, district_code, tables, sha256, report_date, format
    completeness: dict[str, dict[str, str]]     # district code -> table id -> status
    accounts: pd.DataFrame                      # file, table, sheet, class counts
    districts: pd.DataFrame                     # district code -> the 15 summary keys (NA = null)
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)   # district -> table -> layout

    @property
    def districts_expected(self) -> list[str]:
        return sorted(self.completeness)

    @property
    def districts_reporting(self) -> list[str]:
        return sorted(c for c, row in self.completeness.items() if "received" in row.values())


def cycle_files(raw_dir: Path, cycle: Cycle) -> list[Path]:
    folder = Path(raw_dir) / cycle.id
    return sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name) if folder.is_dir() else []


def _read_one(args) -> Return:
    path, raw_dir, cycle_id, scope = args
    cycle = parse_cycle(cycle_id)
    hierarchy = units.hierarchy_on(cycle.end)
    ret = load_return(path, raw_dir, cycle, scope, hierarchy)
    validate.validate_return(ret, cycle, hierarchy)
    if ret.status == "loaded":
        validate.timeliness(ret, cycle)
    return ret


def load_cycles(raw_dir: Path, cycles: list[Cycle], scope: str = "70",
                workers: int | None = None) -> dict[Cycle, CycleData]:
    """Read every file of several cycles (one process pool for all when it pays) and assemble each."""
    raw_dir = Path(raw_dir)
    for c in cycles:
        check_scope(c, scope)
    jobs = [(p, raw_dir, c.id, scope) for c in cycles for p in cycle_files(raw_dir, c)]
    workers = workers or (os.cpu_count() or 1)
    if len(jobs) < POOL_MIN_FILES or workers < 2:
        returns = [_read_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            returns = list(pool.map(_read_one, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 4)))))
    by_cycle: dict[str, list[Return]] = {c.id: [] for c in cycles}
    for (_, _, cid, _), ret in zip(jobs, returns):
        by_cycle[cid].append(ret)
    return {c: assemble(c, scope, by_cycle[c.id]) for c in cycles}


def check_scope(cycle: Cycle, scope: str) -> None:
    """A scope must be a province with districts in the hierarchy of the cycle's end date."""
    hierarchy = units.hierarchy_on(cycle.end)
    if scope != "all" and (scope not in {p.code for p in hierarchy.provinces()} or not hierarchy.districts(scope)):
        raise ValueError(f"kỳ {cycle.id} kết thúc ngày {cycle.end:%d/%m/%Y}, theo danh mục đơn vị hành chính "
                         f"{hierarchy.name} không có tỉnh mã {scope} với đơn vị cấp huyện báo cáo; báo cáo cấp huyện "
                         "chỉ áp dụng cho các kỳ trước ngày 01/07/2025")


def load_cycle(raw_dir: Path, cycle: Cycle | str, scope: str = "70", workers: int | None = None) -> CycleData:
    """Read, validate and assemble every file of ``raw_dir/<cycle>``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    return load_cycles(raw_dir, [cycle], scope, workers)[cycle]


def assemble(cycle: Cycle, scope: str, returns: list[Return]) -> CycleData:
    """Resubmissions settled, completeness, tidy frames and district values of one cycle's returns."""
    hierarchy = units.hierarchy_on(cycle.end)
    superseded = validate.supersede(returns)
    counted = [r for r in returns if r.status == "loaded" and r.file not in superseded]
    expected = hierarchy.districts_expected(scope)
    rejected = {r.district.code for r in returns if r.status == "rejected" and r.district is not None}
    matrix = validate.completeness(counted, expected, rejected - {r.district.code for r in counted})

    files = pd.DataFrame({
        "file": [r.file for r in returns],
        "status": ["superseded" if r.file in superseded else r.status for r in returns],
        "district_code": [r.district.code if r.district else None for r in returns],
        "tables": [sorted(r.tables, key=list(forms.TABLES).index) for r in returns],
        "sha256": [r.sha256 for r in returns],
        "report_date": [r.report_date for r in returns],
        "format": [r.format for r in returns],
    }).astype({"file": "string", "status": "string", "district_code": "string", "sha256": "string",
               "format": "string"})
    findings = findings_frame([f for r in returns for f in r.findings])
    accounts = pd.DataFrame([{"file": r.file, "table": tid, "sheet": t.sheet,
                              **{c: int(t.account.get(c, 0)) for c in ROW_CLASSES}}
                             for r in returns for tid, t in r.tables.items()],
                            columns=["file", "table", "sheet", *ROW_CLASSES])
    rows = {tid: _rows(tid, [r for r in counted if tid in r.tables and not r.tables[tid].empty], cycle)
            for tid in forms.TABLES}
    tables = {tid: _frame(tid, rows[tid]) for tid in forms.TABLES}
    signatures = {r.district.code: {tid: t.signature for tid, t in r.tables.items()} for r in counted}
    return CycleData(cycle, scope, tables, findings, files, matrix, accounts,
                     indicators.by_district(rows, matrix), signatures)


def findings_frame(items: list[Finding]) -> pd.DataFrame:
    rows = sorted((f.as_dict() for f in items),
                  key=lambda f: (f["file"] or "", SEVERITY_ORDER[f["severity"]], f["sheet"] or "", f["row"] or 0))
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return frame.astype({"row": "Int64", **{c: "string" for c in FINDING_COLUMNS if c != "row"}})


def table_columns(tid: str) -> list[str]:
    return ["cycle", "district_code", "commune_code", *forms.TABLES[tid].value_fields, "source_file", "sheet", "row"]


def _field_kinds(tid: str) -> dict[str, str]:
    table = forms.TABLES[tid]
    kinds = {f.name: f.kind for lay in table.layouts for f in lay.fields if f.name in table.value_fields}
    return kinds | ({f: "count" for f in table.value_fields} if tid == "kdc" else {})


def _rows(tid: str, returns: list[Return], cycle: Cycle) -> list[dict]:
    fields = ("commune_code", *forms.TABLES[tid].value_fields, "sheet", "row")
    return [{"cycle": cycle.id, "district_code": ret.district.code, "source_file": ret.file,
             **{k: rec.get(k) for k in fields}} for ret in returns for rec in ret.tables[tid].records]


def _frame(tid: str, rows: list[dict]) -> pd.DataFrame:
    dtypes = {"cycle": "string", "district_code": "string", "commune_code": "string", "source_file": "string",
              "sheet": "string", "row": "Int64"} | {f: FIELD_DTYPES.get(k, "string") for f, k in _field_kinds(tid).items()}
    return pd.DataFrame({c: pd.array([r[c] for r in rows], dtype=dtypes[c]) for c in table_columns(tid)})
