"""Processed frames written as Parquet come back with their pandas dtypes; reading a cycle needs
neither pandas nor pyarrow (a pool's workers start without them)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from antt.store.frames import arrow_schema, write_parquet
from antt.check.cycle import few_collections
from antt.store.schema import FRAME_DTYPES


@pytest.mark.parametrize("name", list(FRAME_DTYPES))
def test_frames_read_back_with_their_dtypes(name, tmp_path):
    path = tmp_path / f"{name}.parquet"
    write_parquet(pa.Table.from_pylist([], schema=arrow_schema(name)), path)
    frame = pd.read_parquet(path)
    assert {c: str(t) for c, t in frame.dtypes.items()} == FRAME_DTYPES[name]


READ_WITHOUT_PANDAS = """
import sys
from antt import cli
from antt.store import ingest
from antt.check.cycle import load_cycle
data = load_cycle(sys.argv[1], "2023-H1", workers=1)
assert data.rows["kdc"], "no rows read"
print(sorted(m for m in ("pandas", "pyarrow", "numpy") if m in sys.modules))
"""


def test_reading_a_cycle_imports_neither_pandas_nor_pyarrow():
    raw = Path(__file__).resolve().parents[2] / "data" / "raw"
    out = subprocess.run([sys.executable, "-c", READ_WITHOUT_PANDAS, str(raw)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_fewer_collections_while_reading_then_the_collector_as_before():
    before = gc.get_threshold()
    with few_collections():
        reading = gc.get_threshold()
        assert reading[0] > before[0] and gc.get_freeze_count() > 0
        with few_collections():          # nested (a pool worker of ingest): the outer one stays in force
            pass
        assert gc.get_threshold() == reading and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
