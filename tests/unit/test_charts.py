"""antt.publish.charts (kdc_ntm, activities, overview): every function returns a 16:9 Figure with the
given title, renders without a missing glyph, writes numbers the Vietnamese way and says "không có số
liệu" instead of drawing a zero.

Inputs are tiny hand-made frames; expected labels are worked out by hand from those inputs.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from datetime import date

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from antt.analyse.meta import ChartMeta, source_line
from antt.publish.charts import activities, kdc_ntm, overview
from antt.publish.charts.kit import NO_DATA, card
from antt.publish.charts.overlaps import overlaps
from antt.publish.house_style import PALETTE, SERIES, STYLE

TITLE = "Khu dân cư: tập huấn, dữ liệu, Ở đâu ằ"      # ậ ằ ữ Ở
META = ChartMeta(title=TITLE, subtitle="6 tháng đầu năm 2023",
                 source="Nguồn: báo cáo của 3/3 đơn vị cấp huyện, kỳ 6 tháng đầu năm 2023")


def districts() -> pd.DataFrame:
    """Lộc Ninh: 791 of 1000 KDC meet (79,1 %); Bù Đốp: 20 of 20 (100,0 %); Hớn Quản: no KDC data."""
    return pd.DataFrame({
        "unit_code": ["692", "693", "694"],
        "unit_name": ["Lộc Ninh", "Bù Đốp", "Hớn Quản"],
        "kdc_total": [1000.0, 20.0, np.nan],
        "kdc_registered": [900.0, 20.0, np.nan],
        "kdc_meeting": [791.0, 20.0, np.nan],
        "ntm_communes": [86.0, 6.0, np.nan],
        "ntm_met": [68.0, 6.0, np.nan],
        "models_residential": [40.0, 5.0, np.nan],
        "models_institutional": [12.0, 0.0, np.nan],
        "communes_with_models": [14.0, 3.0, np.nan],
        "cameras": [2500.0, 30.0, np.nan],
        "broadcast_hours": [1234.0, 56.0, np.nan],
        "banners_posters": [300.0, 45.0, np.nan],
        "bright_spots_upper": [3.0, 1.0, np.nan],
        "bright_spots_commune": [20.0, 4.0, np.nan],
        "core_groups": [50.0, 8.0, np.nan],
        "core_group_members": [1500.0, 80.0, np.nan],
    })


def ntm() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_name": ["Lộc Ninh"] * 6,
        "ntm_criteria_met": [19, 19, 18, 17, 15, np.nan],
        "ntm_met": [True, True, False, False, False, False],
        "ntm_year": [2019.0, 2021.0, np.nan, np.nan, np.nan, np.nan],
    })


def trend() -> pd.DataFrame:
    # listed out of order on purpose: the chart orders cycles by end date
    return pd.DataFrame({
        "cycle": ["2023-H1", "2022-H1", "2022", "2023-H1", "2022-H1", "2022"],
        "cycle_label": ["6 tháng đầu năm 2023", "6 tháng đầu năm 2022", "năm 2022"] * 2,
        "key": ["kdc_meeting_share"] * 3 + ["cameras"] * 3,
        "value": [0.791, 0.70, 0.75, 2530.0, 1200.0, np.nan],
    })


def models() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_name": ["Lộc Ninh", "Lộc Ninh", "Lộc Ninh", "Bù Đốp"],
        "model_type": ["Tiếng kẻng an ninh", "Tiếng kẻng an ninh", "Khác", "Camera an ninh"],
        "setting": ["residential", "residential", "institutional", "residential"],
        "cameras": [0, 0, 0, 12],
    })


def communes() -> pd.DataFrame:
    return pd.DataFrame({
        "commune_code": ["25297", "25300", "25303", "25306", "25309"],
        "commune_name": ["Lộc Thái", "Lộc Hưng", "Thanh Hòa", "Tân Tiến", "Thiện Hưng"],
        "unit_name": ["Lộc Ninh", "Lộc Ninh", "Bù Đốp", "Bù Đốp", "Bù Đốp"],
        "lat": [11.85, 11.80, 11.99, 12.02, 11.97],
        "lon": [106.58, 106.55, 106.82, 106.85, 106.80],
        "status": ["Đạt chuẩn NTM", "Chưa đạt", "Không phải xã", "Chưa đạt", "Không có số liệu"],
        "ntm_criteria_met": [19, 17, np.nan, 15, np.nan],
    })


def completeness() -> pd.DataFrame:
    frame = pd.DataFrame({"kdc": ["received", "rejected"], "ntm": ["received", "empty"],
                          "models": ["missing", "received"], "outreach": ["received", "received"],
                          "bright_spots": ["received", "received"]},
                         index=pd.Index(["Lộc Ninh", "Bù Đốp"], name="unit_name"))
    return frame


CALLS = {
    "plot_kdc_coverage": lambda: kdc_ntm.plot_kdc_coverage(districts(), 0.95, meta=META),
    "plot_kdc_registered_meeting": lambda: kdc_ntm.plot_kdc_registered_meeting(districts(), meta=META),
    "plot_ntm_by_unit": lambda: kdc_ntm.plot_ntm_by_unit(districts(), meta=META),
    "plot_ntm_criteria_distribution": lambda: kdc_ntm.plot_ntm_criteria_distribution(ntm(), meta=META),
    "plot_ntm_recognitions_by_year": lambda: kdc_ntm.plot_ntm_recognitions_by_year(ntm(), meta=META),
    "plot_trend": lambda: overview.plot_trend(trend(), ["kdc_meeting_share", "cameras"], meta=META),
    "plot_models_by_type": lambda: activities.plot_models_by_type(models(), meta=META, units=districts()),
    "plot_models_setting": lambda: activities.plot_models_setting(districts(), meta=META),
    "plot_cameras_per_kdc": lambda: activities.plot_cameras_per_kdc(districts(), meta=META),
    "plot_outreach": lambda: activities.plot_outreach(districts(), meta=META),
    "plot_bright_spots": lambda: activities.plot_bright_spots(districts(), meta=META),
    "plot_commune_map": lambda: overview.plot_commune_map(communes(), meta=META),
    "plot_completeness": lambda: overview.plot_completeness(completeness(), meta=META),
}


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def render(fig: Figure) -> list[str]:
    """Render to PNG; the warnings raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return [str(w.message) for w in caught]


