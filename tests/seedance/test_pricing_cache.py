"""A pricing configuration is parsed once per distinct value (the live panel quotes on every keystroke), and a
changed value is parsed anew: the cache is keyed on what the mapping says, not on which object says it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seedance_studio.seedance import PricingConfig
from seedance_studio.seedance.pricing import as_pricing_config


def test_the_same_configuration_is_parsed_once():
    first = as_pricing_config({"studio_credits_per_usd": "100", "input_video_factor": {"hiapi": "1"}})
    again = as_pricing_config({"studio_credits_per_usd": "100", "input_video_factor": {"hiapi": "1"}})
    assert again is first
    assert as_pricing_config(None) is as_pricing_config({})


@pytest.mark.parametrize(
    "other",
    [
        {"studio_credits_per_usd": "101", "input_video_factor": {"hiapi": "1"}},  # another number
        {"studio_credits_per_usd": 100, "input_video_factor": {"hiapi": "1"}},  # an int, not the same text
        {"studio_credits_per_usd": "100", "input_video_factor": {"hiapi": "1.0"}},  # equal, differently written
        {"studio_credits_per_usd": "100", "input_video_factor": {"hiapi": "1", "goapi": "2"}},  # one more entry
    ],
)
def test_a_changed_configuration_is_parsed_anew(other):
    first = as_pricing_config({"studio_credits_per_usd": "100", "input_video_factor": {"hiapi": "1"}})
    assert as_pricing_config(other) is not first


def test_a_mapping_changed_in_place_is_parsed_anew():
    overrides = {"usd_per_second": {"hiapi": {"seedance-2-0": {"720p": "0.30"}}}}
    assert as_pricing_config(overrides).usd_unit("hiapi", "seedance-2-0", "720p") == Decimal("0.30")
    overrides["usd_per_second"]["hiapi"]["seedance-2-0"]["720p"] = "0.40"
    assert as_pricing_config(overrides).usd_unit("hiapi", "seedance-2-0", "720p") == Decimal("0.40")


def test_a_shared_configuration_cannot_be_changed_by_one_of_its_users():
    config = as_pricing_config({})
    with pytest.raises(TypeError):
        config.usd_per_second["piapi"]["seedance-2"]["720p"] = Decimal("0")  # type: ignore[index]
    with pytest.raises(TypeError):
        config.input_video_factor["piapi"] = Decimal("0")  # type: ignore[index]


def test_a_bad_value_is_refused_every_time_and_never_cached():
    for _ in range(2):
        with pytest.raises(ValueError, match="not a float"):
            as_pricing_config({"studio_credits_per_usd": 0.1})


def test_an_unhashable_value_is_still_parsed_and_refused():
    with pytest.raises(ValueError, match="expected a table"):
        as_pricing_config({"input_video_factor": ["0.5"]})


def test_a_parsed_configuration_is_passed_through():
    config = PricingConfig.from_mapping({})
    assert as_pricing_config(config) is config
