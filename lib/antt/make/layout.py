"""One sheet of a return laid out on the abstract workbook, the way district officers lay it out.

``SheetLayout`` writes a title block (issuing bodies, motto, place and date, form title, period line,
the table's caption), a header from each column's heading path (parents merged over their children),
the optional numbering row, the rows (numbers typed as the plan types them) and the footer (note,
date, signatures); it remembers where each value went (``positions``), for the totals and the
faults. ``Context`` is what any return is written from (the plan, the cycle, the report date, the
faults to put in, the title block's issuing bodies, place and signers); ``ReturnContext`` is a district
return's (the district's truth at the cycle). ``STYLES`` is the sample's cell look; ``to_tcvn3``
retypes a book in the legacy TCVN3 fonts. The tables themselves are the return's shape
(``antt.make.district_return``).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from antt.core import units
from antt.core.cycles import Cycle
from antt.core.text import decode_legacy, encode_tcvn3
from antt.make.book import Style, XBook, XSheet, col_letter
from antt.make.styles import FORM_TITLES, MOTTO, Plan, date_line, issuer_lines, period_line
from antt.make.truth import DistrictBase, DistrictState

if TYPE_CHECKING:
    from antt.make.faults import Fault

#: The sample's cell styles, by name.
STYLES: dict[str, Style] = {
    "org": Style(bold=True, align="center"),
    "motto": Style(bold=True, align="center"),
    "motto2": Style(bold=True, align="center", underline=True),
    "date": Style(italic=True, align="center"),
    "title": Style(bold=True, align="center", size=13),
    "period": Style(italic=True, align="center"),
    "caption": Style(bold=True, align="center"),
    "head": Style(bold=True, align="center", wrap=True, border=True),
    "numbering": Style(italic=True, align="center", border=True),
    "text": Style(border=True, wrap=True),
    "center": Style(border=True, align="center"),
    "int": Style(border=True, align="right", num="#,##0"),
    "dec": Style(border=True, align="right", num="0.0"),
    "year": Style(border=True, align="center", num="0"),
    "group": Style(bold=True, italic=True, border=True),
    "total": Style(bold=True, border=True),
    "total_int": Style(bold=True, border=True, align="right", num="#,##0"),
    "total_dec": Style(bold=True, border=True, align="right", num="0.0"),
    "foot": Style(italic=True),
    "sign": Style(bold=True, align="center"),
    "sign_i": Style(italic=True, align="center"),
    "text_r": Style(border=True, align="right"),
    "plain": Style(),
}


@dataclass
class Col:
    key: str                       # field name, or stt / note / ratio / area
    path: tuple[str, ...]          # headings, parent first
    width: float = 12
    kind: str = "int"              # text | int | dec | year | mark | center


@dataclass(kw_only=True)
class Context(ABC):
    """What a return is laid out from; the issuing unit's words come from the subclass."""

    plan: Plan
    cycle: Cycle
    report_date: date
    faults: list[Fault]
    text_count: int = 0
    located: list[dict] = field(default_factory=list)   # faults with their cells

    @abstractmethod
    def issuer(self) -> tuple[str, str]:
        """The two issuing-body lines of the title block."""

    @property
    @abstractmethod
    def place(self) -> str:
        """The place of the date line ("Lộc Ninh, ngày …")."""

    @property
    @abstractmethod
    def signers(self) -> tuple[str, str]:
        """(preparer, head of the unit)."""

    @abstractmethod
    def row_key(self, table: str, index: int):
        """The key of the ``index``-th data row of a per-commune table (where a fault goes)."""


@dataclass(kw_only=True)
class ReturnContext(Context):
    """A district's return: its truth at the cycle, its communes' name forms."""

    base: DistrictBase
    state: DistrictState
    district: units.Unit
    province: units.Unit
    ambiguous: set[str]

    def issuer(self) -> tuple[str, str]:
        return issuer_lines(self.plan, self.district, self.province)

    @property
    def place(self) -> str:
        return self.district.short

    @property
    def signers(self) -> tuple[str, str]:
        return self.base.preparer, self.base.head

    def row_key(self, table: str, index: int):
        return self.state.communes[index].unit.code


