"""Who issues the written report and what kind of report it is (``antt.publish.written_report``),
from the territory and the cycle alone: names typed by hand from the administrative units (Bình
Phước before the reform of 1 July 2025, merged into Đồng Nai after it)."""

from __future__ import annotations

import pytest

from antt.analyse.view import CycleView
from antt.core.cycles import parse_cycle
from antt.publish.written_report import issuer, kind_words


@pytest.mark.parametrize("cycle, scope, expected", [
    ("2023-H1", "70", ("Công an tỉnh Bình Phước", "Bình Phước")),
    ("2026-H1", "70", ("Công an tỉnh Đồng Nai", "Đồng Nai")),      # former Bình Phước is part of Đồng Nai now
    ("2026-H1", "75", ("Công an tỉnh Đồng Nai", "Đồng Nai")),
    ("2026-H1", "all", ("Bộ Công an", "Hà Nội")),
])
def test_issuer_from_the_territory(tmp_path, cycle, scope, expected):
    assert issuer(CycleView(parse_cycle(cycle), tmp_path, scope)) == expected


def test_half_year_is_sơ_kết_year_is_tổng_kết(tmp_path):
    assert kind_words(CycleView(parse_cycle("2023-H1"), tmp_path, "70")) == "sơ kết"
    assert kind_words(CycleView(parse_cycle("2022"), tmp_path, "70")) == "tổng kết"
