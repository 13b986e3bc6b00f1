"""python-calamine, the reader of every format's values: a workbook opened from the bytes already
read, a sheet's visibility, and its rows cleaned (calamine returns "" for an empty cell and a float
for every number)."""

from __future__ import annotations

import io
import itertools

from python_calamine import CalamineWorkbook, SheetVisibleEnum


def open_calamine(data: bytes) -> CalamineWorkbook:
    """The workbook in ``data`` (the bytes the guards checked: calamine parses that same buffer)."""
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def is_hidden(meta) -> bool:
    return meta.visible != SheetVisibleEnum.Visible


_FLOAT = float
_chain = itertools.chain.from_iterable


def clean(raw: list[list]) -> list[list]:
    """calamine rows -> None for "", int for whole floats; trailing empty rows dropped."""
    if not raw:
        return []
    width = len(raw[0])
    flat = [
        (int(v) if v.is_integer() else v) if v.__class__ is _FLOAT else (None if v == "" else v)
        for v in _chain(raw)
    ]
    if len(flat) != width * len(raw):  # ragged input (never seen from calamine): row by row
        rows = [[None if v == "" else v for v in r] for r in raw]
        rows = [[int(v) if v.__class__ is _FLOAT and v.is_integer() else v for v in r] for r in rows]
    else:
        rows = [flat[i : i + width] for i in range(0, len(flat), width)]
    while rows and rows[-1].count(None) == len(rows[-1]):
        rows.pop()
    return rows
