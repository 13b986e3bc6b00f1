"""Exports: the files people open — charts (PNG, SVG), the slide deck (PPTX), the summary workbook (XLSX).

Everything is drawn from a ``CycleView`` (``antt.analyse.view.open_cycle``); nothing here reads raw
returns. Every file is written under a temporary name in its own folder and renamed into place
(``atomic_path``), so a reader never sees half a file and re-running replaces the files.

- ``save_charts(view, out_dir)``: every chart of ``figures.FIGURES`` as ``NN_<name>.png`` (200 dpi)
  and ``NN_<name>.svg``.
- ``export_deck(view, path, charts_dir)``: a 16:9 deck — title, key figures (native table), one
  slide per chart with a takeaway computed from the data (bar and line charts native and editable,
  the map and the multi-panel charts as pictures), data quality. Each slide's notes name the source.
- ``export_workbook(view, path)``: ``tong_hop_<cycle>.xlsx`` — "Chỉ số chính", "Theo đơn vị",
  "Đầy đủ", "Phát hiện". Text is always written as text (a file name "=SUM(1)" never becomes a
  formula).

The sheet writers (``sheet_*``) and ``write_workbook`` are reused by ``antt.publish.quality``.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import matplotlib
import matplotlib.style
import pandas as pd
import xlsxwriter
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from antt.publish import figures
from antt.core import forms, indicators
from antt.check import validate
from antt.core.atomic import atomic_path
from antt.analyse.view import KEY_LABELS, CycleView, comparison
from antt.publish.charts import COMPLETENESS_COLORS, COMPLETENESS_LABELS, PALETTE, STYLE
from antt.core.cycles import parse_cycle
from antt.core.findings import SEVERITY_LABEL, SEVERITY_ORDER
from antt.core.text import format_number, format_percent

__all__ = [
    "atomic_path", "save_charts", "export_deck", "export_workbook", "write_workbook", "takeaway",
    "reporting_rates", "file_statuses", "timeliness", "findings_sorted", "deck_name", "workbook_name",
    "Col", "Formats", "write_table", "sheet_key_figures", "sheet_districts", "sheet_completeness",
    "sheet_findings", "sheet_files", "sheet_timeliness", "FILE_STATUS_LABELS", "MOVEMENT",
]

#: The movement the returns report on (title of the deck and the workbooks).
MOVEMENT = "Phong trào Toàn dân bảo vệ an ninh Tổ quốc"
FILE_STATUS_LABELS = {"loaded": "đã nạp", "superseded": "bị thay thế", "rejected": "bị từ chối"}
CHART_DPI = 200


def deck_name(view: CycleView) -> str:
    return f"bao_cao_{view.cycle.id}.pptx"


def workbook_name(view: CycleView) -> str:
    return f"tong_hop_{view.cycle.id}.xlsx"


def _target_file(path: Path | str, default_name: str) -> Path:
    path = Path(path)
    return path / default_name if path.is_dir() or not path.suffix else path


def _isnan(v) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def _num(v) -> float | None:
    return None if _isnan(v) else float(v)


# --- charts --------------------------------------------------------------------------------------

def _save_figure(spec: figures.FigureSpec, view: CycleView, out_dir: Path, dpi: int = CHART_DPI) -> list[Path]:
    fig = spec.draw(view, spec.title)
    paths = []
    try:
        with matplotlib.style.context(STYLE, after_reset=True), \
                matplotlib.rc_context({"svg.hashsalt": spec.stem, "svg.fonttype": "path"}):
            for ext, kw in (("png", {"dpi": dpi, "metadata": {"Software": None}}),
                            ("svg", {"metadata": {"Date": None, "Creator": None}})):
                final = out_dir / f"{spec.stem}.{ext}"
                with atomic_path(final) as tmp:
                    fig.savefig(tmp, format=ext, facecolor="white", **kw)
                paths.append(final)
    finally:
        fig.clear()           # Figure objects (no pyplot): free the artists now
        del fig
    return paths


def save_charts(view: CycleView, out_dir: Path | str, dpi: int = CHART_DPI) -> list[Path]:
    """Every chart of the catalogue as ``out_dir/NN_<name>.png`` (``dpi``) and ``.svg``; the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for spec in figures.FIGURES:
        paths += _save_figure(spec, view, out_dir, dpi)
    return paths


# --- frames shared by the deck, the workbooks and the quality report ----------------------------

def reporting_rates(view: CycleView) -> pd.DataFrame:
    """Per table: table, title, received, expected, rate (``validate.reporting_rates``: never above 1)."""
    c = view.completeness
    matrix = {row["district_code"]: row for row in c.to_dict("records")}
    rates = validate.reporting_rates(matrix)
    return pd.DataFrame([{"table": tid, "title": t.title, "received": int((c[tid] == "received").sum()),
                          "expected": len(c), "rate": rates[tid] if len(c) else None}
                         for tid, t in forms.TABLES.items()])


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
        out[file] = " ".join(dict.fromkeys(str(m) for m in sel["message"] if not _isnan(m)))
    return out


