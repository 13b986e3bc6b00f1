"""The shape of a commune's return (after the 2025 reform): its five tables laid out for one commune.

A commune types its return in a district's house style (``styles.Plan``: format, headings, numbering,
total rows, TCVN3, numbers as text, formulas…) and arranges its rows in a ``Shape`` of its own
(return-form.md, "After the 2025 reform"):

- Biểu 1: one row per residential area with 1/0 counts in the layout A columns (``counts``), with
  marks under "Đăng ký"/"Đạt chuẩn" (``marks``: "x", "X", "Có", "✓", "Đạt"; blank, "Không", "Chưa đạt"), the same with the commune's name in a first column
  as in layout B (``marks_b``), or a single row for the commune (``single``); area rows may be
  grouped under their former commune ("Xã Lộc Thái (cũ)", "KHU VỰC PHƯỜNG TÂN PHÚ CŨ"); the total
  row of area rows may carry the commune's own name;
- Biểu 2: one row for a xã; a phường or đặc khu leaves the sheet out or sends it without rows;
- Biểu 3: one row per model, "Địa bàn" the model's area, the commune or blank;
- Biểu 4 and 5: one row for the commune, or one row per residential area (the commune's numbers
  spread over its areas).

The name column of area rows is headed "Khu dân cư (ấp, khu phố)", "Tên khu dân cư" or "Ấp, khu phố"
(a commune keeps its heading); the commune's own row, "Xã, phường".

The title block names the commune ("CÔNG AN XÃ LỘC NINH", "CA P. TAM HIỆP", "UBND PHƯỜNG BÌNH LỘC")
under "CÔNG AN TỈNH ĐỒNG NAI". ``build_commune_book(ctx, rel)`` lays the return out with the district
return's table writers and faults (``antt.make.district_return``, ``antt.make.faults``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from antt.core import forms, units
from antt.make.book import XBook, XSheet
from antt.make.commune_truth import UnitState
from antt.make.district_return import (TABLE_ORDER, columns, finish_book, footer, write_models,
                                       write_rows_table)
from antt.make.faults import apply_faults
from antt.make.layout import Col, Context, SheetLayout
from antt.make.styles import PLANS, Plan, commune_name, deviations, heading, unmarked
from antt.make.truth import allocate

KDC_SHAPES = ("counts", "marks", "single", "counts")
#: Marks of area rows: registered yes / no, meeting yes / no (return-form.md, layout B).
AREA_MARKS = (("x", "", "Đạt", "Chưa đạt"), ("X", "", "x", ""), ("Có", "Không", "✓", ""), ("x", "Không", "Đạt", "Chưa đạt"))
#: Headings of the name column of area rows (a commune keeps its own).
AREA_HEADS = ("Khu dân cư (ấp, khu phố)", "Tên khu dân cư", "Ấp, khu phố")
UNIT_HEAD = "Xã, phường"                       # the name column of the commune's own row
PLACE_HEAD = "Địa bàn"                         # Biểu 3: where a model runs
VALUES = {"outreach": ("broadcast_hours", "banners_posters", "sessions", "attendees"),
          "bright_spots": ("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members")}


@dataclass(frozen=True)
class Shape:
    """How one commune arranges the rows of its return (see the module docstring)."""

    kdc: str = "counts"            # counts | marks | marks_b | single
    grouped: bool = False          # area rows under their former commune's row
    group_style: str = "cu"        # cu: "Xã Lộc Thái (cũ)" | khu_vuc: "KHU VỰC XÃ LỘC THÁI CŨ"
    per_area: bool = False         # Biểu 4 and 5: one row per area
    place: str = "area"            # Biểu 3 "Địa bàn": area | commune | blank
    ntm_absent: bool = False       # a phường or đặc khu: Biểu 2 left out (else the sheet without rows)
    total_name: bool = False       # the total row of area rows carries the commune's name
    area_head: str = AREA_HEADS[0]  # the heading of the area rows' name column
    marks: tuple[str, str, str, str] = AREA_MARKS[0]   # Biểu 1 marks: registered yes/no, meeting yes/no

    @property
    def area_rows(self) -> bool:
        return self.kdc != "single"


def shape_for(plan: Plan, index: int, sources: int) -> Shape:
    """The shape of the ``index``-th commune of a province (rotating apart from the plans, so that
    each house style meets several shapes); grouping needs two former communes or more."""
    kdc = "marks_b" if plan.layout_b else KDC_SHAPES[(index // len(PLANS)) % len(KDC_SHAPES)]
    area_rows = kdc != "single"
    return Shape(kdc=kdc,
                 grouped=kdc in ("counts", "marks") and sources >= 2 and (plan.groups or index % 3 == 1),
                 group_style="khu_vuc" if index % 2 else "cu",
                 per_area=area_rows and index % 4 in (1, 2),
                 place=("area", "commune", "blank")[index % 3],
                 ntm_absent=index % 2 == 0,
                 total_name=area_rows and index % 5 == 3,
                 area_head=AREA_HEADS[(index // 3) % len(AREA_HEADS)],
                 marks=AREA_MARKS[(index // 2) % len(AREA_MARKS)])


def commune_deviations(plan: Plan, shape: Shape, unit: units.Unit) -> list[str]:
    """The house style and the shape of a commune's return as deviation labels (for the record)."""
    out = [d for d in deviations(plan) if not d.startswith("issuer:") and d != "district_abbreviated"]
    if plan.issuer == "ubnd":
        out.append("issuer:ubnd")
    elif plan.district_style == "abbr":
        out.append("issuer:ca_abbreviated")
    out.append(f"table1:{shape.kdc}")
    if shape.grouped:
        out.append(f"former_commune_groups:{shape.group_style}")
    if shape.per_area:
        out.append("tables45_per_area")
    out.append(f"models_place:{shape.place}")
    if unit.kind != "Xã":
        out.append("table2:absent" if shape.ntm_absent else "table2:blank")
    if shape.total_name and shape.area_rows:
        out.append("total_row_named_for_the_commune")
    if shape.area_rows:
        out.append(f"area_heading:{shape.area_head}")
    if shape.kdc in ("marks", "marks_b"):
        out.append("area_marks:" + "|".join(shape.marks))
    return out


