"""Processed frames as Arrow tables, pandas frames and Parquet files, with the dtypes of ``schema``.

The one module of the read and ingest path that imports pandas and pyarrow (about half a second):
the processes of a pool start reading without them, the main process loads them while the pool
reads, and ``antt ingest`` with nothing changed never loads them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from antt.core import forms
from antt.store.schema import FRAME_DTYPES

if TYPE_CHECKING:
    from antt.check.cycle import CycleData

# A cycle's frames hold hundreds to a few thousand rows: dictionaries, statistics and compression
# cost a third of the time of writing such a file and save nothing worth having.
PARQUET_OPTIONS = {"use_dictionary": False, "write_statistics": False, "compression": "none"}
_OBJECT_TYPES = {("files", "tables"): pa.list_(pa.string()), ("files", "report_date"): pa.date32()}


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of a processed frame, carrying pandas' dtypes so they come back on reading."""
    empty = pd.DataFrame({c: pd.array([], dtype=t) for c, t in FRAME_DTYPES[name].items()})
    schema = pa.Schema.from_pandas(empty, preserve_index=False)
    for (frame, column), typ in _OBJECT_TYPES.items():
        if frame == name:
            schema = schema.set(schema.get_field_index(column), pa.field(column, typ))
    return schema


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Plain rows of a processed frame as an Arrow table."""
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def write_parquet(table: pa.Table, path: Path) -> None:
    """A table as a Parquet file, built in memory and written at once (the writer's many small
    writes and seeks are each a system call, which costs more than the encoding)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    with open(path, "wb") as f:
        f.write(sink.getvalue())


def read_rows(path: Path) -> list[dict]:
    """A Parquet file's rows as plain dicts."""
    return pq.read_table(path).to_pylist()


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as a pandas frame, with the dtypes it was written with."""
    return pd.read_parquet(path)


class CycleFrames:
    """A loaded cycle (``antt.check.cycle.CycleData``) with its frames as pandas: ``tables``,
    ``findings``, ``files``, ``accounts``, ``units`` (index unit_code; NA = null), any
    ``frame(name)``; every other attribute is the CycleData's."""

    def __init__(self, data: CycleData):
        self.data = data

    def __getattr__(self, name: str):
        return getattr(self.data, name)

    def arrow(self, name: str) -> pa.Table:
        return to_arrow(name, self.data.rows[name])

    def frame(self, name: str) -> pd.DataFrame:
        return self.arrow(name).to_pandas()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {tid: self.frame(tid) for tid in forms.TABLES}

    @property
    def findings(self) -> pd.DataFrame:
        return self.frame("findings")

    @property
    def files(self) -> pd.DataFrame:
        return self.frame("files")

    @property
    def accounts(self) -> pd.DataFrame:
        return self.frame("accounts")

    @property
    def units(self) -> pd.DataFrame:
        return self.frame("units").set_index("unit_code")