def file_statuses(view: CycleView) -> pd.DataFrame:
    """One row per file of the cycle folder: file, district, status (and its Vietnamese label),
    tables, report date, format, and the reason for a superseded or rejected file."""
    files = view.files
    reasons = _file_reasons(view)
    names = files["district_code"].map(view._district_name)
    rows = []
    for i, r in enumerate(files.itertuples(index=False)):
        tables = [] if r.tables is None or (not hasattr(r.tables, "__len__") and _isnan(r.tables)) else list(r.tables)
        rows.append({"file": r.file, "district_code": None if _isnan(r.district_code) else r.district_code,
                     "district_name": names.iloc[i] if not _isnan(names.iloc[i]) else None,
                     "status": r.status, "status_label": FILE_STATUS_LABELS.get(r.status, str(r.status)),
                     "tables": ", ".join(str(forms.TABLES[t].number) if t in forms.TABLES else str(t)
                                         for t in sorted(tables, key=_table_order)),
                     "report_date": _as_date(r.report_date), "format": r.format,
                     "reason": reasons.get(r.file, "")})
    order = {"rejected": 0, "superseded": 1, "loaded": 2}
    out = pd.DataFrame(rows, columns=["file", "district_code", "district_name", "status", "status_label", "tables",
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
    """Per expected district: its loaded report's date against the deadline.

    Columns: district_code, district_name, file, report_date, deadline, days_late (0 when on time),
    status ("Đúng hạn", "Nộp muộn N ngày", "Không ghi ngày báo cáo", "Chưa có báo cáo",
    "Chỉ có tệp bị từ chối").
    """
    deadline = view.cycle.deadline
    files = view.files[view.files["status"] == "loaded"]
    rejected = set(view.files.loc[view.files["status"] == "rejected", "district_code"].dropna())
    rows = []
    for code, name in zip(view.completeness["district_code"], view.completeness["district_name"]):
        mine = files[files["district_code"] == code]
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
        rows.append({"district_code": code, "district_name": name, "file": ", ".join(mine["file"]) or None,
                     "report_date": when, "deadline": deadline, "days_late": max(late, 0) if late is not None else None,
                     "status": status})
    return pd.DataFrame(rows, columns=["district_code", "district_name", "file", "report_date", "deadline",
                                       "days_late", "status"])


def findings_sorted(view: CycleView) -> pd.DataFrame:
    """Findings ordered by severity (errors first), district, file and row."""
    f = view.findings.copy()
    f["_sev"] = f["severity"].map(SEVERITY_ORDER).fillna(9)
    order = {c: i for i, c in enumerate(view.completeness["district_code"])}
    f["_dist"] = f["district_code"].map(order).astype("float64").fillna(len(order))
    f["_row"] = pd.to_numeric(f["row"], errors="coerce").astype("float64").fillna(0)
    return f.sort_values(["_sev", "_dist", "file", "_row"], kind="stable", na_position="last") \
        .drop(columns=["_sev", "_dist", "_row"]).reset_index(drop=True)


def _severity_counts(view: CycleView) -> dict[str, int]:
    counts = view.findings["severity"].value_counts()
    return {s: int(counts.get(s, 0)) for s in SEVERITY_ORDER}


# --- takeaways: one sentence per chart, computed from the data -----------------------------------

def _names_list(names: Sequence[str], limit: int = 5) -> str:
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" và {len(names) - limit} đơn vị khác"


def _coverage_note(view: CycleView, *keys: str) -> str:
    cov = min(view.province["coverage"][k] for k in keys)
    return "" if cov >= view.expected else f"; số liệu của {cov}/{view.expected} đơn vị"


def _share_series(d: pd.DataFrame, num: str, den: str) -> pd.Series:
    n = pd.to_numeric(d[num], errors="coerce").astype("float64")
    t = pd.to_numeric(d[den], errors="coerce").astype("float64")
    return n / t.where(t > 0)


def _tw_kdc_coverage(view: CycleView) -> str:
    d = view.districts
    share = _share_series(d, "kdc_meeting", "kdc_total")
    target = view.targets["kdc_meeting_share"]
    t = format_percent(target, 0 if round(target * 100, 6).is_integer() else 1)
    known = share.notna()
    below = d.assign(_s=share)[known & (share < target - 1e-12)].sort_values("_s", kind="stable")
    n = len(d)
    met = d[known & (share >= target - 1e-12)]
    if below.empty:
        s = f"{len(met)}/{n} đơn vị đạt chỉ tiêu {t}"
    elif len(below) > len(met):         # most below: name the few that met it
        s = f"{len(met)}/{n} đơn vị đạt chỉ tiêu {t}"
        s += f" ({_names_list(met['district_name'])})" if len(met) else ""
        s += f", {len(below)}/{n} đơn vị dưới chỉ tiêu"
    else:
        s = f"{len(below)}/{n} đơn vị dưới chỉ tiêu {t}: {_names_list(below['district_name'])}"
    p = view.province
    if p["kdc_meeting_share"] is not None:
        s += (f"; toàn tỉnh {format_percent(p['kdc_meeting_share'])} khu dân cư đạt chuẩn "
              f"({format_number(p['kdc_meeting'])}/{format_number(p['kdc_total'])})")
    missing = d[~known]
    if len(missing):
        s += f"; {len(missing)} đơn vị không có số liệu: {_names_list(missing['district_name'])}"
    return s + "."


def _tw_kdc_registered_meeting(view: CycleView) -> str:
    p = view.province
    if p["kdc_total"] is None:
        return "Không có số liệu về khu dân cư."
    return (f"Toàn tỉnh {format_number(p['kdc_total'])} khu dân cư: {format_number(p['kdc_registered'])} đăng ký "
            f"({format_percent(p['kdc_registered_share'])}), {format_number(p['kdc_meeting'])} đạt chuẩn "
            f"({format_percent(p['kdc_meeting_share'])})" + _coverage_note(view, "kdc_total", "kdc_meeting") + ".")


def _tw_ntm_by_district(view: CycleView) -> str:
    p = view.province
    if not p["ntm_communes"]:
        return "Không có số liệu về xã đạt chuẩn nông thôn mới."
    s = (f"{format_number(p['ntm_met'])}/{format_number(p['ntm_communes'])} xã ({format_percent(p['ntm_share'])}) "
         f"đạt chuẩn nông thôn mới")
    d = view.districts.assign(_s=_share_series(view.districts, "ntm_met", "ntm_communes"))
    d = d[d["_s"].notna()]
    if len(d) > 1 and d["_s"].min() < d["_s"].max():
        low = d[d["_s"] <= d["_s"].min() + 1e-12]
        s += f"; tỷ lệ thấp nhất: {_names_list(low['district_name'], 3)} ({format_percent(d['_s'].min())})"
    return s + _coverage_note(view, "ntm_communes", "ntm_met") + "."


def _tw_ntm_criteria(view: CycleView) -> str:
    crit = pd.to_numeric(view.tables["ntm"]["ntm_criteria_met"], errors="coerce").astype("float64")
    known = crit.dropna()
    if known.empty:
        return "Không có số liệu về số tiêu chí nông thôn mới."
    full, short = int((known >= 19).sum()), int(((known >= 17) & (known < 19)).sum())
    s = f"{format_number(full)}/{format_number(len(known))} xã đạt đủ 19 tiêu chí; {format_number(short)} xã còn thiếu 1–2 tiêu chí"
    if crit.isna().any():
        s += f"; {format_number(int(crit.isna().sum()))} xã không có số liệu"
    return s + "."


def _tw_ntm_recognitions(view: CycleView) -> str:
    years = pd.to_numeric(view.tables["ntm"]["ntm_year"], errors="coerce").dropna().round().astype(int)
    if years.empty:
        return "Không có số liệu về năm công nhận đạt chuẩn nông thôn mới."
    counts = years.value_counts().sort_index()
    top_year = int(counts.idxmax())
    s = (f"{format_number(len(years))} xã đã được công nhận đạt chuẩn nông thôn mới, nhiều nhất năm {top_year} "
         f"({format_number(int(counts.max()))} xã)")
    this_year = int(counts.get(view.cycle.year, 0))
    if this_year and top_year != view.cycle.year:
        s += f"; năm {view.cycle.year}: {format_number(this_year)} xã"
    return s + "."


def _tw_ntm_map(view: CycleView) -> str:
    status = figures.commune_status(view.communes).value_counts()
    parts = [f"{format_number(int(status.get(k, 0)))} {what}" for k, what in (
        ("Đạt chuẩn NTM", "xã đạt chuẩn nông thôn mới"), ("Chưa đạt", "xã chưa đạt"),
        ("Phường, thị trấn", "phường, thị trấn"), ("Không có số liệu", "xã không có số liệu"))
        if status.get(k, 0)]
    return ("Trên bản đồ: " + ", ".join(parts) + ".") if parts else "Không có số liệu."


def _tw_models_by_type(view: CycleView) -> str:
    types = view.tables["models"]["model_type"].dropna().astype(str)
    if types.empty:
        return "Không có số liệu về mô hình."
    counts = types.value_counts()
    top, n = counts.index[0], int(counts.iloc[0])
    return (f"{format_number(len(types))} mô hình; nhiều nhất là “{top}” ({format_number(n)} mô hình, "
            f"{format_percent(n / len(types))}).")


def _tw_models_setting(view: CycleView) -> str:
    p = view.province
    if p["models_residential"] is None:
        return "Không có số liệu về mô hình."
    return (f"{format_number(p['models_residential'])} mô hình ở khu dân cư và {format_number(p['models_institutional'])} "
            f"ở cơ quan, doanh nghiệp, nhà trường; {format_number(p['communes_with_models'])} xã, phường, thị trấn "
            f"có mô hình ở khu dân cư" + _coverage_note(view, "models_residential") + ".")


def _tw_cameras_per_kdc(view: CycleView) -> str:
    p = view.province
    if p["cameras_per_kdc"] is None:
        return "Không có số liệu về camera an ninh."
    d = view.districts.assign(_c=_share_series(view.districts, "cameras", "kdc_total"))
    d = d[d["_c"].notna()].sort_values("_c", ascending=False, kind="stable")
    s = (f"Bình quân {format_number(p['cameras_per_kdc'], 1)} camera trên một khu dân cư "
         f"({format_number(p['cameras'])} camera)")
    if len(d) > 1:
        hi, lo = d.iloc[0], d.iloc[-1]
        s += (f"; cao nhất {hi['district_name']} ({format_number(hi['_c'], 1)}), "
              f"thấp nhất {lo['district_name']} ({format_number(lo['_c'], 1)})")
    return s + _coverage_note(view, "cameras", "kdc_total") + "."


def _tw_outreach(view: CycleView) -> str:
    p = view.province
    if p["broadcast_hours"] is None and p["banners_posters"] is None:
        return "Không có số liệu về tuyên truyền."
    s = (f"{format_number(p['broadcast_hours'])} giờ phát thanh, tuyên truyền và {format_number(p['banners_posters'])} "
         f"băng rôn, khẩu hiệu, áp phích")
    h = pd.to_numeric(view.districts["broadcast_hours"], errors="coerce").astype("float64")
    if h.notna().any():
        top = view.districts.loc[h.idxmax()]
        s += f"; nhiều giờ phát thanh nhất: {top['district_name']} ({format_number(h.max())} giờ)"
    return s + _coverage_note(view, "broadcast_hours", "banners_posters") + "."


def _tw_bright_spots(view: CycleView) -> str:
    p = view.province
    if p["bright_spots_upper"] is None and p["core_groups"] is None:
        return "Không có số liệu về điểm sáng và tổ, nhóm nòng cốt."
    up, com = p["bright_spots_upper"] or 0, p["bright_spots_commune"] or 0
    return (f"{format_number(up + com)} điểm sáng ({format_number(up)} cấp tỉnh, cấp huyện; {format_number(com)} cấp xã) "
            f"và {format_number(p['core_groups'])} tổ, nhóm nòng cốt với {format_number(p['core_group_members'])} thành viên"
            + _coverage_note(view, "bright_spots_upper", "core_groups") + ".")


def _change_phrase(label: str, old, new, fmt) -> str:
    if old is None or new is None:
        return ""
    if abs(new - old) < 1e-12:
        return f"{label} giữ nguyên {fmt(new)}"
    return f"{label} {'tăng' if new > old else 'giảm'} từ {fmt(old)} {'lên' if new > old else 'xuống'} {fmt(new)}"


def _tw_trend(view: CycleView) -> str:
    t = view.trend
    cycles = list(dict.fromkeys(t["cycle"]))
    cycles.sort(key=parse_cycle)
    if len(cycles) < 2:
        return f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."
    prev = cycles[-2]
    value = lambda c, k: _num(t[(t["cycle"] == c) & (t["key"] == k)]["value"].iloc[0]) \
        if ((t["cycle"] == c) & (t["key"] == k)).any() else None
    parts = [_change_phrase("tỷ lệ khu dân cư đạt chuẩn", value(prev, "kdc_meeting_share"),
                            value(view.cycle.id, "kdc_meeting_share"), format_percent),
             _change_phrase("xã đạt chuẩn nông thôn mới", value(prev, "ntm_met"), value(view.cycle.id, "ntm_met"),
                            format_number)]
    parts = [p for p in parts if p]
    if not parts:
        return "Không đủ số liệu để so sánh với kỳ trước."
    label = parse_cycle(prev).label
    s = "So với " + label + ": " + "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def _tw_trend_shares(view: CycleView) -> str:
    t = view.trend
    cycles = sorted(dict.fromkeys(t["cycle"]), key=parse_cycle)
    if len(cycles) < 2:
        return f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."
    first = cycles[0]
    value = lambda c, k: _num(t[(t["cycle"] == c) & (t["key"] == k)]["value"].iloc[0]) \
        if ((t["cycle"] == c) & (t["key"] == k)).any() else None
    parts = [_change_phrase(label, value(first, key), value(view.cycle.id, key), format_percent)
             for key, label in (("kdc_meeting_share", "tỷ lệ khu dân cư đạt chuẩn"),
                                ("ntm_share", "tỷ lệ xã đạt chuẩn nông thôn mới"))]
    parts = [p for p in parts if p]
    if not parts:
        return "Không đủ số liệu để so sánh qua các kỳ."
    return f"Từ {parse_cycle(first).label} đến {view.cycle.label}: " + "; ".join(parts) + "."


def _tw_completeness(view: CycleView) -> str:
    c = view.completeness
    tables = list(forms.TABLES)
    full = (c[tables] == "received").all(axis=1)
    s = f"{int(full.sum())}/{len(c)} đơn vị gửi đủ {len(tables)} biểu"
    if not full.all():
        s += f"; chưa đủ: {_names_list(c.loc[~full, 'district_name'])}"
    return s + "."


def _tw_quality(view: CycleView) -> str:
    sev = _severity_counts(view)
    st = view.files["status"].value_counts()
    return (f"{view.reporting}/{view.expected} đơn vị có báo cáo; {sev['error']} lỗi, {sev['warning']} cảnh báo, "
            f"{sev['info']} thông tin; {len(view.files)} tệp: {int(st.get('loaded', 0))} đã nạp, "
            f"{int(st.get('superseded', 0))} bị thay thế, {int(st.get('rejected', 0))} bị từ chối.")


TAKEAWAYS: dict[str, Callable[[CycleView], str]] = {
    "kdc_coverage": _tw_kdc_coverage,
    "kdc_registered_meeting": _tw_kdc_registered_meeting,
    "ntm_by_district": _tw_ntm_by_district,
    "ntm_criteria": _tw_ntm_criteria,
    "ntm_recognitions": _tw_ntm_recognitions,
    "ntm_map": _tw_ntm_map,
    "models_by_type": _tw_models_by_type,
    "models_setting": _tw_models_setting,
    "cameras_per_kdc": _tw_cameras_per_kdc,
    "outreach": _tw_outreach,
    "bright_spots": _tw_bright_spots,
    "trend": _tw_trend,
    "trend_shares": _tw_trend_shares,
    "completeness": _tw_completeness,
    "quality": _tw_quality,
}


def takeaway(name: str, view: CycleView) -> str:
    """The one-sentence takeaway of chart ``name`` (or "quality") for this cycle, from the data."""
    return TAKEAWAYS[name](view)


# --- the deck ------------------------------------------------------------------------------------

FONT = "Arial"
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
_MARGIN_IN = 0.5
_CONTENT_TOP_IN = 1.95
_CONTENT_BOTTOM_IN = 7.0


def _RGB(hexstr: str) -> RGBColor:
    return RGBColor.from_string(hexstr.lstrip("#").upper())


_DARK, _SUBTLE, _ACCENT = PALETTE["text"], PALETTE["subtle"], "#1F4E79"


def _lines(text: str, width_in: float, size: float, bold: bool) -> int:
    """How many lines ``text`` takes at ``size`` pt in a box ``width_in`` wide. Arial (Liberation Sans when
    rendered by LibreOffice) averages about 0.50 em a character in Vietnamese text, 0.53 in bold; we
    count 0.53 and 0.58 so that a text judged to fit does fit."""
    em = 0.58 if bold else 0.53
    per_line = max(1, int(width_in * 72 / (size * em)))
    return sum(len(textwrap.wrap(p, per_line)) or 1 for p in text.split("\n"))


def _fit_size(text: str, width_in: float, height_in: float, max_pt: float, min_pt: float, bold: bool = False,
              line_spacing: float = 1.2, max_lines: int | None = None) -> float:
    """The largest font size (pt, whole points from ``max_pt`` down to ``min_pt``) at which ``text`` fits
    the box (and takes at most ``max_lines`` lines)."""
    size = max_pt
    while size > min_pt:
        lines = _lines(text, width_in, size, bold)
        if lines * size * line_spacing / 72 <= height_in and (max_lines is None or lines <= max_lines):
            return size
        size -= 1
    return min_pt


def _style_runs(paragraph, size: float, bold: bool = False, colour: str = _DARK, italic: bool = False):
    for run in paragraph.runs:
        run.font.name = FONT
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.color.rgb = _RGB(colour)
        run.font.language_id = MSO_LANGUAGE_ID.VIETNAMESE


def _set_text(frame, text: str, size: float, *, bold: bool = False, colour: str = _DARK, italic: bool = False,
              align=None, anchor=None):
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE     # a safety net; the size is chosen to fit
    frame.vertical_anchor = anchor if anchor is not None else MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, 0)
    for i, line in enumerate(text.split("\n")):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.text = line
        p.alignment = align if align is not None else PP_ALIGN.LEFT
        _style_runs(p, size, bold, colour, italic)


def _textbox(slide, left, top, width, height, text, *, max_pt, min_pt, bold=False, colour=_DARK, italic=False,
             align=None, anchor=None, name=None):
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    size = _fit_size(text, width, height, max_pt, min_pt, bold)
    _set_text(box.text_frame, text, size, bold=bold, colour=colour, italic=italic, align=align, anchor=anchor)
    return box


def _title(slide, text: str, *, top=0.3, height=0.95, max_pt=30, min_pt=18):
    """The slide's title placeholder (so the outline and screen readers see it), placed and sized to fit."""
    shape = slide.shapes.title
    width = SLIDE_W_IN - 2 * _MARGIN_IN
    shape.left, shape.top = Inches(_MARGIN_IN), Inches(top)
    shape.width, shape.height = Inches(width), Inches(height)
    # one line if it fits at a readable size, otherwise two lines
    size = _fit_size(text, width, height, max_pt, 20, bold=True, max_lines=1)
    if _lines(text, width, size, True) > 1:
        size = _fit_size(text, width, height, max_pt, min_pt, bold=True)
    _set_text(shape.text_frame, text, size, bold=True, colour=_ACCENT, anchor=MSO_ANCHOR.BOTTOM)
    return shape


def _takeaway_box(slide, text: str):
    return _textbox(slide, _MARGIN_IN, 1.3, SLIDE_W_IN - 2 * _MARGIN_IN, 0.6, text, max_pt=20, min_pt=12,
                    colour=_DARK, name="takeaway")


def _footer(slide, text: str):
    return _textbox(slide, _MARGIN_IN, 7.05, SLIDE_W_IN - 2 * _MARGIN_IN, 0.3, text, max_pt=11, min_pt=8,
                    colour=_SUBTLE, name="source")


def _notes(slide, view: CycleView, *extra: str):
    slide.notes_slide.notes_text_frame.text = "\n".join([view.source + ".", *[e for e in extra if e]])


def _content_box() -> tuple[float, float, float, float]:
    return _MARGIN_IN, _CONTENT_TOP_IN, SLIDE_W_IN - 2 * _MARGIN_IN, _CONTENT_BOTTOM_IN - _CONTENT_TOP_IN


def _table(slide, rows: list[list[str]], left, top, width, height, col_widths: Sequence[float], *,
           size: float = 12, align_right: Sequence[int] = (), bold_rows: Sequence[int] = (), name=None):
    """A native table; the first row is the header. ``col_widths`` are fractions of ``width``."""
    nrows, ncols = len(rows), len(rows[0])
    gf = slide.shapes.add_table(nrows, ncols, Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        gf.name = name
    table = gf.table
    total = sum(col_widths)
    for j, w in enumerate(col_widths):
        table.columns[j].width = Inches(width * w / total)
    row_h = height / nrows
    for i, row in enumerate(rows):
        table.rows[i].height = Inches(row_h)
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            tf.text = str(value)
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.RIGHT if (j in align_right and i > 0) else PP_ALIGN.LEFT
            header = i == 0
            _style_runs(p, size, bold=header or i in bold_rows, colour="#FFFFFF" if header else _DARK)
            if not header:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _RGB("#FFFFFF" if i % 2 else "#EEF3F8")
            else:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _RGB(_ACCENT)
    return gf


def _labels(dl, number_format: str, size: float, position) -> None:
    """Data labels showing the value in ``number_format`` at ``position``."""
    dl.number_format = number_format
    dl.number_format_is_linked = False
    dl.show_value = True
    dl.font.size = Pt(size)
    dl.font.color.rgb = _RGB(_DARK)
    dl.position = position


def _chart(slide, kind, categories: Sequence[str], series: Sequence[tuple[str, Sequence]], *, number_format: str,
           colours: Sequence[str], box=None, value_max: float | None = None, major_unit: float | None = None,
           labels: bool = True, label_size: float = 11, overlap: int | None = None, gap: int | None = None,
           name: str | None = None):
    """A native, editable chart; ``None``/NaN values are left blank (never drawn as zero)."""
    data = CategoryChartData(number_format=number_format)
    data.categories = list(categories)
    for sname, values in series:
        data.add_series(sname, [_num(v) for v in values])
    left, top, width, height = box or _content_box()
    gf = slide.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width), Inches(height), data)
    if name:
        gf.name = name
    chart = gf.chart
    chart.font.name = FONT
    chart.font.size = Pt(12)
    chart.font.color.rgb = _RGB(_DARK)
    chart.has_title = False
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    plot = chart.plots[0]
    if gap is not None:
        plot.gap_width = gap
    if overlap is not None:
        plot.overlap = overlap
    line = kind in (XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.LINE)
    for s, colour in zip(plot.series, colours):
        if line:
            s.format.line.color.rgb = _RGB(colour)
            s.format.line.width = Pt(2.5)
            s.smooth = False
            s.marker.style = XL_MARKER_STYLE.CIRCLE
            s.marker.size = 8
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = _RGB(colour)
            s.marker.format.line.color.rgb = _RGB(colour)
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = _RGB(colour)
    if labels:
        plot.has_data_labels = True
        _labels(plot.data_labels, number_format, label_size,
                XL_LABEL_POSITION.ABOVE if line else XL_LABEL_POSITION.OUTSIDE_END)
    va = chart.value_axis
    va.minimum_scale = 0
    if value_max is not None:
        va.maximum_scale = value_max
    if major_unit is not None:
        va.major_unit = major_unit
    va.has_major_gridlines = True
    va.major_gridlines.format.line.color.rgb = _RGB("#E3E3E3")
    va.format.line.fill.background()
    va.tick_labels.number_format = number_format
    va.tick_labels.number_format_is_linked = False
    va.tick_labels.font.size = Pt(11)
    ca = chart.category_axis
    ca.tick_labels.font.size = Pt(12)
    ca.format.line.color.rgb = _RGB("#8C8C8C")
    if kind == XL_CHART_TYPE.BAR_CLUSTERED:
        ca.reverse_order = True          # first category at the top, as read ...
        # ... and the value axis stays at the bottom: it crosses the category axis at its maximum
        # (set in the XML: python-pptx 1.0.2's ``crosses`` setter leaves "autoZero")
        for el in chart._chartSpace.chart.plotArea.find(qn("c:valAx")).findall(qn("c:crosses")):
            el.set("val", "max")
    return chart