class SheetLayout:
    """Lays out one sheet: title block, header, rows, footer; remembers where each value went."""

    def __init__(self, sheet: XSheet, plan: Plan, cols: list[Col], ctx: Context):
        self.sh, self.plan, self.cols, self.ctx = sheet, plan, cols, ctx
        self.ncols = len(cols)
        self.col_of = {c.key: i for i, c in enumerate(cols)}
        self.r = plan.blank_top
        self.positions: dict[tuple, tuple[int, int]] = {}

    # -- title block ------------------------------------------------------------------------
    def title(self, caption: str) -> None:
        w, ctx, plan = self.ncols, self.ctx, self.plan
        left = 2 if w <= 5 else 3
        org1, org2 = ctx.issuer()
        r = self.r
        self._span(r, 0, left - 1, org1, "org")
        self._span(r, left, w - 1, MOTTO[0], "motto")
        self._span(r + 1, 0, left - 1, org2, "org")
        self._span(r + 1, left, w - 1, MOTTO[1], "motto2")
        self._span(r + 2, left, w - 1, date_line(ctx.place, ctx.report_date, plan.month_pad), "date")
        self._span(r + 4, 0, w - 1, FORM_TITLES[plan.form_title], "title")
        self._span(r + 5, 0, w - 1, period_line(plan.period, ctx.cycle), "period")
        self._span(r + 6, 0, w - 1, caption, "caption")
        self.sh.heights[r + 4] = 20
        self.r = r + 8

    def _span(self, r: int, c1: int, c2: int, v, style: str) -> None:
        if c2 > c1:
            self.sh.merge(r, c1, r, c2, v, style)
        else:
            self.sh.put(r, c1, v, style)

    # -- header -----------------------------------------------------------------------------
    def header(self) -> None:
        depth = max(len(c.path) for c in self.cols)
        r0 = self.r
        for j, c in enumerate(self.cols):
            self.sh.widths[j] = c.width
            for lvl, text in enumerate(c.path):
                if lvl == len(c.path) - 1:
                    if lvl < depth - 1:
                        self.sh.merge(r0 + lvl, j, r0 + depth - 1, j, text, "head")
                    else:
                        self.sh.put(r0 + lvl, j, text, "head")
                elif j == 0 or self.cols[j - 1].path[:lvl + 1] != c.path[:lvl + 1]:
                    k = j
                    while k + 1 < self.ncols and self.cols[k + 1].path[:lvl + 1] == c.path[:lvl + 1] \
                            and len(self.cols[k + 1].path) > lvl + 1:
                        k += 1
                    self._span(r0 + lvl, j, k, text, "head")
        for lvl in range(depth):
            self.sh.heights[r0 + lvl] = 48 if depth == 1 else 30
        self.r = r0 + depth
        if self.plan.numbering:
            for j in range(self.ncols):
                if self.plan.numbering == "paren":
                    v = f"({j + 1})"
                elif self.plan.numbering == "plain":
                    v = j + 1
                else:
                    letters = 2 if self.plan.stt else 1
                    v = "AB"[j] if j < letters else j - letters + 1
                self.sh.put(self.r, j, v, "numbering")
            self.r += 1

    # -- rows -------------------------------------------------------------------------------
    def number(self, v, kind: str = "int"):
        """A count as the plan types it: a number, or text like "2.100" / " 12 "."""
        if v is None or not self.plan.text_numbers or isinstance(v, str):
            return v
        if kind == "year":
            return str(v)
        if kind == "dec":
            return f"{v:.1f}".replace(".", ",")
        s = f"{v:,}".replace(",", ".")
        self.ctx.text_count += 1
        return f" {s} " if self.ctx.text_count % 7 == 3 else s

    def row(self, key, values: dict, kind: str = "data") -> int:
        """Write one row; ``values`` maps column key -> value (or ("=formula", cached))."""
        r = self.r
        for j, c in enumerate(self.cols):
            v = values.get(c.key)
            formula = None
            if isinstance(v, tuple):
                formula, v = v
            if kind == "total":
                style = "total" if c.kind in ("text", "center", "mark") else "total_dec" if c.kind == "dec" else "total_int"
            elif kind == "group":
                style = "group"
            else:
                style = {"text": "text", "center": "center", "mark": "center", "year": "year", "dec": "dec"}.get(c.kind, "int")
            if formula is None and c.kind in ("int", "dec", "year"):
                v = self.number(v, c.kind)
                if isinstance(v, str) and style in ("int", "dec", "year", "total_int", "total_dec"):
                    style = "total" if kind == "total" else "center" if c.kind == "year" else "text_r"
            self.sh.put(r, j, v, style, formula)
            self.positions[(key, c.key)] = (r, j)
        self.r += 1
        return r

    def footer(self, note: str) -> None:
        sh, w, ctx, plan = self.sh, self.ncols, self.ctx, self.plan
        left = 2 if w <= 5 else 3
        r = self.r + 1
        sh.put(r, 0, f"Ghi chú: {note}", "foot")
        r += 2
        if plan.footer_date:
            self._span(r, left, w - 1, date_line(ctx.place, ctx.report_date, plan.month_pad), "date")
            r += 1
        self._span(r, 0, left - 1, "NGƯỜI LẬP BIỂU", "sign")
        self._span(r, left, w - 1, "THỦ TRƯỞNG ĐƠN VỊ", "sign")
        self._span(r + 1, left, w - 1, "(Ký, ghi rõ họ tên, đóng dấu)", "sign_i")
        preparer, head = ctx.signers
        self._span(r + 5, 0, left - 1, preparer, "sign")
        self._span(r + 5, left, w - 1, head, "sign")
        self.r = r + 6


