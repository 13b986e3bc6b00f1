"""What reading one return gives: ``Return`` (the file, its reporting unit and period, its tables,
its findings) and ``TableRead`` (one recognised table: the column of each field, its data and total
rows, its residential areas, the account of its rows); ``cell_of`` the cell of a field in a parsed row.

A record (``TableRead.records``) is a dict: ``commune_code``, ``commune`` (its name), ``sheet``,
``row`` (1-based), the table's canonical fields, and ``_columns`` (field -> column) and ``_kind``
(the commune's type). Rows per residential area (a commune's return, layout B) are summed into one
record per commune, ``_rows`` holding the records of those rows as read; a model of a commune's
return also carries ``area`` (its "Địa bàn" as written, None when it is the commune or blank). An
area record (``TableRead.areas``) is ``commune_code, area, area_key, registered, meeting, sheet, row``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from antt.core import units
from antt.core.cycles import Cycle
from antt.core.findings import Finding, finding
from antt.read.grid import cell_ref


@dataclass
class TableRead:
    """One recognised table of a return."""

    table: str
    sheet: str
    layout: str
    header_rows: tuple[int, int]                 # first and last header row, 1-based
    columns: dict[str, int]                      # field -> 0-based column
    records: list[dict]                          # parsed data rows (see ``_record``)
    totals: list[dict]                           # total rows: {field: value, "_columns": {...}, "row": n}
    account: Counter = field(default_factory=Counter)
    empty: bool = False                          # no value cell filled in any data row
    seen: set[str] = field(default_factory=set)  # communes named in rows set aside with a finding
    unparsed: list[tuple[str, int]] = field(default_factory=list)   # (commune, row) of rows set aside unread
    set_aside: list[dict] = field(default_factory=list)   # records set aside by a rule (see validate)
    areas: list[dict] = field(default_factory=list)       # Biểu 1: one record per residential area row

    @property
    def signature(self) -> str:
        """The heading layout, to notice a unit changing its form between cycles."""
        cols = ",".join(f"{f}:{cell_ref(0, c)[:-1]}" for f, c in sorted(self.columns.items(), key=lambda x: x[1]))
        return f"{self.layout}|{self.header_rows[1] - self.header_rows[0] + 1}|{cols}"


@dataclass
class Return:
    """What one file in a cycle folder holds."""

    file: str                                    # path relative to the raw folder
    sha256: str
    status: str = "loaded"                       # loaded | rejected (superseded is decided per cycle)
    format: str | None = None
    unit: units.Unit | None = None               # the reporting unit: a district or a commune
    period: Cycle | None = None                  # stated in the title block
    report_date: date | None = None
    tables: dict[str, TableRead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def level(self) -> str | None:
        """"district" or "commune": the level of the reporting unit (None when it is not known)."""
        return self.unit.level if self.unit is not None else None

    def add(self, code: str, sheet: str | None = None, cell: str | None = None, row: int | None = None, **kw) -> None:
        self.findings.append(finding(code, self.file, sheet, cell, row, **kw))

    def reject(self, code: str, **kw) -> Return:
        self.add(code, **kw)
        self.status = "rejected"
        self.tables = {}
        return self


def cell_of(rec: dict, name: str | None) -> str | None:
    """The A1 reference of a field's cell in a parsed row (data or total); None without that column.
    A row carries its table's shared field -> column mapping, not references made in advance."""
    c = rec["_columns"].get(name)
    return None if c is None else cell_ref(rec["row"] - 1, c)

