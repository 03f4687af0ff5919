import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from seedance_studio import seedance
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Composition, Job
from tests.compose_forms import HTMX, compose_form, stored_reference

pytestmark = pytest.mark.django_db


def _form(**overrides):
    return compose_form(**{"prompt": "@image1 turns to the camera", **overrides})


@pytest.fixture
def draft(owner):
    draft = Composition.objects.draft_for(owner)
    draft.append([stored_reference(owner, "image", "harbour.png"), stored_reference(owner, "video", "waves.mp4")])
    return draft


@pytest.fixture
def piapi_configured(settings):
    settings.PROVIDERS = {**settings.PROVIDERS, "piapi": make_config("piapi", "test-key-not-real")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"  # where PiAPI would fetch the references from


def _check(client, **overrides):
    return client.post("/compose/check/", _form(**overrides), **HTMX).content.decode()


def test_it_shows_mode_price_and_findings_as_you_type(owner_client, draft, piapi_configured):
    page = _check(owner_client, model="piapi/seedance-2-fast", prompt="@image1 walks into @video1", duration="5")
    assert "Omni reference" in page
    # 000:287 and the input-video rule: 5 s x $0.16 + 6 s input video x $0.08 = $1.28 -> 128 credits
    assert "5 s x $0.16 + 6 s input video x $0.08 = $1.28 -&gt; 128 credits" in page
    assert "Submit · 128 credits" in page
    assert not re.search(r'id="submit-button"[^>]*\sdisabled', page)


def test_it_puts_a_broken_rule_next_to_the_field_and_disables_submit(owner_client, draft, piapi_configured):
    page = _check(owner_client, model="piapi/seedance-2-fast", resolution="1080p", prompt="@image1 walks into @video1")
    assert "Seedance 2 Fast renders 480p or 720p only, not 1080p" in page
    slot = re.search(r'<ul class="findings" id="slot-resolution" hx-swap-oob="true">(.*?)</ul>', page, re.S)
    assert slot and "not 1080p" in slot.group(1)
    assert re.search(r'id="submit-button"[^>]*\sdisabled', page)


def test_it_points_at_the_chip_a_finding_concerns(owner_client, owner, draft):
    long_video = stored_reference(owner, "video", "long.mp4", duration=20.0)
    draft.append([long_video])
    page = _check(
        owner_client, model="seedance2/seedance2", prompt="@image1 @video1 @video2"
    )  # 002: each video <= 15 s
    slot = re.search(rf'id="chip-findings-{long_video.public_id.hex}" hx-swap-oob="true">(.*?)</ul>', page, re.S)
    assert slot and "15" in slot.group(1)


def test_it_names_a_mention_of_a_missingstored_reference(owner_client, draft):
    page = _check(owner_client, prompt="@image1 meets @image4 in @video1")
    assert "@image4 names image 4, but there is only 1 image" in page
    assert re.search(r'id="submit-button"[^>]*\sdisabled', page)


def test_it_says_when_a_provider_has_no_key(owner_client, draft):
    page = _check(owner_client, model="hiapi/seedance-2-0", prompt="@image1 walks into @video1")
    assert "HiAPI is not set up in this studio yet: an admin must set HIAPI_API_KEY" in page
    assert re.search(r'id="submit-button"[^>]*\sdisabled', page)


def test_it_explains_a_form_error_in_the_panel(owner_client, draft):
    page = _check(owner_client, duration="99")
    assert "Duration must be a whole number of seconds from 4 to 15." in page


def test_it_saves_what_is_typed_as_the_draft(owner_client, owner, draft):
    before = draft.updated_at
    _check(owner_client, prompt="@image1 saved while typing", duration="7")
    draft.refresh_from_db()
    assert (draft.prompt, draft.duration) == ("@image1 saved while typing", 7)
    assert draft.updated_at > before  # an UPDATE by owner, which auto_now alone would have skipped


def test_it_checks_in_three_queries(owner_client, draft, django_assert_num_queries):
    # The signed-in user with their balance, the draft's references, and the UPDATE that saves the draft.
    with django_assert_num_queries(3):
        _check(owner_client, model="piapi/seedance-2", prompt="@image1 and @video1")


def test_it_refuses_a_forced_submit_that_breaks_a_rule(owner_client, draft, piapi_configured):
    response = owner_client.post(
        "/compose/submit/", _form(model="piapi/seedance-2-fast", resolution="1080p", prompt="@image1 @video1"), **HTMX
    )
    assert "not 1080p" in response.content.decode()
    assert not Job.objects.exists()


def test_it_refuses_a_provider_without_a_key(owner_client, draft):
    owner_client.post("/compose/submit/", _form(model="goapi/seedance-2", prompt="@image1 @video1"), **HTMX)
    assert not Job.objects.exists()


def test_it_stores_the_quote_and_request_body_on_the_job(owner_client, draft, piapi_configured):
    owner_client.post(
        "/compose/submit/", _form(model="piapi/seedance-2-fast", prompt="@image1 walks into @video1"), **HTMX
    )
    job = Job.objects.get()
    assert job.price_credits == 128
    assert job.quote["summary"] == "5 s x $0.16 + 6 s input video x $0.08 = $1.28 -> 128 credits"
    references = job.composition.ordered_references()
    assert job.request_body == {
        "model": "seedance",
        "task_type": "seedance-2-fast",
        "input": {
            "prompt": "@image1 walks into @video1",
            "mode": "omni_reference",
            "duration": 5,
            "aspect_ratio": "16:9",
            "resolution": "720p",
            "image_urls": [references[0].public_url()],
            "video_urls": [references[1].public_url()],
        },
    }
    assert references[0].public_url().startswith("https://studio.example.com/p/r/")


def test_it_renumbers_mentions_when_references_move_or_go(owner_client, owner, draft):
    image2 = stored_reference(owner, "image", "lighthouse.png")
    draft.append([image2])
    Composition.objects.filter(pk=draft.pk).update(prompt="@image1 by the sea, then @image2, over @video1")
    response = owner_client.post(f"/compose/references/{image2.public_id}/move/earlier/", **HTMX)
    response = owner_client.post(f"/compose/references/{image2.public_id}/move/earlier/", **HTMX)
    draft.refresh_from_db()
    assert draft.prompt == "@image2 by the sea, then @image1, over @video1"
    assert "@image2 by the sea, then @image1, over @video1" in response.content.decode()
    assert "references-changed" in response["HX-Trigger-After-Settle"]


def test_a_move_renumbers_the_prompt_as_it_is_on_screen(owner_client, owner, draft):
    """The chips' forms send the prompt along: what was typed since the last check is kept, renumbered."""
    image2 = stored_reference(owner, "image", "lighthouse.png")
    draft.append([image2])
    owner_client.post(f"/compose/references/{image2.public_id}/move/earlier/", **HTMX)  # past the video
    typed = "@image1 by the sea, then @image2 — typed after the last check"
    response = owner_client.post(f"/compose/references/{image2.public_id}/move/earlier/", {"prompt": typed}, **HTMX)
    page = response.content.decode()
    prompt = re.search(r'<div class="prompt-field" id="prompt-field" hx-swap-oob="true">(.*?)</div>', page, re.S)
    assert prompt and "@image2 by the sea, then @image1 — typed after the last check" in prompt.group(1)
    draft.refresh_from_db()
    assert draft.prompt == "@image2 by the sea, then @image1 — typed after the last check"


def test_a_removal_always_answers_the_references_and_the_prompt(owner_client, owner, draft):
    _, video = draft.ordered_references()
    page = owner_client.post(
        f"/compose/references/{video.public_id}/remove/", {"prompt": "@image1 alone"}, **HTMX
    ).content.decode()
    assert page.lstrip().startswith('<section id="references"')
    assert re.findall(r'id="([^"]+)"[^>]*hx-swap-oob="true"', page) == ["prompt-field"]
    assert "@image1 alone</textarea>" in page  # nothing to renumber: the prompt as typed


MODELS = [
    f"{provider.id}/{tier.id}"
    for provider in seedance.providers()
    if provider.id in ("local_preview", "piapi")
    for tier in provider.tiers
]


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model=st.sampled_from(MODELS),
    duration=st.integers(4, 15),
    resolution=st.sampled_from(["480p", "720p"]),
    with_video=st.booleans(),
)
def test_the_panel_price_is_the_price_stored_on_the_job(
    owner_client, owner, piapi_configured, model, duration, resolution, with_video
):
    Job.objects.all().delete()
    draft = Composition.objects.draft_for(owner)
    draft.links.all().delete()
    references = [stored_reference(owner, "image", "one.png")]
    if with_video:
        references.append(stored_reference(owner, "video", "clip.mp4", duration=3.5))
    draft.append(references)
    prompt = "@image1 @video1" if with_video else "@image1"
    data = _form(model=model, duration=str(duration), resolution=resolution, prompt=prompt)
    panel = owner_client.post("/compose/check/", data, **HTMX).content.decode()
    owner_client.post("/compose/submit/", data, **HTMX)
    job = Job.objects.filter(owner=owner).first()
    if job is None:  # the panel must have shown why (an error) and disabled Submit
        assert re.search(r'id="submit-button"[^>]*\sdisabled', panel)
        return
    shown = re.search(r'<span class="price-summary">(.*?)</span>', panel).group(1).replace("-&gt;", "->")
    assert shown == job.quote["summary"]


