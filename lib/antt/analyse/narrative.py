"""The narrative: one sentence per chart (and one on data quality) saying what the data of a cycle
show — who met the target, who is below it, what changed since the earlier cycle — computed from a
``CycleView``, and ``conclusions``: a few sentences drafted for the analyst to edit. The deck writes
them over its charts and on its conclusions slide, the written report in its sections; the notebooks
show them with theirs (``tables.takeaway``, as Markdown).

They follow one comparison rule: a value that not every unit reported says so; a change is taken
like for like (``view.comparison``: the units with a value in both cycles) and says over how many
units; units are ranked by what is unmet (xã not new-rural, residential areas still needed), never by
a ratio whose denominator is under ``MIN_BASE``; ties are named; a part year is said to be one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from antt.analyse.columns import format_change, format_value
from antt.analyse.report_frames import below_target, commune_status, severity_counts, unit_ratio
from antt.analyse.view import ACROSS_REFORM, CycleView, comparison, complete_points
from antt.core import forms, indicators, territory
from antt.core.cycles import parse_cycle
from antt.core.text import format_number, format_percent, format_target
from antt.core.values import number_or_none

#: A ratio ranks units only over those whose denominator is at least this (1 of 2 xã is no rank).
MIN_BASE = 5


def _names_list(names: Sequence[str], limit: int = 5) -> str:
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" và {len(names) - limit} đơn vị khác"


def _coverage_note(view: CycleView, *keys: str) -> str:
    cov = min(view.province["coverage"][k] for k in keys)
    return "" if cov >= view.expected else f"; số liệu của {cov}/{view.expected} đơn vị"


def _ranks(d: pd.DataFrame, value: str, groups: int = 2, lowest: bool = False) -> list[tuple[list[str], float]]:
    """The units of ``d`` (unit_name, ``value``) with the ``groups`` highest (or lowest) distinct
    values: [(names, value)], tied units together in the frame's (code) order."""
    v = pd.to_numeric(d[value], errors="coerce").astype("float64").round(9)
    distinct = sorted(set(v.dropna()), reverse=not lowest)[:groups]
    return [(list(d.loc[v == x, "unit_name"]), x) for x in distinct]


def _rank_text(ranks: list[tuple[list[str], float]], fmt: Callable[[float], str], limit: int = 5) -> str:
    """"Bù Đăng (5 xã), Lộc Ninh (4 xã)"; ties: "Đồng Phú, Phú Riềng (mỗi đơn vị 2 xã)"; a group of
    more than ``limit`` ties alone, its names cut (``_names_list``)."""
    out = []
    for names, value in ranks:
        if out and len(names) + sum(len(n) for n, _ in ranks[:len(out)]) > limit:
            break
        each = "mỗi đơn vị " if len(names) > 1 else ""
        out.append(f"{_names_list(names, limit)} ({each}{fmt(value)})")
    return ", ".join(out)


