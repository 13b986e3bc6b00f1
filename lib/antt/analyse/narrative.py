"""The narrative: one sentence per chart (and one on data quality) saying what the data of a cycle
show — who met the target, who is below it, what changed since the earlier cycle — computed from a
``CycleView``. The deck writes them over its charts; the notebooks show them with theirs
(``tables.takeaway``, as Markdown).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from antt.analyse.report_frames import commune_status, unit_ratio, severity_counts
from antt.analyse.view import ACROSS_REFORM, CycleView, comparison
from antt.core import forms, territory
from antt.core.cycles import parse_cycle
from antt.core.text import format_number, format_percent
from antt.core.values import number_or_none


def _names_list(names: Sequence[str], limit: int = 5) -> str:
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" và {len(names) - limit} đơn vị khác"


def _coverage_note(view: CycleView, *keys: str) -> str:
    cov = min(view.province["coverage"][k] for k in keys)
    return "" if cov >= view.expected else f"; số liệu của {cov}/{view.expected} đơn vị"


def _tw_kdc_coverage(view: CycleView) -> str:
    d = view.units
    share = unit_ratio(view, "kdc_meeting_share")
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
        s += f" ({_names_list(met['unit_name'])})" if len(met) else ""
        s += f", {len(below)}/{n} đơn vị dưới chỉ tiêu"
    else:
        s = f"{len(below)}/{n} đơn vị dưới chỉ tiêu {t}: {_names_list(below['unit_name'])}"
    p = view.province
    if p["kdc_meeting_share"] is not None:
        s += (f"; toàn tỉnh {format_percent(p['kdc_meeting_share'])} khu dân cư đạt chuẩn "
              f"({format_number(p['kdc_meeting'])}/{format_number(p['kdc_total'])})")
    missing = d[~known]
    if len(missing):
        s += f"; {len(missing)} đơn vị không có số liệu: {_names_list(missing['unit_name'])}"
    return s + "."


def _tw_kdc_registered_meeting(view: CycleView) -> str:
    p = view.province
    if p["kdc_total"] is None:
        return "Không có số liệu về khu dân cư."
    return (f"Toàn tỉnh {format_number(p['kdc_total'])} khu dân cư: {format_number(p['kdc_registered'])} đăng ký "
            f"({format_percent(p['kdc_registered_share'])}), {format_number(p['kdc_meeting'])} đạt chuẩn "
            f"({format_percent(p['kdc_meeting_share'])})" + _coverage_note(view, "kdc_total", "kdc_meeting") + ".")


def _tw_ntm_by_unit(view: CycleView) -> str:
    p = view.province
    if not p["ntm_communes"]:
        return "Không có số liệu về xã đạt chuẩn nông thôn mới."
    s = (f"{format_number(p['ntm_met'])}/{format_number(p['ntm_communes'])} xã ({format_percent(p['ntm_share'])}) "
         f"đạt chuẩn nông thôn mới")
    d = view.units.assign(_s=unit_ratio(view, "ntm_share"))
    d = d[d["_s"].notna()]
    if len(d) > 1 and d["_s"].min() < d["_s"].max():
        low = d[d["_s"] <= d["_s"].min() + 1e-12]
        s += f"; tỷ lệ thấp nhất: {_names_list(low['unit_name'], 3)} ({format_percent(d['_s'].min())})"
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
    status = commune_status(view.communes).value_counts()
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
    d = view.units.assign(_c=unit_ratio(view, "cameras_per_kdc"))
    d = d[d["_c"].notna()].sort_values("_c", ascending=False, kind="stable")
    s = (f"Bình quân {format_number(p['cameras_per_kdc'], 1)} camera trên một khu dân cư "
         f"({format_number(p['cameras'])} camera)")
    if len(d) > 1:
        hi, lo = d.iloc[0], d.iloc[-1]
        s += (f"; cao nhất {hi['unit_name']} ({format_number(hi['_c'], 1)}), "
              f"thấp nhất {lo['unit_name']} ({format_number(lo['_c'], 1)})")
    return s + _coverage_note(view, "cameras", "kdc_total") + "."


def _tw_outreach(view: CycleView) -> str:
    p = view.province
    if p["broadcast_hours"] is None and p["banners_posters"] is None:
        return "Không có số liệu về tuyên truyền."
    s = (f"{format_number(p['broadcast_hours'])} giờ phát thanh, tuyên truyền và {format_number(p['banners_posters'])} "
         f"băng rôn, khẩu hiệu, áp phích")
    h = pd.to_numeric(view.units["broadcast_hours"], errors="coerce").astype("float64")
    if h.notna().any():
        top = view.units.loc[h.idxmax()]
        s += f"; nhiều giờ phát thanh nhất: {top['unit_name']} ({format_number(h.max())} giờ)"
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


def _trend_value(t: pd.DataFrame, cycle: str, key: str) -> float | None:
    """The value of ``key`` in ``cycle`` of a ``CycleView.trend`` frame (None: none there)."""
    sel = t[(t["cycle"] == cycle) & (t["key"] == key)]["value"]
    return number_or_none(sel.iloc[0]) if len(sel) else None


def _tw_trend(view: CycleView) -> str:
    """The change since the cycle just before, as ``comparison`` takes it (on today's communes across
    the reform; the new-rural keys not across it)."""
    comp = comparison(view).set_index("key")
    if comp.at["kdc_meeting_share", "previous_cycle"] is None:
        return f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."
    parts = []
    for key, label, fmt in (("kdc_meeting_share", "tỷ lệ khu dân cư đạt chuẩn", format_percent),
                            ("ntm_met", "xã đạt chuẩn nông thôn mới", format_number)):
        c = comp.loc[key]
        if c["reason"] == ACROSS_REFORM:
            parts.append(f"{label}: không so sánh qua sắp xếp đơn vị hành chính 1/7/2025")
        elif not pd.isna(c["change"]):
            parts.append(_change_phrase(label, number_or_none(c["previous"]), number_or_none(c["value"]), fmt))
    parts = [p for p in parts if p]
    if not parts:
        return "Không đủ số liệu để so sánh với kỳ trước."
    before = parse_cycle(comp.at["kdc_meeting_share", "previous_cycle"])
    across = territory.after_reform(before) != territory.after_reform(view.cycle)
    s = f"So với {before.label}{' (quy về các xã, phường hiện nay)' if across else ''}: " + "; ".join(parts)
    return s[0].upper() + s[1:] + "."


def _tw_trend_shares(view: CycleView) -> str:
    """The shares from the first cycle on the same side of the reform as this one to this one."""
    t = view.trend
    side = territory.after_reform(view.cycle)
    cycles = sorted({parse_cycle(c) for c in t["cycle"]})
    same = [c for c in cycles if territory.after_reform(c) == side]
    if len(same) < 2:
        if len(cycles) > len(same):
            return (f"Kỳ {view.cycle.label} là kỳ đầu tiên sau sắp xếp đơn vị hành chính 1/7/2025; các kỳ trước "
                    "tính trên đơn vị hành chính cũ, không nối liền với kỳ này.")
        return f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."
    first = same[0].id
    parts = [_change_phrase(label, _trend_value(t, first, key), _trend_value(t, view.cycle.id, key), format_percent)
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
        s += f"; chưa đủ: {_names_list(c.loc[~full, 'unit_name'])}"
    return s + "."


def _tw_quality(view: CycleView) -> str:
    sev = severity_counts(view)
    st = view.files["status"].value_counts()
    return (f"{view.reporting}/{view.expected} đơn vị có báo cáo; {sev['error']} lỗi, {sev['warning']} cảnh báo, "
            f"{sev['info']} thông tin; {len(view.files)} tệp: {int(st.get('loaded', 0))} đã nạp, "
            f"{int(st.get('superseded', 0))} bị thay thế, {int(st.get('rejected', 0))} bị từ chối.")


TAKEAWAYS: dict[str, Callable[[CycleView], str]] = {
    "kdc_coverage": _tw_kdc_coverage,
    "kdc_registered_meeting": _tw_kdc_registered_meeting,
    "ntm_by_unit": _tw_ntm_by_unit,
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