BUILD_WARNINGS: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def figures() -> dict[str, Figure]:
    """Every chart once; the warnings raised while building each (the figure is laid out then)."""
    out = {}
    for name, call in CALLS.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out[name] = call()
        BUILD_WARNINGS[name] = [str(w.message) for w in caught]
    return out


def test_every_chart_function_is_called_here():
    defined = {name for module in (kdc_ntm, activities, overview) for name in vars(module)
               if name.startswith("plot_") and callable(getattr(module, name))}
    assert defined == set(CALLS)


@pytest.mark.parametrize("name", list(CALLS))
def test_figure_size_title_and_clean_render(figures, name):
    fig = figures[name]
    assert isinstance(fig, Figure)
    assert tuple(fig.get_size_inches()) == pytest.approx((13.333, 7.5))
    assert fig.get_suptitle() == TITLE
    assert META.subtitle in texts(fig) and META.source in texts(fig)
    assert BUILD_WARNINGS[name] == []        # in particular no "Glyph … missing from font(s)"
    assert render(fig) == []


def test_the_render_check_does_see_a_missing_glyph():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        fig = kdc_ntm.plot_kdc_coverage(districts(), 0.95, meta=ChartMeta(title="漢字 ậ ằ ữ Ở"))
    assert any("missing from font" in m for m in render(fig))


def test_title_is_left_aligned_with_subtitle_and_source_below():
    fig = CALLS["plot_kdc_coverage"]()
    title = fig._suptitle
    assert title.get_ha() == "left" and title.get_position()[0] < 0.05
    sub = next(t for t in fig.texts if t.get_text() == META.subtitle)
    src = next(t for t in fig.texts if t.get_text() == META.source)
    assert sub.get_position()[1] < title.get_position()[1]
    assert src.get_position()[1] < 0.05 and src.get_ha() == "left"


