"""Which keys are stocks and which are flows (shared contract: the flows are the four counts of Biểu 4)."""

from __future__ import annotations

import pytest

from antt.core import indicators


@pytest.mark.parametrize("name", ["broadcast_hours", "banners_posters", "sessions", "attendees"])
def test_the_outreach_counts_are_flows(name):
    assert indicators.is_flow(name)


@pytest.mark.parametrize("name", ["kdc_total", "kdc_meeting", "ntm_met", "models_residential", "cameras",
                                  "bright_spots_commune", "core_group_members", "kdc_meeting_share",
                                  "cameras_per_kdc", "members_per_group"])
def test_every_other_key_and_ratio_is_a_stock(name):
    assert not indicators.is_flow(name)
