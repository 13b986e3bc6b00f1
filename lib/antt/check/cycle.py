"""Load a whole cycle folder: every file read and validated, resubmissions settled, tidy rows built.

``load_cycle(raw_dir, cycle)`` -> ``CycleData`` with the rows of every processed frame
(``antt.store.schema``): one row per record of each table (cycle, district_code, commune_code, the
canonical fields, source_file, sheet, row), the findings, a status per file, the completeness
matrix, an account of every non-empty row of every table, and the district values of the keys.
Large cycles are read by a process pool over files; small ones in this process.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from antt.core import config, forms, indicators, units
from antt.check import validate
from antt.core.cycles import Cycle, parse_cycle
from antt.core.findings import SEVERITY_ORDER, Finding
from antt.read.quiet import silence_stderr
from antt.read.returns import Return, load_return

POOL_MIN_FILES = 40          # below this a pool costs more than it saves

@dataclass
class CycleData:
    """A cycle read and assembled: plain rows per processed frame (``antt.store.frames`` makes them
    Arrow tables and pandas frames)."""

    cycle: Cycle
    scope: str
    rows: dict[str, list[dict]]                 # frame name (see FRAME_DTYPES) -> rows
    completeness: dict[str, dict[str, str]]     # district code -> table id -> status
    district_values: dict[str, dict[str, float | None]]     # district code -> the 15 keys (None = null)
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)   # district -> table -> layout

    def add_findings(self, items: list[Finding]) -> None:
        self.rows["findings"] = finding_rows([*map(_as_finding, self.rows["findings"]), *items])

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


_FEW_COLLECTIONS = (50_000, 20, 20)


@contextmanager
def few_collections():
    """Fewer garbage collections while returns are read and written (a pool's workers inherit it).
    Reading makes many short-lived lists and dicts and next to no reference cycles; with the default
    thresholds the collector took about 6 % of an archive's CPU time scanning what survives."""
    before = gc.get_threshold()
    if before == _FEW_COLLECTIONS:       # in force already: an enclosing call, or this worker's parent
        yield
        return
    gc.freeze()                           # what is loaded already (modules, units) is never scanned
    gc.set_threshold(*_FEW_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def load_cycles(raw_dir: Path, cycles: list[Cycle], scope: str = config.PROVINCE_CODE, workers: int | None = None,
                while_reading: Callable[[], object] | None = None) -> dict[Cycle, CycleData]:
    """Read every file of several cycles (one process pool for all when it pays) and assemble each.
    ``while_reading`` is called once the pool has its jobs (a caller loads what it needs next)."""
    with few_collections():
        return _load_cycles(Path(raw_dir), cycles, scope, workers, while_reading)


def _load_cycles(raw_dir: Path, cycles: list[Cycle], scope: str, workers: int | None,
                 while_reading: Callable[[], object] | None) -> dict[Cycle, CycleData]:
    for c in cycles:
        check_scope(c, scope)
    jobs = [(p, raw_dir, c.id, scope) for c in cycles for p in cycle_files(raw_dir, c)]
    workers = workers or (os.cpu_count() or 1)
    if len(jobs) < POOL_MIN_FILES or workers < 2:
        returns = [_read_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=silence_stderr) as pool:
            pending = pool.map(_read_one, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 4))))
            if while_reading is not None:
                while_reading()
            returns = list(pending)
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


def load_cycle(raw_dir: Path, cycle: Cycle | str, scope: str = config.PROVINCE_CODE, workers: int | None = None) -> CycleData:
    """Read, validate and assemble every file of ``raw_dir/<cycle>``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    return load_cycles(raw_dir, [cycle], scope, workers)[cycle]


def assemble(cycle: Cycle, scope: str, returns: list[Return]) -> CycleData:
    """Resubmissions settled, completeness, tidy rows and district values of one cycle's returns."""
    hierarchy = units.hierarchy_on(cycle.end)
    superseded = validate.supersede(returns)
    counted = [r for r in returns if r.status == "loaded" and r.file not in superseded]
    expected = hierarchy.districts_expected(scope)
    rejected = {r.district.code for r in returns if r.status == "rejected" and r.district is not None}
    matrix = validate.completeness(counted, expected, rejected - {r.district.code for r in counted}, hierarchy)
    order = list(forms.TABLES)
    rows: dict[str, list[dict]] = {
        tid: _rows(tid, [r for r in counted if tid in r.tables and not r.tables[tid].empty], cycle)
        for tid in forms.TABLES}
    rows["findings"] = finding_rows([f for r in returns for f in r.findings])
    rows["files"] = [{"file": r.file, "status": "superseded" if r.file in superseded else r.status,
                      "district_code": r.district.code if r.district else None,
                      "tables": sorted(r.tables, key=order.index), "sha256": r.sha256,
                      "report_date": r.report_date, "format": r.format} for r in returns]
    rows["completeness"] = [{"district_code": d, **row} for d, row in sorted(matrix.items())]
    rows["accounts"] = [{"file": r.file, "table": tid, "sheet": t.sheet, **{c: t.account.get(c, 0) for c in forms.ROW_CLASSES}}
                        for r in returns for tid, t in r.tables.items()]
    values = indicators.district_values(rows, matrix)
    rows["districts"] = [{"district_code": d, **v} for d, v in values.items()]
    signatures = {r.district.code: {tid: t.signature for tid, t in r.tables.items()} for r in counted}
    return CycleData(cycle, scope, rows, matrix, values, signatures)


def finding_rows(items: list[Finding]) -> list[dict]:
    """Findings as rows, ordered by file, severity, sheet and row."""
    return sorted((f.as_dict() for f in items),
                  key=lambda f: (f["file"] or "", SEVERITY_ORDER[f["severity"]], f["sheet"] or "", f["row"] or 0))


def _as_finding(row: dict) -> Finding:
    return Finding(**row)


def _rows(tid: str, returns: list[Return], cycle: Cycle) -> list[dict]:
    fields = ("commune_code", *forms.TABLES[tid].value_fields, "sheet", "row")
    return [{"cycle": cycle.id, "district_code": ret.district.code, "source_file": ret.file,
             **{k: rec.get(k) for k in fields}} for ret in returns for rec in ret.tables[tid].records]
