"""The narrative follows the one comparison rule (``antt.analyse.narrative``): ties named, units
ranked by what is unmet (never by a percentage on a denominator under 5), changes like for like with
the units they are taken over, a part year and incomplete coverage said; and ``conclusions``.

Expected values are typed by hand: the published figures of Bình Phước, 2023 half-year
(``tests.published``: 843/843 residential areas, 68 of 86 xã new-rural), the figures the issue read
off the sample's 2023-H1 report (Bù Đăng 5 xã unmet, Lộc Ninh 4; 8 xã recognised each year
2017–2021; Phước Long and Đồng Xoài with 1 of 2 xã), and the sample's 2022-H1 cycle where Bù Gia Mập
sent no Biểu 5 (bright spots, core groups).
"""

from __future__ import annotations

import pandas as pd
import pytest

from antt.analyse import narrative
from antt.analyse.view import open_cycle
from tests import published
from tests.integration.conftest import SCOPE

N = published.DISTRICTS


@pytest.fixture(scope="module")
def view(sample_processed):
    return open_cycle(published.CYCLE, sample_processed, SCOPE)


def test_ntm_gap_ranked_by_xa_unmet_not_by_small_percentages(view):
    text = narrative.takeaway("ntm_by_unit", view)
    assert text.startswith("68/86 xã (79,1 %) đạt chuẩn nông thôn mới; 18 xã chưa đạt, "
                           "nhiều nhất ở Bù Đăng (5 xã), Lộc Ninh (4 xã)")
    # 1 of 2 xã (50,0 %) in Phước Long and Đồng Xoài is no rank
    assert "Phước Long" not in text and "Đồng Xoài" not in text and "50,0 %" not in text


def test_recognitions_name_the_tied_years_and_the_part_year(view):
    text = narrative.takeaway("ntm_recognitions", view)
    assert "nhiều nhất các năm 2017–2021, mỗi năm 8 xã" in text
    assert "năm 2023 mới tính đến hết 6 tháng" in text


def test_change_is_like_for_like_and_says_over_how_many_units(view):
    text = narrative.takeaway("trend", view)
    assert text.startswith(f"So với năm 2022, trên {N}/{N} đơn vị có số liệu cả hai kỳ: ")
    assert "xã đạt chuẩn nông thôn mới tăng 2 (từ 66 lên 68)" in text


def test_trend_shares_list_values_and_make_no_second_baseline(view):
    text = narrative.takeaway("trend_shares", view)
    assert "79,1 % (6 tháng đầu năm 2023)" in text
    assert "tăng" not in text and "giảm" not in text          # the change is the trend's, over one baseline


def test_incomplete_coverage_is_said(sample_processed):
    v = open_cycle("2022-H1", sample_processed, SCOPE)       # Bù Gia Mập sent no Biểu 5
    assert narrative.takeaway("bright_spots", v).endswith(f"; số liệu của {N - 1}/{N} đơn vị.")
    assert narrative.takeaway("completeness", v) == f"{N - 1}/{N} đơn vị gửi đủ 5 biểu; chưa đủ: Bù Gia Mập."


def test_a_change_over_fewer_units_says_so(sample_processed):
    v = open_cycle("2022", sample_processed, SCOPE)          # against 2022-H1, when Bù Gia Mập sent no Biểu 5
    changes = narrative.conclusions(v)[3]
    assert changes.startswith(f"So với 6 tháng đầu năm 2022, trên {N}/{N} đơn vị có số liệu cả hai kỳ: ")
    assert "tổ, nhóm nòng cốt tăng" in changes
    assert changes.endswith(f"(trên {N - 1}/{N} đơn vị có số liệu cả hai kỳ).")


def test_conclusions_of_the_published_cycle(view):
    c = narrative.conclusions(view)
    assert 4 <= len(c) <= 6
    assert c[0] == "Toàn tỉnh có 843/843 khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” (100,0 %), đạt chỉ tiêu 95 %."
    assert c[1] == f"Tất cả {N}/{N} đơn vị đều đạt chỉ tiêu khu dân cư đạt chuẩn."
    assert c[2].startswith("68/86 xã (79,1 %) đạt chuẩn nông thôn mới; 18 xã chưa đạt, nhiều nhất ở Bù Đăng (5 xã), "
                           "Lộc Ninh (4 xã)")
    assert "tiêu chí 19.2" in c[2]
    assert c[3].startswith(f"So với năm 2022, trên {N}/{N} đơn vị có số liệu cả hai kỳ: khu dân cư đạt chuẩn tăng ")
    assert c[4].startswith(f"Về số liệu: {N}/{N} đơn vị gửi đủ 5 biểu")


def test_conclusions_name_the_units_below_target_by_what_they_need(sample_processed):
    v = open_cycle("2022-H1", sample_processed, SCOPE)       # 772/843 areas: under 95 %
    c = narrative.conclusions(v)
    assert c[0].startswith("Toàn tỉnh có 772/843 khu dân cư đạt chuẩn")
    assert "chưa đạt chỉ tiêu 95 %" in c[0]
    needed = narrative.kdc_needed(v)
    assert list(needed["needed"]) == sorted(needed["needed"], reverse=True)       # most needed first
    first = needed.iloc[0]
    assert f"{first['unit_name']} (cần thêm {first['needed']} khu dân cư đạt chuẩn)" in c[1]
    # what each needs reaches 95 % and one less does not
    for r in needed.itertuples():
        assert (r.kdc_meeting + r.needed) / r.kdc_total >= 0.95 > (r.kdc_meeting + r.needed - 1) / r.kdc_total


def test_ties_are_named_together():
    d = pd.DataFrame({"unit_name": ["A", "B", "C", "D", "E"], "unmet": [2, 5, 2, 1, 5]})
    ranks = narrative._ranks(d, "unmet")
    assert ranks == [(["B", "E"], 5.0), (["A", "C"], 2.0)]
    assert narrative._rank_text(ranks, lambda x: f"{x:.0f} xã") == "B, E (mỗi đơn vị 5 xã), A, C (mỗi đơn vị 2 xã)"
    assert narrative._years([2015, 2017, 2018, 2019, 2021]) == "2015, 2017–2019, 2021"