def test_kdc_coverage_labels_shares_in_vietnamese_format(figures):
    labels = texts(figures["plot_kdc_coverage"])
    assert "79,1 %" in labels                # 791 / 1000
    assert "100,0 %" in labels               # 20 / 20
    assert "79,5 %" in labels                # province: (791 + 20) / (1000 + 20)
    assert "Toàn tỉnh" in labels


def test_province_values_leave_out_a_district_missing_one_of_the_two_counts():
    d = districts().assign(kdc_meeting=[791.0, np.nan, np.nan], cameras=[2500.0, np.nan, np.nan])
    labels = texts(kdc_ntm.plot_kdc_coverage(d, 0.95, meta=META))
    assert labels.count("79,1 %") == 2       # Lộc Ninh and the province, 791/1000; not 791/1020 = 77,5 %
    ax = activities.plot_cameras_per_kdc(d, meta=META).axes[0]
    mean = next(ln for ln in ax.get_lines() if ln.get_gid() == "province_mean")
    assert list(mean.get_xdata()) == [2.5, 2.5]             # 2500/1000; Bù Đốp's 20 areas left out


def test_kdc_coverage_target_line(figures):
    ax = figures["plot_kdc_coverage"].axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == "target"]
    assert len(lines) == 1
    assert list(lines[0].get_xdata()) == [0.95, 0.95]
    assert "Chỉ tiêu 95 %" in texts(figures["plot_kdc_coverage"])


def test_kdc_coverage_colours_by_target_and_no_bar_for_missing(figures):
    ax = figures["plot_kdc_coverage"].axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3                    # province, Lộc Ninh, Bù Đốp; none for Hớn Quản
    widths = {round(b.get_width(), 4): matplotlib.colors.to_hex(b.get_facecolor()) for b in bars}
    assert widths[0.791] == PALETTE["bad"].lower()
    assert widths[1.0] == PALETTE["good"].lower()


@pytest.mark.parametrize("name", ["plot_kdc_coverage", "plot_kdc_registered_meeting", "plot_ntm_by_unit",
                                  "plot_models_by_type", "plot_models_setting", "plot_cameras_per_kdc",
                                  "plot_outreach", "plot_bright_spots"])
def test_missing_district_says_no_data(figures, name):
    assert NO_DATA in texts(figures[name])
    assert NO_DATA == "không có số liệu"


def test_kdc_coverage_without_target_has_no_target_line():
    fig = kdc_ntm.plot_kdc_coverage(districts(), meta=META)
    assert not [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "target"]
    assert not any(t.startswith("Chỉ tiêu") for t in texts(fig))


def test_registered_meeting_counts_in_vietnamese_format(figures):
    labels = texts(figures["plot_kdc_registered_meeting"])
    assert {"1.000", "900", "791"} <= set(labels)


def test_ntm_by_district_labels_met_over_total(figures):
    labels = texts(figures["plot_ntm_by_unit"])
    assert any(t.startswith("68/86") for t in labels)
    assert any(t.startswith("6/6") for t in labels)


def test_ntm_criteria_distribution_highlights_one_or_two_short(figures):
    fig = figures["plot_ntm_criteria_distribution"]
    ax = fig.axes[0]
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in ax.patches}
    assert heights[19] == 2 and heights[18] == 1 and heights[17] == 1 and heights[15] == 1 and heights[16] == 0
    colour = {k: matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches
              for k in [round(p.get_x() + p.get_width() / 2)]}
    assert colour[17] == colour[18] == PALETTE["warn"].lower()
    assert colour[19] == PALETTE["good"].lower()
    assert colour[15] == PALETTE["bad"].lower()            # the furthest from the standard: never a calm colour
    assert "1 xã không có số liệu về số tiêu chí" in texts(fig)


def test_recognitions_by_year_writes_years_without_separator(figures):
    fig = figures["plot_ntm_recognitions_by_year"]
    total_ax, year_ax = fig.axes[:2]
    assert [t.get_text() for t in year_ax.get_xticklabels()] == ["2019", "2020", "2021"]
    assert [t.get_text() for t in total_ax.texts] == ["1", "1", "2"]     # running total, its own panel
    assert not any(t.startswith("*") for t in texts(fig))


