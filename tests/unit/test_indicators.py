"""antt.core.indicators on tiny inputs: which keys are stocks and which are flows (shared contract: the
flows are the four counts of Biểu 4); the ratio of several units from their summed values."""

from __future__ import annotations

import pandas as pd
import pytest

from antt.core import indicators
from antt.core.indicators import RATIO, province_ratio

SHARE = RATIO["kdc_meeting_share"]        # kdc_meeting / kdc_total


@pytest.mark.parametrize("name", ["broadcast_hours", "banners_posters", "sessions", "attendees"])
def test_the_outreach_counts_are_flows(name):
    assert indicators.is_flow(name)


@pytest.mark.parametrize("name", ["kdc_total", "kdc_meeting", "ntm_met", "models_residential", "cameras",
                                  "bright_spots_commune", "core_group_members", "kdc_meeting_share",
                                  "cameras_per_kdc", "members_per_group"])
def test_every_other_key_and_ratio_is_a_stock(name):
    assert not indicators.is_flow(name)


def units(total, meeting) -> pd.DataFrame:
    return pd.DataFrame({"kdc_total": pd.array(total, dtype="Float64"), "kdc_meeting": pd.array(meeting, dtype="Float64")})


def test_province_ratio_sums_then_divides_never_averages_the_units_ratios():
    # 10/10 and 45/90: the mean of the two ratios is 75 %, the province 55/100
    assert province_ratio(units([10, 90], [10, 45]), SHARE) == pytest.approx(0.55)


def test_province_ratio_leaves_a_unit_missing_one_value_out_of_both_sums():
    # the second unit has areas but no count of those meeting: 9/10, not 9/100
    assert province_ratio(units([10, 90, None], [9, None, 5]), SHARE) == pytest.approx(0.9)


def test_province_ratio_is_none_when_no_unit_has_both_values_or_the_denominator_is_zero():
    assert province_ratio(units([10, None], [None, 4]), SHARE) is None
    assert province_ratio(units([0, 0], [0, 0]), SHARE) is None
