"""Pinning an image to the first or last frame from its chip (HiAPI names its frames, 003:83-93), and the pin
travelling with the recipe: the live check, the stored request body, frozen job copies and remixes."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError

from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Composition, CompositionReference, Job
from tests.compose_forms import HTMX, compose_form, stored_reference

pytestmark = pytest.mark.django_db

HIAPI = "hiapi/seedance-2-0"


def _form(**overrides):
    return compose_form(**{"prompt": "@image1 fades in", "model": HIAPI, **overrides})


@pytest.fixture
def hiapi_configured(settings):
    settings.PROVIDERS = {**settings.PROVIDERS, "hiapi": make_config("hiapi", "test-key-not-real")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"  # where HiAPI would fetch the references from


@pytest.fixture
def images(owner):
    """Three images in the owner's draft, which is set to HiAPI."""
    draft = Composition.objects.draft_for(owner)
    made = [stored_reference(owner, "image", name) for name in ("dawn.png", "harbour.png", "dusk.png")]
    draft.append(made)
    Composition.objects.filter(pk=draft.pk).update(provider="hiapi", tier="seedance-2-0")
    return made


def _pin(client, reference, frame, **extra):
    return client.post(f"/compose/references/{reference.public_id}/frame/", {"frame": frame}, **extra)


def _pins(owner) -> dict[str, str]:
    draft = Composition.objects.draft_for(owner)
    return {r.original_name: r.frame for r in draft.ordered_references()}


def _errors(page: str) -> list[str]:
    return re.findall(r'<li class="finding error" data-code="([^"]+)"', page)


def test_it_pins_an_image_to_a_frame_from_its_chip(owner_client, owner, images):
    response = _pin(owner_client, images[2], "last", **HTMX)
    assert response.status_code == 200
    assert _pins(owner) == {"dawn.png": "", "harbour.png": "", "dusk.png": "last"}
    assert "references-changed" in response["HX-Trigger-After-Settle"]  # the live panel re-checks
    page = response.content.decode()
    select = re.search(rf'<select id="frame-{images[2].public_id.hex}"[^>]*>(.*?)</select>', page, re.S)
    assert select and '<option value="last" selected>Last frame</option>' in select.group(1)
    assert 'aria-label="Use @image3 as"' in page


def test_it_moves_a_pin_another_image_held_and_says_so(owner_client, owner, images):
    _pin(owner_client, images[0], "first", **HTMX)
    page = _pin(owner_client, images[1], "first", **HTMX).content.decode()
    assert _pins(owner) == {"dawn.png": "", "harbour.png": "first", "dusk.png": ""}
    assert "@image1 is no longer pinned: @image2 is the first frame now (a video has one)." in page
    _pin(owner_client, images[1], "", **HTMX)
    assert set(_pins(owner).values()) == {""}


@pytest.mark.parametrize("value", ["middle", "FIRST", "x" * 500])
def test_it_explains_a_pin_that_is_not_a_frame(owner_client, owner, images, value):
    response = _pin(owner_client, images[0], value, **HTMX)
    assert response.status_code == 200
    assert "is not a frame: choose Reference, First frame or Last frame." in response.content.decode()
    assert set(_pins(owner).values()) == {""}


def test_it_explains_that_only_an_image_can_be_a_frame(owner_client, owner, images):
    clip = stored_reference(owner, "video", "waves.mp4", duration=4.0, has_audio=False)
    Composition.objects.draft_for(owner).append([clip])
    response = _pin(owner_client, clip, "first", **HTMX)
    assert response.status_code == 200
    assert "waves.mp4 is not an image, and only an image can be the first or last frame" in response.content.decode()
    assert _pins(owner)["waves.mp4"] == ""


def test_it_pins_without_javascript(owner_client, owner, images):
    response = _pin(owner_client, images[0], "last")
    assert response.status_code == 302 and response["Location"] == "/"
    assert _pins(owner)["dawn.png"] == "last"
    response = _pin(owner_client, images[0], "sideways")
    assert response.status_code == 302
    assert "is not a frame" in owner_client.get("/").content.decode()


def test_it_keeps_other_peoples_references_out_of_reach(outsider_client, owner, images):
    assert _pin(outsider_client, images[0], "first", **HTMX).status_code == 404
    assert set(_pins(owner).values()) == {""}


def test_one_image_per_frame_is_a_database_rule(owner, images):
    draft = Composition.objects.draft_for(owner)
    draft.links.filter(reference=images[0]).update(frame="first")
    with pytest.raises(IntegrityError):
        draft.links.filter(reference=images[1]).update(frame="first")


def test_a_last_frame_alone_goes_to_hiapi_as_last_frame_url(owner_client, owner, hiapi_configured):
    draft = Composition.objects.draft_for(owner)
    ending = stored_reference(owner, "image", "ending.png")
    draft.append([ending])
    _pin(owner_client, ending, "last", **HTMX)
    data = _form(prompt="The harbour wakes up and settles into @image1")
    page = owner_client.post("/compose/check/", data, **HTMX).content.decode()
    assert _errors(page) == []
    assert "First/last frames" in page
    assert not re.search(r'id="submit-button"[^>]*\sdisabled', page)

    owner_client.post("/compose/submit/", data, **HTMX)
    body = Job.objects.get().request_body["input"]
    assert body["last_frame_url"] == ending.public_url()
    assert "first_frame_url" not in body and not any(key.startswith("reference_") for key in body)