def _series_as_line(chart, index: int, colour: str, dash: bool = True):
    """Move series ``index`` of a clustered column chart into a line chart on the same axes (a combo chart),
    e.g. the target as a line across the bars. The series stays in the embedded workbook."""
    plot_area = chart._chartSpace.chart.plotArea
    bar = plot_area.find(qn("c:barChart"))
    ser = bar.findall(qn("c:ser"))[index]
    bar.remove(ser)
    for tag in ("c:invertIfNegative", "c:dLbls", "c:shape"):
        for el in ser.findall(qn(tag)):
            ser.remove(el)
    sp = OxmlElement("c:spPr")
    ln = OxmlElement("a:ln")
    ln.set("w", str(int(2.25 * 12700)))
    fill = OxmlElement("a:solidFill")
    clr = OxmlElement("a:srgbClr")
    clr.set("val", colour.lstrip("#").upper())
    fill.append(clr)
    ln.append(fill)
    if dash:
        dash_el = OxmlElement("a:prstDash")
        dash_el.set("val", "dash")
        ln.append(dash_el)
    sp.append(ln)
    for el in ser.findall(qn("c:spPr")):
        ser.remove(el)
    marker = OxmlElement("c:marker")
    symbol = OxmlElement("c:symbol")
    symbol.set("val", "none")
    marker.append(symbol)
    anchor = ser.find(qn("c:tx"))
    anchor.addnext(sp)
    sp.addnext(marker)
    smooth = OxmlElement("c:smooth")
    smooth.set("val", "0")
    ser.append(smooth)

    line = OxmlElement("c:lineChart")
    for tag, val in (("c:grouping", "standard"), ("c:varyColors", "0")):
        el = OxmlElement(tag)
        el.set("val", val)
        line.append(el)
    line.append(ser)
    m = OxmlElement("c:marker")
    m.set("val", "1")
    line.append(m)
    for ax in bar.findall(qn("c:axId")):
        el = OxmlElement("c:axId")
        el.set("val", ax.get("val"))
        line.append(el)
    bar.addnext(line)


