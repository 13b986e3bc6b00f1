"""Writes that never leave a half-written file under a final name: temporary name beside it, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside ``final`` (keeping its suffix, so writers that look at it still
    work); when the block succeeds it replaces ``final`` with the usual permissions, else it is removed."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_dir(final: Path):
    """Yield a temporary folder beside ``final``; on success it takes the place of ``final``.
    What a killed earlier run left behind is put right first (``recover_dir``)."""
    recover_dir(final)
    tmp = stage_dir(final)
    try:
        yield tmp
        flush([tmp])
        commit_dir(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def stage_dir(final: Path) -> Path:
    """A new temporary folder beside ``final``, to be filled and then passed to ``commit_dir``."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    os.chmod(tmp, 0o777 & ~_UMASK)
    return tmp


def flush(folders: Iterable[Path]) -> None:
    """Everything written under ``folders`` onto the disk, so that no rename after this publishes a
    file still in memory: one ``sync`` of the disks where the system has it, else a sync per file."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for folder in folders:
        for p in Path(folder).rglob("*"):
            if p.is_file():
                with open(p, "rb") as f:
                    os.fsync(f.fileno())


def commit_dir(tmp: Path, final: Path) -> None:
    """Put the filled (and ``flush``ed) ``tmp`` in the place of ``final``. Between the two renames
    the previous folder waits as ``.<name>.old``; ``recover_dir`` puts it back after a run killed there."""
    final = Path(final)
    old = final.with_name(f".{final.name}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def recover_dir(final: Path) -> None:
    """Put back the previous folder left by a run killed between renames; drop stale temporaries."""
    final = Path(final)
    old = final.with_name(f".{final.name}.old")
    if not final.exists() and old.exists():
        os.replace(old, final)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
