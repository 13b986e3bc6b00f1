"""The house workbooks' xlsxwriter kit: the cell formats, a cell and a table written safely (numbers
as numbers, missing as blank, every string as text: a file name "=SUM(1)" never becomes a formula),
a sheet's heading, notes under a table, and a whole workbook written atomically from sheet writers.

Unit codes are written as text on purpose (official codes keep their width: "001" in Hà Nội), and
every sheet tells Excel so (no "number stored as text" warning). Numbers stay numbers with Excel's
own formats ("#,##0", "0.0%"): Excel shows them in the viewer's locale, and the analyst computes
with them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from antt.analyse.meta import MOVEMENT
from antt.analyse.view import CycleView
from antt.core.atomic import atomic_path
from antt.core.values import is_missing
from antt.publish.house_style import COMPLETENESS_COLORS, HEADING, OFFICE_FONT, PALETTE


@dataclass(frozen=True)
class Col:
    """A column of a sheet table: heading, kind (text, int, dec1, pct, date, status, severity) and width."""
    heading: str
    kind: str = "text"
    width: float = 14


class Formats:
    """The cell formats of one xlsxwriter workbook (created once, reused)."""
    def __init__(self, wb):
        base = {"font_name": OFFICE_FONT, "font_size": 10, "valign": "top"}
        cell = {**base, "border": 1, "border_color": "#BFBFBF"}
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 14, "font_color": HEADING})
        self.subtitle = add({**base, "italic": True, "font_color": PALETTE["subtle"]})
        self.header = add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "border_color": "#8EA9C1",
                           "text_wrap": True, "valign": "vcenter"})
        self.text = add({**cell, "text_wrap": True})
        self.int = add({**cell, "num_format": "#,##0"})
        self.dec1 = add({**cell, "num_format": "#,##0.0"})
        self.pct = add({**cell, "num_format": "0.0%"})
        self.date = add({**cell, "num_format": "dd/mm/yyyy", "align": "left"})
        self.bold_text = add({**cell, "bold": True})
        self.bold_int = add({**cell, "bold": True, "num_format": "#,##0"})
        self.bold_dec1 = add({**cell, "bold": True, "num_format": "#,##0.0"})
        self.bold_pct = add({**cell, "bold": True, "num_format": "0.0%"})
        self.status = {k: add({**cell, "bg_color": c, "font_color": "#FFFFFF" if k == "rejected" else PALETTE["text"],
                               "bold": k != "received", "align": "center"})
                       for k, c in COMPLETENESS_COLORS.items()}
        self.severity = {"error": add({**cell, "bold": True, "font_color": PALETTE["bad"]}),
                         "warning": add({**cell, "bold": True, "font_color": "#9C5700"}),
                         "info": add({**cell, "font_color": PALETTE["subtle"]})}
        #: a change with its sign ("+110", "-4", "+0.2%")
        self.signed = {"int": add({**cell, "num_format": "+#,##0;-#,##0;0"}),
                       "dec1": add({**cell, "num_format": "+#,##0.0;-#,##0.0;0.0"}),
                       "pct": add({**cell, "num_format": "+0.0%;-0.0%;0.0%"})}
        self.late = add({**cell, "bold": True, "bg_color": "#FBE3D6", "font_color": PALETTE["bad"]})

    def for_kind(self, kind: str, bold: bool = False):
        """The format of a cell of this kind (int, dec1, pct, date; else text)."""
        if bold:
            return {"int": self.bold_int, "dec1": self.bold_dec1, "pct": self.bold_pct}.get(kind, self.bold_text)
        return {"int": self.int, "dec1": self.dec1, "pct": self.pct, "date": self.date}.get(kind, self.text)


_MAX_XLSX_STRING = 32767
_LINE = 12.75                                    # points of a line of 10 pt text


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide (10 pt text)."""
    per_line = max(width * 1.2, 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def write_cell(ws, fm: Formats, r: int, c: int, value, kind: str = "text", fmt=None, bold: bool = False):
    """One cell: numbers as numbers, missing as blank, every string as text (never a formula or a link)."""
    fmt = fmt or fm.for_kind(kind, bold)
    if value is None or (not isinstance(value, str) and is_missing(value)):
        ws.write_blank(r, c, None, fmt)
    elif kind == "date" and isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day) if not isinstance(value, datetime)
                          else value, fmt)
    elif kind in ("int", "dec1", "pct") and not isinstance(value, str):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value)[:_MAX_XLSX_STRING], fmt)


def write_table(ws, fm: Formats, first_row: int, cols: Sequence[Col], rows: Sequence[Sequence], *,
                cell_formats: Callable[[int, int, object], object] | None = None, filter: bool = True) -> int:
    """A header row at ``first_row`` and the rows under it; widths set, header frozen, autofilter.
    ``cell_formats(i, j, value)`` may return a format for a cell. Returns the next free row."""
    for j, col in enumerate(cols):
        ws.write_string(first_row, j, col.heading, fm.header)
        ws.set_column(j, j, col.width)
    ws.set_row(first_row, 30 if max(len(c.heading) / max(c.width, 1) for c in cols) > 1 else 18)
    for i, row in enumerate(rows):
        for j, (col, value) in enumerate(zip(cols, row)):
            fmt = cell_formats(i, j, value) if cell_formats else None
            write_cell(ws, fm, first_row + 1 + i, j, value, col.kind, fmt)
        lines = max([_lines(v, c.width) for c, v in zip(cols, row) if c.kind == "text" and isinstance(v, str)],
                    default=1)
        if lines > 1:                            # wrapped text shown whole (not every reader fits the row)
            ws.set_row(first_row + 1 + i, _LINE * lines + 3)
    ws.freeze_panes(first_row + 1, 0)
    ws.repeat_rows(first_row)                    # printed: the header on every page
    if filter:
        ws.autofilter(first_row, 0, first_row + max(len(rows), 1), len(cols) - 1)
    return first_row + 1 + len(rows)


def sheet_head(ws, fm: Formats, view: CycleView, title: str, note: str = "") -> int:
    """The title (with the scope and the cycle) and the source line over a sheet's table, printed A4
    landscape one page wide; the first free row."""
    ws.write_string(0, 0, f"{title} — {view.scope_name}, {view.cycle.label} ({view.cycle.period_text})", fm.title)
    ws.write_string(1, 0, view.source + (". " + note if note else ""), fm.subtitle)
    ws.set_row(0, 22)
    ws.set_landscape()                           # printed: A4 landscape, as wide as one page
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})   # codes ("689", "26041") are text on purpose
    return 3


def write_notes(ws, fm: Formats, first_row: int, notes: Sequence[str]) -> int:
    """Note lines under a table (from ``first_row``, one a row, the subtitle's style); the next free row."""
    for i, note in enumerate(notes):
        ws.write_string(first_row + i, 0, note, fm.subtitle)
    return first_row + len(notes)


#: A sheet writer: adds its sheet to the workbook.
SheetWriter = Callable[[object, Formats, CycleView], None]


def write_workbook(view: CycleView, final: Path, sheets: Sequence[SheetWriter], title: str) -> Path:
    """An .xlsx of ``sheets`` at ``final``, written atomically; text never becomes a formula, a link
    or a number."""
    with atomic_path(final) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": False})
        try:
            wb.set_properties({"title": f"{title} — {view.scope_name}, {view.cycle.label}",
                               "subject": MOVEMENT, "comments": view.source})
            fm = Formats(wb)
            for writer in sheets:
                writer(wb, fm, view)
        finally:
            wb.close()
    return final
