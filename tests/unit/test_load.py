"""Processed frames written as Parquet come back with their pandas dtypes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from antt.frames import arrow_schema, write_parquet
from antt.load import FRAME_DTYPES


@pytest.mark.parametrize("name", list(FRAME_DTYPES))
def test_frames_read_back_with_their_dtypes(name, tmp_path):
    path = tmp_path / f"{name}.parquet"
    write_parquet(pa.Table.from_pylist([], schema=arrow_schema(name)), path)
    frame = pd.read_parquet(path)
    assert {c: str(t) for c, t in frame.dtypes.items()} == FRAME_DTYPES[name]
