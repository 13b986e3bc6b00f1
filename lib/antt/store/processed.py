"""Processed data read back: which cycles are there, and one frame of a cycle as pandas.

What notebooks and exports use (through ``antt.analyse``); it imports no reader. A cycle folder
left between the two renames of a killed ingest is put back before it is listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from antt.core.atomic import recover_dir
from antt.core.cycles import Cycle, parse_cycle
from antt.store.schema import FRAMES

if TYPE_CHECKING:
    import pandas as pd


def processed_cycles(out_dir: Path) -> list[Cycle]:
    """The cycles with a complete folder under ``out_dir``, oldest first."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    for p in out_dir.iterdir():
        if p.name.startswith(".") and p.name.endswith(".old"):
            recover_dir(out_dir / p.name[1:-4])
    return sorted(parse_cycle(p.name) for p in out_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file())


def frame_path(out_dir: Path, cycle: Cycle | str, name: str) -> Path:
    """Where a processed frame of a cycle is (a table id, or findings/files/completeness/accounts/districts)."""
    if name not in FRAMES:
        raise ValueError(f"unknown frame {name!r}; one of {', '.join(FRAMES)}")
    return Path(out_dir) / (cycle.id if isinstance(cycle, Cycle) else cycle) / f"{name}.parquet"


def read_frame(out_dir: Path, cycle: Cycle | str, name: str) -> pd.DataFrame:
    """One processed frame of a cycle, with its pandas dtypes."""
    from antt.store.frames import read_parquet     # pandas: only when a frame is read

    return read_parquet(frame_path(out_dir, cycle, name))