def _sorted_districts(view: CycleView, value: pd.Series, ascending: bool = False) -> pd.DataFrame:
    d = view.districts.assign(_v=value.astype("float64"))
    return d.sort_values("_v", ascending=ascending, na_position="last", kind="stable")


def _category(name: str, missing: bool) -> str:
    return f"{name} (không có số liệu)" if missing else str(name)


def _native_kdc_coverage(slide, view: CycleView):
    share = _share_series(view.districts, "kdc_meeting", "kdc_total")
    d = _sorted_districts(view, share)
    target = view.targets["kdc_meeting_share"]
    cats = [_category(n, _isnan(v)) for n, v in zip(d["district_name"], d["_v"])]
    t = format_percent(target, 0 if round(target * 100, 6).is_integer() else 1)
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                   [("Tỷ lệ khu dân cư đạt chuẩn", list(d["_v"])), (f"Chỉ tiêu {t}", [target] * len(d))],
                   number_format="0.0%", colours=[PALETTE["good"], PALETTE["reference"]], value_max=1.1,
                   major_unit=0.25, gap=60, name="chart_kdc_coverage")
    # labels at the foot of the bars, in white: the target line runs near their tops
    dl = chart.plots[0].data_labels
    dl.position = XL_LABEL_POSITION.INSIDE_BASE
    dl.font.color.rgb = _RGB("#FFFFFF")
    dl.font.bold = True
    # bars below the target in vermillion, as in the picture
    for i, v in enumerate(d["_v"]):
        if not _isnan(v) and v < target - 1e-12:
            pt = chart.plots[0].series[0].points[i]
            pt.format.fill.solid()
            pt.format.fill.fore_color.rgb = _RGB(PALETTE["bad"])
    _series_as_line(chart, 1, PALETTE["reference"])
    return chart


