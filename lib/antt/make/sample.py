"""Deterministic sample returns: one workbook per district per cycle, as district officers send them.

``write_sample(out_dir, cycles, province)`` writes ``out_dir/<cycle>/<file>`` for every district of
the province (``"all"``: every district of the country that has communes; by default the configured
province) and the generator's record ``out_dir/sample_manifest.json`` (outside the cycle folders, so
loaders never see it). Each return is one job: the district's truth at the cycle
(``antt.make.truth``), laid out in its house style (``styles``, ``district_return``) with its
faults (``faults``), written by its plan's writer (``writers``). Every cycle one district per province
sends its return twice (``…_lan2``, a later report date, a few numbers changed). Nothing depends on
the clock, the machine or Python's ``hash()``: the files are byte-identical from run to run. Writes
are atomic (temporary name in the same folder, then ``os.replace``). Runs of 60 returns or more use a
process pool (fork, up to 4 workers).
"""

from __future__ import annotations

import copy
import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from antt.core import config, units
from antt.core.atomic import atomic_path
from antt.core.cycles import Cycle, parse_cycle
from antt.core.findings import CODES
from antt.make.district_return import build_book
from antt.make.faults import FAULTS, Fault
from antt.make.layout import ReturnContext
from antt.make.styles import PLANS, ambiguous_communes, compact, deviations, file_name, province_plans
from antt.make.truth import (ANCHOR_PROVINCE, SUMMARY_KEYS, TABLE_KEYS, DistrictState, anchor_bases,
                             district_base, district_state)
from antt.make.writers import write_book

MANIFEST_NAME = "sample_manifest.json"
MANIFEST_VERSION = 1
POOL_MIN_JOBS = 60                 # below this one process is faster than a pool
#: Bình Phước: which district sends a second return in which cycle (others: seeded choice).
RESUBMIT = {"2022-H1": "698", "2022": "694", "2023-H1": "692"}
#: Value fields whose missing value leaves the summary key of the same name unknown.
SUMMED_FIELDS = frozenset({"kdc_total", "kdc_registered", "kdc_meeting", "cameras", "broadcast_hours",
                           "banners_posters", "bright_spots_upper", "bright_spots_commune", "core_groups",
                           "core_group_members"})


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


# ==================================================================================================
# One district, one cycle

@dataclass(frozen=True)
class Job:
    """One district's return for one cycle: the pool's unit of work (picklable)."""

    out_dir: str
    cycle: str
    district: str
    plan: int
    names: tuple[str, ...]          # one file, or (superseded, final) for a resubmission
    faults: tuple[Fault, ...]


def _report_day(cycle: Cycle, district: str, second: bool = False, first: bool = False) -> date:
    month = 6 if cycle.half_year else 12
    if second:
        return date(cycle.year, month, 18)
    if first:
        return date(cycle.year, month, 15)
    return date(cycle.year, month, 15 + int(district) % 4)


def _perturb(state: DistrictState) -> tuple[DistrictState, list[dict]]:
    """The superseded first return: the same, with three numbers that the second one corrects."""
    st = copy.deepcopy(state)
    diffs = []
    cs = st.communes
    c0 = cs[0]
    if c0.kdc_meeting > 0:
        c0.kdc_meeting -= 1
        for i, (a, reg, meet) in enumerate(c0.areas):
            if meet:
                c0.areas[i] = (a, reg, False)
                break
        diffs.append({"table": "kdc", "commune": c0.unit.code, "field": "kdc_meeting",
                      "superseded": c0.kdc_meeting, "final": c0.kdc_meeting + 1})
    c1 = cs[1 % len(cs)]
    c1.banners_posters += 7
    diffs.append({"table": "outreach", "commune": c1.unit.code, "field": "banners_posters",
                  "superseded": c1.banners_posters, "final": c1.banners_posters - 7})
    c2 = cs[2 % len(cs)]
    c2.core_group_members += 4
    diffs.append({"table": "bright_spots", "commune": c2.unit.code, "field": "core_group_members",
                  "superseded": c2.core_group_members, "final": c2.core_group_members - 4})
    return st, diffs


