"""The shape of a district return: its five tables laid out, one row per commune (or model).

``build_book(ctx, rel)`` lays out Biểu 1-5 of one district's return for a cycle in its plan's house
style (columns and heading paths by plan, commune rows with group and total rows, the models
table, Biểu 1 in layout B with a row per residential area), puts in the return's faults, orders the
sheets, adds the hidden junk sheet and retypes TCVN3 where the plan says. Another shape of return
(one commune's, after the 2025 reform) is a module beside this one using the same layout, faults and
writers: ``antt.make.commune_return`` (it uses the table writers here:
``columns``, ``write_rows_table``, ``write_models``, ``footer``, ``finish_book``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from antt.core import forms
from antt.make.book import XBook, XSheet, col_letter
from antt.make.faults import apply_faults, fault_record
from antt.make.layout import STYLES, Col, Context, ReturnContext, SheetLayout, junk_sheet, sum_formula, to_tcvn3
from antt.make.styles import Plan, commune_name, heading, setting_text, total_label, type_text

TABLE_ORDER = ("kdc", "ntm", "models", "outreach", "bright_spots")
TITLE = "Thống kê phong trào TDBVANTQ"      # the document title of every return


def field_heading(table: str, name: str, layout: int = 0) -> str:
    for f in forms.TABLES[table].layouts[layout].fields:
        if f.name == name:
            return f.heading
    raise KeyError(name)


def columns(table: str, plan: Plan, only_xa: bool) -> list[Col]:
    """The columns of a table in this plan's layout, with their heading paths."""
    merged = plan.header != "flat"
    commune_head = "Xã" if only_xa else field_heading("kdc", "commune")
    cols: list[Col] = []
    if plan.stt:
        cols.append(Col("stt", (plan.stt_label,), 5, "center"))
    if table == "kdc" and plan.layout_b:
        cols += [Col("commune", (commune_head,), 22, "text"), Col("area", ("Khu dân cư (ấp, khu phố)",), 20, "text"),
                 Col("registered", (field_heading("kdc", "registered", 1),), 14, "mark"),
                 Col("meeting", (field_heading("kdc", "meeting", 1),), 14, "mark")]
    elif table == "kdc":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        if plan.header == "merged3":
            cols += [Col("kdc_total", ("Khu dân cư", "Tổng số"), 10),
                     Col("kdc_registered", ("Khu dân cư", "An toàn về an ninh, trật tự", "Đăng ký"), 11),
                     Col("kdc_meeting", ("Khu dân cư", "An toàn về an ninh, trật tự", "Đạt chuẩn"), 11)]
        elif merged:
            cols += [Col("kdc_total", ("Số khu dân cư", "Tổng số"), 10),
                     Col("kdc_registered", ("Số khu dân cư", 'Đăng ký "An toàn về ANTT"'), 13),
                     Col("kdc_meeting", ("Số khu dân cư", 'Đạt chuẩn "An toàn về ANTT"'), 13)]
        else:
            cols += [Col(n, (field_heading("kdc", n),), 14) for n in ("kdc_total", "kdc_registered", "kdc_meeting")]
        if plan.ratio_col:
            cols.append(Col("ratio", (field_heading("kdc", "ratio"),), 11, "dec"))
    elif table == "ntm":
        cols.append(Col("commune", ("Xã",), 22, "text"))
        if merged:
            par = "Kết quả xây dựng NTM"
            cols += [Col("ntm_criteria_met", (par, "Số tiêu chí đã đạt (/19)"), 12),
                     Col("ntm_met", (par, "Đạt chuẩn"), 11, "mark"),
                     Col("ntm_year", (par, "Năm công nhận"), 11, "year")]
        else:
            cols += [Col("ntm_criteria_met", (field_heading("ntm", "ntm_criteria_met"),), 12),
                     Col("ntm_met", (field_heading("ntm", "ntm_met"),), 11, "mark"),
                     Col("ntm_year", (field_heading("ntm", "ntm_year"),), 11, "year")]
        cols.append(Col("ntm_security_criterion", (field_heading("ntm", "ntm_security_criterion"),), 13, "mark"))
    elif table == "models":
        name = Col("model_name", ("Tên mô hình",), 36, "text")
        mtype = Col("model_type", ("Loại mô hình",), 26, "text")
        commune = Col("commune", ("Địa bàn (xã, phường, thị trấn)",), 18, "text")
        cols += [name, commune, mtype] if plan.swap_columns else [name, mtype, commune]
        cols += [Col("setting", ("Nơi triển khai",), 18, "text"), Col("founded", ("Năm thành lập",), 10, "year")]
        if merged:
            cols += [Col("members", ("Quy mô", "Số thành viên"), 10), Col("cameras", ("Quy mô", "Số camera"), 10)]
        else:
            cols += [Col("members", ("Số thành viên",), 10), Col("cameras", ("Số camera",), 10)]
    elif table == "outreach":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        a = Col("broadcast_hours", (field_heading("outreach", "broadcast_hours"),), 13)
        b = Col("banners_posters", (field_heading("outreach", "banners_posters"),), 14)
        cols += [b, a] if plan.swap_columns else [a, b]
        if merged:
            cols += [Col("sessions", ("Tuyên truyền trực tiếp", "Số buổi"), 10),
                     Col("attendees", ("Tuyên truyền trực tiếp", "Số lượt người tham dự"), 12)]
        else:
            cols += [Col("sessions", (field_heading("outreach", "sessions"),), 11),
                     Col("attendees", (field_heading("outreach", "attendees"),), 12)]
    elif table == "bright_spots":
        cols.append(Col("commune", (commune_head,), 22, "text"))
        if merged:
            p1, p2 = "Điểm sáng chấp hành pháp luật", "Tổ, nhóm nòng cốt, CLB pháp luật"
            cols += [Col("bright_spots_upper", (p1, "Cấp tỉnh, cấp huyện"), 12),
                     Col("bright_spots_commune", (p1, "Cấp xã"), 10),
                     Col("core_groups", (p2, "Số tổ, nhóm"), 10), Col("core_group_members", (p2, "Số thành viên"), 11)]
        else:
            cols += [Col(n, (field_heading("bright_spots", n),), 13) for n in forms.BRIGHT_SPOTS.value_fields]
    if plan.note_col:
        cols.append(Col("note", ("Ghi chú",), 14, "text"))
    return [replace(c, path=tuple(heading(p, plan) for p in c.path)) for c in cols]