def _native_kdc_registered_meeting(slide, view: CycleView):
    d = _sorted_districts(view, pd.to_numeric(view.districts["kdc_total"], errors="coerce"))
    cats = [_category(n, _isnan(v)) for n, v in zip(d["district_name"], d["_v"])]
    return _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, cats,
                  [("Tổng số khu dân cư", list(d["kdc_total"])), ("Đăng ký", list(d["kdc_registered"])),
                   ("Đạt chuẩn", list(d["kdc_meeting"]))],
                  number_format="#,##0", colours=[PALETTE["muted"], PALETTE["secondary"], PALETTE["primary"]],
                  gap=50, label_size=9, name="chart_kdc_registered_meeting")


def _native_ntm_by_district(slide, view: CycleView):
    share = _share_series(view.districts, "ntm_met", "ntm_communes")
    d = _sorted_districts(view, share)
    cats = [_category(n, _isnan(c)) for n, c in zip(d["district_name"], d["ntm_communes"])]
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats,
                   [("Tổng số xã", list(d["ntm_communes"])), ("Xã đạt chuẩn nông thôn mới", list(d["ntm_met"]))],
                   number_format="#,##0", colours=[PALETTE["muted"], PALETTE["good"]], overlap=100, gap=40,
                   name="chart_ntm_by_district")
    met = chart.plots[0].series[1].data_labels
    _labels(met, "#,##0", 11, XL_LABEL_POSITION.INSIDE_END)
    met.font.color.rgb = _RGB("#FFFFFF")
    met.font.bold = True
    return chart


def _native_models_setting(slide, view: CycleView):
    d = view.districts
    total = pd.to_numeric(d["models_residential"], errors="coerce").astype("float64").add(
        pd.to_numeric(d["models_institutional"], errors="coerce").astype("float64"), fill_value=0)
    d = _sorted_districts(view, total)
    cats = [_category(n, _isnan(a) and _isnan(b)) for n, a, b in
            zip(d["district_name"], d["models_residential"], d["models_institutional"])]
    return _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats,
                  [("Ở khu dân cư", list(d["models_residential"])),
                   ("Ở cơ quan, doanh nghiệp, nhà trường", list(d["models_institutional"]))],
                  number_format="#,##0", colours=[PALETTE["primary"], PALETTE["accent"]], gap=40, label_size=10,
                  name="chart_models_setting")


def _native_cameras_per_kdc(slide, view: CycleView):
    per = _share_series(view.districts, "cameras", "kdc_total")
    d = _sorted_districts(view, per)
    cats = [_category(n, _isnan(v)) for n, v in zip(d["district_name"], d["_v"])]
    return _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, cats, [("Camera trên một khu dân cư", list(d["_v"]))],
                  number_format="#,##0.0", colours=[PALETTE["primary"]], gap=50, name="chart_cameras_per_kdc")


TREND_SHARES = ("kdc_meeting_share", "kdc_registered_share", "ntm_share")


def _native_trend(slide, view: CycleView):
    """The shares across the cycles up to this one, one line each (the target is in the footer: a line
    at 95 % would run through the labels of values close to it)."""
    t = view.trend
    cycles = sorted(dict.fromkeys(t["cycle"]), key=parse_cycle)
    labels = [parse_cycle(c).label for c in cycles]
    series = []
    for key in TREND_SHARES:
        values = t[t["key"] == key].drop_duplicates("cycle", keep="last").set_index("cycle")["value"].reindex(cycles)
        series.append((KEY_LABELS[key], list(values)))
    colours = [PALETTE["primary"], PALETTE["accent"], PALETTE["good"]]
    chart = _chart(slide, XL_CHART_TYPE.LINE_MARKERS, labels, series, number_format="0.0%", colours=colours,
                   value_max=1.1, major_unit=0.25, name="chart_trend_shares")
    # registered >= meeting: registered labels above its line, meeting below, so they never collide
    _labels(chart.plots[0].series[0].data_labels, "0.0%", 11, XL_LABEL_POSITION.BELOW)
    return chart


