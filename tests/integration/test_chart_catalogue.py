"""The charts of the catalogue drawn from the committed sample, as the report draws them: the latest
cycle (2026-H1, the 95 communes of Đồng Nai) and the older district cycle of Bình Phước (2023-H1, scope
"70"). At slide size no text overlaps another, crosses a line or leaves the figure; a chart whose picture
would carry nothing is said in a sentence; the trend marks the values that do not cover every unit."""

from __future__ import annotations

import pytest

from antt.analyse.view import open_cycle
from antt.publish import chart_files, figures
from antt.publish.charts.overlaps import overlaps

CYCLES = [("2026-H1", None), ("2023-H1", "70")]


@pytest.fixture(scope="module")
def views(processed):
    return {cycle: open_cycle(cycle, processed, scope) for cycle, scope in CYCLES}


@pytest.mark.parametrize("cycle", [c for c, _ in CYCLES])
@pytest.mark.parametrize("name", [f.name for f in figures.FIGURES])
def test_no_text_overlaps_in_any_chart(views, cycle, name):
    assert overlaps(figures.draw(name, views[cycle])) == []
    if figures.uniform_sentence(name, views[cycle]) is None:      # the chart itself, not only its card
        spec = figures.BY_NAME[name]
        assert overlaps(spec.draw(views[cycle], spec.title)) == []


def test_uniform_results_are_said_in_a_sentence(views):
    old, new = views["2023-H1"], views["2026-H1"]
    # Bình Phước 2023-H1: every district 100 % of its residential areas, all registered, all 55 returns received
    assert figures.uniform_sentence("kdc_coverage", old).startswith("Cả 11/11 đơn vị đều có 100 % khu dân cư")
    assert figures.uniform_sentence("kdc_registered_meeting", old).startswith("Ở cả 11/11 đơn vị, mọi khu dân cư")
    assert figures.uniform_sentence("completeness", old) == "Đã nhận đủ 5 biểu của cả 11/11 đơn vị."
    assert figures.uniform_sentence("ntm_by_unit", old) is None          # 68 of 86 xã: a real picture
    # Đồng Nai 2026-H1: two communes sent nothing; every xã of the others met the standard
    assert figures.uniform_sentence("ntm_by_unit", new) == (
        "Cả 70/70 xã có số liệu đều đạt chuẩn nông thôn mới; 23 đơn vị không có xã; "
        "2 đơn vị không có số liệu: Xã Xuân Phú, Xã Nhơn Trạch.")
    assert figures.uniform_sentence("completeness", new) is None
    assert figures.uniform_sentence("trend", new) is None


def test_every_catalogue_entry_is_saved_card_or_chart(views, tmp_path):
    paths = chart_files.save_charts(views["2023-H1"], tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{f.stem}.{ext}" for f in figures.FIGURES for ext in ("png", "svg"))
    svg = (tmp_path / "13_completeness.svg").read_text()
    assert 'id="sentence' in svg                                          # the card, under the chart's name


def test_trend_marks_the_values_that_do_not_cover_every_unit(views):
    t = views["2023-H1"].trend.set_index(["cycle", "key"])
    # 2022-H1 of Bình Phước: core groups (526) and commune bright spots (166) from 10 of the 11 districts
    for key, value in (("core_groups", 526), ("bright_spots_commune", 166)):
        assert t.loc[("2022-H1", key), "value"] == value
        assert t.loc[("2022-H1", key), "reported"] < t.loc[("2022-H1", key), "expected"] == 11
    assert t.loc[("2023-H1", "core_groups"), "reported"] == 11
