"""Load a whole cycle folder: every file read and validated, resubmissions settled, tidy rows built.

``load_cycle(raw_dir, cycle, scope)`` -> ``CycleData`` with the rows of every processed frame
(``antt.store.schema``): one row per record of each table (cycle, unit_code, district_code,
commune_code, the canonical fields, source_file, sheet, row), the residential areas, the findings,
a status per file, the completeness matrix of the expected reporting units, an account of every
non-empty row of every table, and the values of the keys per unit and per commune.

Who reports is the cycle's reporting level over the scope's territory (``core.territory``). A return
of the other level is read too and nothing is counted twice: at commune level a district's return
covers its communes, and a commune's own return wins over its district's rows for that commune
(``unit_overlap``); at district level a commune's own return replaces that commune's rows in its
district's return. Returns of units of the configured province outside a narrower scope (Đồng Nai's
districts when the scope is Bình Phước) are left out of that scope's cycle.
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

from antt.core import config, forms, indicators, territory, units
from antt.check import validate
from antt.core.cycles import Cycle, parse_cycle, reporting_level
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
    level: str                                  # the cycle's reporting level: district | commune
    rows: dict[str, list[dict]]                 # frame name (see antt.store.schema) -> rows
    completeness: dict[str, dict[str, str]]     # expected unit code -> table id -> status
    unit_values: dict[str, dict[str, float | None]]      # unit code -> the 15 keys (None = null)
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)   # unit -> table -> layout
    areas: dict[str, list[str]] = field(default_factory=dict)   # commune -> its residential areas (keys)

    def add_findings(self, items: list[Finding]) -> None:
        self.rows["findings"] = finding_rows([*map(_as_finding, self.rows["findings"]), *items])

    @property
    def units_expected(self) -> list[str]:
        return list(self.completeness)

    @property
    def units_reporting(self) -> list[str]:
        return [c for c, row in self.completeness.items() if "received" in row.values()]


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
    against = read_scope(scope) if cycles else scope
    jobs = [(p, raw_dir, c.id, against) for c in cycles for p in cycle_files(raw_dir, c)]
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
    """A scope must be a territory (``core.territory.resolve``) whose reporting units exist in the
    cycle (ValueError in Vietnamese otherwise)."""
    if not territory.resolve(scope).expected_units(cycle):
        raise ValueError(f"kỳ {cycle.id}: {territory.resolve(scope).name} không có đơn vị báo cáo")


def read_scope(scope: str) -> str:
    """The territory files are read against: the configured province's when ``scope`` lies inside it
    (its other units' returns are then out of the scope's view, not of another province), else
    ``scope`` itself."""
    if scope == "all":
        return scope
    own, wanted = territory.resolve(config.PROVINCE_CODE), territory.resolve(scope)
    inside = {p.code for p in wanted.former_provinces(None)} <= {p.code for p in own.former_provinces(None)}
    return config.PROVINCE_CODE if inside and not own.country else scope


def load_cycle(raw_dir: Path, cycle: Cycle | str, scope: str = config.PROVINCE_CODE, workers: int | None = None) -> CycleData:
    """Read, validate and assemble every file of ``raw_dir/<cycle>``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    return load_cycles(raw_dir, [cycle], scope, workers)[cycle]


