"""The result page and what a creative does from it: download, remix, continue from the last frame, delete."""

import re

import pytest
from PIL import Image, ImageChops

from seedance_studio.studio.models import Composition, Job
from tests.jobs import submitted, succeeded
from tests.media_factory import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(owner, media_dir):
    return succeeded(owner, media_dir, prompt="A cat walks in the garden [[queue=2]]")


def _reference_upload(client, path):
    with path.open("rb") as handle:
        return client.post("/compose/references/", {"files": [handle]})


def test_it_shows_the_player_recipe_and_money(owner_client, done):
    page = owner_client.get(f"/jobs/{done.public_id}/").content.decode()
    assert f'src="/jobs/{done.public_id}/video.mp4"' in page and "playsinline" in page
    assert "A cat walks in the garden" in page and "Local preview" in page and "640x360" in page
    assert "Free preview" in page and "Remix" in page and "Continue from the last frame" in page


def test_the_download_has_a_name_a_person_would_keep(owner_client, done):
    response = owner_client.get(f"/jobs/{done.public_id}/download/")
    assert response.status_code == 200
    day = done.created_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="{day} a-cat-walks-in-the-garden local 2s.mp4"'


def test_a_file_name_never_carries_what_a_file_system_refuses(owner, media_dir):
    job = succeeded(owner, media_dir, prompt='../../etc/passwd "quotes" <tags> ünïcode; rm -rf /')
    name = job.download_name
    assert "/" not in name and '"' not in name and "<" not in name and "@" not in name
    assert re.fullmatch(r"\d{4}-\d\d-\d\d [a-z0-9-]+ local 2s\.mp4", name)


def test_remix_loads_the_same_references_in_order_and_the_same_settings(owner_client, owner, media_dir):
    for name in ("first.jpg", "second.png"):
        _reference_upload(owner_client, make_image(media_dir / name, 320, 240))
    draft = Composition.objects.draft_for(owner)
    draft.move(draft.ordered_references()[1], -1)  # second.png first
    job = submitted(owner, prompt="@image1 then @image2", duration=7, aspect_ratio="9:16", resolution="480p")
    draft.refresh_from_db()
    draft.load_recipe({**draft.recipe(), "prompt": "something else", "duration": 4}, [])

    response = owner_client.post(f"/jobs/{job.public_id}/remix/")
    assert response.status_code == 302 and response["Location"] == "/"
    draft = Composition.objects.draft_for(owner)
    assert [r.original_name for r in draft.ordered_references()] == ["second.png", "first.jpg"]
    assert (draft.prompt, draft.duration, draft.aspect_ratio, draft.resolution) == (
        "@image1 then @image2",
        7,
        "9:16",
        "480p",
    )
    page = owner_client.get("/").content.decode()
    assert "@image1 then @image2" in page and "this job&#x27;s recipe" in page


def test_continue_starts_a_new_shot_on_the_last_frame(owner_client, owner, done):
    response = owner_client.post(f"/jobs/{done.public_id}/continue/")
    assert response.status_code == 302
    draft = Composition.objects.draft_for(owner)
    [frame] = draft.ordered_references()
    assert frame.kind == "image" and (frame.width, frame.height) == (640, 360)
    assert draft.prompt == "@image1 " and draft.provider == done.composition.provider
    with frame.file.open("rb") as kept, done.last_frame.open("rb") as original:
        difference = ImageChops.difference(Image.open(kept).convert("RGB"), Image.open(original).convert("RGB"))
    assert difference.getbbox() is None  # the same pixels


def test_there_is_nothing_to_continue_from_a_job_without_a_result(owner_client, owner):
    job = submitted(owner)
    assert owner_client.post(f"/jobs/{job.public_id}/continue/").status_code == 404


def test_delete_removes_the_job_and_its_files(owner_client, owner, done, settings, django_capture_on_commit_callbacks):
    paths = [settings.MEDIA_ROOT / f.name for f in (done.video, done.poster, done.last_frame)]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion is committed
        response = owner_client.post(f"/jobs/{done.public_id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/gallery/" and "Deleted, with its files" in response.content.decode()
    assert not Job.objects.filter(pk=done.pk).exists()
    assert not Composition.objects.filter(pk=done.composition_id).exists()
    assert not any(path.exists() for path in paths)
    assert owner_client.get(f"/jobs/{done.public_id}/").status_code == 404


def test_a_job_in_flight_cannot_be_deleted(owner_client, owner):
    job = submitted(owner)
    response = owner_client.post(f"/jobs/{job.public_id}/delete/", follow=True)
    assert "cannot be deleted: cancel it first" in response.content.decode()
    assert Job.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize(
    "method, suffix",
    [("get", ""), ("get", "download/"), ("post", "remix/"), ("post", "continue/"), ("post", "delete/")],
)
def test_every_result_url_is_a_404_for_another_creative(outsider_client, done, method, suffix):
    response = getattr(outsider_client, method)(f"/jobs/{done.public_id}/{suffix}")
    assert response.status_code == 404
    assert Job.objects.filter(pk=done.pk).exists()


@pytest.mark.parametrize("suffix", ["remix/", "continue/", "delete/"])
def test_actions_take_a_post_only(owner_client, done, suffix):
    assert owner_client.get(f"/jobs/{done.public_id}/{suffix}").status_code == 405


def test_a_failed_job_offers_fix_and_retry(owner_client, owner):
    job = submitted(owner)
    Job.objects.filter(pk=job.pk).claim_next("w", lease_seconds=30).fail("w", "ffmpeg failed on this composition.")
    page = owner_client.get(f"/jobs/{job.public_id}/").content.decode()
    assert "Fix and retry" in page and "ffmpeg failed on this composition." in page
    assert "Continue from the last frame" not in page