def _years(years: Sequence[int]) -> str:
    """Years as runs: [2015, 2017, 2018, 2019] -> "2015, 2017–2019"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def kdc_needed(view: CycleView) -> pd.DataFrame:
    """``report_frames.below_target`` of the residential areas, most needed first, ties in code order."""
    return below_target(view).sort_values("needed", ascending=False, kind="stable").reset_index(drop=True)


def ntm_unmet(view: CycleView) -> pd.DataFrame:
    """The units with xã not yet new-rural (unit_code, unit_name, ntm_communes, ntm_met, unmet), most
    unmet first, ties in code order."""
    d = view.units[["unit_code", "unit_name", "ntm_communes", "ntm_met"]].dropna(subset=["ntm_communes", "ntm_met"])
    d = d.assign(unmet=(d["ntm_communes"] - d["ntm_met"]).astype(int))
    return d[d["unmet"] > 0].sort_values("unmet", ascending=False, kind="stable").reset_index(drop=True)


def _no_data(view: CycleView, *keys: str) -> list[str]:
    """The units with no value for one of ``keys``, in code order."""
    d = view.units
    return list(d.loc[d[list(keys)].isna().any(axis=1), "unit_name"])


def _tw_kdc_coverage(view: CycleView) -> str:
    d = view.units
    share = unit_ratio(view, "kdc_meeting_share")
    t = _target_text(view)
    known = share.notna()
    n = len(d)
    met = d[known & (share >= view.targets["kdc_meeting_share"] - 1e-12)]
    below = kdc_needed(view)
    if below.empty:
        s = f"{len(met)}/{n} đơn vị đạt chỉ tiêu {t}"
    elif len(below) > len(met):         # most below: name the few that met it
        s = f"{len(met)}/{n} đơn vị đạt chỉ tiêu {t}"
        s += f" ({_names_list(met['unit_name'])})" if len(met) else ""
        s += f", {len(below)}/{n} đơn vị dưới chỉ tiêu"
    else:
        s = f"{len(below)}/{n} đơn vị dưới chỉ tiêu {t}: " + _needed_text(below)
    p = view.province
    if p["kdc_meeting_share"] is not None:
        s += (f"; toàn tỉnh {format_percent(p['kdc_meeting_share'])} khu dân cư đạt chuẩn "
              f"({format_number(p['kdc_meeting'])}/{format_number(p['kdc_total'])})")
    missing = d[~known]
    if len(missing):
        s += f"; {len(missing)} đơn vị không có số liệu: {_names_list(missing['unit_name'])}"
    return s + "."


def _target_text(view: CycleView) -> str:
    return format_target(view.targets["kdc_meeting_share"])


def _needed_text(below: pd.DataFrame, limit: int = 5) -> str:
    """"Lộc Ninh (cần thêm 5 khu dân cư đạt chuẩn), Bù Đăng (cần thêm 3)" of ``kdc_needed`` rows."""
    parts = [f"{r.unit_name} (cần thêm {format_number(r.needed)}{' khu dân cư đạt chuẩn' if i == 0 else ''})"
             for i, r in enumerate(below.head(limit).itertuples())]
    return ", ".join(parts) + (f" và {len(below) - limit} đơn vị khác" if len(below) > limit else "")


def _tw_kdc_registered_meeting(view: CycleView) -> str:
    p = view.province
    if p["kdc_total"] is None:
        return "Không có số liệu về khu dân cư."
    return (f"Toàn tỉnh {format_number(p['kdc_total'])} khu dân cư: {format_number(p['kdc_registered'])} đăng ký "
            f"({format_percent(p['kdc_registered_share'])}), {format_number(p['kdc_meeting'])} đạt chuẩn "
            f"({format_percent(p['kdc_meeting_share'])})" + _coverage_note(view, "kdc_total", "kdc_meeting") + ".")


def _unmet_text(view: CycleView) -> str:
    """Where the xã not yet new-rural are: ": Xã A, Xã B" (a commune-level cycle: the xã themselves),
    else ", nhiều nhất ở Bù Đăng (5 xã), Lộc Ninh (4 xã)" (the two largest numbers by unit, ties named)."""
    unmet = ntm_unmet(view)
    if unmet.empty:
        return ""
    if view.level == "commune":
        return f": {_names_list(unmet['unit_name'])}"
    return ", nhiều nhất ở " + _rank_text(_ranks(unmet, "unmet"), lambda x: f"{format_number(x)} xã")


def _tw_ntm_by_unit(view: CycleView) -> str:
    p = view.province
    if not p["ntm_communes"]:
        return "Không có số liệu về xã đạt chuẩn nông thôn mới."
    s = (f"{format_number(p['ntm_met'])}/{format_number(p['ntm_communes'])} xã ({format_percent(p['ntm_share'])}) "
         f"đạt chuẩn nông thôn mới")
    if p["ntm_met"] < p["ntm_communes"]:
        s += f"; {format_number(p['ntm_communes'] - p['ntm_met'])} xã chưa đạt{_unmet_text(view)}"
    return s + _coverage_note(view, "ntm_communes", "ntm_met") + "."


def _ntm_rows(view: CycleView) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per xã of Biểu 2: criteria met (float, NaN unknown), new-rural (bool), criterion 19.2 (boolean)."""
    n = view.tables["ntm"]
    crit = pd.to_numeric(n["ntm_criteria_met"], errors="coerce").astype("float64")
    return crit, n["ntm_met"].astype("boolean").fillna(False).astype(bool), n["ntm_security_criterion"].astype("boolean")