def commune_issuer(plan: Plan, unit: units.Unit, province: units.Unit) -> tuple[str, str]:
    """The title block's issuing bodies: the province police above the commune's police (or its
    people's committee), written in full or abbreviated as the plan says."""
    above = f"CÔNG AN {province.name.upper()}"
    if plan.issuer == "ubnd":
        return above, f"UBND {unit.name.upper()}"
    if plan.district_style == "abbr" and unit.short != unit.name:
        kind = {"Phường": "P.", "Thị trấn": "TT."}.get(unit.kind, unit.kind)
        return above, f"CA {kind} {unit.short}".upper()
    return above, f"CÔNG AN {unit.name.upper()}"


def group_label(source: units.Unit, style: str) -> str:
    """A former commune's group row: "Xã Lộc Thái (cũ)" or "KHU VỰC PHƯỜNG TÂN PHÚ CŨ"."""
    return f"KHU VỰC {source.name.upper()} CŨ" if style == "khu_vuc" else f"{source.name} (cũ)"


@dataclass(kw_only=True)
class CommuneContext(Context):
    """A commune's return: its truth at the cycle and the shape of its rows."""

    state: UnitState
    shape: Shape
    ambiguous: set[str]

    @property
    def unit(self) -> units.Unit:
        return self.state.base.unit

    def issuer(self) -> tuple[str, str]:
        return commune_issuer(self.plan, self.unit, self.state.base.province)

    @property
    def place(self) -> str:
        return self.unit.short

    @property
    def signers(self) -> tuple[str, str]:
        return self.state.base.preparer, self.state.base.head

    def row_key(self, table: str, index: int):
        per_area = self.shape.area_rows if table == "kdc" else self.shape.per_area and table in VALUES
        return ("area", index) if per_area else "unit"

    def name(self, note: bool = False) -> str:
        """The commune's name as the plan writes it (with "(xã NTM)" where asked)."""
        ntm = self.state.commune.ntm
        return commune_name(self.unit, self.plan, self.ambiguous, bool(ntm and ntm[1]), note)

    def columns(self, table: str, area_rows: bool) -> list[Col]:
        return commune_columns(table, self.plan, self.shape, area_rows)

    def total_text(self) -> str:
        if self.shape.total_name:
            return self.name()
        if self.plan.total_label == "Toàn huyện":
            return f"Toàn {self.unit.kind.lower()}"
        return self.plan.total_label


