"""Processed data: every cycle under the raw folder -> ``<out>/<cycle>/<table id>.parquet`` and friends.

A cycle folder holds ``kdc, ntm, models, outreach, bright_spots, findings, files, completeness,
accounts, districts`` as Parquet and ``manifest.json`` (input hash, layouts). A cycle is written
into a temporary folder beside its final one and swapped in by rename, so a killed run leaves the
previous data whole. A cycle is skipped when the content hashes of its files, of the previous
cycles it is compared with, and of the code's version are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from antt import __version__
from antt.core import config, indicators, units
from antt.check import validate
from antt.core.atomic import commit_dir, flush, recover_dir, stage_dir
from antt.core.cycles import Cycle, cycles_in, parse_cycle, previous
from antt.core.findings import Finding
from antt.read.quiet import silence_stderr
from antt.check.cycle import CycleData, check_scope, cycle_files, few_collections, load_cycle, load_cycles
from antt.store.processed import frame_path
from antt.store.schema import FRAMES



def input_hash(raw_dir: Path, cycle: Cycle, scope: str, before: str = "") -> str:
    """Content hash of a cycle's inputs (file names and bytes), the scope, the code version, ``before``."""
    h = hashlib.sha256(f"{__version__}|{scope}|{before}".encode())
    for p in cycle_files(raw_dir, cycle):
        h.update(p.name.encode("utf-8", "surrogateescape"))
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


@dataclass
class Snapshot:
    """What a later cycle is compared with: unit values, heading layouts and residential areas."""

    cycle: Cycle
    level: str
    values: dict[str, dict[str, float | None]]
    signatures: dict[str, dict[str, str]]
    areas: dict[str, list[str]]

    @classmethod
    def of(cls, data: CycleData) -> Snapshot:
        return cls(data.cycle, data.level, data.unit_values, data.signatures, data.areas)

    @classmethod
    def read(cls, out_dir: Path, cycle: Cycle) -> Snapshot:
        from antt.store.frames import read_rows

        manifest = json.loads((Path(out_dir) / cycle.id / "manifest.json").read_text(encoding="utf-8"))
        values = {r.pop("unit_code"): r for r in read_rows(frame_path(out_dir, cycle, "units"))}
        areas: dict[str, list[str]] = {}
        for r in read_rows(frame_path(out_dir, cycle, "kdc_areas")):
            areas.setdefault(r["commune_code"], []).append(r["area_key"])
        return cls(cycle, manifest["reporting_level"], values, manifest["signatures"], areas)

    def comparable(self, other: Snapshot | None) -> Snapshot | None:
        """``other`` when its units are the same kind of thing (same reporting level and hierarchy:
        codes are reused across the 2025 reform for other territories), else None."""
        if other is None or other.level != self.level or \
                units.hierarchy_on(other.cycle.end) is not units.hierarchy_on(self.cycle.end):
            return None
        return other


def history_findings(now: Snapshot, rows: dict[str, list[dict]], before: Snapshot | None,
                     before_same_kind: Snapshot | None) -> list[Finding]:
    """The findings that compare a cycle with the previous comparable ones (implausible moves,
    layouts, the residential areas of a commune)."""
    before, before_same_kind = now.comparable(before), now.comparable(before_same_kind)
    by_unit = {f["unit_code"]: f["file"] for f in rows["files"] if f["status"] == "loaded" and f["unit_code"]}
    extra = []
    if before is not None or before_same_kind is not None:
        extra += validate.compare_with_previous(
            now.values, before.values if before else {}, before_same_kind.values if before_same_kind else {},
            (before.cycle.id if before else None, before_same_kind.cycle.id if before_same_kind else None),
            by_unit, {k.name: k.label for k in indicators.SUMMARY_KEYS})
    if before is not None:
        extra += validate.layout_changes(now.signatures, before.signatures, by_unit)
        by_commune = {r["commune_code"]: r["source_file"] for r in rows["kdc_areas"]}
        extra += validate.area_changes(now.areas, before.areas, by_commune, before.cycle.id,
                                       units.hierarchy_on(now.cycle.end))
    return extra


def with_history(data: CycleData, before: Snapshot | None, before_same_kind: Snapshot | None) -> CycleData:
    """``data`` with the findings of the comparison with the previous cycles added."""
    extra = history_findings(Snapshot.of(data), data.rows, before, before_same_kind)
    if extra:
        data.add_findings(extra)
    return data