def _security_text(met: pd.Series, security: pd.Series, unmet: int) -> str:
    """"; trong 18 (``unmet``) xã chưa đạt chuẩn, 13 xã chưa đạt tiêu chí 19.2 (an ninh, trật tự)": of the
    xã of Biểu 2 not new-rural (``met``), those without criterion 19.2; "" if none."""
    without = int(((~met) & security.eq(False)).fillna(False).sum())
    if not without:
        return ""
    return (f"; trong {format_number(unmet)} xã chưa đạt chuẩn, {format_number(without)} xã chưa đạt "
            "tiêu chí 19.2 (an ninh, trật tự)")


def _tw_ntm_criteria(view: CycleView) -> str:
    crit, met, security = _ntm_rows(view)
    known = crit.dropna()
    if known.empty:
        return "Không có số liệu về số tiêu chí nông thôn mới."
    full, short = int((known >= 19).sum()), int(((known >= 17) & (known < 19)).sum())
    s = f"{format_number(full)}/{format_number(len(known))} xã đạt đủ 19 tiêu chí"
    s += f"; {format_number(short)} xã chỉ còn thiếu 1–2 tiêu chí" if short else ""
    s += _security_text(met, security, int((~met).sum()))
    if crit.isna().any():
        s += f"; {format_number(int(crit.isna().sum()))} xã không có số liệu"
    return s + _coverage_note(view, "ntm_communes") + "."


def _tw_ntm_recognitions(view: CycleView) -> str:
    years = pd.to_numeric(view.tables["ntm"]["ntm_year"], errors="coerce").dropna().round().astype(int)
    if years.empty:
        return "Không có số liệu về năm công nhận đạt chuẩn nông thôn mới."
    counts = years.value_counts().sort_index()
    top = sorted(int(y) for y in counts.index[counts == counts.max()])
    most = (f"nhiều nhất năm {top[0]} ({format_number(int(counts.max()))} xã)" if len(top) == 1 else
            f"nhiều nhất các năm {_years(top)}, mỗi năm {format_number(int(counts.max()))} xã")
    s = f"{format_number(len(years))} xã đã được công nhận đạt chuẩn nông thôn mới, {most}"
    this_year = int(counts.get(view.cycle.year, 0))
    if view.cycle.half_year and view.cycle.year >= counts.index.max():
        s += f"; năm {view.cycle.year} mới tính đến hết 6 tháng ({format_number(this_year)} xã)"
    elif this_year and top != [view.cycle.year]:
        s += f"; năm {view.cycle.year}: {format_number(this_year)} xã"
    return s + _coverage_note(view, "ntm_communes") + "."


def _tw_ntm_map(view: CycleView) -> str:
    status = commune_status(view.communes).value_counts()
    parts = [f"{format_number(int(status.get(k, 0)))} {what}" for k, what in (
        ("Đạt chuẩn NTM", "xã đạt chuẩn nông thôn mới"), ("Chưa đạt", "xã chưa đạt"),
        ("Không phải xã", "đơn vị không phải xã (không xét nông thôn mới)"),
        ("Không có số liệu", "xã không có số liệu"))
        if status.get(k, 0)]
    return ("Trên bản đồ: " + ", ".join(parts) + ".") if parts else "Không có số liệu."


def _tw_models_by_type(view: CycleView) -> str:
    types = view.tables["models"]["model_type"].dropna().astype(str)
    if types.empty:
        return "Không có số liệu về mô hình."
    counts = types.value_counts()
    n = int(counts.iloc[0])
    top = [t for t in counts.index if counts[t] == n]
    named = "; ".join(f"“{t}”" for t in top)
    each = "mỗi loại " if len(top) > 1 else ""
    return (f"{format_number(len(types))} mô hình; nhiều nhất là {named} ({each}{format_number(n)} mô hình, "
            f"{format_percent(n / len(types))})" + _coverage_note(view, "models_residential") + ".")


def _tw_models_setting(view: CycleView) -> str:
    p = view.province
    if p["models_residential"] is None:
        return "Không có số liệu về mô hình."
    return (f"{format_number(p['models_residential'])} mô hình ở khu dân cư và {format_number(p['models_institutional'])} "
            f"ở cơ quan, doanh nghiệp, nhà trường; {format_number(p['communes_with_models'])} xã, phường, thị trấn "
            f"có mô hình ở khu dân cư" + _coverage_note(view, "models_residential") + ".")


def _one_decimal(x: float) -> str:
    return format_number(x, 1)