def _read_totals(state: DistrictState, faults: tuple[Fault, ...]) -> dict[str, int | None]:
    """The 15 keys as a loader should read them from the (final) return."""
    totals: dict[str, int | None] = dict(state.totals())
    if not state.models:  # Biểu 3 without a row is an empty table: not received (contract)
        totals.update(dict.fromkeys(TABLE_KEYS["models"]))
    for f in faults:
        if f.code == "table_missing":
            for k in TABLE_KEYS[f.table]:
                totals[k] = None
        elif f.code == "value_missing" and f.field in SUMMED_FIELDS:
            totals[f.field] = None
    return totals


def run_job(job: Job) -> dict:
    """Write the job's file(s); returns the district's entry of the manifest."""
    cycle = parse_cycle(job.cycle)
    base = district_base(job.district)
    plan = PLANS[job.plan]
    state = district_state(base, cycle)
    folder = Path(job.out_dir) / cycle.id
    amb = ambiguous_communes([c.unit for c in state.communes], base.unit)
    files = []
    located: list[dict] = []
    differences: list[dict] = []
    sheets: dict[str, str] = {}
    for k, name in enumerate(job.names):
        final = k == len(job.names) - 1
        resub = len(job.names) > 1
        st, diffs = (state, []) if final else _perturb(state)
        differences += diffs
        day = _report_day(cycle, job.district, second=resub and final, first=resub and not final)
        rel = f"{cycle.id}/{name}"
        ctx = ReturnContext(base, st, plan, cycle, base.unit, base.province, day,
                            list(job.faults) if final else [], amb)
        book, sheets_k = build_book(ctx, rel)
        data = write_book(book, plan.writer)
        _atomic_write(folder / name, data)
        if final:
            located += ctx.located
            sheets = sheets_k
        files.append({"file": rel, "status": "loaded" if final else "superseded", "format": plan.fmt,
                      "writer": plan.writer, "report_date": day.isoformat(), "bytes": len(data)})
    expected = []
    if len(job.names) > 1:
        expected.append({"code": "file_superseded", "severity": CODES["file_superseded"][0], "file": files[0]["file"],
                         "sheet": None, "cell": None, "row": None, "district_code": job.district,
                         "note": f"thay bằng {files[-1]['file']} (ngày báo cáo muộn hơn)"})
    if plan.tcvn3:
        for fi in files:
            expected.append({"code": "legacy_text_decoded", "severity": CODES["legacy_text_decoded"][0],
                             "file": fi["file"], "sheet": None, "cell": None, "row": None,
                             "district_code": job.district, "note": "TCVN3 (.VnTime, .VnTimeH)"})
    return {
        "district_code": job.district, "name": base.unit.name, "province_code": base.province.code,
        "plan": plan.key, "files": files, "sheets": sheets, "deviations": deviations(plan),
        "faults": located, "expected_info": expected, "superseded_differences": differences,
        "totals": _read_totals(state, job.faults), "true_totals": state.totals(),
    }


# ==================================================================================================
# The whole sample

def _scope(province: str) -> list[units.Unit]:
    h = units.legacy()
    if province != "all":
        try:
            h.unit(province)
        except KeyError:
            raise ValueError(f"unknown province code {province!r}") from None
    return h.districts_expected(province)


def cycle_jobs(out_dir: Path, cycle: Cycle, districts: list[units.Unit]) -> list[Job]:
    """The jobs of one cycle: per district its plan, file name(s) (unique in the folder; one
    resubmission per province) and faults."""
    h = units.legacy()
    by_province: dict[str, list[units.Unit]] = {}
    for d in districts:
        by_province.setdefault(d.parent, []).append(d)
    used: set[str] = set()
    jobs = []
    for prov, ds in by_province.items():
        plans = province_plans(prov, ds)
        if prov == ANCHOR_PROVINCE and cycle.id in RESUBMIT:
            resub = RESUBMIT[cycle.id]
        else:
            resub = random.Random(f"{cycle.id}-{prov}-resubmit").choice([d.code for d in ds])
        faults = FAULTS.get(cycle.id, ()) if prov == ANCHOR_PROVINCE else ()
        for d in ds:
            plan = PLANS[plans[d.code]]
            name = file_name(plan, d, cycle)
            if name.lower() in used:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}_{compact(h.unit(prov).short)}.{ext}"
            if name.lower() in used:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}_{d.code}.{ext}"
            used.add(name.lower())
            names: tuple[str, ...] = (name,)
            if d.code == resub:
                stem, dot, ext = name.rpartition(".")
                names = (name, f"{stem}_lan2.{ext}")
                used.add(names[1].lower())
            jobs.append(Job(str(out_dir), cycle.id, d.code, plans[d.code], names,
                             tuple(f for f in faults if f.district == d.code)))
    return jobs


