"""Rules as data: each with a finding code (severity and message in ``antt.core.findings``).

- Row rules judge one record; an error sets the row aside (it is not counted).
- Table rules: communes listed twice, communes of the district absent, total rows and ratio
  columns that disagree with the data rows, a missing table.
- Cycle rules: resubmissions, timeliness, completeness, and comparison with the previous cycle
  (implausible moves, a changed heading layout). Validation never raises on bad data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable

from antt.core import forms, text, units
from antt.core.cycles import Cycle
from antt.core.indicators import is_flow
from antt.core.findings import finding
from antt.read.returns import Return, TableRead, cell_of

TOLERANCE = 1e-6
RATIO_TOLERANCE = 0.0006     # a ratio written with one decimal of a percent


@dataclass(frozen=True)
class RowRule:
    """A record of ``table`` fails when ``fails(record, cycle)``; the finding points at ``cell``."""

    code: str
    table: str
    cell: str
    fails: Callable[[dict, Cycle], bool]
    found: str
    expected: Callable[[dict, Cycle], object] | str | None = None


def _has(*keys):
    return lambda r: all(r.get(k) is not None for k in keys)


ROW_RULES: tuple[RowRule, ...] = (
    RowRule("kdc_meeting_gt_total", "kdc", "kdc_meeting",
            lambda r, c: _has("kdc_meeting", "kdc_total")(r) and r["kdc_meeting"] > r["kdc_total"],
            "kdc_meeting", "kdc_total"),
    RowRule("kdc_registered_gt_total", "kdc", "kdc_registered",
            lambda r, c: _has("kdc_registered", "kdc_total")(r) and r["kdc_registered"] > r["kdc_total"],
            "kdc_registered", "kdc_total"),
    RowRule("kdc_meeting_gt_registered", "kdc", "kdc_meeting",
            lambda r, c: _has("kdc_meeting", "kdc_registered", "kdc_total")(r)
            and r["kdc_registered"] < r["kdc_meeting"] <= r["kdc_total"] and r["kdc_registered"] <= r["kdc_total"],
            "kdc_meeting", "kdc_registered"),
    RowRule("ntm_criteria_out_of_range", "ntm", "ntm_criteria_met",
            lambda r, c: r.get("ntm_criteria_met") is not None and r["ntm_criteria_met"] > 19,
            "ntm_criteria_met"),
    RowRule("ntm_met_criteria", "ntm", "ntm_met",
            lambda r, c: r.get("ntm_met") is True and r.get("ntm_criteria_met") is not None
            and r["ntm_criteria_met"] < 19, "ntm_criteria_met"),
    RowRule("ntm_year_after_cycle", "ntm", "ntm_year",
            lambda r, c: r.get("ntm_year") is not None and r["ntm_year"] > c.year,
            "ntm_year", lambda r, c: c.year),
    RowRule("ntm_met_no_year", "ntm", "ntm_year",
            lambda r, c: r.get("ntm_met") is True and r.get("ntm_year") is None and "ntm_year" in r["_columns"],
            "commune"),
    RowRule("setting_unknown", "models", "setting",
            lambda r, c: r.get("setting") not in forms.SETTINGS, "setting"),
)


def validate_return(ret: Return, cycle: Cycle, hierarchy: units.Hierarchy) -> None:
    """Apply the row and table rules to one loaded return (in place)."""
    if ret.status != "loaded":
        return
    for tid, read in ret.tables.items():
        if forms.TABLES[tid].per_commune and not read.empty:
            _duplicates(ret, read)           # first: both rows of a commune listed twice go, whatever else
        _row_rules(ret, read, cycle)
        if read.empty:
            continue
        if forms.TABLES[tid].per_commune and ret.level == units.DISTRICT:
            _absent(ret, read, hierarchy)
        _totals(ret, read)
        if tid == "kdc":
            _ratios(ret, read)
    for tid, table in forms.TABLES.items():
        if tid not in ret.tables and not (table.only_xa and ret.level == units.COMMUNE and ret.unit.kind != "Xã"):
            ret.add("table_missing", table=table.title)


def _row_rules(ret: Return, read: TableRead, cycle: Cycle) -> None:
    kept = []
    for rec in read.records:
        trusted = True
        for rule in ROW_RULES:
            if rule.table != read.table or not rule.fails(rec, cycle):
                continue
            expected = rule.expected(rec, cycle) if callable(rule.expected) else rec.get(rule.expected) if rule.expected else None
            f = finding(rule.code, ret.file, read.sheet, cell_of(rec, rule.cell), rec["row"],
                        found=_show(rec.get(rule.found)), expected=_show(expected))
            ret.findings.append(f)
            trusted = trusted and f.severity != "error"
        if trusted:
            kept.append(rec)
        else:
            read.account["data"] -= 1
            read.account["set_aside"] += 1
            read.set_aside.append(rec)
    read.records = kept


def _show(v) -> str:
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, (int, float)):
        return text.format_number(v, 0 if float(v).is_integer() else 1)
    return "" if v is None else str(v)


def _duplicates(ret: Return, read: TableRead) -> None:
    """A commune listed twice in one table: every one of its rows is set aside (also a row already
    set aside for an unreadable value counts as a listing)."""
    rows = defaultdict(list)
    for rec in read.records:
        rows[rec["commune_code"]].append(rec["row"])
    for code, row in read.unparsed:
        rows[code].append(row)
    dup = {code: sorted(rs) for code, rs in rows.items() if len(rs) > 1}
    if not dup:
        return
    for code, rs in dup.items():
        first = next((r for r in read.records if r["commune_code"] == code), None)
        ret.add("commune_duplicate", read.sheet, cell_of(first, "commune") if first else None, rs[0],
                table=forms.TABLES[read.table].label, found=first["commune"] if first else code, count=len(rs),
                rows=", ".join(map(str, rs)))
    kept = [r for r in read.records if r["commune_code"] not in dup]
    moved = len(read.records) - len(kept)
    read.account["data"] -= moved
    read.account["set_aside"] += moved
    read.set_aside += [r for r in read.records if r["commune_code"] in dup]
    read.records = kept


def _absent(ret: Return, read: TableRead, hierarchy: units.Hierarchy) -> None:
    table = forms.TABLES[read.table]
    seen = {r["commune_code"] for r in read.records + read.set_aside} | read.seen
    for unit in hierarchy.communes(ret.unit.code):
        if table.only_xa and unit.kind != "Xã":
            continue
        if unit.code not in seen:
            ret.add("commune_absent", read.sheet, table=table.label, found=unit.name)


def _totals(ret: Return, read: TableRead) -> None:
    """Total rows against the sum of the data rows read (layout B subtotals against their commune)."""
    table = forms.TABLES[read.table]
    fields = [f for f in table.value_fields if any(f in t for t in read.totals)]
    if read.layout == "B":
        by_code = {r["commune_code"]: r for r in read.records}
        for t in read.totals:
            recs = [by_code[t["commune_code"]]] if t.get("commune_code") in by_code else list(by_code.values())
            if t.get("commune_code") and t["commune_code"] not in by_code:
                continue
            for f, key in (("registered", "kdc_registered"), ("meeting", "kdc_meeting")):
                expected = sum(r[key] for r in recs)
                if t.get(f) is not None and abs(t[f] - expected) > TOLERANCE:
                    ret.add("total_mismatch", read.sheet, cell_of(t, f), t["row"],
                            field=key, found=_show(t[f]), expected=_show(expected))
        return
    for t in read.totals:
        for f in fields:
            if t.get(f) is None or isinstance(t[f], bool):
                continue
            # a commune's record summed from its area rows: what those rows say (one missing value
            # makes the commune's sum missing, not the rows' total)
            values = [a.get(f) for r in read.records + read.set_aside for a in r.get("_rows", (r,))]
            expected = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
            if abs(t[f] - expected) > TOLERANCE:
                label = next(x.heading for lay in table.layouts for x in lay.fields if x.name == f)
                ret.add("total_mismatch", read.sheet, cell_of(t, f), t["row"],
                        field=label, found=_show(t[f]), expected=_show(expected))


def _ratios(ret: Return, read: TableRead) -> None:
    """A ratio column restates kdc_meeting / kdc_total: it must agree."""
    for rec in read.records:
        ratio, total, meeting = rec.get("ratio"), rec.get("kdc_total"), rec.get("kdc_meeting")
        if ratio is None or not total or meeting is None:
            continue
        expected = meeting / total
        if abs(ratio - expected) > RATIO_TOLERANCE:
            ret.add("ratio_mismatch", read.sheet, cell_of(rec, "ratio"), rec["row"], field="Tỷ lệ đạt chuẩn",
                    found=text.format_percent(ratio), expected=text.format_percent(expected))


# ---------------------------------------------------------------------------------------------
# cycle rules

def supersede(returns: list[Return]) -> dict[str, str]:
    """Resubmissions: per issuing unit the latest report date wins (then the file name); returns
    {superseded file: winning file} and adds an info finding to each superseded return."""
    out: dict[str, str] = {}
    by_unit = defaultdict(list)
    for ret in returns:
        if ret.status == "loaded":
            by_unit[ret.unit.code].append(ret)
    for rets in by_unit.values():
        rets.sort(key=lambda r: (r.report_date or date.min, r.file), reverse=True)
        winner = rets[0]
        for ret in rets[1:]:
            out[ret.file] = winner.file
            if ret.sha256 == winner.sha256:
                ret.add("file_duplicate", winner=winner.file)
                continue
            when = f"ngày {ret.report_date:%d/%m/%Y}" if ret.report_date else "không ghi ngày"
            reason = (f"báo cáo ngày {winner.report_date:%d/%m/%Y} mới hơn báo cáo {when}"
                      if winner.report_date and winner.report_date != ret.report_date
                      else "cùng ngày báo cáo; chọn theo tên tệp")
            ret.add("file_superseded", winner=winner.file, reason=reason)
    return out


def timeliness(ret: Return, cycle: Cycle) -> None:
    if ret.report_date and ret.report_date > cycle.deadline:
        ret.add("report_late", found=f"{ret.report_date:%d/%m/%Y}", expected=f"{cycle.deadline:%d/%m/%Y}")


def completeness(expected: list[units.Unit], level: str, counted: list[Return],
                 sources: dict[str, dict[str, Return]], rejected: set[str],
                 hierarchy: units.Hierarchy) -> dict[str, dict[str, str]]:
    """Expected unit code -> {table id: received | empty | missing | rejected}, in the units' order.

    District level: the district's own return decides. Commune level: the return counted for the
    commune (``sources``: its own, else its district's). A table of xã only (Biểu 2) is complete for
    a unit without any xã when sent without rows (a quận, a thị xã of phường) or, from a phường or
    đặc khu reporting on its own, when absent or blank: received, 0 xã."""
    out = {}
    own = {r.unit.code: r for r in counted}
    for u in expected:
        row = {}
        for tid, table in forms.TABLES.items():
            if level == units.COMMUNE:
                ret = sources[tid].get(u.code) or own.get(u.code)
            else:
                ret = own.get(u.code)
            if ret is None:
                row[tid] = "rejected" if u.code in rejected else "missing"
            elif table.only_xa and not _has_xa(hierarchy, u) and (tid not in ret.tables or ret.tables[tid].empty):
                row[tid] = "received" if tid in ret.tables or ret.level == units.COMMUNE else "missing"
            elif tid not in ret.tables or (level == units.COMMUNE and u.code not in sources[tid]):
                row[tid] = "missing"
            elif ret.tables[tid].empty:
                row[tid] = "empty"
            else:
                row[tid] = "received"
        out[u.code] = row
    return out


def _has_xa(hierarchy: units.Hierarchy, unit: units.Unit) -> bool:
    if unit.level == units.COMMUNE:
        return unit.kind == "Xã"
    return any(c.kind == "Xã" for c in hierarchy.communes(unit.code))


def reporting_rates(matrix: dict[str, dict[str, str]]) -> dict[str, float]:
    """Per table: received / expected units (never above 1)."""
    n = len(matrix)
    return {tid: (sum(row[tid] == "received" for row in matrix.values()) / n if n else 0.0) for tid in forms.TABLES}


OUTLIER_MIN_FALL = 5     # small counts move by a few units without meaning anything


def compare_with_previous(values: dict[str, dict], prev: dict[str, dict], prev_same_kind: dict[str, dict],
                          previous_ids: tuple[str | None, str | None], files: dict[str, str],
                          labels: dict[str, str]) -> list:
    """Implausible moves per reporting unit: a count falling by more than a third (and by at least
    ``OUTLIER_MIN_FALL``); the number of residential areas moving by more than 5 %.

    ``values``/``prev`` map unit code -> {key: value}; stocks compare with the cycle just before,
    flows with the previous cycle of the same kind. ``files`` gives each unit's file.
    """
    out = []
    for code, now in values.items():
        for key, v in now.items():
            ref, ref_id = (prev_same_kind, previous_ids[1]) if is_flow(key) else (prev, previous_ids[0])
            old = ref.get(code, {}).get(key)
            if v is None or old is None or not old:
                continue
            if key == "kdc_total":
                if abs(v - old) / old > 0.05:
                    out.append(finding("outlier_kdc_change", files.get(code), found=_show(v), expected=_show(old),
                                       previous=ref_id))
            elif v < old * (2 / 3) and old - v >= OUTLIER_MIN_FALL:
                out.append(finding("outlier_drop", files.get(code), field=labels.get(key, key), found=_show(v),
                                   expected=_show(old), previous=ref_id))
    return out


def layout_changes(now: dict[str, dict[str, str]], before: dict[str, dict[str, str]], files: dict[str, str]) -> list:
    """Per unit and table, a heading layout that differs from the previous return's."""
    out = []
    for code, sigs in now.items():
        for tid, sig in sigs.items():
            old = before.get(code, {}).get(tid)
            if old and old != sig:
                out.append(finding("layout_changed", files.get(code), table=forms.TABLES[tid].label,
                                   detail=f"trước: {old.split('|', 2)[2]}; nay: {sig.split('|', 2)[2]}"))
    return out


def area_changes(now: dict[str, list[str]], before: dict[str, list[str]], files: dict[str, str],
                 previous_id: str, hierarchy: units.Hierarchy) -> list:
    """Per commune whose residential areas are listed in both cycles, the areas that appeared and
    those that vanished (by normalised name): hamlets merged, split or renamed."""
    out = []
    for code, keys in now.items():
        old = before.get(code)
        if not old:
            continue
        added, gone = sorted(set(keys) - set(old)), sorted(set(old) - set(keys))
        if added or gone:
            out.append(finding("kdc_areas_changed", files.get(code), found=hierarchy.unit(code).name,
                               previous=previous_id, added=", ".join(added) or "không",
                               removed=", ".join(gone) or "không"))
    return out