def combined_headings(table: str, plan: Plan, only_xa: bool = False) -> dict[str, str]:
    """Column key -> its heading as a loader sees it (parents and child joined)."""
    return {c.key: " ".join(c.path) for c in columns(table, plan, only_xa)}


def _table_rows(table: str, ctx: ReturnContext) -> tuple[list[tuple], list[str]]:
    """(rows, value column keys summed by the total row) for a per-commune table.

    A row is (kind, key, values): kind data | group, key the commune code (or a group label).
    """
    st, plan = ctx.state, ctx.plan
    rows: list[tuple] = []
    fault_rows = {f.index for f in ctx.faults if f.table == table and f.code == "ntm_not_xa"}
    communes = st.communes
    if table == "ntm":
        xa = [c for c in communes if c.ntm is not None]
        met_marks, sec_marks = plan.ntm_marks, plan.sec_marks
        for i, c in enumerate(xa):
            if i == 0 and fault_rows:
                ph = next((x for x in communes if x.unit.kind != "Xã"), None)
                if ph is not None:
                    rows.append(("data", ("ntm_not_xa", ph.unit.code), {
                        "commune": commune_name(ph.unit, plan, ctx.ambiguous), "ntm_criteria_met": "-",
                        "ntm_met": "Không áp dụng", "ntm_year": "-", "ntm_security_criterion": "-"}))
            crit, met, year, sec = c.ntm
            rows.append(("data", c.unit.code, {
                "commune": commune_name(c.unit, plan, ctx.ambiguous), "ntm_criteria_met": crit,
                "ntm_met": met_marks[0] if met else met_marks[1], "ntm_year": year,
                "ntm_security_criterion": sec_marks[0] if sec else sec_marks[1]}))
        return rows, []
    fields = {"kdc": ("kdc_total", "kdc_registered", "kdc_meeting"),
              "outreach": ("broadcast_hours", "banners_posters", "sessions", "attendees"),
              "bright_spots": ("bright_spots_upper", "bright_spots_commune", "core_groups", "core_group_members")}[table]
    kinds = list(dict.fromkeys(c.unit.kind for c in communes))
    grouped = plan.groups and len(kinds) > 1
    order = sorted(communes, key=lambda c: kinds.index(c.unit.kind)) if grouped else communes
    romans = ("I", "II", "III", "IV")
    labels = {"Phường": "Các phường", "Xã": "Các xã", "Thị trấn": "Thị trấn"}
    current = None
    for c in order:
        if grouped and c.unit.kind != current:
            current = c.unit.kind
            g = romans[kinds.index(current)]
            label = labels.get(current, current)
            rows.append(("group", f"group-{g}", {"stt": g, "commune": label} if plan.stt else {"commune": f"{g}. {label}"}))
        note = plan.ntm_note and table in ("outreach", "bright_spots")
        vals = {"commune": commune_name(c.unit, plan, ctx.ambiguous, bool(c.ntm and c.ntm[1]), note)}
        for f in fields:
            vals[f] = getattr(c, f)
        if table == "kdc" and plan.ratio_col:
            vals["ratio"] = round(c.kdc_meeting / c.kdc_total * 100, 1) if c.kdc_total else 0.0
        if plan.note_col and table == "kdc" and c.ntm and c.ntm[1]:
            vals["note"] = "Xã NTM"
        rows.append(("data", c.unit.code, vals))
    return rows, list(fields)


