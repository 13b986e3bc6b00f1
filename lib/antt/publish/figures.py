"""The catalogue of charts of a cycle: one stable number and name each, drawn from a ``CycleView``.

Notebooks show them with ``draw(name, view)``; ``chart_files.save_charts`` saves every one as
``charts/NN_<name>.{png,svg}`` and the deck puts them on slides. The same chart always has the same name.
A chart whose picture would carry nothing (every unit at 100 %, every table received) is said in a
sentence instead (``uniform_sentence``): ``draw`` then gives a card with that sentence, under the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from matplotlib.figure import Figure

import pandas as pd

from antt.analyse.meta import ChartMeta
from antt.analyse.report_frames import commune_status
from antt.analyse.view import CycleView
from antt.core import forms
from antt.core.text import format_number, format_target
from antt.publish.charts import activities, kdc_ntm, overview
from antt.publish.charts.kit import card

TREND_KEYS = ("kdc_meeting_share", "ntm_met", "models_residential", "cameras", "core_groups", "bright_spots_commune")


@dataclass(frozen=True)
class FigureSpec:
    number: int
    name: str
    title: str
    draw: Callable[[CycleView, str], Figure]

    @property
    def stem(self) -> str:
        return f"{self.number:02d}_{self.name}"


def _map(view: CycleView, title: str) -> Figure:
    communes = view.communes.assign(status=lambda c: commune_status(c))
    return overview.plot_commune_map(communes, meta=view.meta(title),
                                   status_order=["Đạt chuẩn NTM", "Chưa đạt", "Không phải xã", "Không có số liệu"])


def _trend(view: CycleView, title: str) -> Figure:
    meta = ChartMeta(title, f"{view.scope_name}, các kỳ đến {view.cycle.label}", view.source)
    return overview.plot_trend(view.trend, list(TREND_KEYS), meta=meta,
                               targets={"kdc_meeting_share": view.targets["kdc_meeting_share"]})


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(1, "kdc_coverage", "Tỷ lệ khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” so với chỉ tiêu",
               lambda v, t: kdc_ntm.plot_kdc_coverage(v.units, v.targets["kdc_meeting_share"], meta=v.meta(t))),
    FigureSpec(2, "kdc_registered_meeting", "Khu dân cư: tổng số, đăng ký và đạt chuẩn theo đơn vị",
               lambda v, t: kdc_ntm.plot_kdc_registered_meeting(v.units, meta=v.meta(t))),
    FigureSpec(3, "ntm_by_unit", "Xã đạt chuẩn nông thôn mới theo đơn vị",
               lambda v, t: kdc_ntm.plot_ntm_by_unit(v.units, meta=v.meta(t))),
    FigureSpec(4, "ntm_criteria", "Số tiêu chí nông thôn mới đã đạt của các xã",
               lambda v, t: kdc_ntm.plot_ntm_criteria_distribution(v.tables["ntm"], meta=v.meta(t))),
    FigureSpec(5, "ntm_recognitions", "Xã được công nhận đạt chuẩn nông thôn mới theo năm",
               lambda v, t: kdc_ntm.plot_ntm_recognitions_by_year(v.tables["ntm"], meta=v.meta(t), until=v.cycle.end)),
    FigureSpec(6, "ntm_map", "Bản đồ xã đạt chuẩn nông thôn mới", _map),
    FigureSpec(7, "models_by_type", "Mô hình tự quản về an ninh, trật tự theo loại và đơn vị",
               lambda v, t: activities.plot_models_by_type(v.tables["models"], meta=v.meta(t), units=v.units)),
    FigureSpec(8, "models_setting", "Mô hình ở khu dân cư và ở cơ quan, doanh nghiệp, nhà trường",
               lambda v, t: activities.plot_models_setting(v.units, meta=v.meta(t))),
    FigureSpec(9, "cameras_per_kdc", "Camera an ninh trên một khu dân cư",
               lambda v, t: activities.plot_cameras_per_kdc(v.units, meta=v.meta(t))),
    FigureSpec(10, "outreach", "Công tác tuyên truyền: giờ phát thanh và băng rôn, khẩu hiệu",
               lambda v, t: activities.plot_outreach(v.units, meta=v.meta(t))),
    FigureSpec(11, "bright_spots", "Điểm sáng chấp hành pháp luật và tổ, nhóm nòng cốt",
               lambda v, t: activities.plot_bright_spots(v.units, meta=v.meta(t))),
    FigureSpec(12, "trend", "Các chỉ số chính qua các kỳ báo cáo", _trend),
    FigureSpec(13, "completeness", "Tình hình nhận báo cáo theo đơn vị và biểu",
               lambda v, t: overview.plot_completeness(v.completeness.drop(columns="unit_code")
                                                     .set_index("unit_name"), meta=v.meta(t))),
)
BY_NAME = {f.name: f for f in FIGURES}


def _numbers(view: CycleView, *keys: str) -> pd.DataFrame:
    return pd.DataFrame({k: pd.to_numeric(view.units[k], errors="coerce").astype("float64") for k in keys})


def _units(view: CycleView, known: pd.Series) -> str:
    """"cả 11/11 đơn vị" or "cả 93/95 đơn vị có số liệu"."""
    k, n = int(known.sum()), len(view.units)
    return f"cả {format_number(k)}/{format_number(n)} đơn vị" + (" có số liệu" if k < n else "")


def _without(view: CycleView, missing: pd.Series) -> str:
    """"; 2 đơn vị không có số liệu: Xã A, Xã B" for the units ``missing`` marks ("" when none)."""
    names = list(view.units["unit_name"][missing.to_numpy()])
    return f"; {format_number(len(names))} đơn vị không có số liệu: {', '.join(names)}" if names else ""


def _uniform_kdc_coverage(view: CycleView) -> str | None:
    d = _numbers(view, "kdc_total", "kdc_meeting")
    known = d.notna().all(axis=1) & (d["kdc_total"] > 0)
    if not known.any() or (d["kdc_meeting"][known] != d["kdc_total"][known]).any():
        return None
    target = view.targets.get("kdc_meeting_share")
    n = format_number(d["kdc_meeting"][known].sum())
    units = _units(view, known)
    return (f"{units[0].upper()}{units[1:]} đều có 100 % khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” "
            f"({n}/{n} khu dân cư)" + (f", đạt chỉ tiêu {format_target(target)}" if target else "")
            + _without(view, ~d.notna().all(axis=1)) + ".")


def _uniform_kdc_registered_meeting(view: CycleView) -> str | None:
    d = _numbers(view, "kdc_total", "kdc_registered", "kdc_meeting")
    known = d.notna().all(axis=1)
    if not known.any() or (d[known].nunique(axis=1) > 1).any():
        return None
    return (f"Ở {_units(view, known)}, mọi khu dân cư đều đã đăng ký và đều đạt chuẩn: "
            f"{format_number(d['kdc_total'][known].sum())} khu dân cư" + _without(view, ~known) + ".")


def _uniform_ntm_by_unit(view: CycleView) -> str | None:
    d = _numbers(view, "ntm_communes", "ntm_met")
    known = d.notna().all(axis=1)
    with_xa = known & (d["ntm_communes"] > 0)
    if not with_xa.any() or (d["ntm_met"][with_xa] != d["ntm_communes"][with_xa]).any():
        return None
    n = d["ntm_communes"][with_xa].sum()
    phuong = int((known & (d["ntm_communes"] == 0)).sum())
    return (f"Cả {format_number(n)}/{format_number(n)} xã có số liệu đều đạt chuẩn nông thôn mới"
            + (f" ({format_number(int(with_xa.sum()))} đơn vị có xã)" if d["ntm_communes"].max() > 1 else "")
            + (f"; {format_number(phuong)} đơn vị không có xã" if phuong else "") + _without(view, ~known) + ".")


def _uniform_ntm_criteria(view: CycleView) -> str | None:
    crit = pd.to_numeric(view.tables["ntm"]["ntm_criteria_met"], errors="coerce").astype("float64").dropna()
    if not len(crit) or (crit.round() != 19).any():
        return None
    return f"Cả {format_number(len(crit))} xã có số liệu đều đã đạt đủ 19/19 tiêu chí nông thôn mới."


def _uniform_completeness(view: CycleView) -> str | None:
    c = view.completeness[list(forms.TABLES)]
    if not len(c) or not (c == "received").all().all():
        return None
    return f"Đã nhận đủ {len(forms.TABLES)} biểu của cả {format_number(len(c))}/{format_number(len(c))} đơn vị."


_UNIFORM = {"kdc_coverage": _uniform_kdc_coverage, "kdc_registered_meeting": _uniform_kdc_registered_meeting,
            "ntm_by_unit": _uniform_ntm_by_unit, "ntm_criteria": _uniform_ntm_criteria,
            "completeness": _uniform_completeness}


def uniform_sentence(name: str, view: CycleView) -> str | None:
    """The sentence that says chart ``name`` of this cycle when its picture would carry nothing (every
    unit at 100 %, every bar of a unit the same, every xã met, every table received); None otherwise."""
    check = _UNIFORM.get(name)
    return check(view) if check else None


def draw(name: str, view: CycleView) -> Figure:
    """The chart ``name`` of the catalogue for this cycle, or the card of its ``uniform_sentence``."""
    spec = BY_NAME[name]
    sentence = uniform_sentence(name, view)
    return card(view.meta(spec.title), sentence) if sentence else spec.draw(view, spec.title)
