"""The grid a workbook is read into: ``Sheet`` and ``Workbook`` (what ``read_workbook`` returns),
``WorkbookError`` and its codes, ``Limits``, A1 references, and ``set_cell`` for a cell outside
the range calamine returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ERROR_CODES = (
    "file_empty",
    "file_unreadable",
    "file_not_workbook",
    "file_encrypted",
    "file_too_large",
    "file_hostile",
)


@dataclass
class Sheet:
    name: str
    hidden: bool
    rows: list[list] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    fonts: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    unevaluated: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Workbook:
    path: Path
    format: str
    sheets: list[Sheet]


class WorkbookError(Exception):
    """The file cannot be read as a workbook.  ``code`` is one of ERROR_CODES, ``detail`` says why
    in Vietnamese."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.code, self.detail))


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 2**20
    max_part_bytes: int = 100 * 2**20
    max_total_bytes: int = 300 * 2**20
    max_ratio: int = 200
    max_rows: int = 20_000
    max_cols: int = 200
    max_cell_chars: int = 32_767


# ---------------------------------------------------------------------------------------------
# references
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1 << 16)
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> "A1"-style reference: cell_ref(12, 5) == "F13"."""
    return col_letters(col) + str(row + 1)


def col_letters(col: int) -> str:
    """0-based column -> its letters: 0 -> "A", 26 -> "AA"."""
    n = col + 1
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: bytes | str) -> int:
    """Column letters (any case) -> 0-based column: "AA" -> 26."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_COL_CACHE: dict[str, int] = {}


def col_of(letters: str) -> int:
    """``col_index`` of upper-case letters, remembered (a sheet names the same columns again and again)."""
    idx = _COL_CACHE.get(letters)
    if idx is None:
        idx = col_index(letters)
        if len(_COL_CACHE) < 100_000:
            _COL_CACHE[letters] = idx
    return idx


def short(exc: BaseException) -> str:
    """An exception's message on one line, at most 200 characters."""
    text = str(exc).replace("\n", " ").strip()
    return text[:200] if text else "lỗi không rõ"


def set_cell(rows: list[list], r: int, c: int, value) -> None:
    """Put a value at (r, c), widening or lengthening the (rectangular) grid as needed."""
    width = len(rows[0]) if rows else 0
    if c >= width:
        pad = c + 1 - width
        for row in rows:
            row.extend([None] * pad)
        width = c + 1
    while len(rows) <= r:
        rows.append([None] * width)
    rows[r][c] = value

