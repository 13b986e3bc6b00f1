"""Frames about the returns of a cycle that the deck, the workbooks, the quality report and the
notebooks show: the one order of every list of units (``in_code_order``), a ratio by district, reporting rate per table, status of every file, timeliness against the deadline,
findings in reading order and counted by severity, and the new-rural status of every commune.

Each is computed from a ``CycleView``; nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from antt.analyse.columns import RATES
from antt.analyse.view import CycleView
from antt.core import forms, indicators
from antt.core.findings import SEVERITY_ORDER
from antt.core.text import fold, format_number
from antt.core.values import is_missing

FILE_STATUS_LABELS = {"loaded": "đã nạp", "superseded": "bị thay thế", "rejected": "bị từ chối"}


def in_code_order(frame: pd.DataFrame, codes: str = "unit_code", *then: str) -> pd.DataFrame:
    """The rows of ``frame`` in the official order of administrative codes (``codes`` ascending, as
    numbers), then by the columns ``then``; rows without a code (the province or total row, a file
    of no known unit) last, in their order. The order of every list of units the suite shows
    (tables, workbooks, the HTML report); a chart comparing units sorts by its value instead."""
    key = pd.to_numeric(frame[codes], errors="coerce").astype("float64")
    return (frame.assign(_code=key.to_numpy())
            .sort_values(["_code", *then], kind="stable", na_position="last")
            .drop(columns="_code"))


def below_target(view: CycleView, ratio: str = "kdc_meeting_share") -> pd.DataFrame:
    """Units whose ``ratio`` is below the cycle's target, in code order, with ``needed``: how many
    more (e.g. residential areas meeting the standard) would reach the target."""
    r, target = RATES[ratio], view.targets[ratio]
    d = view.units[["unit_code", "unit_name", r.numerator, r.denominator, ratio]]
    d = d[d[ratio].astype("Float64").fillna(np.inf) < target]
    d = d.assign(needed=indicators.needed(d[r.numerator], d[r.denominator], target).astype(int))
    return in_code_order(d).reset_index(drop=True)


def model_types(models: pd.DataFrame) -> list[str]:
    """The model types of a ``models`` table: those of the form's list first, in its order, then the
    others as first written, "Khác" last — the order (and so the colours) of every chart of them."""
    present = list(dict.fromkeys(models["model_type"].dropna().astype(str)))
    types = [t for t in forms.MODEL_TYPES if t in present and t != forms.OTHER_MODEL_TYPE]
    types += [t for t in present if t not in forms.MODEL_TYPES]
    return types + ([forms.OTHER_MODEL_TYPE] if forms.OTHER_MODEL_TYPE in present else [])


def unit_ratio(view: CycleView, ratio: str) -> pd.Series:
    """A ratio of ``indicators.RATIOS`` by district (rows of ``view.units``) as floats, NaN where
    a district has no value."""
    return view.units[ratio].astype("float64")


#: A per-unit chart shows every unit up to this many (the 22 districts of former Bình Phước and
#: Đồng Nai together); above it, a selection (``select_units``): the 95 communes of Đồng Nai do not
#: fit a 16:9 slide.
MAX_UNITS = 24


@dataclass(frozen=True)
class UnitSelection:
    """The rows of a per-unit chart: ``rows`` in their order (highest first, no value last), the
    ``hidden`` units left out between the highest and the lowest after row ``gap`` (None: none left
    out), ``gap_label`` for that place, and ``note`` saying how many units are shown of how many."""

    rows: pd.DataFrame
    total: int
    gap: int | None = None
    hidden: int = 0
    gap_label: str = ""
    note: str = ""


def select_units(frame: pd.DataFrame, value: pd.Series, limit: int = MAX_UNITS,
                 fmt: Callable[[float], str] = format_number, names: pd.Series | None = None) -> UnitSelection:
    """The rows of ``frame`` by ``value`` (largest first, ties by name without diacritics, no value
    last) for a per-unit chart; ``names`` default to the ``unit_name`` column.

    Up to ``limit`` rows: all of them. More (a commune-level cycle): the ``limit // 2`` highest and
    the lowest, with up to 4 units without a value (a missing return is what an analyst looks for);
    the units between are one gap, labelled with their number and range ("… 71 đơn vị khác, từ 2,1
    đến 5,2"), and ``note`` says how many of how many are shown.
    """
    v = pd.to_numeric(value, errors="coerce").astype("float64")
    names = [str(n) for n in (frame["unit_name"] if names is None else names)]
    by_name = sorted(range(len(frame)), key=lambda i: (fold(names[i]), names[i]))
    d = (frame.assign(_v=v.to_numpy()).iloc[by_name]
         .sort_values("_v", ascending=False, na_position="last", kind="stable"))
    if len(d) <= limit:
        return UnitSelection(d.drop(columns="_v"), len(d))
    known, unknown = d[d["_v"].notna()], d[d["_v"].isna()]
    shown_unknown = min(len(unknown), 4)
    half = (limit - shown_unknown) // 2
    top, bottom, middle = known.head(half), known.tail(max(0, min(half, len(known) - half))), known.iloc[half:-half]
    rows = pd.concat([top, bottom, unknown.head(shown_unknown)]).drop(columns="_v")
    n = len(d)
    note = f"Hiển thị {len(rows)}/{n} đơn vị: {len(top)} cao nhất, {len(bottom)} thấp nhất"
    if shown_unknown:
        note += f", {shown_unknown} không có số liệu"
    if len(unknown) > shown_unknown:
        note += f"; {len(unknown) - shown_unknown} đơn vị khác không có số liệu"
    label = ""
    if len(middle):
        lo, hi = middle["_v"].min(), middle["_v"].max()
        label = f"… {len(middle)} đơn vị khác, " + (f"cùng {fmt(lo)}" if lo == hi else f"từ {fmt(lo)} đến {fmt(hi)}")
    return UnitSelection(rows, n, len(top) if len(middle) else None, len(middle), label, note)


def reporting_rates(view: CycleView) -> pd.DataFrame:
    """Per table: table, title, received, expected (districts), rate = received / expected (never above
    1; None when no district is expected)."""
    c = view.completeness
    rows = []
    for tid, t in forms.TABLES.items():
        received = int((c[tid] == "received").sum())
        rows.append({"table": tid, "title": t.title, "received": received, "expected": len(c),
                     "rate": received / len(c) if len(c) else None})
    return pd.DataFrame(rows)


def _file_reasons(view: CycleView) -> dict[str, str]:
    """file -> why it was superseded or rejected (the messages of its findings)."""
    f, files = view.findings, view.files
    out = {}
    for file, status in zip(files["file"], files["status"]):
        if status == "superseded":
            sel = f[(f["file"] == file) & f["code"].isin(["file_superseded", "file_duplicate"])]
        elif status == "rejected":
            sel = f[(f["file"] == file) & (f["severity"] == "error")]
        else:
            continue
        out[file] = " ".join(dict.fromkeys(str(m) for m in sel["message"] if not is_missing(m)))
    return out


def file_statuses(view: CycleView) -> pd.DataFrame:
    """One row per file of the cycle folder: file, district, status (and its Vietnamese label),
    tables, report date, format, and the reason for a superseded or rejected file."""
    files = view.files
    reasons = _file_reasons(view)
    names = files["unit_code"].map(view._unit_name)
    rows = []
    for i, r in enumerate(files.itertuples(index=False)):
        tables = [] if r.tables is None or (not hasattr(r.tables, "__len__") and is_missing(r.tables)) else list(r.tables)
        rows.append({"file": r.file, "unit_code": None if is_missing(r.unit_code) else r.unit_code,
                     "unit_name": names.iloc[i] if not is_missing(names.iloc[i]) else None,
                     "status": r.status, "status_label": FILE_STATUS_LABELS.get(r.status, str(r.status)),
                     "tables": ", ".join(str(forms.TABLES[t].number) if t in forms.TABLES else str(t)
                                         for t in sorted(tables, key=_table_order)),
                     "report_date": _as_date(r.report_date), "format": r.format,
                     "reason": reasons.get(r.file, "")})
    order = {"rejected": 0, "superseded": 1, "loaded": 2}
    out = pd.DataFrame(rows, columns=["file", "unit_code", "unit_name", "status", "status_label", "tables",
                                      "report_date", "format", "reason"])
    return out.sort_values(["status", "file"], key=lambda s: s.map(order) if s.name == "status" else s,
                           kind="stable").reset_index(drop=True)


def _table_order(tid: str) -> int:
    return forms.TABLES[tid].number if tid in forms.TABLES else 99


def _as_date(v) -> date | None:
    if v is None or (not isinstance(v, (str, list, tuple)) and pd.isna(v) is True):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    try:
        return pd.Timestamp(v).date()
    except (TypeError, ValueError):
        return None


def timeliness(view: CycleView) -> pd.DataFrame:
    """Per expected district, in code order: its loaded report's date against the deadline.

    Columns: unit_code, unit_name, file, report_date, deadline, days_late (0 when on time),
    status ("Đúng hạn", "Nộp muộn N ngày", "Không ghi ngày báo cáo", "Chưa có báo cáo",
    "Chỉ có tệp bị từ chối").
    """
    deadline = view.cycle.deadline
    files = view.files[view.files["status"] == "loaded"]
    rejected = set(view.files.loc[view.files["status"] == "rejected", "unit_code"].dropna())
    rows = []
    units = in_code_order(view.completeness)
    for code, name in zip(units["unit_code"], units["unit_name"]):
        mine = files[files["unit_code"] == code]
        dates = [d for d in (_as_date(x) for x in mine["report_date"]) if d is not None]
        when = max(dates) if dates else None
        late = (when - deadline).days if when else None
        if mine.empty:
            status = "Chỉ có tệp bị từ chối" if code in rejected else "Chưa có báo cáo"
        elif when is None:
            status = "Không ghi ngày báo cáo"
        elif late > 0:
            status = f"Nộp muộn {late} ngày"
        else:
            status = "Đúng hạn"
        rows.append({"unit_code": code, "unit_name": name, "file": ", ".join(mine["file"]) or None,
                     "report_date": when, "deadline": deadline, "days_late": max(late, 0) if late is not None else None,
                     "status": status})
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "file", "report_date", "deadline",
                                       "days_late", "status"])


def findings_sorted(view: CycleView) -> pd.DataFrame:
    """Findings ordered by severity (errors first), unit (code order; no unit last), file and row."""
    f = view.findings.copy()
    f["_row"] = pd.to_numeric(f["row"], errors="coerce").astype("float64").fillna(0)
    f = in_code_order(f, "unit_code", "file", "_row")
    return f.sort_values("severity", key=lambda s: s.map(SEVERITY_ORDER).fillna(9), kind="stable") \
        .drop(columns="_row").reset_index(drop=True)


def severity_counts(view: CycleView) -> dict[str, int]:
    """Findings per severity, every severity present (errors, warnings, information), in that order."""
    counts = view.findings["severity"].value_counts()
    return {s: int(counts.get(s, 0)) for s in SEVERITY_ORDER}


def commune_status(communes: pd.DataFrame) -> pd.Series:
    """New-rural status of each commune (rows of ``CycleView.communes``) for the map: "Đạt chuẩn NTM",
    "Chưa đạt", "Không phải xã" (a phường, thị trấn or đặc khu) or "Không có số liệu"."""
    def one(row) -> str:
        if row["commune_kind"] != "Xã":
            return "Không phải xã"
        if pd.isna(row["ntm_met"]):
            return "Không có số liệu"
        return "Đạt chuẩn NTM" if bool(row["ntm_met"]) else "Chưa đạt"
    return communes.apply(one, axis=1)