def _write_commune_table(table: str, sh: XSheet, ctx: ReturnContext) -> SheetLayout:
    only_xa = all(c.unit.kind == "Xã" for c in ctx.state.communes)
    rows, summed = _table_rows(table, ctx)
    return write_rows_table(table, sh, ctx, columns(table, ctx.plan, only_xa), rows, summed,
                            total_label(ctx.plan, ctx.district))


def write_rows_table(table: str, sh: XSheet, ctx: Context, cols: list[Col], rows: list[tuple], summed: list[str],
                     total_text: str, label_key: str = "commune") -> SheetLayout:
    """A table of named rows (``(kind, key, values)``, kind data | group) with the plan's total row
    (top or bottom; ``=SUM()`` of the ``summed`` columns where the plan types formulas, the ratio
    too) labelled ``total_text`` in column ``label_key``, then the footer."""
    plan = ctx.plan
    w = SheetLayout(sh, plan, cols, ctx)
    w.title(forms.TABLES[table].heading)
    w.header()
    formulas = plan.formulas != "none"
    total_row = None
    if plan.total == "top" and summed:
        total_row = w.r
        w.r += 1
    first = w.r
    stt = 0
    for kind, key, vals in rows:
        if kind == "data" and plan.stt:
            stt += 1
            vals = {"stt": stt, **vals}
        w.row(key, vals, kind)
    last = w.r - 1
    sums = {f: sum(v.get(f) or 0 for k, _, v in rows if k == "data") for f in summed}
    if summed and plan.total:
        if plan.total == "bottom":
            total_row = w.r
        tvals: dict = {label_key: total_text}
        for f in summed:
            j = w.col_of[f]
            tvals[f] = (sum_formula(j, first, last), sums[f]) if formulas else sums[f]
        if "ratio" in w.col_of:
            t = sums["kdc_total"]
            ratio = round(sums["kdc_meeting"] / t * 100, 1) if t else 0.0
            jt, jm = w.col_of["kdc_total"], w.col_of["kdc_meeting"]
            tvals["ratio"] = ratio
            if formulas:
                tvals["ratio"] = (_ratio_formula(plan, jm, jt, total_row), ratio)
        save = w.r
        w.r = total_row
        w.row("total", tvals, "total")
        w.r = max(save, total_row + 1)
    if "ratio" in w.col_of and plan.ratio_col == "formula":
        jt, jm, jr = w.col_of["kdc_total"], w.col_of["kdc_meeting"], w.col_of["ratio"]
        for kind, key, vals in rows:
            if kind == "data":
                r, _ = w.positions[(key, "ratio")]
                sh.cells[(r, jr)].formula = _ratio_formula(plan, jm, jt, r)
    footer(table, w, ctx)
    return w


def _ratio_formula(plan: Plan, jm: int, jt: int, r: int) -> str:
    m, t = f"{col_letter(jm)}{r + 1}", f"{col_letter(jt)}{r + 1}"
    return f"={m}/{t}*100" if plan.formulas == "nocache" else f"=ROUND({m}/{t}*100,1)"


def footer(table: str, w: SheetLayout, ctx: Context) -> None:
    notes = {"kdc": "KDC: khu dân cư; ANTT: an ninh, trật tự.",
             "ntm": "Chỉ thống kê các xã; phường, thị trấn không xét nông thôn mới.",
             "models": "Mỗi mô hình ghi một dòng.",
             "outreach": f"Số liệu tính đến ngày {ctx.cycle.end.day}/{ctx.cycle.end.month}/{ctx.cycle.end.year}.",
             "bright_spots": "Điểm sáng do cấp có thẩm quyền công nhận."}
    w.footer(notes[table])


def _write_layout_b(sh: XSheet, ctx: ReturnContext) -> SheetLayout:
    plan = ctx.plan
    only_xa = all(c.unit.kind == "Xã" for c in ctx.state.communes)
    w = SheetLayout(sh, plan, columns("kdc", plan, only_xa), ctx)
    w.title(forms.TABLES["kdc"].heading)
    w.header()
    ry, rn, my, mn = plan.area_marks
    stt = 0
    for c in ctx.state.communes:
        name = commune_name(c.unit, plan, ctx.ambiguous)
        for i, (area, reg, meet) in enumerate(c.areas):
            stt += 1
            mark = my if meet else mn
            if meet and stt % 23 == 5:
                mark = "✓"
            w.row((c.unit.code, i), {"stt": stt, "commune": name if i == 0 else None, "area": area,
                                     "registered": ry if reg else rn, "meeting": mark})
        w.row((c.unit.code, "sub"), {"area": "Cộng", "registered": c.kdc_registered, "meeting": c.kdc_meeting},
              "total")
    t = ctx.state.totals()
    w.row("total", {"commune": total_label(plan, ctx.district), "area": f"{t['kdc_total']} khu dân cư",
                    "registered": t["kdc_registered"], "meeting": t["kdc_meeting"]}, "total")
    footer("kdc", w, ctx)
    return w


