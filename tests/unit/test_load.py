"""The Arrow schemas of the processed frames, built without pandas, are the ones pandas would write."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from antt.load import FRAME_DTYPES, arrow_schema


@pytest.mark.parametrize("name", list(FRAME_DTYPES))
def test_schema_is_what_pandas_writes(name):
    empty = pd.DataFrame({c: pd.array([], dtype=t) for c, t in FRAME_DTYPES[name].items()})
    expected = pa.Schema.from_pandas(empty, preserve_index=False)
    ours = arrow_schema(name)
    for column, dtype in FRAME_DTYPES[name].items():
        if dtype != "object":               # object columns (lists, dates) are typed by hand
            assert ours.field(column).type == expected.field(column).type, column
    assert json.loads(ours.metadata[b"pandas"]) == json.loads(expected.metadata[b"pandas"])


@pytest.mark.parametrize("name", list(FRAME_DTYPES))
def test_frames_read_back_with_their_dtypes(name, tmp_path):
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=arrow_schema(name)), path)
    frame = pd.read_parquet(path)
    assert {c: str(t) for c, t in frame.dtypes.items()} == FRAME_DTYPES[name]