def test_frames_go_to_hiapi_beside_reference_images(owner_client, owner, images, hiapi_configured):
    _pin(owner_client, images[0], "first", **HTMX)
    _pin(owner_client, images[2], "last", **HTMX)
    data = _form(prompt="@image1 becomes @image3, lit like @image2", mode="omni_reference")
    page = owner_client.post("/compose/check/", data, **HTMX).content.decode()
    assert _errors(page) == [] and "Omni reference" in page

    owner_client.post("/compose/submit/", data, **HTMX)
    job = Job.objects.get()
    body = job.request_body["input"]
    # 003:83-93: the frames in their own fields, the other images in reference_image_urls.
    assert body["first_frame_url"] == images[0].public_url()
    assert body["last_frame_url"] == images[2].public_url()
    assert body["reference_image_urls"] == [images[1].public_url()]
    frozen = {r.original_name: r.frame for r in job.composition.ordered_references()}
    assert frozen == {"dawn.png": "first", "harbour.png": "", "dusk.png": "last"}


def test_a_remix_keeps_the_pins(owner_client, owner, images, hiapi_configured):
    _pin(owner_client, images[1], "last", **HTMX)
    owner_client.post("/compose/submit/", _form(prompt="@image1 @image2 @image3", mode="omni_reference"), **HTMX)
    job = Job.objects.get()
    assert '<span class="frame-pin">Last frame</span>' in owner_client.get(f"/jobs/{job.public_id}/").content.decode()
    _pin(owner_client, images[1], "", **HTMX)  # the draft moves on; the job's recipe does not
    _pin(owner_client, images[0], "first", **HTMX)

    assert owner_client.post(f"/jobs/{job.public_id}/remix/").status_code == 302
    assert _pins(owner) == {"dawn.png": "", "harbour.png": "last", "dusk.png": ""}
    assert CompositionReference.objects.filter(composition=job.composition, frame="last").count() == 1


def test_the_control_shows_only_where_the_provider_names_its_frames(owner_client, owner, images):
    page = owner_client.get("/").content.decode()
    assert page.count('name="frame"') == 3 and "Use @image2 as" in page
    Composition.objects.filter(owner=owner, is_draft=True).update(provider="piapi", tier="seedance-2")
    page = owner_client.get("/").content.decode()
    assert 'name="frame"' not in page and "Use @image1 as" not in page


def test_a_pin_left_on_another_provider_says_how_to_clear_it(owner_client, owner, images):
    _pin(owner_client, images[2], "last", **HTMX)
    response = owner_client.post(
        "/compose/check/", _form(model="piapi/seedance-2", prompt="@image1 @image2 @image3"), **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "frames.beside_references" in _errors(page)
    assert "clear its frame setting to use it as a reference, or choose HiAPI" in page
    # The chip's control turns into the pin and a Clear button, swapped in by the provider's options.
    page = owner_client.get("/compose/options/", {"model": "piapi/seedance-2"}, **HTMX).content.decode()

    def swapped_in(reference):
        found = re.search(
            rf'<div class="chip-frame" id="chip-frame-{reference.public_id.hex}" hx-swap-oob="true">'
            r"(.*?)</div>",
            page,
            re.S,
        )
        return found.group(1) if found else None

    chip = swapped_in(images[2])
    assert chip and "Last frame" in chip and 'aria-label="Clear the last frame setting of @image3"' in chip
    assert 'name="frame" value=""' in chip
    assert swapped_in(images[0]).strip() == ""  # no control for an unpinned image there

    _pin(owner_client, images[2], "", **HTMX)  # what the Clear button posts
    page = owner_client.post(
        "/compose/check/", _form(model="piapi/seedance-2", prompt="@image1 @image2 @image3"), **HTMX
    ).content.decode()
    assert "frames." not in page and 'id="chip-frame-' not in page


def test_the_live_check_with_pins_keeps_its_query_count(owner_client, owner, images, django_assert_num_queries):
    Composition.objects.draft_for(owner).pin(images[0], "first")
    with django_assert_num_queries(3):
        page = owner_client.post("/compose/check/", _form(prompt="@image1 @image2 @image3"), **HTMX).content.decode()
    assert f'id="chip-findings-{images[0].public_id.hex}" hx-swap-oob="true"' in page
    with django_assert_num_queries(2):  # the signed-in user, and the draft's references with their pins
        page = owner_client.get("/compose/options/", {"model": HIAPI}, **HTMX).content.decode()
    control = re.search(rf'id="chip-frame-{images[0].public_id.hex}" hx-swap-oob="true">(.*?)</div>', page, re.S)
    assert control and '<option value="first" selected>' in control.group(1)


def test_the_local_preview_opens_and_ends_on_the_pinned_frames(owner, images, tmp_path):
    """The preview plays its pictures in order: pins move an image to the start or the end, the rest keep theirs."""
    from seedance_studio.worker.local_preview import preview_request

    draft = Composition.objects.draft_for(owner)
    draft.pin(images[0], "last")
    draft.pin(images[2], "first")
    for image in images:  # each stored file holds its own name, to tell the renderer's copies apart
        default_storage.save(image.file.name, ContentFile(image.original_name.encode()))
    job = type("PreviewJob", (), {"composition": Composition.objects.get(pk=draft.pk)})()

    copies = [reference.path for reference in preview_request(job, tmp_path).references]

    assert [copy.read_text() for copy in copies] == ["dusk.png", "harbour.png", "dawn.png"]
    assert all(copy.parent == tmp_path / "references" for copy in copies)
