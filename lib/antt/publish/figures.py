"""The catalogue of charts of a cycle: one stable number and name each, drawn from a ``CycleView``.

Notebooks show them with ``draw(name, view)``; ``chart_files.save_charts`` saves every one as
``charts/NN_<name>.{png,svg}`` and the deck puts them on slides. The same chart always has the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from matplotlib.figure import Figure

from antt.analyse.meta import ChartMeta
from antt.analyse.report_frames import commune_status
from antt.analyse.view import CycleView
from antt.publish.charts import activities, kdc_ntm, overview

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
                                   status_order=["Đạt chuẩn NTM", "Chưa đạt", "Phường, thị trấn", "Không có số liệu"])


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
               lambda v, t: kdc_ntm.plot_ntm_recognitions_by_year(v.tables["ntm"], meta=v.meta(t))),
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


def draw(name: str, view: CycleView) -> Figure:
    """The chart ``name`` of the catalogue for this cycle."""
    spec = BY_NAME[name]
    return spec.draw(view, spec.title)