def test_recognitions_mark_the_part_year_of_the_cycle():
    fig = kdc_ntm.plot_ntm_recognitions_by_year(ntm(), meta=META, until=date(2021, 6, 14))
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["2019", "2020", "2021*"]
    assert "* Năm 2021: đến ngày 14/06/2021" in texts(fig)


def test_trend_orders_cycles_and_formats_values(figures):
    fig = figures["plot_trend"]
    share_ax, cam_ax = fig.axes[:2]
    # each point at its cycle's end date: 14/6/2022, 14/12/2022, 14/6/2023; the axis labelled by year
    assert point_dates(share_ax) == [date(2022, 6, 14), date(2022, 12, 14), date(2023, 6, 14)]
    assert [t.get_text() for t in share_ax.get_xticklabels(minor=True)] == ["2022", "2023"]
    labels = texts(fig)
    assert {"70,0 %", "75,0 %", "79,1 %", "1.200", "2.530"} <= set(labels)
    assert NO_DATA in [t.get_text() for t in cam_ax.texts]     # cameras of "năm 2022"
    assert "Camera an ninh" in labels                                 # panel titled by the key's label


def point_dates(ax) -> list[date]:
    """The dates of the points (markers) of a trend panel, in order."""
    xs = [x for ln in ax.get_lines() if ln.get_linestyle() == "None" for x in ln.get_xdata()]
    return sorted(mdates.num2date(x).date() for x in xs)


def segments(ax) -> list[tuple[date, date]]:
    """Each line segment of a trend panel's series (gid "series") as (from, to) end dates."""
    out = []
    for ln in ax.get_lines():
        if ln.get_gid() == "series":
            days = [mdates.num2date(x).date() for x in ln.get_xdata()]
            out += list(zip(days, days[1:]))
    return sorted(out)


def across_the_break() -> pd.DataFrame:
    """Đồng Nai's shares and cameras as ``CycleView.trend`` gives them: three district-level cycles of
    the former provinces, 2023, 2024 and 2025-H1 absent, two commune-level cycles of today's province;
    the cameras of "năm 2022" missing."""
    cycles = [("2022-H1", "district", "Bình Phước, Đồng Nai", 0.878, 6617.0),
              ("2022", "district", "Bình Phước, Đồng Nai", 0.927, np.nan),
              ("2023-H1", "district", "Bình Phước, Đồng Nai", 0.971, 7436.0),
              ("2025", "commune", "Đồng Nai", 0.997, 8572.0),
              ("2026-H1", "commune", "Đồng Nai", 1.0, 8650.0)]
    rows = [{"cycle": c, "cycle_label": c, "level": lv, "covers": cov, "key": k, "value": v}
            for c, lv, cov, share, cams in cycles
            for k, v in (("kdc_meeting_share", share), ("cameras", cams), ("broadcast_hours", 1.0))]
    return pd.DataFrame(rows)


def test_trend_marks_the_reform_with_a_dated_rule_and_joins_only_consecutive_cycles():
    fig = overview.plot_trend(across_the_break(), ["kdc_meeting_share", "cameras", "broadcast_hours"], meta=META)
    share_ax, cam_ax, flow_ax = fig.axes[:3]
    for ax in (share_ax, cam_ax, flow_ax):
        rule = [ln for ln in ax.get_lines() if ln.get_gid() == "reform"]
        assert len(rule) == 1 and mdates.num2date(rule[0].get_xdata()[0]).date() == date(2025, 7, 1)
        assert [t.get_text() for t in ax.texts if t.get_gid() == "reform_label"] == [
            "1/7/2025:\nsắp xếp đơn vị\nhành chính"]
    jun22, dec22, jun23, dec25, jun26 = (date(2022, 6, 14), date(2022, 12, 14), date(2023, 6, 14),
                                         date(2025, 12, 14), date(2026, 6, 14))
    # a stock joins the cycle right after it: nothing across 2023 – 2025-H1 (absent) nor across the reform
    assert segments(share_ax) == [(jun22, dec22), (dec22, jun23), (dec25, jun26)]
    # no value in "năm 2022": a hole on both sides of it, and the words instead of a point
    assert segments(cam_ax) == [(dec25, jun26)]
    assert NO_DATA in [t.get_text() for t in cam_ax.texts]
    # a flow joins the previous cycle of its kind: 6 tháng 2022 with 6 tháng 2023 only
    assert segments(flow_ax) == [(jun22, jun23)]
    covers = [t.get_text() for t in fig.texts if t.get_gid() == "covers"]
    assert covers == ["Trước 1/7/2025: Bình Phước, Đồng Nai — cấp huyện báo cáo\n"
                      "Từ 1/7/2025: Đồng Nai — cấp xã báo cáo"]
    assert "Không nối qua kỳ không có số liệu: năm 2023 – 6 tháng đầu năm 2025" in texts(fig)