def commune_columns(table: str, plan: Plan, shape: Shape, area_rows: bool) -> list[Col]:
    """A district return's columns with the name column for areas or for the commune."""
    if table == "kdc" and shape.kdc in ("marks", "marks_b"):
        cols = columns("kdc", replace(plan, layout_b=True), False)
        if shape.kdc == "marks":
            return [replace(c, path=(heading(shape.area_head, plan),)) if c.key == "area" else c
                    for c in cols if c.key != "commune"]
        return [replace(c, path=(heading(UNIT_HEAD, plan),)) if c.key == "commune" else c for c in cols]
    cols = columns(table, replace(plan, layout_b=False), table == "ntm")
    if table == "ntm":
        return cols
    if table == "models":
        return [replace(c, path=(heading(PLACE_HEAD, plan),)) if c.key == "commune" else c for c in cols]
    if area_rows:
        return [Col("area", (heading(shape.area_head, plan),), 24, "text") if c.key == "commune" else c for c in cols]
    return [replace(c, path=(heading(UNIT_HEAD, plan),)) if c.key == "commune" else c for c in cols]


def _area_rows(ctx: CommuneContext, values: list[dict]) -> list[tuple]:
    """Rows ``(kind, key, values)`` of the commune's areas (``values[i]`` for area ``i``), under
    their former communes' group rows when the shape groups them."""
    st, plan = ctx.state, ctx.plan
    names = [a for a, _, _ in st.commune.areas]
    rows: list[tuple] = []
    groups = st.groups() if ctx.shape.grouped else [(None, list(range(len(names))))]
    for g, (source, idx) in enumerate(groups):
        if source is not None:
            label = group_label(source, ctx.shape.group_style)
            roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[g]
            rows.append(("group", f"group-{g}", {"stt": roman, "area": label} if plan.stt else {"area": label}))
        rows += [("data", ("area", i), {"area": names[i], **values[i]}) for i in idx]
    return rows


def _spread(ctx: CommuneContext, table: str) -> list[dict]:
    """The commune's values of a Biểu 4/5 field spread over its areas (each sums exactly)."""
    st = ctx.state
    n = len(st.commune.areas)
    rng = random.Random(f"{ctx.cycle.id}-{ctx.unit.code}-{table}-areas")
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    spread = {f: allocate(getattr(st.commune, f), weights, rng) for f in VALUES[table]}
    return [{f: spread[f][i] for f in VALUES[table]} for i in range(n)]


def _write_kdc(sh: XSheet, ctx: CommuneContext) -> SheetLayout:
    c, shape = ctx.state.commune, ctx.shape
    if shape.kdc in ("marks", "marks_b"):
        return _write_marks(sh, ctx)
    cols = ctx.columns("kdc", shape.area_rows)
    ratio = "ratio" in {col.key for col in cols}
    if shape.kdc == "single":
        vals = {"commune": ctx.name(), "kdc_total": c.kdc_total, "kdc_registered": c.kdc_registered,
                "kdc_meeting": c.kdc_meeting}
        if ratio:
            vals["ratio"] = round(c.kdc_meeting / c.kdc_total * 100, 1) if c.kdc_total else 0.0
        if ctx.plan.note_col and c.ntm and c.ntm[1]:
            vals["note"] = "Xã NTM"
        return write_rows_table("kdc", sh, ctx, cols, [("data", "unit", vals)], [], ctx.total_text())
    values = []
    for _, reg, meet in c.areas:
        v = {"kdc_total": 1, "kdc_registered": int(reg), "kdc_meeting": int(meet)}
        if ratio:
            v["ratio"] = 100.0 if meet else 0.0
        values.append(v)
    return write_rows_table("kdc", sh, ctx, cols, _area_rows(ctx, values),
                            ["kdc_total", "kdc_registered", "kdc_meeting"], ctx.total_text(), "area")