def _tw_cameras_per_kdc(view: CycleView) -> str:
    p = view.province
    if p["cameras_per_kdc"] is None:
        return "Không có số liệu về camera an ninh."
    d = view.units.assign(_c=unit_ratio(view, "cameras_per_kdc"))
    d = d[d["_c"].notna() & (d["kdc_total"].astype("float64") >= MIN_BASE)]
    s = (f"Bình quân {format_number(p['cameras_per_kdc'], 1)} camera trên một khu dân cư "
         f"({format_number(p['cameras'])} camera)")
    if len(d) > 1 and d["_c"].min() < d["_c"].max():
        s += (f"; cao nhất {_rank_text(_ranks(d, '_c', 1), _one_decimal)}, "
              f"thấp nhất {_rank_text(_ranks(d, '_c', 1, lowest=True), _one_decimal)}")
    return s + _coverage_note(view, "cameras", "kdc_total") + "."


def _tw_outreach(view: CycleView) -> str:
    p = view.province
    if p["broadcast_hours"] is None and p["banners_posters"] is None:
        return "Không có số liệu về tuyên truyền."
    s = (f"{format_number(p['broadcast_hours'])} giờ phát thanh, tuyên truyền và {format_number(p['banners_posters'])} "
         f"băng rôn, khẩu hiệu, áp phích")
    ranks = _ranks(view.units, "broadcast_hours", 1)
    if ranks and ranks[0][1] > 0:
        s += f"; nhiều giờ phát thanh nhất: {_rank_text(ranks, lambda x: f'{format_number(x)} giờ')}"
    return s + _coverage_note(view, "broadcast_hours", "banners_posters") + "."


def _tw_bright_spots(view: CycleView) -> str:
    p = view.province
    if p["bright_spots_upper"] is None and p["core_groups"] is None:
        return "Không có số liệu về điểm sáng và tổ, nhóm nòng cốt."
    up, com = p["bright_spots_upper"] or 0, p["bright_spots_commune"] or 0
    return (f"{format_number(up + com)} điểm sáng ({format_number(up)} cấp tỉnh, cấp huyện; {format_number(com)} cấp xã) "
            f"và {format_number(p['core_groups'])} tổ, nhóm nòng cốt với {format_number(p['core_group_members'])} thành viên"
            + _coverage_note(view, "bright_spots_upper", "core_groups") + ".")


# --- changes: like for like ---------------------------------------------------------------------

def change_words(key: str, change: float) -> str:
    """A change in words: "tăng 32", "giảm 217", "tăng 3,8 điểm %", "không đổi"."""
    if abs(change) < 1e-12:
        return "không đổi"
    return f"{'tăng' if change > 0 else 'giảm'} {format_change(key, abs(change)).lstrip('+')}"


def change_base(row) -> str:
    """Over which units a ``comparison`` row's change was taken: "trên 10/11 đơn vị có số liệu cả
    hai kỳ" (on today's communes across the reform: "… xã, phường hiện nay …")."""
    where = "xã, phường hiện nay" if row["basis"] == "current" else "đơn vị"
    return f"trên {row['common']}/{row['units']} {where} có số liệu cả hai kỳ"


def _changes(view: CycleView, keys: dict[str, str], with_values: bool = True) -> str:
    """The like-for-like changes of ``keys`` (key -> words) since their comparable earlier cycle
    (``comparison``), one clause per earlier cycle, each change saying over how many units it is
    taken; "" when no key has an earlier cycle."""
    comp = comparison(view).set_index("key")
    by_cycle: dict[str, list] = {}
    for key, words in keys.items():
        c = comp.loc[key]
        if c["previous_cycle"] is not None:
            by_cycle.setdefault(c["previous_cycle"], []).append((key, words, c))
    sentences = []
    for before, rows in by_cycle.items():
        across = [words for _, words, c in rows if c["reason"] == ACROSS_REFORM]
        rows = [(k, w, c) for k, w, c in rows if c["reason"] != ACROSS_REFORM and not pd.isna(c["change"])]
        bases = pd.Series([change_base(c) for _, _, c in rows], dtype=object)
        base = bases.mode().iloc[0] if len(bases) else None       # said once; the others after their change
        parts = []
        for key, words, c in rows:
            text = f"{words} {change_words(key, c['change'])}"
            old, new = number_or_none(c["previous"]), number_or_none(c["value"])
            if with_values and c["common"] == c["units"] and old is not None and new is not None and old != new:
                text += f" (từ {format_value(key, old)} lên {format_value(key, new)})" if new > old else \
                        f" (từ {format_value(key, old)} xuống {format_value(key, new)})"
            parts.append(text + ("" if change_base(c) == base else f" ({change_base(c)})"))
        if across:
            parts.append(f"{', '.join(across)}: không so sánh qua sắp xếp đơn vị hành chính 1/7/2025")
        if not parts:
            continue
        cyc = parse_cycle(before)
        s = f"so với {cyc.label}"
        if territory.after_reform(cyc) != territory.after_reform(view.cycle) and rows:
            s += " (quy về các xã, phường hiện nay)"
        s += (f", {base}" if base else "") + ": " + "; ".join(parts)
        sentences.append(s[0].upper() + s[1:] + ".")
    return " ".join(sentences)