def test_trend_without_the_reform_has_no_rule(figures):
    fig = figures["plot_trend"]
    assert not [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == "reform"]
    assert segments(fig.axes[0]) == [(date(2022, 6, 14), date(2022, 12, 14)), (date(2022, 12, 14), date(2023, 6, 14))]


def test_models_by_type_totals(figures):
    labels = texts(figures["plot_models_by_type"])
    assert "Tiếng kẻng an ninh" in labels and "Khác" in labels
    assert "3" in labels and "1" in labels                            # Lộc Ninh 3 models, Bù Đốp 1


def test_cameras_per_kdc_values_and_mean(figures):
    fig = figures["plot_cameras_per_kdc"]
    labels = texts(fig)
    assert "2,5  (2.500 camera)" in labels and "1,5  (30 camera)" in labels
    mean = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "province_mean"]
    assert mean and mean[0].get_xdata()[0] == pytest.approx(2530 / 1020)


def test_count_axes_use_vietnamese_thousands(figures):
    fig = figures["plot_outreach"]
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.xaxis.get_major_formatter()(1000, 0) == "1.000"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    big = [t for t in ticks if len(t) > 3]
    assert big and all(re.fullmatch(r"\d{1,3}(\.\d{3})+", t) for t in big)   # "1.200", never "1200" or "1,200"
    assert "1.234" in texts(fig)


def test_bright_spots_panels(figures):
    labels = texts(figures["plot_bright_spots"])
    assert "23" in labels and "50 (1.500 người)" in labels


def cells(fig: Figure) -> list:
    """The commune areas of a map (the collection of gid "communes"), one path each."""
    return [c for c in fig.axes[0].collections if c.get_gid() == "communes"][0].get_paths()


def test_commune_map_one_area_per_commune_and_district_labels(figures):
    fig = figures["plot_commune_map"]
    ax = fig.axes[0]
    assert len(cells(fig)) == 5
    labels = [t.get_text() for t in ax.texts]
    assert "Lộc Ninh" in labels and "Bù Đốp" in labels
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "Chưa đạt (2)" in legend and legend[-1] == "Không có số liệu (1)"
    assert "Ranh giới gần đúng, dựng từ tọa độ trung tâm xã" in texts(fig)


def test_commune_map_areas_hold_their_point_with_cos_lat_scaling(figures):
    c = communes()
    k = math.cos(math.radians(c["lat"].mean()))
    for path, lon, lat in zip(cells(figures["plot_commune_map"]), c["lon"], c["lat"]):
        assert path.contains_point((lon * k, lat))


def test_commune_cells_tile_without_overlap():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(106.0, 107.0, 60), rng.uniform(11.0, 12.0, 60)
    polys = overview.commune_cells(x, y)
    assert len(polys) == 60 and all(p.contains(shapely.Point(a, b)) for p, a, b in zip(polys, x, y))
    assert sum(p.area for p in polys) == pytest.approx(shapely.unary_union(polys).area)