#: Charts drawn natively on their slide (editable); the others are the PNG of ``save_charts``.
NATIVE = {
    "kdc_coverage": _native_kdc_coverage,
    "kdc_registered_meeting": _native_kdc_registered_meeting,
    "ntm_by_district": _native_ntm_by_district,
    "models_setting": _native_models_setting,
    "cameras_per_kdc": _native_cameras_per_kdc,
}
#: Figures' header (title and subtitle) is the top 14 % of the picture; the slide has its own title.
_PICTURE_HEADER = 0.14


def _picture(slide, png: Path):
    left, top, width, height = _content_box()
    with Image.open(png) as im:
        w, h = im.size
    aspect = w / (h * (1 - _PICTURE_HEADER))
    pw, ph = (width, width / aspect) if width / aspect <= height else (height * aspect, height)
    pic = slide.shapes.add_picture(str(png), Inches(left + (width - pw) / 2), Inches(top + (height - ph) / 2),
                                   Inches(pw), Inches(ph))
    pic.crop_top = _PICTURE_HEADER
    return pic


def _key_figure_rows(view: CycleView) -> list[list[str]]:
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    rows = [["Chỉ số", "Giá trị", "Đơn vị tính", "Đơn vị có số liệu", "So với kỳ trước"]]
    for k in indicators.SUMMARY_KEYS:
        c = comp.loc[k.name]
        change = ""
        if not _isnan(c["change"]):
            ch = float(c["change"])
            what = "không đổi" if ch == 0 else f"{'+' if ch > 0 else ''}{format_number(ch)}"
            change = f"{what} ({parse_cycle(c['previous_cycle']).label})"
            if c["common"] < n:
                change += f", trên {c['common']}/{n} đơn vị có số liệu cả hai kỳ"
        rows.append([k.label, format_number(p[k.name]), k.unit, f"{cov[k.name]}/{n}", change])
    r = indicators.RATIO["kdc_meeting_share"]
    t = view.trend
    prev_cycles = sorted({c for c in t["cycle"] if parse_cycle(c) < view.cycle}, key=parse_cycle)
    change = ""
    if prev_cycles and p[r.name] is not None:
        old = t[(t["cycle"] == prev_cycles[-1]) & (t["key"] == r.name)]["value"]
        if len(old) and not _isnan(old.iloc[0]):
            pts = (p[r.name] - float(old.iloc[0])) * 100
            change = (f"{'+' if pts > 0 else ''}{format_number(pts, 1)} điểm % "
                      f"({parse_cycle(prev_cycles[-1]).label})")
    rows.append([r.label, format_percent(p[r.name]), "%",
                 f"{min(cov[r.numerator], cov[r.denominator])}/{n}", change])
    return rows


def _slide(prs, layout: int = 5):
    return prs.slides.add_slide(prs.slide_layouts[layout])


def export_deck(view: CycleView, path: Path | str, charts_dir: Path | str | None = None,
                made: date | None = None) -> Path:
    """The slide deck of the cycle (16:9). ``path``: a .pptx file or a folder (→ ``bao_cao_<cycle>.pptx``).

    Pictures come from ``charts_dir`` (``save_charts``); a missing PNG is drawn there first (with no
    ``charts_dir``, into a temporary folder). ``made`` is the date on the title slide (default today).
    """
    final = _target_file(path, deck_name(view))
    made = made or date.today()
    with contextlib.ExitStack() as stack:
        if charts_dir is None:
            charts_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="antt-charts-")))
        charts_dir = Path(charts_dir)
        prs = Presentation()
        prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)     # 13.333 × 7.5 in, 16:9
        prs.core_properties.title = f"{MOVEMENT} — {view.scope_name}, {view.cycle.label}"
        prs.core_properties.language = "vi-VN"

        # 1. title
        s = _slide(prs, 0)
        title = s.shapes.title
        title.left, title.top = Inches(_MARGIN_IN + 0.3), Inches(1.5)
        title.width, title.height = Inches(SLIDE_W_IN - 2 * _MARGIN_IN - 0.6), Inches(2.2)
        text = f"{MOVEMENT}\n{view.scope_name}"      # each line on one line: the largest size that allows it
        width = SLIDE_W_IN - 2 * _MARGIN_IN - 0.6
        size = min(_fit_size(line, width, 2.2, 40, 20, bold=True, max_lines=1) for line in text.split("\n"))
        _set_text(title.text_frame, text, size, bold=True, colour=_ACCENT, anchor=MSO_ANCHOR.BOTTOM)
        sub = s.placeholders[1]
        sub.left, sub.top = Inches(_MARGIN_IN + 0.3), Inches(4.0)
        sub.width, sub.height = Inches(SLIDE_W_IN - 2 * _MARGIN_IN - 0.6), Inches(1.9)
        text = (f"Báo cáo kết quả {view.cycle.label}\n({view.cycle.period_text})\n"
                f"Ngày lập: {made:%d/%m/%Y}")
        _set_text(sub.text_frame, text, _fit_size(text, width, 1.9, 24, 14, max_lines=3), colour=_DARK)
        _footer(s, view.source)
        _notes(s, view)

        # 2. key figures
        s = _slide(prs)
        _title(s, f"Các chỉ số chính — {view.scope_name}, {view.cycle.label}")
        rows = _key_figure_rows(view)
        _table(s, rows, _MARGIN_IN, 1.45, SLIDE_W_IN - 2 * _MARGIN_IN, 5.5, [5.2, 1.3, 1.7, 1.6, 3.0], size=12,
               align_right=(1, 3), bold_rows=(len(rows) - 1,), name="key_figures")
        _footer(s, view.source + ". Thay đổi: chỉ số tích lũy so với kỳ liền trước; chỉ số trong kỳ "
                                  "(giờ phát thanh, băng rôn) so với kỳ cùng loại.")
        _notes(s, view)

        # 3. one slide per chart
        for spec in figures.FIGURES:
            s = _slide(prs)
            _title(s, spec.title)
            tw = takeaway(spec.name, view)
            _takeaway_box(s, tw)
            if spec.name in NATIVE:
                NATIVE[spec.name](s, view)
                _footer(s, view.source)
            else:
                png = charts_dir / f"{spec.stem}.png"
                if not png.exists():
                    _save_figure(spec, view, charts_dir)
                _picture(s, png)
            _notes(s, view, tw)
            if spec.name == "trend":
                # the shares across cycles, as an editable line chart
                s = _slide(prs)
                _title(s, "Tỷ lệ khu dân cư đăng ký, đạt chuẩn và xã đạt chuẩn nông thôn mới qua các kỳ")
                tw = takeaway("trend_shares", view)
                _takeaway_box(s, tw)
                _native_trend(s, view)
                _footer(s, view.source + f". Chỉ tiêu tỷ lệ khu dân cư đạt chuẩn: "
                                          f"{format_percent(view.targets['kdc_meeting_share'], 0)}.")
                _notes(s, view, tw)

        # last: data quality
        s = _slide(prs)
        _title(s, "Chất lượng dữ liệu: nhận báo cáo, phát hiện khi kiểm tra, tệp")
        tw = takeaway("quality", view)
        _takeaway_box(s, tw)
        rates = reporting_rates(view)
        rows = [["Biểu", "Đã nhận", "Tỷ lệ nhận"]] + [
            [r.title, f"{r.received}/{r.expected}", format_percent(r.rate)] for r in rates.itertuples()]
        _table(s, rows, _MARGIN_IN, 2.05, 6.3, 2.6, [3.6, 1.2, 1.5], size=13, align_right=(1, 2), name="reporting")
        sev = _severity_counts(view)
        rows = [["Phát hiện khi kiểm tra", "Số"]] + [[SEVERITY_LABEL[k], format_number(v)] for k, v in sev.items()]
        _table(s, rows, 7.3, 2.05, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="findings")
        st = view.files["status"].value_counts()
        rows = [["Tệp trong thư mục kỳ báo cáo", "Số"]] + [
            [FILE_STATUS_LABELS[k].capitalize(), format_number(int(st.get(k, 0)))] for k in FILE_STATUS_LABELS]
        _table(s, rows, 7.3, 4.05, 5.53, 1.75, [3.8, 1.4], size=13, align_right=(1,), name="files")
        fs = file_statuses(view)
        odd = fs[fs["status"] != "loaded"]
        if len(odd):
            lines = [textwrap.shorten(f"{r.file.split('/')[-1]} ({r.status_label}): {r.reason}", 170, placeholder=" …")
                     for r in odd.head(4).itertuples()]
            if len(odd) > 4:
                lines.append(f"… và {len(odd) - 4} tệp khác (xem kiem_tra_du_lieu.html).")
            _textbox(s, _MARGIN_IN, 5.95, SLIDE_W_IN - 2 * _MARGIN_IN, 1.0, "\n".join(lines), max_pt=12, min_pt=8,
                     colour=_SUBTLE, name="file_notes")
        _footer(s, view.source + ". Chi tiết: kiem_tra_du_lieu.html.")
        _notes(s, view, tw)

        with atomic_path(final) as tmp:
            prs.save(tmp)
    return final