def test_it_brings_the_new_providers_options_when_the_provider_changes(owner_client, owner, draft):
    """The provider select asks for its options itself (GET, read-only): the check that the same change sends
    never carries them, so typing in an option is never interrupted."""
    response = owner_client.get("/compose/options/", {"model": "hiapi/seedance-2-0"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    options = re.match(r'\s*<div id="provider-options">(.*?)</div>\s*<div class="chip-frame"', page, re.S)
    assert options and "HiAPI options" in options.group(1) and 'name="extra_web_search"' in options.group(1)
    image, video = draft.ordered_references()
    frame = re.search(
        rf'<div class="chip-frame" id="chip-frame-{image.public_id.hex}" hx-swap-oob="true">'
        r"(.*?)</div>",
        page,
        re.S,
    )
    assert frame and "Use @image1 as" in frame.group(1)  # HiAPI names its frames: the chip offers a pin
    assert f'id="chip-frame-{video.public_id.hex}" hx-swap-oob="true"' in page
    assert Composition.objects.draft_for(owner).provider == "local_preview"  # asking saves nothing

    unchanged = _check(owner_client, model="hiapi/seedance-2-0", prompt="@image1 @video1")
    assert 'id="provider-options"' not in unchanged and 'id="chip-frame-' not in unchanged


def test_an_option_of_the_same_name_keeps_its_value_across_providers(owner_client, draft):
    """HiAPI and EvoLink both have web search: switching keeps what the creative chose, as the check saves it."""
    page = owner_client.get(
        "/compose/options/",
        {"model": "evolink/standard", "extra_web_search": "on", "extra_nsfw_checker": "off"},
        **HTMX,
    ).content.decode()
    assert "EvoLink options" in page and "nsfw_checker" not in page
    assert re.search(r'name="extra_web_search"[^>]*>.*?<option value="on" selected>', page, re.S)


def test_the_check_always_answers_the_same_shape(owner_client, owner, draft):
    """The panel, then out of band every findings slot (each field's, each chip's) and Submit: whether the form is
    valid or not, whatever the provider."""
    image, video = draft.ordered_references()
    expected = [
        "slot-model",
        "slot-mode",
        "slot-prompt",
        "slot-duration",
        "slot-aspect_ratio",
        "slot-resolution",
        "slot-generate_audio",
        "slot-seed",
        "slot-references",
        "slot-extras",
        f"chip-findings-{image.public_id.hex}",
        f"chip-findings-{video.public_id.hex}",
        "submit-area",
    ]
    for overrides in ({}, {"duration": "99"}, {"model": "hiapi/seedance-2-0"}, {"model": "nonsense/x"}):
        page = _check(owner_client, **overrides)
        assert page.lstrip().startswith('<aside id="live-panel" class="panel live-panel" aria-live="polite">')
        assert re.findall(r'id="([^"]+)"[^>]*hx-swap-oob="true"', page) == expected, overrides


def test_it_refuses_a_prompt_longer_than_the_limit_and_keeps_the_draft(owner_client, owner, draft):
    from seedance_studio.studio.forms import PROMPT_MAX_CHARS

    response = owner_client.post("/compose/check/", _form(prompt="x" * (PROMPT_MAX_CHARS + 1)), **HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"The prompt is too long: keep it to {PROMPT_MAX_CHARS:,} characters ({PROMPT_MAX_CHARS + 1} now)." in page
    assert 'aria-disabled="true"' in page or "disabled" in page
    assert len(Composition.objects.draft_for(owner).prompt) <= PROMPT_MAX_CHARS