def test_commune_map_names_the_communes_that_need_action(figures):
    listed = [t.get_text() for t in figures["plot_commune_map"].axes[1].texts if t.get_gid() == "need_list"]
    # not met, fewest criteria first (Tân Tiến 15 before Lộc Hưng 17), then the one without data
    assert listed and listed[0].splitlines()[-3:] == ["1. Tân Tiến (Bù Đốp): 15/19", "2. Lộc Hưng (Lộc Ninh): 17/19",
                                                       "3. Thiện Hưng (Bù Đốp): không có số liệu"]
    numbers = [t.get_text() for t in figures["plot_commune_map"].axes[0].texts if t.get_gid() == "need_number"]
    assert numbers == ["1", "2", "3"]


def test_commune_map_leaves_out_communes_without_coordinates():
    c = communes()
    c.loc[0, "lat"] = np.nan
    fig = overview.plot_commune_map(c, meta=META)
    assert len(cells(fig)) == 4
    assert any("1 đơn vị không có toạ độ" in t for t in texts(fig))


def test_completeness_cells_in_vietnamese(figures):
    labels = texts(figures["plot_completeness"])
    for word in ("Đã nhận", "Trống", "Thiếu", "Bị từ chối"):
        assert word in labels
    assert any("Biểu 1" in t and "1/2 đã nhận" in t for t in labels)


def test_completeness_accepts_long_form():
    long = completeness().reset_index().melt(id_vars="unit_name", var_name="table", value_name="status")
    fig = overview.plot_completeness(long, meta=META)
    assert "Bị từ chối" in texts(fig)


def test_source_line():
    assert source_line(11, 11, "6 tháng đầu năm 2023") == \
        "Nguồn: báo cáo của 11/11 đơn vị cấp huyện, kỳ 6 tháng đầu năm 2023"


def test_style_is_data_and_leaves_global_state_alone():
    rc = matplotlib.rc_params_from_file(str(STYLE), use_default_template=False)
    assert rc["font.family"] == ["DejaVu Sans"]
    cycle = rc["axes.prop_cycle"].by_key()["color"]
    assert cycle == list(SERIES) and not {PALETTE[k] for k in ("good", "bad", "warn")} & set(cycle)
    before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"font.family": ["serif"], "font.size": 5}):
        fig = kdc_ntm.plot_kdc_coverage(districts(), 0.95, meta=META)
    assert dict(matplotlib.rcParams) == before
    fig.canvas.draw()                        # drawn outside the style: still the house font
    assert fig.axes[0].get_yticklabels()[0].get_fontname() == "DejaVu Sans"
    assert fig.axes[0].get_yticklabels()[0].get_fontsize() == 13


def test_trend_target_line_in_the_panel_of_its_key():
    fig = overview.plot_trend(trend(), ["kdc_meeting_share", "cameras"], meta=META,
                            targets={"kdc_meeting_share": 0.95})
    share_ax, cam_ax = fig.axes[:2]
    line = [ln for ln in share_ax.get_lines() if ln.get_gid() == "target"]
    assert line and list(line[0].get_ydata()) == [0.95, 0.95]
    assert [t.get_text() for t in share_ax.get_legend().get_texts()] == ["6 tháng đầu năm", "cả năm", "Chỉ tiêu 95 %"]
    assert not [ln for ln in cam_ax.get_lines() if ln.get_gid() == "target"]


def communes_95() -> pd.DataFrame:
    """95 communes: commune i (1…93) has i cameras and 10 KDC, all meeting the standard; "Xã Không Gửi 1/2"
    sent nothing. Cameras per KDC run from 9,3 (Xã 93) down to 0,1 (Xã 1)."""
    n = 93
    frame = pd.DataFrame({"unit_code": [str(30000 + i) for i in range(1, n + 1)],
                          "unit_name": [f"Xã {i}" for i in range(1, n + 1)],
                          "kdc_total": 10.0, "kdc_meeting": 10.0, "cameras": np.arange(1, n + 1, dtype=float)})
    missing = pd.DataFrame({"unit_code": ["39998", "39999"], "unit_name": ["Xã Không Gửi 1", "Xã Không Gửi 2"],
                            "kdc_total": np.nan, "kdc_meeting": np.nan, "cameras": np.nan})
    return pd.concat([frame, missing], ignore_index=True)


