"""What the deck writes, without a cycle: a change line of ``comparison`` (like for like, over how many
units), a takeaway shortened to a slide title, and a chart's point labels written as text."""

from __future__ import annotations

import pandas as pd
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from antt.analyse.view import ACROSS_REFORM, NO_EARLIER
from antt.publish.deck import change_line, finding
from antt.publish.pptx_kit import alt_text, native_chart, point_labels, text_lines

TITLE_WIDTH_IN = 12.333


def _row(key: str, **values) -> pd.Series:
    row = {"previous_cycle": "2022", "change": None, "common": 0, "units": 0, "basis": "units", "reason": None}
    return pd.Series(row | values, name=key)


def test_a_change_says_since_when_and_over_how_many_units():
    assert change_line(_row("banners_posters", change=110.0, common=10, units=11)) == \
        "so với năm 2022: +110 (10/11 đơn vị)"
    assert change_line(_row("cameras", change=-5.0, common=11, units=11)) == "so với năm 2022: -5 (11/11 đơn vị)"
    assert change_line(_row("core_groups", change=0.0, common=11, units=11)) == "so với năm 2022: không đổi (11/11 đơn vị)"


def test_a_share_changes_in_percentage_points():
    assert change_line(_row("kdc_meeting_share", change=0.038, common=11, units=11)) == \
        "so với năm 2022: +3,8 điểm % (11/11 đơn vị)"


def test_a_change_on_todays_communes_says_so():
    row = _row("broadcast_hours", previous_cycle="2023-H1", change=3.0, common=93, units=95, basis="current")
    assert change_line(row) == "so với 6 tháng đầu năm 2023: +3 (93/95 xã, phường hiện nay, quy đổi)"


def test_no_change_says_why():
    assert change_line(_row("ntm_met", reason=ACROSS_REFORM)) == "không so sánh qua sắp xếp đơn vị hành chính 1/7/2025"
    assert change_line(_row("ntm_met", previous_cycle=None, reason=NO_EARLIER)) == NO_EARLIER


def test_a_finding_keeps_whole_clauses_that_fit_two_lines():
    short = "11/11 đơn vị đạt chỉ tiêu 95 %; toàn tỉnh 100,0 % khu dân cư đạt chuẩn (843/843)."
    assert finding(short) == short
    long = ("4/11 đơn vị dưới chỉ tiêu 95 %: Lộc Ninh, Bình Long, Bù Gia Mập, Bù Đăng; toàn tỉnh 97,1 % khu dân cư "
            "đạt chuẩn (819/843); 2 đơn vị không có số liệu: Phú Riềng, Đồng Phú; " + "thêm một vế rất dài " * 6 + ".")
    title = finding(long)
    assert long.startswith(title) and title.count(";") < long.count(";")
    assert text_lines(title, TITLE_WIDTH_IN, 22, True) <= 2


def test_point_labels_are_text_and_alt_text_is_set(tmp_path):
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    chart = native_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, ["A", "B"], [("s", [2126, None])], colours=["#0072B2"],
                         box=(0.5, 0.5, 6, 4))
    point_labels(chart.plots[0].series[0], ["2.126", None])
    pic = slide.shapes.add_textbox(Inches(0), Inches(0), Inches(1), Inches(1))
    alt_text(pic, "Mô tả")
    path = tmp_path / "t.pptx"
    prs.save(path)
    series = Presentation(str(path)).slides[0].shapes[0].chart.plots[0].series[0]
    assert series.points[0].data_label.text_frame.text == "2.126"
    assert not series.points[1].data_label.has_text_frame          # a blank value has no label
    assert pic._element.xpath("./p:nvSpPr/p:cNvPr")[0].get("descr") == "Mô tả"