def _write_marks(sh: XSheet, ctx: CommuneContext) -> SheetLayout:
    """Biểu 1 with marks per area (the commune's name in the first row in ``marks_b``), then a total
    row with the counts in the mark columns."""
    c, plan = ctx.state.commune, ctx.plan
    w = SheetLayout(sh, plan, ctx.columns("kdc", True), ctx)
    w.title(forms.TABLES["kdc"].heading)
    w.header()
    ry, rn, my, mn = (unmarked(m) for m in ctx.shape.marks) if plan.headings == "nodiac" else ctx.shape.marks
    values = [{"registered": ry if reg else rn, "meeting": my if meet else mn} for _, reg, meet in c.areas]
    stt = 0
    for kind, key, vals in _area_rows(ctx, values):
        if kind == "data":
            stt += 1
            if ctx.shape.kdc == "marks_b" and stt == 1:
                vals = {"commune": ctx.name(), **vals}
            if plan.stt:
                vals = {"stt": stt, **vals}
        w.row(key, vals, kind)
    if plan.total or ctx.shape.kdc == "marks_b":
        label = "commune" if ctx.shape.kdc == "marks_b" else "area"
        tvals = {label: ctx.total_text(), "registered": c.kdc_registered, "meeting": c.kdc_meeting}
        if label == "commune":
            tvals["area"] = f"{c.kdc_total} khu dân cư"
        w.row("total", tvals, "total")
    footer("kdc", w, ctx)
    return w


def _write_ntm(sh: XSheet, ctx: CommuneContext) -> SheetLayout:
    """Biểu 2: a xã's own row; a phường's sheet without rows, or (a fault) with its own row
    marked "Không áp dụng"."""
    plan = ctx.plan
    rows = []
    ntm = ctx.state.commune.ntm
    if ntm is not None:
        crit, met, year, sec = ntm
        rows.append(("data", "unit", {
            "commune": ctx.name(), "ntm_criteria_met": crit, "ntm_met": plan.ntm_marks[0 if met else 1],
            "ntm_year": year, "ntm_security_criterion": plan.sec_marks[0 if sec else 1]}))
    elif any(f.code == "ntm_not_xa" for f in ctx.faults):
        rows.append(("data", ("ntm_not_xa", ctx.unit.code), {
            "commune": ctx.name(), "ntm_criteria_met": "-", "ntm_met": "Không áp dụng", "ntm_year": "-",
            "ntm_security_criterion": "-"}))
    return write_rows_table("ntm", sh, ctx, ctx.columns("ntm", False), rows, [], ctx.total_text())


def _write_models(sh: XSheet, ctx: CommuneContext) -> SheetLayout:
    st, shape = ctx.state, ctx.shape
    if shape.place == "blank":
        places: list[str | None] = [None] * len(st.models)
    elif shape.place == "commune":
        places = [ctx.name()] * len(st.models)
    else:
        places = [a if a is not None else ctx.name() for a in st.model_area]
    return write_models(sh, ctx, places, ctx.total_text(), ctx.columns("models", False))


def _write_values(table: str, sh: XSheet, ctx: CommuneContext) -> SheetLayout:
    """Biểu 4 or 5: one row for the commune, or its numbers spread over its areas."""
    c = ctx.state.commune
    if ctx.shape.per_area:
        return write_rows_table(table, sh, ctx, ctx.columns(table, True), _area_rows(ctx, _spread(ctx, table)),
                                list(VALUES[table]), ctx.total_text(), "area")
    vals = {"commune": ctx.name(note=ctx.plan.ntm_note), **{f: getattr(c, f) for f in VALUES[table]}}
    return write_rows_table(table, sh, ctx, ctx.columns(table, False), [("data", "unit", vals)], [],
                            ctx.total_text())


def build_commune_book(ctx: CommuneContext, rel: str) -> tuple[XBook, dict[str, str]]:
    """The workbook of one commune's return, and table id -> sheet name."""
    plan = ctx.plan
    missing = {f.table for f in ctx.faults if f.code == "table_missing"}
    if ctx.state.commune.ntm is None and ctx.shape.ntm_absent:
        missing.add("ntm")
    sheets: dict[str, XSheet] = {}
    for i, table in enumerate(TABLE_ORDER):
        if table in missing:
            continue
        sh = XSheet(plan.sheet_names[i])
        if table == "kdc":
            w = _write_kdc(sh, ctx)
        elif table == "ntm":
            w = _write_ntm(sh, ctx)
        elif table == "models":
            w = _write_models(sh, ctx)
        else:
            w = _write_values(table, sh, ctx)
        apply_faults(w, table, ctx, rel)
        sheets[table] = sh
    return finish_book(ctx, sheets, ctx.state.base.preparer, rel)