def _tw_trend(view: CycleView) -> str:
    """The change since the comparable earlier cycle (``comparison``), like for like."""
    s = _changes(view, {"kdc_meeting_share": "tỷ lệ khu dân cư đạt chuẩn", "ntm_met": "xã đạt chuẩn nông thôn mới"})
    return s or f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."


def complete(units: pd.DataFrame, key: str) -> bool:
    """Whether every row of ``units`` (``CycleView.units`` or ``on_current``) has a value of ``key``
    (of a ratio: both of its terms)."""
    r = indicators.RATIO.get(key)
    return bool(units[[r.numerator, r.denominator] if r else [key]].notna().all(axis=None))


def _tw_trend_shares(view: CycleView) -> str:
    """The shares of every cycle on the same side of the reform as this one, oldest first, a value
    that not every unit reported marked "*" (values, not a change: the change is ``trend``'s)."""
    t = view.trend
    side = territory.after_reform(view.cycle)
    cycles = sorted({parse_cycle(c) for c in t["cycle"]})
    same = [c for c in cycles if territory.after_reform(c) == side]
    if len(same) < 2:
        if len(cycles) > len(same):
            return (f"Kỳ {view.cycle.label} là kỳ đầu tiên sau sắp xếp đơn vị hành chính 1/7/2025; các kỳ trước "
                    "tính trên đơn vị hành chính cũ, không nối liền với kỳ này.")
        return f"Chỉ có số liệu của kỳ {view.cycle.label}; chưa so sánh được qua các kỳ."
    full = complete_points(t)
    starred = False
    parts = []
    for key, label in (("kdc_meeting_share", "tỷ lệ khu dân cư đạt chuẩn"),
                       ("ntm_share", "tỷ lệ xã đạt chuẩn nông thôn mới")):
        points = []
        for c in same:
            v = _trend_value(t, c.id, key)
            if v is None:
                continue
            star = "" if full[(c.id, key)] else " *"
            starred |= bool(star)
            points.append(f"{format_percent(v)}{star} ({c.label})")
        if points:
            parts.append(f"{label} " + ", ".join(points))
    if not parts:
        return "Không đủ số liệu để so sánh qua các kỳ."
    s = "Qua các kỳ: " + "; ".join(parts) + "."
    return s + (" (*) Không đủ số liệu của tất cả các đơn vị." if starred else "")


def _trend_value(t: pd.DataFrame, cycle: str, key: str) -> float | None:
    """The value of ``key`` in ``cycle`` of a ``CycleView.trend`` frame (None: none there)."""
    sel = t[(t["cycle"] == cycle) & (t["key"] == key)]["value"]
    return number_or_none(sel.iloc[0]) if len(sel) else None


def _sent_all(view: CycleView) -> tuple[str, str]:
    """"93/95 đơn vị gửi đủ 5 biểu", and the units that did not ("" when all did)."""
    c = view.completeness
    full = (c[list(forms.TABLES)] == "received").all(axis=1)
    short = "" if full.all() else _names_list(c.loc[~full, "unit_name"])
    return f"{int(full.sum())}/{len(c)} đơn vị gửi đủ {len(forms.TABLES)} biểu", short


def _tw_completeness(view: CycleView) -> str:
    sent, short = _sent_all(view)
    return sent + (f"; chưa đủ: {short}" if short else "") + "."


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


# --- conclusions --------------------------------------------------------------------------------