def load_with_history(raw_dir: Path, cycle: Cycle | str, scope: str = config.PROVINCE_CODE) -> CycleData:
    """``load_cycle`` plus the comparison with the previous cycle(s) present under ``raw_dir``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    present = cycles_in(raw_dir)
    prev, prev_kind = previous(cycle, present), previous(cycle, present, same_kind=True)
    loaded = load_cycles(raw_dir, sorted({c for c in (cycle, prev, prev_kind) if c is not None}), scope)
    snap = lambda c: Snapshot.of(loaded[c]) if c is not None else None
    return with_history(loaded[cycle], snap(prev), snap(prev_kind))


@dataclass
class Outcome:
    cycle: str
    action: str          # written | skipped
    files: int
    errors: int


def stage(data: CycleData, out_dir: Path) -> Path:
    """Write every frame of a cycle except the findings into a staging folder beside its final one."""
    from antt.store.frames import to_arrow, write_parquet  # pandas and pyarrow load here, while a pool reads

    folder = stage_dir(Path(out_dir) / data.cycle.id)
    for name in FRAMES:
        if name != "findings":
            write_parquet(to_arrow(name, data.rows[name]), folder / f"{name}.parquet")
    return folder


def finish(data: CycleData, folder: Path, digest: str) -> None:
    """Findings and manifest into the staging folder: the cycle is ready to take its final place."""
    from antt.store.frames import to_arrow, write_parquet

    write_parquet(to_arrow("findings", data.rows["findings"]), folder / "findings.parquet")
    manifest = {"cycle": data.cycle.id, "scope": data.scope, "reporting_level": data.level, "input_hash": digest,
                "version": __version__, "signatures": data.signatures}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def publish(ready: list[tuple[Path, Path]]) -> None:
    """Finished staging folders onto the disk at once (a sync per file cost 15 ms a cycle), then each
    in the place of its final folder: ``(staging folder, final folder)`` pairs."""
    flush(tmp for tmp, _ in ready)
    for tmp, final in ready:
        commit_dir(tmp, final)


def ingest(raw_dir: Path, out_dir: Path, force: bool = False, scope: str = config.PROVINCE_CODE,
           workers: int | None = None) -> list[Outcome]:
    """Every cycle under ``raw_dir`` into ``out_dir``, oldest first; unchanged cycles are skipped.

    Each changed cycle is read (see ``_loaded``) and staged, then gets the comparisons with the earlier
    cycles (from their snapshots; an unchanged one's is read back from disk). When all are ready
    they are flushed to the disk at once and each takes the place of its previous folder.
    """
    with few_collections():
        return _ingest(Path(raw_dir), Path(out_dir), force, scope, workers or (os.cpu_count() or 1))


def _ingest(raw_dir: Path, out_dir: Path, force: bool, scope: str, workers: int) -> list[Outcome]:
    out_dir.mkdir(parents=True, exist_ok=True)
    present = cycles_in(raw_dir)
    hashes: dict[Cycle, str] = {}
    changed = []
    for cycle in present:
        prev, prev_kind = previous(cycle, present), previous(cycle, present, same_kind=True)
        digest = hashes[cycle] = input_hash(raw_dir, cycle, scope, "|".join(hashes.get(c, "") for c in (prev, prev_kind)))
        recover_dir(out_dir / cycle.id)
        manifest = out_dir / cycle.id / "manifest.json"
        if force or not manifest.is_file() or json.loads(manifest.read_text())["input_hash"] != digest:
            changed.append(cycle)
    for c in changed:
        check_scope(c, scope)
    snapshots: dict[Cycle, Snapshot] = {}

    def snapshot(c: Cycle | None) -> Snapshot | None:
        if c is None:
            return None
        if c not in snapshots:                  # an unchanged cycle: read back from disk
            snapshots[c] = Snapshot.read(out_dir, c)
        return snapshots[c]

    written: dict[Cycle, Outcome] = {}
    ready: list[tuple[Path, Path]] = []          # (staging folder, final folder)
    # Oldest first, each finished as soon as it is staged: the cycles it is compared with are done.
    for data in _loaded(raw_dir, changed, scope, workers):
        cycle = data.cycle
        folder = stage(data, out_dir)
        snapshots[cycle] = Snapshot.of(data)
        data = with_history(data, snapshot(previous(cycle, present)),
                            snapshot(previous(cycle, present, same_kind=True)))
        finish(data, folder, hashes[cycle])
        ready.append((folder, out_dir / cycle.id))
        written[cycle] = Outcome(cycle.id, "written", len(data.rows["files"]),
                                 sum(f["severity"] == "error" for f in data.rows["findings"]))
    publish(ready)
    return [written.get(c) or Outcome(c.id, "skipped", len(cycle_files(raw_dir, c)), -1) for c in present]


def _loaded(raw_dir: Path, cycles: list[Cycle], scope: str, workers: int) -> Iterator[CycleData]:
    """The cycles read and assembled, in order. Many cycles: a process pool over cycles, each worker
    reading one (results stream back in order while this process writes). A few: a pool over their
    files."""
    if len(cycles) >= 2 * workers > 2:
        with ProcessPoolExecutor(max_workers=workers, initializer=silence_stderr) as pool:
            yield from pool.map(_load_cycle, [(raw_dir, c.id, scope) for c in cycles])
    else:
        yield from load_cycles(raw_dir, cycles, scope, workers, while_reading=_frames_module).values()


def _frames_module():
    """pandas and pyarrow, loaded while a pool reads (about half a second)."""
    return import_module("antt.store.frames")


def _load_cycle(args) -> CycleData:
    raw_dir, cycle_id, scope = args
    return load_cycle(raw_dir, cycle_id, scope, workers=1)
