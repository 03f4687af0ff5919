import pytest

from seedance_studio.references.models import Reference
from seedance_studio.studio.models import Composition, Job
from tests.compose_forms import HTMX, compose_form

pytestmark = pytest.mark.django_db


def test_it_shows_the_composer(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Drop images, videos or audio here" in page
    assert "Nothing rendered yet" in page


def test_it_queues_a_job_and_tells_the_gallery(owner_client, owner):
    response = owner_client.post("/compose/submit/", compose_form(), **HTMX)
    assert response.status_code == 200
    assert "job-created" in response["HX-Trigger"]
    job = Job.objects.get(owner=owner)
    assert job.status == "queued"
    assert job.composition.prompt == "A lighthouse at dusk, waves rolling in"
    assert not job.composition.is_draft
    assert "Submitted." in response.content.decode()


def test_it_makes_one_job_from_a_double_click(owner_client, owner):
    data = compose_form()
    owner_client.post("/compose/submit/", data, **HTMX)
    owner_client.post("/compose/submit/", data, **HTMX)
    assert Job.objects.filter(owner=owner).count() == 1


def test_it_refuses_an_empty_composition(owner_client, owner):
    response = owner_client.post("/compose/submit/", compose_form(prompt=""), **HTMX)
    assert "Write a prompt: Local preview needs one in text to video." in response.content.decode()
    assert not Job.objects.exists()


def test_it_refuses_audio_without_a_picture(owner_client, owner):
    draft = Composition.objects.draft_for(owner)
    audio = Reference.objects.create(
        owner=owner,
        kind="audio",
        file="references/x.mp3",
        original_name="x.mp3",
        format="mp3",
        extension="mp3",
        content_type="audio/mpeg",
        size_bytes=10,
        duration=3.0,
    )
    draft.append([audio])
    response = owner_client.post("/compose/submit/", compose_form(), **HTMX)
    assert "Audio needs a picture" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("duration", "16", "Duration must be a whole number of seconds from 4 to 15."),
        ("duration", "3", "Duration must be a whole number of seconds from 4 to 15."),
        ("aspect_ratio", "2:1", "Pick an aspect ratio from the list"),
        ("resolution", "4k", "Pick a resolution from the list"),
    ],
)
def test_it_explains_a_bad_setting(owner_client, field, value, message):
    response = owner_client.post("/compose/submit/", compose_form(**{field: value}), **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_it_keeps_the_frozen_recipe_when_the_draft_changes(owner_client, owner):
    owner_client.post("/compose/submit/", compose_form(prompt="first idea"), **HTMX)
    owner_client.post("/compose/submit/", compose_form(prompt="second idea"), **HTMX)
    prompts = sorted(Job.objects.values_list("composition__prompt", flat=True))
    assert prompts == ["first idea", "second idea"]
    assert Composition.objects.get(owner=owner, is_draft=True).prompt == "second idea"


def test_it_works_without_javascript(owner_client, owner):
    response = owner_client.post("/compose/submit/", compose_form(), follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Submitted." in response.content.decode()
    assert Job.objects.count() == 1


def test_it_polls_a_card_only_while_the_job_is_in_flight(owner_client, owner):
    owner_client.post("/compose/submit/", compose_form(), **HTMX)
    job = Job.objects.get()
    url = f"/jobs/{job.public_id}/card/"

    card = owner_client.get(url, **HTMX)
    assert 'hx-trigger="poll" data-poll-seconds="1"' in card.content.decode()  # card-polling.js sends "poll"
    assert owner_client.get(url, {"v": job.version}, **HTMX).status_code == 204  # nothing changed, keep polling

    Job.objects.filter(pk=job.pk).update(status="failed", error_message="It broke because of X.")
    job.refresh_from_db()
    card = owner_client.get(url, {"v": "stale"}, **HTMX)
    assert "It broke because of X." in card.content.decode()
    assert "hx-trigger" not in card.content.decode() and "data-poll-seconds" not in card.content.decode()
    assert owner_client.get(url, {"v": job.version}, **HTMX).status_code == 286  # htmx: stop polling


def test_it_serves_the_gallery_fragment_to_htmx(owner_client):
    response = owner_client.get("/gallery/", **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert "<html" in owner_client.get("/gallery/").content.decode()


def test_it_hides_other_peoples_jobs(owner_client, outsider_client, owner):
    owner_client.post("/compose/submit/", compose_form(), **HTMX)
    job = Job.objects.get()
    for path in (
        f"/jobs/{job.public_id}/card/",
        f"/jobs/{job.public_id}/video.mp4",
        f"/jobs/{job.public_id}/poster.jpg",
    ):
        assert outsider_client.get(path).status_code == 404, path
    assert "lighthouse" not in outsider_client.get("/gallery/").content.decode()


def test_it_sends_anonymous_visitors_away_from_every_page(client, owner_client, owner):
    owner_client.post("/compose/submit/", compose_form(), **HTMX)
    job = Job.objects.get()
    client.logout()
    for path in ("/", "/gallery/", f"/jobs/{job.public_id}/card/", f"/jobs/{job.public_id}/video.mp4"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/signin/" in response["Location"], path


def test_it_explains_a_bad_setting_without_javascript(owner_client):
    response = owner_client.post("/compose/submit/", compose_form(duration="abc"), follow=True)
    assert "Duration must be a whole number of seconds from 4 to 15." in response.content.decode()
    assert not Job.objects.exists()