def _sum_totals(by_district: dict[str, dict]) -> tuple[dict, dict]:
    totals, coverage = {}, {}
    for k in SUMMARY_KEYS:
        vals = [t[k] for t in by_district.values() if t[k] is not None]
        totals[k] = sum(vals)
        coverage[k] = len(vals)
    return totals, coverage


def write_sample(out_dir: Path, cycles: list[str], province: str | None = None) -> dict:
    """Write sample returns for ``cycles`` into ``out_dir/<cycle>/`` and return the manifest.

    ``province`` is a province code or ``"all"`` (every district of the country that has
    communes); None is the configured province. The manifest (also written to ``out_dir/sample_manifest.json``; cycles of an earlier
    run for the same province are kept) holds per cycle: per district the files, format, plan and
    deviations, the deliberate faults (file, sheet, cell, finding code) and the 15 summary keys as
    a loader should read them (superseded files excluded, null where a table or value is missing),
    and the province totals with their coverage.
    """
    out_dir = Path(out_dir)
    province = province or config.PROVINCE_CODE
    parsed = sorted({parse_cycle(c) for c in cycles})
    districts = _scope(province)
    if not districts:
        raise ValueError(f"no districts with communes in province {province!r}")
    all_jobs: list[Job] = []
    for cycle in parsed:
        (out_dir / cycle.id).mkdir(parents=True, exist_ok=True)
        all_jobs += cycle_jobs(out_dir, cycle, districts)
    results = _run_all(all_jobs)
    manifest_path = out_dir / MANIFEST_NAME
    manifest = {"generator": "antt.sample", "version": MANIFEST_VERSION, "province": province, "cycles": {}}
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            if old.get("province") == province and old.get("version") == MANIFEST_VERSION:
                manifest["cycles"] = old.get("cycles", {})
        except (ValueError, OSError):
            pass
    for cycle in parsed:
        rs = [r for j, r in zip(all_jobs, results) if j.cycle == cycle.id]
        previous = manifest["cycles"].get(cycle.id)
        by_district = {r["district_code"]: r for r in rs}
        totals, coverage = _sum_totals({c: r["totals"] for c, r in by_district.items()})
        entry = {
            "cycle": cycle.id, "period": {"start": cycle.start.isoformat(), "end": cycle.end.isoformat(),
                                          "label": cycle.label},
            "province_code": province, "districts_expected": len(districts), "districts_reporting": len(rs),
            "files": [f | {"district_code": r["district_code"]} for r in rs for f in r["files"]],
            "districts": by_district,
            "faults": [f for r in rs for f in r["faults"]],
            "expected_info": [e for r in rs for e in r["expected_info"]],
            "totals": totals, "coverage": coverage,
        }
        if province == "all":
            by_prov: dict[str, dict] = {}
            for c, r in by_district.items():
                by_prov.setdefault(r["province_code"], {})[c] = r["totals"]
            entry["by_province"] = {p: _sum_totals(ds)[0] for p, ds in sorted(by_prov.items())}
        # files of an earlier run of this cycle that this run did not write again
        if previous:
            now = {f["file"] for f in entry["files"]}
            for f in previous.get("files", []):
                if f["file"] not in now:
                    stale = out_dir / f["file"]
                    if stale.is_file():
                        stale.unlink()
        manifest["cycles"][cycle.id] = entry
    manifest["cycles"] = dict(sorted(manifest["cycles"].items(), key=lambda kv: parse_cycle(kv[0])))
    _atomic_write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def _run_all(jobs: list[Job]) -> list[dict]:
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < POOL_MIN_JOBS or workers < 2:
        return [run_job(j) for j in jobs]
    import multiprocessing
    units.legacy()                     # loaded once, inherited by the workers
    if any(units.legacy().unit(j.district).parent == ANCHOR_PROVINCE for j in jobs):
        anchor_bases()
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(run_job, jobs, chunksize=8))