def test_many_units_show_the_highest_and_the_lowest_and_say_how_many():
    fig = activities.plot_cameras_per_kdc(communes_95(), meta=META)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # 24 rows: both communes without a return, and of the other 22 the 11 highest (Xã 93 … Xã 83) and
    # the 11 lowest (Xã 11 … Xã 1)
    assert labels[:11] == [f"Xã {i}" for i in range(93, 82, -1)]
    assert labels[11:22] == [f"Xã {i}" for i in range(11, 0, -1)]
    assert labels[22:] == ["Xã Không Gửi 1", "Xã Không Gửi 2"]
    # the 71 communes between (Xã 82 … Xã 12: 8,2 down to 1,2 cameras per KDC) are one labelled gap
    assert "… 71 đơn vị khác, từ 1,2 đến 8,2" in texts(fig)
    assert "Hiển thị 24/95 đơn vị: 11 cao nhất, 11 thấp nhất, 2 không có số liệu" in texts(fig)
    assert not render(fig)


def test_many_units_kdc_coverage_counts_every_unit_in_the_legend():
    fig = kdc_ntm.plot_kdc_coverage(communes_95(), 0.95, meta=META)
    assert {"Đạt chỉ tiêu (93 đơn vị)", "Chưa đạt chỉ tiêu (0 đơn vị)"} <= set(texts(fig))


def test_completeness_of_many_units_shows_those_missing_a_table():
    frame = pd.DataFrame({t: ["received"] * 95 for t in ("kdc", "ntm", "models", "outreach", "bright_spots")},
                         index=pd.Index([f"Xã {i}" for i in range(1, 96)], name="unit_name"))
    frame.loc["Xã 40", "ntm"] = "missing"
    fig = overview.plot_completeness(frame, meta=META)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Xã 40"]
    assert "… 94 đơn vị khác: đã nhận đủ 5 biểu" in texts(fig)
    assert "Hiển thị 1/95 đơn vị: các đơn vị còn biểu chưa nhận" in texts(fig)


# --- readable text, one colour meaning, the order of the units ---------------------------------

@pytest.mark.parametrize("name", list(CALLS))
def test_no_text_overlaps_at_slide_size(figures, name):
    assert overlaps(figures[name]) == []


def test_the_overlap_check_sees_overlapping_texts_a_crossing_line_and_text_outside():
    fig = Figure(figsize=(13.333, 7.5))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, "Phước Long", transform=ax.transAxes)
    ax.text(0.52, 0.5, "Bù Đăng", transform=ax.transAxes)
    ax.plot([0.1, 0.3], [0.2, 0.2], transform=ax.transAxes, gid="average")
    ax.text(0.2, 0.2, "2,3 (202 camera)", transform=ax.transAxes, va="center")
    fig.text(0.99, 0.5, "ra ngoài lề phải")
    found = overlaps(fig)
    assert "'Phước Long' chồng lên 'Bù Đăng'" in found
    assert "đường 'average' cắt qua '2,3 (202 camera)'" in found
    assert "'ra ngoài lề phải' ra ngoài hình" in found
    assert len(found) == 3


def test_status_colours_mean_status_only(figures):
    status = {PALETTE[k].lower() for k in ("good", "bad", "warn")}

    def colours(fig):
        return {matplotlib.colors.to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches} | {
            matplotlib.colors.to_hex(ln.get_color()) for ax in fig.axes for ln in ax.get_lines()}
    for name in ("plot_models_by_type", "plot_models_setting", "plot_cameras_per_kdc", "plot_outreach",
                 "plot_bright_spots", "plot_ntm_recognitions_by_year", "plot_trend"):
        assert not colours(figures[name]) & status, name


def bar_order(fig: Figure, ax_index: int = 0) -> list[str]:
    return [t.get_text() for t in fig.axes[ax_index].get_yticklabels()]


