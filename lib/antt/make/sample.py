"""Deterministic sample returns: one workbook per reporting unit per cycle, as units send them.

``write_sample(out_dir, cycles, province)`` writes ``out_dir/<cycle>/<file>`` for every unit that
reports for the territory in each cycle (``core.territory``: "75" is Đồng Nai today and former Bình
Phước and Đồng Nai before the 2025 reform; "70" is Bình Phước before and its 40 communes after;
``"all"`` the country; by default the configured province) and the generator's record
``out_dir/sample_manifest.json`` (outside the cycle folders, so loaders never see it). A cycle's
reporting level (``core.cycles.reporting_level``) says who reports: district returns
(``antt.make.jobs``) before March 2025, commune returns (``antt.make.commune_jobs``) from then on.
``DEFAULT_CYCLES`` for Đồng Nai is the bundled sample: Bình Phước's 2022-H1, 2022 and 2023-H1
returns (fitted to the published figures), former Đồng Nai's for the same cycles, and the 95
communes' returns of 2025 and 2026-H1. The record per cycle is ``antt.make.record``'s.

Nothing depends on the clock, the machine or Python's ``hash()``: the files are byte-identical from
run to run. Writes are atomic (temporary name in the same folder, then ``os.replace``). Runs of 60
returns or more use a process pool (fork, up to 4 workers); a commune's truth reads its former
districts' states, which each worker keeps once computed.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from antt.core import config, territory, units
from antt.core.cycles import parse_cycle, reporting_level
from antt.make.commune_jobs import CommuneJob, commune_cycle_jobs, run_commune_job
from antt.make.jobs import Job, atomic_write, cycle_jobs, run_job
from antt.make.record import area_changes, cycle_record
from antt.make.truth import anchor_bases

MANIFEST_NAME = "sample_manifest.json"
MANIFEST_VERSION = 2
POOL_MIN_JOBS = 60                 # below this one process is faster than a pool
DEFAULT_CYCLES = ("2022-H1", "2022", "2023-H1", "2025", "2026-H1")


def run(job: Job | CommuneJob) -> dict:
    """Write one job's files (a district's or a commune's return); its entry of the record."""
    return run_commune_job(job) if isinstance(job, CommuneJob) else run_job(job)


def write_sample(out_dir: Path, cycles: list[str] | tuple[str, ...] = DEFAULT_CYCLES,
                 province: str | None = None) -> dict:
    """Write sample returns for ``cycles`` into ``out_dir/<cycle>/`` and return the manifest.

    ``province`` is a scope code (a current or former province, or ``"all"``); None is the
    configured province. The manifest (also written to ``out_dir/sample_manifest.json``; cycles of
    an earlier run for the same scope are kept, and files of theirs this run does not write again are
    removed) holds per cycle the record of ``antt.make.record``.
    """
    out_dir = Path(out_dir)
    province = province or config.PROVINCE_CODE
    scope = territory.resolve(province)
    parsed = sorted({parse_cycle(c) for c in cycles})
    expected = {}
    for cycle in parsed:
        expected[cycle] = scope.expected_units(cycle)
        if not expected[cycle]:
            raise ValueError(f"no reporting units in {province!r} for cycle {cycle.id}")
    all_jobs: list[Job | CommuneJob] = []
    for cycle in parsed:
        (out_dir / cycle.id).mkdir(parents=True, exist_ok=True)
        if reporting_level(cycle) == "district":
            all_jobs += cycle_jobs(out_dir, cycle, expected[cycle])
        else:
            all_jobs += commune_cycle_jobs(out_dir, cycle, expected[cycle])[0]
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
        entries = [r for j, r in zip(all_jobs, results) if j.cycle == cycle.id]
        entry = cycle_record(cycle, province, expected[cycle], entries)
        previous = manifest["cycles"].get(cycle.id)
        if previous:            # files of an earlier run of this cycle that this run did not write again
            now = {f["file"] for f in entry["files"]}
            for f in previous.get("files", []):
                if f["file"] not in now and (out_dir / f["file"]).is_file():
                    (out_dir / f["file"]).unlink()
        manifest["cycles"][cycle.id] = entry
    manifest["cycles"] = dict(sorted(manifest["cycles"].items(), key=lambda kv: parse_cycle(kv[0])))
    area_changes(manifest["cycles"])
    atomic_write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def _run_all(jobs: list[Job | CommuneJob]) -> list[dict]:
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < POOL_MIN_JOBS or workers < 2:
        return [run(j) for j in jobs]
    import multiprocessing
    units.legacy()                     # loaded once, inherited by the workers
    if any(isinstance(j, CommuneJob) for j in jobs):
        units.current()
        units.crosswalk(units.legacy(), units.current())
        territory.predecessors("")     # the crosswalk's reverse index, built once before the fork
    anchor_bases()
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(run, jobs, chunksize=8))
