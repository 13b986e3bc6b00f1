"""Series across the reform of 1 July 2025 on the committed sample (issue 18, item 4): the district
returns of the former provinces Bình Phước (70) and Đồng Nai (75) for 2022-H1, 2022 and 2023-H1, the
commune returns of today's Đồng Nai for 2025 and 2026-H1 (2023, 2024 and 2025-H1 absent).

A former cycle goes onto today's communes through the crosswalk; a change across the reform is taken
there (never a district sum against a commune sum) or not at all for the new-rural keys; the deck and
the workbook say so.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
from pptx import Presentation

from antt.analyse.view import ACROSS_REFORM, comparison, open_cycle, trend
from antt.core import indicators
from antt.publish.deck import export_deck
from antt.publish.summary_workbook import export_workbook

#: The six communes of the former Thành phố Đồng Xoài whose area is today's Phường Bình Phước (25195).
DONG_XOAI_TO_BINH_PHUOC = ["25195", "25198", "25201", "25204", "25205", "25213"]
NEW_RURAL = ["ntm_communes", "ntm_met", "ntm_share"]


def test_a_district_level_cycle_on_todays_communes(processed):
    view = open_cycle("2023-H1", processed, "75")
    now = view.on_current.set_index("unit_code")
    assert len(now) == 95 and view.level == "district"
    communes = pd.read_parquet(processed / "2023-H1" / "communes.parquet").set_index("commune_code")
    old = communes.loc[DONG_XOAI_TO_BINH_PHUOC]
    for key in ("kdc_total", "kdc_meeting", "cameras", "core_groups"):
        assert now.at["25195", key] == old[key].sum(), key
    assert now.at["25195", "communes_with_models"] == 1             # recomputed, never the sum (6)
    assert now[NEW_RURAL].isna().all().all()                          # new-rural keys never carried
    assert view.crosswalk_findings["code"].tolist() == ["crosswalk_divided"]          # Xã Xuân Tâm
    bp = open_cycle("2023-H1", processed, "70")
    assert len(bp.on_current) == 40 and bp.crosswalk_findings.empty
    # a commune-level cycle is on today's communes already: its new-rural keys stay
    after = open_cycle("2026-H1", processed, "75").on_current
    assert after["ntm_communes"].notna().any()


def test_the_trend_says_what_each_point_covers(processed):
    t = trend(processed, "75").drop_duplicates("cycle").set_index("cycle")
    assert t[["covers", "level", "after_reform"]].to_records().tolist() == [
        ("2022-H1", "Bình Phước, Đồng Nai", "district", False),
        ("2022", "Bình Phước, Đồng Nai", "district", False),
        ("2023-H1", "Bình Phước, Đồng Nai", "district", False),
        ("2025", "Đồng Nai", "commune", True),
        ("2026-H1", "Đồng Nai", "commune", True)]
    bp = trend(processed, "70").drop_duplicates("cycle").set_index("cycle")
    assert bp.at["2023-H1", "covers"] == "Bình Phước" and bp.at["2025", "covers"] == "Đồng Nai (địa bàn Bình Phước cũ)"


def test_a_change_across_the_reform_is_taken_on_todays_communes(processed):
    view = open_cycle("2025", processed, "75")
    c = comparison(view).set_index("key")
    now = view.on_current.set_index("unit_code")
    before = open_cycle("2023-H1", processed, "75").on_current.set_index("unit_code")
    for key in ("kdc_total", "kdc_meeting", "cameras", "core_group_members"):
        both = now[key].notna() & before[key].notna()
        assert c.at[key, "previous_cycle"] == "2023-H1" and c.at[key, "basis"] == "current"
        assert c.at[key, "common"] == both.sum() and c.at[key, "units"] == 95
        assert c.at[key, "change"] == (now[key] - before[key])[both].sum()
        assert c.at[key, "previous"] == before[key].sum()
    # two communes of 2025 sent no Biểu 1: the district-vs-commune difference is not the change
    assert c.at["kdc_total", "common"] < 95
    assert c.at["kdc_total", "change"] != c.at["kdc_total", "value"] - view.trend.query(
        "cycle == '2023-H1' and key == 'kdc_total'")["value"].iloc[0]
    for key in NEW_RURAL:
        assert pd.isna(c.at[key, "change"]) and pd.isna(c.at[key, "previous"]), key
        assert c.at[key, "reason"] == ACROSS_REFORM


def test_like_with_like_after_the_reform(processed):
    c = comparison(open_cycle("2026-H1", processed, "75")).set_index("key")
    # a stock with the cycle just before (commune with commune), a flow with 6 tháng 2023 on today's communes
    assert tuple(c.loc["kdc_total", ["previous_cycle", "basis"]]) == ("2025", "units")
    assert tuple(c.loc["ntm_met", ["previous_cycle", "basis"]]) == ("2025", "units")
    assert tuple(c.loc["broadcast_hours", ["previous_cycle", "basis"]]) == ("2023-H1", "current")
    first = comparison(open_cycle("2022-H1", processed, "75")).set_index("key")
    assert first["change"].isna().all() and (first["reason"] == "chưa có kỳ trước để so sánh").all()


def test_the_deck_leaves_a_hole_at_the_reform_and_the_workbook_says_how_it_compared(processed, tmp_path):
    view = open_cycle("2026-H1", processed, "75")
    prs = Presentation(export_deck(view, tmp_path))
    chart = next(sh.chart for s in prs.slides for sh in s.shapes if sh.name == "chart_trend_kdc_meeting_share")
    cats = list(chart.plots[0].categories)
    assert cats == ["6 tháng 2022", "năm 2022", "6 tháng 2023", "1/7/2025", "năm 2025", "6 tháng 2026"]
    for series in chart.plots[0].series:
        assert series.values[3] is None
    footer = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                       if sh.has_text_frame and "Trước 1/7/2025" in sh.text_frame.text)
    assert "Trước 1/7/2025: Bình Phước, Đồng Nai — cấp huyện báo cáo" in footer

    ws = openpyxl.load_workbook(export_workbook(open_cycle("2025", processed, "75"), tmp_path))["Chỉ số chính"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Chỉ số")
    names = {k.label: k.name for k in indicators.SUMMARY_KEYS}          # rows by label (" *": incomplete)
    table = {names.get(str(r[0]).removesuffix(" *")): dict(zip(rows[head], r)) for r in rows[head + 1:] if r and r[0]}
    assert table["ntm_met"]["Thay đổi"] is None
    assert table["ntm_met"]["Ghi chú so sánh"].startswith("Không so sánh qua đợt sắp xếp đơn vị hành chính 1/7/2025")
    assert table["kdc_meeting"]["Ghi chú so sánh"].startswith("Quy hai kỳ về 95 xã, phường hiện nay")
