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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__, forms, indicators, validate
from .atomic import atomic_dir, recover_dir
from .cycles import Cycle, cycles_in, parse_cycle, previous
from .load import CycleData, cycle_files, findings_frame, load_cycle

FRAMES = (*forms.TABLES, "findings", "files", "completeness", "accounts", "districts")


def input_hash(raw_dir: Path, cycle: Cycle, scope: str, before: str = "") -> str:
    """Content hash of a cycle's inputs (file names and bytes), the scope, the code version, ``before``."""
    h = hashlib.sha256(f"{__version__}|{scope}|{before}".encode())
    for p in cycle_files(raw_dir, cycle):
        h.update(p.name.encode())
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def with_history(data: CycleData, before: CycleData | None, before_same_kind: CycleData | None) -> CycleData:
    """Add the findings that compare a cycle with the previous ones (implausible moves, layouts)."""
    now = data.by_district()
    files = {d: f for f, d, s in data.files[["file", "district_code", "status"]].itertuples(index=False)
             if s == "loaded" and d is not None}
    extra = []
    if before is not None or before_same_kind is not None:
        as_dict = lambda cd: ({} if cd is None else
                              {d: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
                               for d, row in cd.by_district().iterrows()})
        values = {d: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()} for d, row in now.iterrows()}
        extra += validate.compare_with_previous(
            values, as_dict(before), as_dict(before_same_kind),
            (before.cycle.id if before else None, before_same_kind.cycle.id if before_same_kind else None), files,
            {k.name: k.label for k in indicators.SUMMARY_KEYS})
    if before is not None:
        extra += validate.layout_changes(data.signatures, before.signatures, files)
    if extra:
        data.findings = pd.concat([data.findings, findings_frame(extra)], ignore_index=True)
    return data


def load_with_history(raw_dir: Path, cycle: Cycle | str, scope: str = "70") -> CycleData:
    """``load_cycle`` plus the comparison with the previous cycle(s) present under ``raw_dir``."""
    cycle = parse_cycle(cycle) if isinstance(cycle, str) else cycle
    present = cycles_in(raw_dir)
    prev, prev_kind = previous(cycle, present), previous(cycle, present, same_kind=True)
    cache = {c: load_cycle(raw_dir, c, scope) for c in {prev, prev_kind} if c is not None}
    return with_history(load_cycle(raw_dir, cycle, scope), cache.get(prev), cache.get(prev_kind))


@dataclass
class Outcome:
    cycle: str
    action: str          # written | skipped
    files: int
    errors: int


def ingest(raw_dir: Path, out_dir: Path, force: bool = False, scope: str = "70") -> list[Outcome]:
    """Every cycle under ``raw_dir`` into ``out_dir``, oldest first; unchanged cycles are skipped."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    present = cycles_in(raw_dir)
    loaded: dict[Cycle, CycleData] = {}
    hashes: dict[Cycle, str] = {}
    outcomes = []

    def get(c: Cycle | None) -> CycleData | None:
        if c is not None and c not in loaded:
            loaded[c] = load_cycle(raw_dir, c, scope)
        return loaded.get(c) if c is not None else None

    for cycle in present:
        prev, prev_kind = previous(cycle, present), previous(cycle, present, same_kind=True)
        before = "|".join(hashes.get(c, "") for c in (prev, prev_kind))
        digest = hashes[cycle] = input_hash(raw_dir, cycle, scope, before)
        recover_dir(out_dir / cycle.id)
        manifest = out_dir / cycle.id / "manifest.json"
        if not force and manifest.is_file() and json.loads(manifest.read_text())["input_hash"] == digest:
            outcomes.append(Outcome(cycle.id, "skipped", len(cycle_files(raw_dir, cycle)), -1))
            continue
        data = with_history(get(cycle), get(prev), get(prev_kind))
        write_cycle(data, out_dir, digest)
        outcomes.append(Outcome(cycle.id, "written", len(data.files),
                                int((data.findings["severity"] == "error").sum())))
        # Only the cycles the next ones compare with stay in memory.
        for c in [c for c in loaded if c < (prev_kind or cycle) and c != prev]:
            del loaded[c]
    return outcomes


def write_cycle(data: CycleData, out_dir: Path, digest: str) -> Path:
    """All frames of a cycle into ``out_dir/<cycle>/``, atomically (temporary folder, then rename)."""
    final = Path(out_dir) / data.cycle.id
    with atomic_dir(final) as tmp:
        frames = dict(data.tables)
        frames["findings"] = data.findings
        frames["files"] = data.files
        frames["completeness"] = completeness_frame(data.completeness)
        frames["accounts"] = data.accounts
        frames["districts"] = data.by_district().reset_index()
        for name, frame in frames.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        manifest = {"cycle": data.cycle.id, "scope": data.scope, "input_hash": digest, "version": __version__,
                    "signatures": data.signatures}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for p in tmp.iterdir():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    return final


def completeness_frame(matrix: dict[str, dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"district_code": d, **row} for d, row in sorted(matrix.items())],
                        columns=["district_code", *forms.TABLES]).astype("string")


# ---------------------------------------------------------------------------------------------
# reading processed data (what notebooks and exports use)

def processed_cycles(out_dir: Path) -> list[Cycle]:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    for p in out_dir.iterdir():
        if p.name.startswith(".") and p.name.endswith(".old"):
            recover_dir(out_dir / p.name[1:-4])
    return sorted(parse_cycle(p.name) for p in out_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file())


def read_frame(out_dir: Path, cycle: Cycle | str, name: str) -> pd.DataFrame:
    """One processed frame of a cycle (a table id, or findings/files/completeness/accounts/districts)."""
    if name not in FRAMES:
        raise ValueError(f"unknown frame {name!r}; one of {', '.join(FRAMES)}")
    cid = cycle.id if isinstance(cycle, Cycle) else cycle
    return pd.read_parquet(Path(out_dir) / cid / f"{name}.parquet")


def read_summary_keys(out_dir: Path, cycle: Cycle | str) -> pd.DataFrame:
    """The district values of the 15 keys for a processed cycle (index district_code)."""
    return read_frame(out_dir, cycle, "districts").set_index("district_code")[[k.name for k in indicators.SUMMARY_KEYS]]