# --- workbooks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """A column of a sheet table: heading, kind (text, int, dec1, pct, date, status, severity) and width."""
    heading: str
    kind: str = "text"
    width: float = 14


class Formats:
    """The cell formats of one xlsxwriter workbook (created once, reused)."""
    def __init__(self, wb):
        self.wb = wb
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        cell = {**base, "border": 1, "border_color": "#BFBFBF"}
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 14, "font_color": _ACCENT})
        self.subtitle = add({**base, "italic": True, "font_color": _SUBTLE})
        self.header = add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "border_color": "#8EA9C1",
                           "text_wrap": True, "valign": "vcenter"})
        self.text = add({**cell, "text_wrap": True})
        self.plain = add(cell)
        self.int = add({**cell, "num_format": "#,##0"})
        self.dec1 = add({**cell, "num_format": "#,##0.0"})
        self.pct = add({**cell, "num_format": "0.0%"})
        self.date = add({**cell, "num_format": "dd/mm/yyyy", "align": "left"})
        self.bold_text = add({**cell, "bold": True})
        self.bold_int = add({**cell, "bold": True, "num_format": "#,##0"})
        self.bold_dec1 = add({**cell, "bold": True, "num_format": "#,##0.0"})
        self.bold_pct = add({**cell, "bold": True, "num_format": "0.0%"})
        self.status = {k: add({**cell, "bg_color": c, "font_color": "#FFFFFF" if k == "rejected" else _DARK,
                               "bold": k != "received", "align": "center"})
                       for k, c in COMPLETENESS_COLORS.items()}
        self.severity = {"error": add({**cell, "bold": True, "font_color": PALETTE["bad"]}),
                         "warning": add({**cell, "bold": True, "font_color": "#9C5700"}),
                         "info": add({**cell, "font_color": _SUBTLE})}
        self.late = add({**cell, "bold": True, "bg_color": "#FBE3D6", "font_color": PALETTE["bad"]})

    def for_kind(self, kind: str, bold: bool = False):
        if bold:
            return {"int": self.bold_int, "dec1": self.bold_dec1, "pct": self.bold_pct}.get(kind, self.bold_text)
        return {"int": self.int, "dec1": self.dec1, "pct": self.pct, "date": self.date}.get(kind, self.text)


_MAX_XLSX_STRING = 32767


def write_cell(ws, fm: Formats, r: int, c: int, value, kind: str = "text", fmt=None, bold: bool = False):
    """One cell: numbers as numbers, missing as blank, every string as text (never a formula or a link)."""
    fmt = fmt or fm.for_kind(kind, bold)
    if value is None or (not isinstance(value, str) and _isnan(value)):
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
    ws.freeze_panes(first_row + 1, 0)
    ws.repeat_rows(first_row)                    # printed: the header on every page
    if filter:
        ws.autofilter(first_row, 0, first_row + max(len(rows), 1), len(cols) - 1)
    return first_row + 1 + len(rows)


def _sheet_head(ws, fm: Formats, view: CycleView, title: str, note: str = "") -> int:
    ws.write_string(0, 0, f"{title} — {view.scope_name}, {view.cycle.label} ({view.cycle.period_text})", fm.title)
    ws.write_string(1, 0, view.source + (". " + note if note else ""), fm.subtitle)
    ws.set_row(0, 22)
    ws.set_landscape()                           # printed: A4 landscape, as wide as one page
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    return 3


_RATIO_UNITS = {"kdc_meeting_share": "%", "kdc_registered_share": "%", "ntm_share": "%",
                "cameras_per_kdc": "camera/khu dân cư", "members_per_group": "người/tổ, nhóm"}


def _ratio_kind(name: str) -> str:
    return "pct" if name.endswith("_share") else "dec1"


def sheet_key_figures(wb, fm: Formats, view: CycleView) -> None:
    """"Chỉ số chính": the 15 keys and the ratios of the province, with coverage and the change since the
    comparable earlier cycle."""
    ws = wb.add_worksheet("Chỉ số chính")
    top = _sheet_head(ws, fm, view, "Các chỉ số chính", "Ô trống: không có số liệu.")
    p, cov, n = view.province, view.province["coverage"], view.expected
    comp = comparison(view).set_index("key")
    cols = [Col("Chỉ số", width=48), Col("Giá trị", "int", 12), Col("Đơn vị tính", width=18),
            Col("Số đơn vị có số liệu", "int", 12), Col("Số đơn vị phải báo cáo", "int", 12),
            Col("Kỳ so sánh", width=22), Col("Giá trị kỳ so sánh", "int", 14), Col("Thay đổi", "int", 12),
            Col("Mã chỉ số", width=24)]
    rows, kinds = [], []
    for k in indicators.SUMMARY_KEYS:
        c = comp.loc[k.name]
        rows.append([k.label, p[k.name], k.unit, cov[k.name], n,
                     parse_cycle(c["previous_cycle"]).label if isinstance(c["previous_cycle"], str) else None,
                     _num(c["previous"]), _num(c["change"]), k.name])
        kinds.append("int")
    for r in indicators.RATIOS:
        rows.append([r.label, p[r.name], _RATIO_UNITS.get(r.name, ""), min(cov[r.numerator], cov[r.denominator]), n,
                     None, None, None, r.name])
        kinds.append(_ratio_kind(r.name))

    def formats(i, j, value):
        return fm.for_kind(kinds[i]) if j == 1 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_districts(wb, fm: Formats, view: CycleView) -> None:
    """"Theo đơn vị": one row per district (code, name, the 15 keys, the ratios) and the province row."""
    ws = wb.add_worksheet("Theo đơn vị")
    top = _sheet_head(ws, fm, view, "Số liệu theo đơn vị cấp huyện", "Ô trống: không có số liệu.")
    keys = [k.name for k in indicators.SUMMARY_KEYS]
    ratios = [r.name for r in indicators.RATIOS]
    cols = ([Col("Mã đơn vị", width=10), Col("Đơn vị", width=16)]
            + [Col(KEY_LABELS[k], "int", 14) for k in keys] + [Col(KEY_LABELS[r], _ratio_kind(r), 14) for r in ratios])
    d = view.districts
    rows = [[r["district_code"], r["district_name"], *[_num(r[k]) for k in keys], *[_num(r[x]) for x in ratios]]
            for _, r in d.iterrows()]
    nxt = write_table(ws, fm, top, cols, rows)
    ws.set_row(top, 62)
    p = view.province
    total = [None, "Toàn tỉnh", *[p[k] for k in keys], *[p[x] for x in ratios]]
    for j, (col, value) in enumerate(zip(cols, total)):
        write_cell(ws, fm, nxt, j, value, col.kind, bold=True)
    ws.freeze_panes(top + 1, 2)