def assemble(cycle: Cycle, scope: str, returns: list[Return]) -> CycleData:
    """Resubmissions settled, completeness, tidy rows and unit values of one cycle's returns."""
    h = units.hierarchy_on(cycle.end)
    level = reporting_level(cycle)
    land = territory.resolve(scope)
    expected = land.expected_units(cycle)
    returns = [r for r in returns if r.unit is None or land.contains(r.unit, h)]
    superseded = validate.supersede(returns)
    counted = [r for r in returns if r.status == "loaded" and r.file not in superseded]
    unit_of = _unit_of(expected, level, h)
    rejected = {r.unit.code for r in returns if r.status == "rejected" and r.unit is not None}
    sources = _sources(counted, unit_of, h)
    matrix = validate.completeness(expected, level, counted, sources, rejected, h)
    order = list(forms.TABLES)
    rows: dict[str, list[dict]] = {tid: [] for tid in forms.TABLES}
    rows["kdc_areas"] = []
    district_of = {c: _district_of(c, h) for c in unit_of}
    for ret in counted:                      # in file order, each table's rows in sheet order
        for tid, read in ret.tables.items():
            if read.empty:
                continue
            mine = sources[tid]
            fields = (*forms.TABLES[tid].value_fields, "sheet", "row")
            rows[tid] += [{"cycle": cycle.id, "unit_code": unit_of[c], "district_code": district_of[c],
                           "commune_code": c, "source_file": ret.file, **{k: r.get(k) for k in fields}}
                          for r in read.records if mine.get(c := r["commune_code"]) is ret]
            if tid == "kdc":
                rows["kdc_areas"] += [_area_row(cycle, unit_of[a["commune_code"]], ret, a) for a in read.areas
                                      if mine.get(a["commune_code"]) is ret]
    rows["findings"] = finding_rows([f for r in returns for f in r.findings])
    rows["files"] = [{"file": r.file, "status": "superseded" if r.file in superseded else r.status,
                      "unit_code": r.unit.code if r.unit else None, "level": r.level,
                      "tables": sorted(r.tables, key=order.index), "sha256": r.sha256,
                      "report_date": r.report_date, "format": r.format} for r in returns]
    rows["completeness"] = [{"unit_code": u, **row} for u, row in matrix.items()]
    rows["accounts"] = [{"file": r.file, "table": tid, "sheet": t.sheet, **{c: t.account.get(c, 0) for c in forms.ROW_CLASSES}}
                        for r in returns for tid, t in r.tables.items()]
    by = indicators.values_by(rows, {"unit_code": matrix,
                                     "commune_code": {c: matrix[u] for c, u in unit_of.items()}})
    values = by["unit_code"]
    rows["units"] = [{"unit_code": u, **v} for u, v in values.items()]
    rows["communes"] = [{"commune_code": c, "unit_code": unit_of[c], **v} for c, v in by["commune_code"].items()]
    signatures = {r.unit.code: {tid: t.signature for tid, t in r.tables.items()} for r in counted}
    areas = {}
    for row in rows["kdc_areas"]:
        areas.setdefault(row["commune_code"], []).append(row["area_key"])
    return CycleData(cycle, scope, level, rows, matrix, values, signatures, areas)


def _unit_of(expected: list[units.Unit], level: str, h: units.Hierarchy) -> dict[str, str]:
    """Commune code -> the expected unit it counts for (itself at commune level, its district else)."""
    if level == units.COMMUNE:
        return {u.code: u.code for u in expected}
    return {c.code: d.code for d in expected for c in h.communes(d.code)}


def _sources(counted: list[Return], unit_of: dict[str, str], h: units.Hierarchy) -> dict[str, dict[str, Return]]:
    """Table id -> commune -> the return whose rows count for that commune: the commune's own return
    when it has the table, else its district's (``unit_overlap`` when both have rows for it)."""
    out: dict[str, dict[str, Return]] = {tid: {} for tid in forms.TABLES}
    own = {r.unit.code: r for r in counted if r.level == units.COMMUNE}
    for ret in counted:
        if ret.level == units.COMMUNE:
            covered = [ret.unit.code]
        else:
            covered = [c.code for c in h.communes(ret.unit.code)]
        covered = [c for c in covered if c in unit_of]
        for tid in ret.tables:
            # a district's rows of a commune that sent this table itself do not count
            theirs = {c for c in covered if c in own and tid in own[c].tables} if ret.level == units.DISTRICT else ()
            for c in theirs:
                if any(rec["commune_code"] == c for rec in ret.tables[tid].records):
                    ret.add("unit_overlap", ret.tables[tid].sheet, table=forms.TABLES[tid].label,
                            found=h.unit(c).name, winner=own[c].file)
            out[tid].update(dict.fromkeys((c for c in covered if c not in theirs), ret))
    return out


def _district_of(commune: str, h: units.Hierarchy) -> str | None:
    """The district a commune lies in (None after the reform: a commune's parent is its province)."""
    parent = h.unit(commune).parent
    return parent if h.unit(parent).level == units.DISTRICT else None


def _area_row(cycle: Cycle, unit: str, ret: Return, area: dict) -> dict:
    return {"cycle": cycle.id, "unit_code": unit, "source_file": ret.file,
            **{k: area[k] for k in ("commune_code", "area", "area_key", "registered", "meeting", "sheet", "row")}}


def finding_rows(items: list[Finding]) -> list[dict]:
    """Findings as rows, ordered by file, severity, sheet and row."""
    return sorted((f.as_dict() for f in items),
                  key=lambda f: (f["file"] or "", SEVERITY_ORDER[f["severity"]], f["sheet"] or "", f["row"] or 0))


def _as_finding(row: dict) -> Finding:
    return Finding(**row)