def test_units_ranked_by_the_value_shown_ties_by_name():
    units = pd.DataFrame({"unit_name": ["Đồng Xoài", "Bù Đốp", "Chơn Thành", "An Lộc"],
                          "models_residential": [5.0, 9.0, 5.0, 5.0], "models_institutional": [9.0, 0.0, 1.0, 2.0],
                          "ntm_communes": [2.0, 9.0, 6.0, 6.0], "ntm_met": [2.0, 3.0, 3.0, 4.0]})
    # the first bar (models in residential areas), not the sum; ties by name
    assert bar_order(activities.plot_models_setting(units, meta=META)) == ["Bù Đốp", "An Lộc", "Chơn Thành",
                                                                           "Đồng Xoài"]
    # xã met (the bar), not the share (Đồng Xoài 2/2 = 100 % comes last)
    assert bar_order(kdc_ntm.plot_ntm_by_unit(units, meta=META)) == ["An Lộc", "Bù Đốp", "Chơn Thành", "Đồng Xoài"]


def test_kdc_coverage_label_that_the_target_would_cross_goes_inside_its_bar():
    units = pd.DataFrame({"unit_name": ["A", "B"], "kdc_total": [100.0, 100.0], "kdc_meeting": [93.0, 60.0]})
    fig = kdc_ntm.plot_kdc_coverage(units, 0.95, meta=META, show_province=False)
    label = [t for t in fig.axes[0].texts if t.get_text() == "93,0 %"][0]
    assert label.get_horizontalalignment() == "right" and label.get_color() == "white"
    assert [t for t in fig.axes[0].texts if t.get_text() == "60,0 %"][0].get_horizontalalignment() == "left"
    assert overlaps(fig) == []


def test_trend_draws_an_incomplete_value_hollow_with_a_dashed_segment():
    t = trend().assign(reported=[11, 10, 11, 11, 11, 11], expected=11)      # 2022-H1 share: 10 of 11 units
    fig = overview.plot_trend(t, ["kdc_meeting_share", "cameras"], meta=META)
    share_ax, cam_ax = fig.axes[:2]
    hollow = [mdates.num2date(x).date() for ln in share_ax.get_lines() if ln.get_linestyle() == "None"
              and ln.get_markerfacecolor() == "white" for x in ln.get_xdata()]
    assert hollow == [date(2022, 6, 14)]
    dashed = [tuple(mdates.num2date(x).date() for x in ln.get_xdata()) for ln in share_ax.get_lines()
              if ln.get_gid() == "series" and ln.get_linestyle() != "-"]
    assert dashed == [(date(2022, 6, 14), date(2022, 12, 14))]
    assert not [ln for ln in cam_ax.get_lines() if ln.get_gid() == "series" and ln.get_linestyle() != "-"]
    assert "Điểm rỗng: chưa đủ số liệu của các đơn vị" in texts(fig)
    assert "Điểm rỗng: chưa đủ số liệu của các đơn vị" not in texts(
        overview.plot_trend(trend(), ["kdc_meeting_share"], meta=META))


def test_trend_panel_titles_start_on_one_line():
    fig = overview.plot_trend(trend(), ["kdc_meeting_share", "cameras", "core_groups"], meta=META)
    titles = [next(t for t in ax.findobj(Text) if t.get_text() and t.get_text() == ax.get_title("left"))
              for ax in fig.axes[:3]]
    assert "\n" in titles[0].get_text().strip() and "\n" not in titles[1].get_text().strip()   # 2 lines, 1 line
    # as many lines each, on one bottom line: the first lines align
    assert len({t.get_text().count("\n") for t in titles}) == 1
    bottoms = [t.get_window_extent().y0 for t in titles]
    assert bottoms[1] == pytest.approx(bottoms[0], abs=1) and bottoms[2] == pytest.approx(bottoms[0], abs=1)


def test_card_says_the_sentence_under_the_charts_header():
    fig = card(META, "Đã nhận đủ 5 biểu của cả 11/11 đơn vị.")
    assert fig.get_suptitle() == TITLE and META.source in texts(fig)
    assert "Đã nhận đủ 5 biểu của cả 11/11 đơn vị." in texts(fig)
    assert tuple(fig.get_size_inches()) == pytest.approx((13.333, 7.5)) and overlaps(fig) == []