def sheet_completeness(wb, fm: Formats, view: CycleView) -> None:
    """"Đầy đủ": district × table with Vietnamese statuses, and the reporting rate per table under it."""
    ws = wb.add_worksheet("Đầy đủ")
    top = _sheet_head(ws, fm, view, "Tình hình nhận báo cáo theo đơn vị và biểu",
                      "Đã nhận: biểu có số liệu; Trống: có biểu nhưng chưa điền (tính là chưa nhận); "
                      "Thiếu: không có biểu; Bị từ chối: tệp không được tính.")
    tables = list(forms.TABLES)
    cols = ([Col("Mã đơn vị", width=10), Col("Đơn vị", width=16)]
            + [Col(forms.TABLES[t].title, "status", 22) for t in tables] + [Col("Số biểu đã nhận", "int", 12)])
    c = view.completeness
    rows = [[r["district_code"], r["district_name"], *[COMPLETENESS_LABELS.get(r[t], str(r[t])) for t in tables],
             int(sum(r[t] == "received" for t in tables))] for _, r in c.iterrows()]
    status_of = {v: k for k, v in COMPLETENESS_LABELS.items()}

    def formats(i, j, value):
        if 2 <= j < 2 + len(tables):
            return fm.status.get(status_of.get(value), fm.text)
        return None
    nxt = write_table(ws, fm, top, cols, rows, cell_formats=formats) + 1     # a blank row: outside the filter
    rates = reporting_rates(view).set_index("table")
    write_cell(ws, fm, nxt, 1, "Số đơn vị đã nhận", bold=True)
    write_cell(ws, fm, nxt + 1, 1, "Tỷ lệ nhận", bold=True)
    for j, t in enumerate(tables, start=2):
        write_cell(ws, fm, nxt, j, int(rates.loc[t, "received"]), "int", bold=True)
        write_cell(ws, fm, nxt + 1, j, float(rates.loc[t, "rate"]) if rates.loc[t, "rate"] is not None else None,
                   "pct", bold=True)
    ws.freeze_panes(top + 1, 2)


def sheet_findings(wb, fm: Formats, view: CycleView) -> None:
    """"Phát hiện": every finding, errors first, with where it is (file › sheet › cell, row) and the message."""
    ws = wb.add_worksheet("Phát hiện")
    sev = _severity_counts(view)
    top = _sheet_head(ws, fm, view, "Phát hiện khi kiểm tra dữ liệu",
                      f"{sev['error']} lỗi, {sev['warning']} cảnh báo, {sev['info']} thông tin.")
    cols = [Col("Mức độ", width=11), Col("Mã", width=24), Col("Mã đơn vị", width=10), Col("Đơn vị", width=14),
            Col("Tệp", width=40), Col("Trang tính", width=16), Col("Ô", width=7), Col("Dòng", "int", 7),
            Col("Nội dung", width=90)]
    f = findings_sorted(view)
    rows = [[SEVERITY_LABEL.get(r["severity"], r["severity"]), r["code"], r["district_code"], r["district_name"],
             r["file"], r["sheet"], r["cell"], _num(r["row"]), r["message"]] for _, r in f.iterrows()]
    sev_of = {v: k for k, v in SEVERITY_LABEL.items()}

    def formats(i, j, value):
        return fm.severity.get(sev_of.get(value)) if j == 0 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_files(wb, fm: Formats, view: CycleView) -> None:
    """"Tệp": every file of the cycle folder with its status and, if set aside, why."""
    ws = wb.add_worksheet("Tệp")
    top = _sheet_head(ws, fm, view, "Tệp trong thư mục kỳ báo cáo")
    cols = [Col("Tệp", width=44), Col("Đơn vị", width=14), Col("Trạng thái", width=12), Col("Biểu", width=30),
            Col("Ngày báo cáo", "date", 13), Col("Định dạng", width=9), Col("Lý do", width=80)]
    fs = file_statuses(view)
    rows = [[r.file, r.district_name, r.status_label, r.tables or None, r.report_date, r.format, r.reason or None]
            for r in fs.itertuples()]
    late_fmt = {"rejected": fm.status["rejected"], "superseded": fm.status["empty"]}
    statuses = list(fs["status"])

    def formats(i, j, value):
        return late_fmt.get(statuses[i]) if j == 2 else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


def sheet_timeliness(wb, fm: Formats, view: CycleView) -> None:
    """"Thời hạn": each district's report date against the deadline; late in red."""
    ws = wb.add_worksheet("Thời hạn")
    top = _sheet_head(ws, fm, view, "Thời hạn nộp báo cáo", f"Hạn nộp: {view.cycle.deadline:%d/%m/%Y}.")
    cols = [Col("Mã đơn vị", width=10), Col("Đơn vị", width=16), Col("Ngày báo cáo", "date", 13),
            Col("Hạn nộp", "date", 13), Col("Số ngày muộn", "int", 10), Col("Tình trạng", width=22),
            Col("Tệp", width=50)]
    t = timeliness(view)
    rows = [[r.district_code, r.district_name, r.report_date, r.deadline, r.days_late, r.status, r.file]
            for r in t.itertuples()]
    late = [bool(x) for x in t["days_late"].fillna(0)]

    def formats(i, j, value):
        return fm.late if late[i] and j in (4, 5) else None
    write_table(ws, fm, top, cols, rows, cell_formats=formats)


SheetWriter = Callable[[object, Formats, CycleView], None]
WORKBOOK_SHEETS: tuple[SheetWriter, ...] = (sheet_key_figures, sheet_districts, sheet_completeness, sheet_findings)


def write_workbook(view: CycleView, final: Path, sheets: Sequence[SheetWriter], title: str) -> Path:
    """An .xlsx of ``sheets`` (writers of this module) at ``final``, written atomically."""
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


def export_workbook(view: CycleView, path: Path | str) -> Path:
    """``tong_hop_<cycle>.xlsx``: "Chỉ số chính", "Theo đơn vị", "Đầy đủ", "Phát hiện".
    ``path``: an .xlsx file or a folder."""
    return write_workbook(view, _target_file(path, workbook_name(view)), WORKBOOK_SHEETS,
                          f"Tổng hợp — {MOVEMENT}")
