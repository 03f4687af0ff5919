"""Never lose a paid result: a video the provider finished (and billed) is kept, or set aside for an admin with
its links, its error and the creative's credits held, and an admin's retry keeps it once the cause is gone.

Through the real worker step, the real HTTP layer and the emulators (tests/test_remote_jobs.py's harness). No
provider document names the hosts its results are served from (000-004; seeds/README.md), so no host list is
guessed: any public https host is fetched, every address checked at connect time and after each redirect.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.emulators.suite import UNLISTED_CDN_HOST
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job
from tests.conftest import OWNER_CREDITS
from tests.media_factory import make_video
from tests.test_remote_jobs import _run_to_end, _step, _submit, emulators  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _to_download(job, emulators):
    while job.phase != Job.Phase.DOWNLOAD:
        job = _step(job)
        emulators.clock.advance(10)
    return job


def _resume_as_admin(client, admin_user, job):
    client.force_login(admin_user)
    response = client.post(reverse("admin:studio_job_resume", args=[job.pk]))
    assert response.status_code == 302
    return Job.objects.get(pk=job.pk)


def test_a_result_on_a_public_host_no_document_names_is_kept(owner, emulators, tmp_path):
    video = make_video(tmp_path / "moved.mp4", seconds=2.0)
    url = emulators.cdn.publish(
        f"https://{UNLISTED_CDN_HOST}/v",
        video.read_bytes(),
        suffix=".mp4",
        content_type="video/mp4",
        expires_at=emulators.clock.now() + 86400,
        expired_status=403,
    )

    job = _run_to_end(_submit(owner, "piapi", prompt=f"A harbour at dusk [[result-url={url}]]"), emulators)

    assert job.status == Job.Status.SUCCEEDED, (job.status_note, job.error_message)
    assert job.credits_status == Job.Credits.CHARGED
    assert emulators.transport.requests_to(UNLISTED_CDN_HOST)
    assert job.video.read()[4:8] == b"ftyp"


def test_a_result_on_a_private_address_is_refused_before_any_byte_set_aside_and_kept_on_an_admin_retry(
    owner, admin_user, client, emulators, settings, django_capture_on_commit_callbacks
):
    job = _to_download(_submit(owner, "piapi"), emulators)
    video_url = job.result_outputs[0]["url"]
    emulators.resolver.answers["img.theapi.app"] = ["10.0.0.5"]  # rebinding, or a provider-side misconfiguration

    with django_capture_on_commit_callbacks(execute=True):
        job = _step(job)

    # Refused before a byte was fetched: no request ever reached the file host.
    assert not emulators.transport.requests_to("img.theapi.app")
    assert job.status == Job.Status.SET_ASIDE and not job.is_in_flight
    assert "could not keep it: the studio refused to fetch it" in job.status_note
    assert "credits are held, not spent" in job.status_note
    assert "a private address (10.0.0.5)" in job.error_message
    assert job.result_outputs[0]["url"] == video_url  # the provider's links are kept for the retry
    assert job.credits_status == Job.Credits.RESERVED
    account = CreditAccount.objects.get(user=owner)
    assert (account.available, account.held) == (OWNER_CREDITS - job.price_credits, job.price_credits)
    (alert,) = AdminAlert.objects.filter(job=job)
    assert alert.cause == AdminAlert.Cause.SET_ASIDE and alert.mailed_at is not None
    assert len(mail.outbox) == 1 and "10.0.0.5" in mail.outbox[0].body
    assert mail.outbox[0].to == [address for _, address in settings.ADMINS]

    # The creative's card says what happened and that the credits are held.
    client.force_login(owner)
    card = client.get(reverse("gallery")).content.decode()
    assert "could not keep it" in card and "held, not spent, until an admin settles it" in card

    emulators.resolver.answers.pop("img.theapi.app")  # the cause is gone
    job = _resume_as_admin(client, admin_user, job)
    assert job.status == Job.Status.RUNNING and job.phase == Job.Phase.DOWNLOAD
    # The retry gets the download's own window again, not a whole follow period.
    assert job.follow_deadline - timezone.now() <= timedelta(hours=Job.DOWNLOAD_HOURS)
    assert "retrying the download" in job.status_note
    job = _step(job)

    assert job.status == Job.Status.SUCCEEDED, (job.status_note, job.error_message)
    assert job.credits_status == Job.Credits.CHARGED and job.video
    assert emulators.piapi.create_calls == 1
    assert LedgerEntry.objects.filter(job_public_id=job.public_id, kind="consume").count() == 1
    assert len(mail.outbox) == 1


def test_an_expired_result_link_sets_the_job_aside_instead_of_dropping_it(owner, emulators):
    job = _to_download(_submit(owner, "evolink", prompt="A harbour [[expire=30]]"), emulators)
    emulators.clock.advance(3600)  # the worker was down longer than the link lived

    job = _step(job)

    assert job.status == Job.Status.SET_ASIDE and "link to the video had expired" in job.status_note
    assert "expired" in job.error_message and job.result_outputs
    assert job.credits_status == Job.Credits.RESERVED


def test_a_result_that_is_not_a_video_is_set_aside_with_the_reason(owner, emulators, monkeypatch):
    from seedance_studio.provider_api.client import ProviderClient
    from tests.media_factory import make_image

    def download(self, output, dest, **policy):
        make_image(dest.with_suffix(".png"), 64, 64).rename(dest)
        return type("Downloaded", (), {"path": dest})()

    monkeypatch.setattr(ProviderClient, "download", download)
    job = _run_to_end(_submit(owner, "piapi"), emulators)

    assert job.status == Job.Status.SET_ASIDE and "not a playable video" in job.status_note
    assert "image" in job.error_message and job.credits_status == Job.Credits.RESERVED


def test_an_admin_allow_list_narrows_where_results_come_from(owner, emulators, settings):
    settings.PROVIDERS = {
        **settings.PROVIDERS,
        "piapi": make_config("piapi", emulators.keys["piapi"], allowed_result_hosts=["theapi.app"]),
    }
    url = "https://evil.example.net/video.mp4"

    job = _run_to_end(_submit(owner, "piapi", prompt=f"A harbour [[result-url={url}]]"), emulators)

    assert job.status == Job.Status.SET_ASIDE and "refused to fetch" in job.status_note
    assert "not one of the result hosts an admin allowed" in job.error_message
    assert not emulators.transport.requests_to("evil.example.net")
    assert "evil.example.net" not in emulators.resolver.calls


def test_a_job_overdue_at_the_provider_mails_the_admins_once_however_often_it_is_polled(
    owner, emulators, django_capture_on_commit_callbacks
):
    job = _submit(owner, "piapi", prompt="A slow one [[queue=100000]]")
    job = _step(job)  # sent; the emulated task stays queued
    Job.objects.filter(pk=job.pk).update(follow_deadline=timezone.now() - timedelta(seconds=1))

    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            job = _step(job)
        emulators.clock.advance(600)

    assert job.phase == Job.Phase.OVERDUE and job.is_in_flight
    assert AdminAlert.objects.filter(job=job, cause=AdminAlert.Cause.OVERDUE).count() == 1
    assert len(mail.outbox) == 1 and "has not finished task" in mail.outbox[0].body


def test_a_provider_out_of_credits_keeps_the_job_queued_and_tells_the_admins_once(
    owner, emulators, django_capture_on_commit_callbacks
):
    """The note says "An admin has been asked to top it up": a 402 on create raises that alert, once per job."""
    job = _submit(owner, "piapi", prompt="A lantern festival [[fail-create-402-twice]]")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            job = _step(job)

    assert job.status == Job.Status.QUEUED and job.create_sent_at is None
    assert "An admin has been asked to top it up" in job.status_note
    (alert,) = AdminAlert.objects.filter(job=job)
    assert alert.cause == AdminAlert.Cause.PROVIDER_OUT_OF_CREDITS
    assert len(mail.outbox) == 1 and "out of credits" in mail.outbox[0].body
    job = _run_to_end(job, emulators)
    assert job.status == Job.Status.SUCCEEDED and emulators.piapi.create_calls == 3


def test_an_admin_resume_outside_the_download_gives_a_whole_follow_period(
    owner, admin_user, client, settings, emulators
):
    from tests.credits.money import claimed, submit_paid

    job = claimed(submit_paid(owner))
    Job.objects.filter(pk=job.pk).update(create_sent_at=timezone.now(), phase=Job.Phase.CONFIRM)
    assert job.set_aside("worker-a", "PiAPI never confirmed this job.")

    job = _resume_as_admin(client, admin_user, job)

    assert job.status == Job.Status.RUNNING and job.phase == Job.Phase.CONFIRM
    assert job.follow_deadline - timezone.now() > timedelta(hours=settings.PROVIDER_FOLLOW_HOURS - 1)
    assert job.status_note == "An admin resumed this job; the studio is working on it again."
