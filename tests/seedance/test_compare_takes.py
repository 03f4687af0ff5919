"""The core's comparison of one composition on every provider and tier, and its takes (seeds, providers)."""

from seedance_studio.seedance import Composition, Reference
from seedance_studio.seedance.capabilities import Moderation
from seedance_studio.seedance.compare import compare
from seedance_studio.seedance.specs import PROVIDERS
from seedance_studio.seedance.takes import provider_takes, seed_takes

EVERY_TIER = {f"{spec.id}/{tier.id}" for spec in PROVIDERS.values() for tier in spec.tiers}
IMAGE = Reference("i1", "image", url="https://studio.example.com/r/i1.png", format="png", width=1024, height=1024)


def _composition(**fields) -> Composition:
    return Composition(
        **{
            "provider": "piapi",
            "tier": "seedance-2-fast",
            "prompt": "A lighthouse at dawn",
            "duration": 5,
            "aspect_ratio": "16:9",
            "resolution": "480p",
            **fields,
        }
    )


def test_it_lists_every_tier_once_valid_ones_first_by_price():
    options = compare(_composition())
    assert {o.model for o in options} == EVERY_TIER and len(options) == len(EVERY_TIER)
    valid = [o for o in options if o.is_valid]
    assert options[: len(valid)] == tuple(valid)
    prices = [o.quote.studio_credits for o in valid]
    assert prices == sorted(prices) and prices[0] == 0  # the local preview is free
    assert all(not o.first_problem for o in valid)


def test_it_says_the_first_reason_an_invalid_tier_refuses():
    by_model = {o.model: o for o in compare(_composition(resolution="1080p"))}
    assert not by_model["piapi/seedance-2-fast"].is_valid
    assert "1080p" in by_model["piapi/seedance-2-fast"].first_problem
    assert by_model["piapi/seedance-2"].is_valid
    assert by_model["piapi/seedance-2"].quote.studio_credits == 250  # 5 s x $0.50 at 1080p (000:285)


def test_it_marks_estimated_prices():
    by_model = {o.model: o for o in compare(_composition(resolution="720p"))}
    assert by_model["hiapi/seedance-2-0"].quote.estimated  # 003 publishes no price
    assert not by_model["piapi/seedance-2-fast"].quote.estimated


def test_it_gives_the_moderation_policy_of_the_documents():
    by_model = {o.model: o for o in compare(_composition())}
    # 000:260-266: the -less-restriction variants are the only permissive ones.
    assert by_model["piapi/seedance-2-less-restriction"].moderation is Moderation.LESS_RESTRICTION
    assert by_model["piapi/seedance-2-fast-less-restriction"].moderation_label == "Less-restriction"
    assert by_model["piapi/seedance-2-mini"].moderation is Moderation.STRICT
    assert "000:381" in by_model["piapi/seedance-2-mini"].moderation_note
    assert by_model["goapi/seedance-2"].moderation is Moderation.STRICT  # 001:344
    assert by_model["local_preview/local"].moderation is Moderation.NONE


def test_it_claims_no_moderation_policy_a_document_does_not_state():
    by_model = {o.model: o for o in compare(_composition())}
    for model in ("seedance2/seedance2", "evolink/fast", "hiapi/seedance-2-0"):  # 002, 004 and 003 say nothing of it
        assert by_model[model].moderation is Moderation.NOT_DOCUMENTED, model
        assert by_model[model].moderation_label == "Not documented"
    strict = {o.model for o in by_model.values() if o.moderation is Moderation.STRICT}
    assert strict == {"piapi/seedance-2", "piapi/seedance-2-fast", "piapi/seedance-2-mini"} | {
        f"goapi/{tier.id}" for tier in PROVIDERS["goapi"].tiers
    }


def test_it_gives_each_providers_output_size():
    by_model = {o.model: o for o in compare(_composition(resolution="720p", aspect_ratio="21:9"))}
    assert by_model["evolink/fast"].output_size == "1470x630"  # 004:55-63
    assert by_model["seedance2/seedance2"].output_size == "1280x540"  # 002:59
    assert by_model["goapi/seedance-2"].output_size == ""  # 480p only: no 720p video at all


def test_an_auto_aspect_ratio_takes_the_shape_of_the_first_image():
    options = compare(_composition(tier="seedance-2-fast", aspect_ratio="auto", references=(IMAGE,), prompt="@image1"))
    by_model = {o.model: o for o in options}
    assert by_model["piapi/seedance-2-fast"].output_size == "about 640x640 (auto, from @image1)"


def test_goapi_first_and_last_frames_take_the_shape_of_the_first_image_whatever_the_ratio():
    """001:298, 001:327: GoAPI discards the aspect ratio in first/last frames and takes the first image's."""
    last = Reference("i2", "image", url="https://studio.example.com/r/i2.png", format="png", width=1024, height=1024)
    for ratio in ("16:9", None):
        composition = _composition(
            provider="goapi", tier="seedance-2", aspect_ratio=ratio, references=(IMAGE, last), prompt="@image1 @image2"
        )
        by_model = {o.model: o for o in compare(composition)}
        assert by_model["goapi/seedance-2"].output_size == "about 640x640 (auto, from @image1)", ratio
        assert by_model["piapi/seedance-2-fast"].output_size == "864x496"  # PiAPI sends the ratio it was given


def test_seed_takes_count_up_from_the_composed_seed_on_a_provider_with_seeds():
    takes = seed_takes(_composition(provider="hiapi", tier="seedance-2-0", seed=2147483646), 3, base_seed=7)
    assert [take.seed for take in takes] == [2147483646, 2147483647, 0]  # 003:124, wrapped in the range
    assert [t.seed for t in seed_takes(_composition(provider="hiapi", tier="seedance-2-0"), 2, 7)] == [7, 8]


def test_seed_takes_are_the_same_request_where_the_provider_has_no_seed():
    composition = _composition()
    assert seed_takes(composition, 4, base_seed=7) == (composition,) * 4


def test_provider_takes_drop_options_of_another_provider():
    composition = _composition(provider="hiapi", tier="seedance-2-0", extras={"web_search": True})
    takes = provider_takes(composition, ["hiapi/seedance-2-0", "evolink/fast", "hiapi/seedance-2-0"])
    assert [(t.provider, t.tier, dict(t.extras)) for t in takes] == [
        ("hiapi", "seedance-2-0", {"web_search": True}),
        ("evolink", "fast", {}),
    ]


def test_an_upscaled_seedance2_output_says_so():
    composition = _composition(provider="seedance2", tier="seedance2", resolution="720p", extras={"upscale": "4k"})
    by_model = {o.model: o for o in compare(composition)}
    assert by_model["seedance2/seedance2"].output_size == "1280x720, upscaled to 4K"  # 002:59-60
    assert by_model["seedance2/seedance2-fast"].output_size == "1280x720, upscaled to 4K"  # same provider's option
    assert by_model["evolink/standard"].output_size == "1280x720"  # another provider's options do not go along
