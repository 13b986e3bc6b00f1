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
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)   # district -> table -> layout

    @property
    def districts_expected(self) -> list[str]:
        return sorted(self.completeness)

    @property
    def districts_reporting(self) -> list[str]:
        return sorted(c for c, row in self.completeness.items() if "received" in row.values())

    def by_district(self) -> pd.DataFrame:
        return indicators.by_district(self.tables, self.completeness)


def cycle_files(raw_dir: Path, cycle: Cycle) -> list[Path]:
    folder = Path(raw_dir) / cycle.id
    return sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name) if folder.is_dir() else []


def _read_one(args) -> Return:
    path, raw_dir, cycle_id, scope = args
    cycle = parse_cycle(cycle_id)
    hierarchy = units.hierarchy_on(cycle.end)
    ret = load_return(path, raw_dir, cycle, scope, hierarchy)
    validate.validate_return(ret, cycle, hierarchy)
    validate.timeliness(ret, cycle) if ret.status == "loaded" else None
    return ret


def read_returns(raw_dir: Path, cycle: Cycle, scope: str, workers: int | None = None) -> list[Return]:
    paths = cycle_files(raw_dir, cycle)
    jobs = [(p, Path(raw_dir), cycle.id, scope) for p in paths]
    workers = workers or (os.cpu_count() or 1)
    if len(jobs) < POOL_MIN_FILES or workers < 2:
        return [_read_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))


def load_cycle(raw_dir: Path, cycle: Cycle | str, scope: str = "70", workers: int | None = None) -> CycleData:
    """Read, validate and assemble every file of ``raw_dir/<cycle>``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    hierarchy = units.hierarchy_on(cycle.end)
    returns = read_returns(raw_dir, cycle, scope, workers)
    superseded = validate.supersede(returns)
    counted = [r for r in returns if r.status == "loaded" and r.file not in superseded]
    expected = hierarchy.districts_expected(scope)
    rejected = {r.district.code for r in returns if r.status == "rejected" and r.district is not None}
    matrix = validate.completeness(counted, expected, rejected - {r.district.code for r in counted})

    files = pd.DataFrame([{
        "file": r.file,
        "status": "superseded" if r.file in superseded else r.status,
        "district_code": r.district.code if r.district else None,
        "tables": sorted(r.tables, key=list(forms.TABLES).index),
        "sha256": r.sha256,
        "report_date": r.report_date,
        "format": r.format,
    } for r in returns], columns=["file", "status", "district_code", "tables", "sha256", "report_date", "format"])
    findings = findings_frame([f for r in returns for f in r.findings])
    accounts = pd.DataFrame([{"file": r.file, "table": tid, "sheet": t.sheet,
                              **{c: int(t.account.get(c, 0)) for c in ROW_CLASSES}}
                             for r in returns for tid, t in r.tables.items()],
                            columns=["file", "table", "sheet", *ROW_CLASSES])
    tables = {tid: _tidy(tid, [r for r in counted if tid in r.tables and not r.tables[tid].empty], cycle)
              for tid in forms.TABLES}
    signatures = {r.district.code: {tid: t.signature for tid, t in r.tables.items()} for r in counted}
    return CycleData(cycle, scope, tables, findings, files, matrix, accounts, signatures)


def findings_frame(items: list[Finding]) -> pd.DataFrame:
    rows = sorted((f.as_dict() for f in items),
                  key=lambda f: (f["file"] or "", SEVERITY_ORDER[f["severity"]], f["sheet"] or "", f["row"] or 0))
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return frame.astype({"row": "Int64", **{c: "string" for c in FINDING_COLUMNS if c != "row"}})


def table_columns(tid: str) -> list[str]:
    return ["cycle", "district_code", "commune_code", *forms.TABLES[tid].value_fields, "source_file", "sheet", "row"]


def _field_kinds(tid: str) -> dict[str, str]:
    table = forms.TABLES[tid]
    return {f.name: f.kind for lay in table.layouts for f in lay.fields if f.name in table.value_fields}


def _tidy(tid: str, returns: list[Return], cycle: Cycle) -> pd.DataFrame:
    rows = []
    for ret in returns:
        for rec in ret.tables[tid].records:
            rows.append({"cycle": cycle.id, "district_code": ret.district.code, "source_file": ret.file,
                         **{k: rec.get(k) for k in ("commune_code", *forms.TABLES[tid].value_fields, "sheet", "row")}})
    frame = pd.DataFrame(rows, columns=table_columns(tid))
    dtypes = {"cycle": "string", "district_code": "string", "commune_code": "string", "source_file": "string",
              "sheet": "string", "row": "Int64"}
    dtypes |= {f: FIELD_DTYPES.get(k, "string") for f, k in _field_kinds(tid).items()}
    if tid == "kdc":
        dtypes |= {"kdc_total": "Int64", "kdc_registered": "Int64", "kdc_meeting": "Int64"}
    return frame.astype(dtypes)
