"""The abstract workbook both generators build and the writers turn into files.

An ``XBook`` is a list of ``XSheet``: cells by 0-based (row, column), each with a value, an optional
formula (its value is then the cached result, or None for none) and the name of a ``Style`` of the
book's style table; merged ranges, column widths and row heights. A template also carries what an
input form needs (fills, unlocked cells, data validation, protection, frozen panes, a page setup);
only the openpyxl writer writes those, the others refuse such a book rather than drop them. Nothing
here knows the return form or a file format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: The date of every zip entry a writer writes (writers never read the clock).
FIXED_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Style:
    """How a cell looks: font (the book's font; ``caps`` cells its capitals font), alignment,
    border, number format, fill and protection."""

    size: int = 12
    bold: bool = False
    italic: bool = False
    underline: bool = False
    align: str | None = None          # left | center | right
    valign: str | None = "center"
    wrap: bool = False
    indent: int = 0
    border: bool = False
    num: str | None = None            # number format, e.g. "#,##0"
    fill: str | None = None           # RGB, e.g. "D9E1F2"
    unlocked: bool = False            # an input cell of a protected sheet


@dataclass
class XCell:
    v: object = None               # str | int | float | None
    style: str = "text"
    formula: str | None = None     # "=SUM(C9:C20)"; ``v`` is the value it computes
    caps: bool = False             # TCVN3 typed with the .VnTimeH font


@dataclass(frozen=True)
class Validation:
    """A data validation over ``ref`` ("C10:C25"), as in Excel's dialog."""

    ref: str
    type: str                      # custom | whole | list
    formula1: str
    formula2: str | None = None
    operator: str | None = None    # between, for whole
    title: str = ""
    error: str = ""
    prompt: str = ""


@dataclass(frozen=True)
class Protection:
    """A protected sheet (no password); people may still widen columns and rows when allowed."""

    format_columns: bool = False
    format_rows: bool = False


@dataclass(frozen=True)
class Page:
    """Printing: A4, orientation, fit to ``fit_width`` x ``fit_height`` pages (0: as many as needed),
    margins in inches (left, right, top, bottom), the rows repeated on every page (first, last)."""

    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 1
    center: bool = True
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.6, 0.6)
    title_rows: tuple[int, int] | None = None


class XSheet:
    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], XCell] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.hidden = False
        self.validations: list[Validation] = []
        self.protection: Protection | None = None
        self.freeze: tuple[int, int] | None = None      # the first unfrozen (row, column)
        self.page: Page | None = None

    def put(self, r: int, c: int, v, style: str = "text", formula: str | None = None) -> XCell:
        cell = XCell(v, style, formula)
        self.cells[(r, c)] = cell
        return cell

    def merge(self, r1: int, c1: int, r2: int, c2: int, v, style: str) -> XCell:
        """The range's first cell holds the value; the others are blank in the same style."""
        cell = self.put(r1, c1, v, style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.cells[(r, c)] = XCell(None, style)
        return cell

    @property
    def nrows(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1

    @property
    def ncols(self) -> int:
        return max((c for _, c in self.cells), default=-1) + 1

    @property
    def is_form(self) -> bool:
        """Whether the sheet carries input-form features (validation, protection, panes, page)."""
        return bool(self.validations) or self.protection is not None or self.freeze is not None \
            or self.page is not None


@dataclass
class XBook:
    sheets: list[XSheet]
    created: datetime
    author: str
    styles: dict[str, Style]
    title: str | None = None
    font: str = "Times New Roman"
    caps_font: str = "Times New Roman"


def col_letter(c: int) -> str:
    """0-based column -> "A", "Z", "AA"."""
    s, c = "", c + 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return s


def a1(r: int, c: int) -> str:
    """0-based (row, col) -> "C12"."""
    return f"{col_letter(c)}{r + 1}"