def _write_models(sh: XSheet, ctx: ReturnContext) -> SheetLayout:
    units_by_code = {c.unit.code: c.unit for c in ctx.state.communes}
    places = [commune_name(units_by_code[m.commune], ctx.plan, ctx.ambiguous) for m in ctx.state.models]
    return write_models(sh, ctx, places, total_label(ctx.plan, ctx.district))


def write_models(sh: XSheet, ctx: Context, places: list[str | None], total_text: str,
                 cols: list[Col] | None = None) -> SheetLayout:
    """Biểu 3: one row per model of ``ctx.state.models`` ("Địa bàn" from ``places``), group rows by
    setting and the total row where the plan has them, then the footer; ``cols`` default to the
    district return's."""
    plan = ctx.plan
    w = SheetLayout(sh, plan, cols or columns("models", plan, False), ctx)
    w.title(forms.TABLES["models"].heading)
    w.header()
    models = ctx.state.models
    total_row = None
    if plan.total == "top":
        total_row = w.r
        w.r += 1
    first = w.r
    current = None
    stt = 0
    for i, m in enumerate(models):
        if plan.groups and m.setting != current:
            current = m.setting
            g = "I" if current == "residential" else "II"
            label = "Mô hình tại khu dân cư" if current == "residential" else "Mô hình tại cơ quan, doanh nghiệp, nhà trường"
            w.row(f"group-{g}", {"stt": g, "model_name": label} if plan.stt else {"model_name": f"{g}. {label}"}, "group")
        stt += 1
        w.row(i, {"stt": stt, "model_name": m.name, "model_type": type_text(m.type, plan),
                  "commune": places[i], "setting": setting_text(m.setting, plan),
                  "founded": int(m.t_found), "members": m.members, "cameras": m.cameras or None})
    last = w.r - 1
    if plan.total and models:
        if plan.total == "bottom":
            total_row = w.r
        label_key = "stt" if plan.stt else "model_name"
        tvals: dict = {label_key: total_text}
        if plan.stt:
            tvals["model_name"] = f"{len(models)} mô hình"
        for f in ("members", "cameras"):
            s = sum(getattr(m, f) for m in models)
            tvals[f] = (sum_formula(w.col_of[f], first, last), s) if plan.formulas != "none" else s
        save = w.r
        w.r = total_row
        w.row("total", tvals, "total")
        w.r = max(save, total_row + 1)
    footer("models", w, ctx)
    return w


def build_book(ctx: ReturnContext, rel: str) -> tuple[XBook, dict[str, str]]:
    """The workbook of one return, and table id -> sheet name."""
    plan = ctx.plan
    missing = {f.table for f in ctx.faults if f.code == "table_missing"}
    sheets: dict[str, XSheet] = {}
    for i, table in enumerate(TABLE_ORDER):
        if table in missing:
            continue
        sh = XSheet(plan.sheet_names[i])
        if table == "kdc" and plan.layout_b:
            w = _write_layout_b(sh, ctx)
        elif table == "models":
            w = _write_models(sh, ctx)
        else:
            w = _write_commune_table(table, sh, ctx)
        apply_faults(w, table, ctx, rel)
        sheets[table] = sh
    return finish_book(ctx, sheets, ctx.base.preparer, rel)


def finish_book(ctx: Context, sheets: dict[str, XSheet], author: str, rel: str) -> tuple[XBook, dict[str, str]]:
    """The book of a return's table sheets and their names by table: in the plan's order, the hidden
    junk sheet where the plan has one, dated the report day, retyped in TCVN3 where the plan says;
    the tables left out of the file recorded as located faults (file ``rel``)."""
    for f in ctx.faults:
        if f.code == "table_missing":
            ctx.located.append(fault_record(f, rel, None, None, None, None))
    plan = ctx.plan
    order = [sheets[TABLE_ORDER[i]] for i in plan.sheet_order if TABLE_ORDER[i] in sheets]
    if plan.hidden_junk:
        order.append(junk_sheet())
    created = datetime(ctx.report_date.year, ctx.report_date.month, ctx.report_date.day, 8, 30)
    book = XBook(order, created, author, STYLES, title=TITLE)
    if plan.tcvn3:
        to_tcvn3(book)
    return book, {t: sh.name for t, sh in sheets.items()}