#: The stocks whose changes the conclusions name, in words.
MAIN_CHANGES = {"kdc_meeting": "khu dân cư đạt chuẩn", "ntm_met": "xã đạt chuẩn nông thôn mới",
                "models_residential": "mô hình ở khu dân cư", "cameras": "camera an ninh",
                "core_groups": "tổ, nhóm nòng cốt"}


def _conclude_kdc(view: CycleView) -> str:
    p, target = view.province, view.targets["kdc_meeting_share"]
    share = p["kdc_meeting_share"]
    if share is None:
        return "Chưa có số liệu về khu dân cư đạt chuẩn “An toàn về an ninh, trật tự”."
    s = (f"Toàn tỉnh có {format_number(p['kdc_meeting'])}/{format_number(p['kdc_total'])} khu dân cư đạt chuẩn "
         f"“An toàn về an ninh, trật tự” ({format_percent(share)}), ")
    if share >= target - 1e-12:
        s += f"đạt chỉ tiêu {_target_text(view)}"
    else:
        s += f"chưa đạt chỉ tiêu {_target_text(view)} (thấp hơn {format_number((target - share) * 100, 1)} điểm %)"
    missing = _no_data(view, "kdc_total", "kdc_meeting")
    if missing:
        s += f"; chưa tính {len(missing)}/{view.expected} đơn vị không có số liệu ({_names_list(missing)})"
    return s + "."


def _conclude_units(view: CycleView) -> str:
    below = kdc_needed(view)
    known = len(view.units) - len(_no_data(view, "kdc_total", "kdc_meeting"))
    if below.empty:
        return (f"Tất cả {known}/{view.expected} đơn vị đều đạt chỉ tiêu khu dân cư đạt chuẩn." if known == view.expected
                else f"{known}/{view.expected} đơn vị đạt chỉ tiêu khu dân cư đạt chuẩn; {view.expected - known} đơn vị "
                     "không có số liệu.")
    of = f"/{known} đơn vị có số liệu" if known < view.expected else f"/{known} đơn vị"
    return (f"{len(below)}{of} còn dưới chỉ tiêu, cần thêm tổng cộng "
            f"{format_number(int(below['needed'].sum()))} khu dân cư đạt chuẩn: "
            + _needed_text(below) + ".")


def _conclude_ntm(view: CycleView) -> str:
    p = view.province
    if not p["ntm_communes"]:
        return "Chưa có số liệu về xã đạt chuẩn nông thôn mới."
    met, xa = int(p["ntm_met"]), int(p["ntm_communes"])
    missing = _no_data(view, "ntm_communes", "ntm_met")
    note = f"; chưa tính {len(missing)} đơn vị không có số liệu ({_names_list(missing)})" if missing else ""
    if met == xa:
        return f"Cả {format_number(xa)} xã{' có số liệu' if missing else ''} đều đạt chuẩn nông thôn mới{note}."
    s = (f"{format_number(met)}/{format_number(xa)} xã ({format_percent(p['ntm_share'])}) đạt chuẩn nông thôn mới; "
         f"{format_number(xa - met)} xã chưa đạt{_unmet_text(view)}")
    crit, is_met, security = _ntm_rows(view)
    near = int(((~is_met) & crit.between(17, 18)).sum())
    if near:
        s += f"; {format_number(near)} xã chỉ còn thiếu 1–2 tiêu chí"
    s += _security_text(is_met, security, xa - met)
    return s + note + "."


def _conclude_quality(view: CycleView) -> str:
    sev = severity_counts(view)
    sent, short = _sent_all(view)
    return (f"Về số liệu: {sent}" + (f" (chưa đủ: {short})" if short else "")
            + f"; kiểm tra phát hiện {sev['error']} lỗi, {sev['warning']} cảnh báo.")


def conclusions(view: CycleView) -> list[str]:
    """4–6 short sentences drafted from the data for the analyst to edit: the residential-area rate
    against the target, the units below it, the new-rural gap, the main changes (like for like) and
    the completeness of the data."""
    out = [_conclude_kdc(view), _conclude_units(view), _conclude_ntm(view)]
    changes = _changes(view, MAIN_CHANGES, with_values=False)
    out.append(changes or f"Chưa có kỳ trước để so sánh với {view.cycle.label}.")
    out.append(_conclude_quality(view))
    return out