def sum_formula(col: int, first: int, last: int) -> str:
    """``=SUM(C10:C25)`` over 0-based rows ``first``..``last`` of column ``col``."""
    return f"=SUM({col_letter(col)}{first + 1}:{col_letter(col)}{last + 1})"


def junk_sheet() -> XSheet:
    """A hidden sheet of stray codes, as a district's own template leaves behind."""
    sh = XSheet("Data")
    sh.hidden = True
    rng = random.Random("junk")
    sh.put(0, 0, "ma", "plain")
    sh.put(0, 1, "gia_tri", "plain")
    for i in range(1, 25):
        sh.put(i, 0, f"dm{i:03d}", "plain")
        sh.put(i, 1, rng.randint(0, 500), "plain")
    sh.put(26, 0, "phien_ban_mau", "plain")
    sh.put(26, 1, "3.1", "plain")
    return sh


def _typed_in_capitals(s: str) -> bool:
    return s == s.upper() and any(ch.isalpha() for ch in s) and len(s) > 3


def to_tcvn3(book: XBook) -> None:
    """Retype every text cell as it reads when typed with TCVN3 fonts (.VnTime, .VnTimeH for capitals)."""
    book.font, book.caps_font = ".VnTime", ".VnTimeH"
    for sh in book.sheets:
        for cell in sh.cells.values():
            if isinstance(cell.v, str) and cell.v:
                caps = _typed_in_capitals(cell.v)
                cell.v = encode_tcvn3(cell.v, capitals_font=caps)
                cell.caps = caps


def read_back_tcvn3(s: str) -> str:
    """What a reader gets back from ``s`` typed with TCVN3 fonts: .VnTime has no capitals with tone
    marks, so "Ấp 3" comes back as "ấp 3"."""
    caps = _typed_in_capitals(s)
    return decode_legacy(encode_tcvn3(s, capitals_font=caps), ".VnTimeH" if caps else ".VnTime")[0]
