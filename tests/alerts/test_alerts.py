"""Admins hear about trouble: one alert per job and cause, mailed once through mail_admins, retried when the mail
server is down, and listed on the reconciliation page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from seedance_studio.alerts import notify
from seedance_studio.alerts.models import AdminAlert
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job
from tests.conftest import wait_for
from tests.credits.money import claimed, submit_paid

Cause = AdminAlert.Cause


@pytest.fixture(autouse=True)
def _piapi_configured(settings):
    settings.PROVIDERS = {"piapi": make_config("piapi", "test-key-piapi")}
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    settings.ADMINS = [("Ops", "ops@studio.example.com")]


class BrokenMailServer:
    """An e-mail backend whose server refuses the connection, like an SMTP host that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


@pytest.mark.django_db
def test_the_same_trouble_noticed_twice_is_one_alert_and_one_mail(owner, django_capture_on_commit_callbacks):
    job = submit_paid(owner)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify.alert_admins(job, Cause.OVERDUE, "PiAPI has not finished it.")
        second = notify.alert_admins(job, Cause.OVERDUE, "PiAPI has not finished it.")
        other_cause = notify.alert_admins(job, Cause.STUDIO_ERROR, "The worker hit an error.")

    assert first is not None and second is None and other_cause is not None
    assert len(mail.outbox) == 2
    overdue = mail.outbox[0]
    assert overdue.to == ["ops@studio.example.com"]
    assert overdue.subject.startswith("[Seedance Studio] Job not finished in the follow window: job ")
    assert "PiAPI has not finished it." in overdue.body and "Creative: olivia" in overdue.body
    assert f"https://studio.example.com/admin/studio/job/{job.pk}/change/" in overdue.body
    assert "test-key-piapi" not in overdue.body


@pytest.mark.django_db
def test_an_alert_for_a_change_that_rolled_back_is_never_mailed(owner, django_capture_on_commit_callbacks):
    from django.db import transaction

    job = submit_paid(owner)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify.alert_admins(job, Cause.OVERDUE, "never happened")
        raise RuntimeError
    assert not AdminAlert.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_a_mail_that_cannot_be_sent_is_kept_and_sent_once_when_the_server_is_back(
    owner, settings, django_capture_on_commit_callbacks
):
    job = submit_paid(owner)
    settings.EMAIL_BACKEND = "tests.alerts.test_alerts.BrokenMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        notify.alert_admins(job, Cause.SET_ASIDE, "Set aside.")
    alert = AdminAlert.objects.get()
    assert alert.mailed_at is None and "ConnectionRefusedError" in alert.mail_error and alert.mail_attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify.send_pending() == 1
    assert notify.send_pending() == 0
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.mailed_at is not None and alert.mail_error == "" and alert.mail_attempts == 2


@pytest.mark.django_db
def test_a_job_set_aside_by_the_worker_alerts_once_and_the_reconciliation_page_shows_it(
    owner, admin_client, django_capture_on_commit_callbacks
):
    job = submit_paid(owner)
    held = claimed(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert held.set_aside("worker-a", "PiAPI never confirmed this job.", error="no answer for 24 h")
        assert not held.set_aside("worker-a", "again")  # no longer held: nothing happens, nothing is sent

    assert len(mail.outbox) == 1 and "no answer for 24 h" in mail.outbox[0].body
    page = admin_client.get(reverse("admin:credits_reconciliation")).content.decode()
    assert "Alerts sent to admins" in page and "PiAPI never confirmed this job." in page
    assert "Job set aside for an admin" in page and "sent " in page


@pytest.mark.django_db
def test_a_job_the_worker_keeps_dying_on_is_set_aside_with_one_alert(
    owner, settings, django_capture_on_commit_callbacks
):
    job = submit_paid(owner)
    Job.objects.filter(pk=job.pk).update(
        create_sent_at=timezone.now(),
        attempts=settings.WORKER_MAX_ATTEMPTS,
        lease_owner="dead",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        Job.objects.claim_next("worker-b", lease_seconds=30)
    job.refresh_from_db()
    assert job.status == Job.Status.SET_ASIDE
    assert AdminAlert.objects.filter(job=job, cause=Cause.SET_ASIDE).count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_stuck_job_mails_the_admins_exactly_once_through_a_real_worker(owner, start_worker, tmp_path):
    """The create went unanswered and the provider never named the task within the follow window: the worker
    sets the job aside and the admins get one mail, however long the worker keeps running."""
    job = submit_paid(owner)
    past = timezone.now() - timedelta(hours=25)
    Job.objects.filter(pk=job.pk).update(
        phase=Job.Phase.CONFIRM,
        status=Job.Status.RUNNING,
        create_sent_at=past,
        follow_deadline=timezone.now() - timedelta(seconds=1),
    )
    outbox = tmp_path / "mail"
    environment = dict(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
        STUDIO_ADMINS="Ops <ops@studio.example.com>",
        PIAPI_API_KEY="test-key-piapi",
        PUBLIC_BASE_URL="https://studio.example.com",
    )
    start_worker(**environment)

    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.Status.SET_ASIDE).first(), timeout=60)
    wait_for(lambda: outbox.exists() and list(outbox.iterdir()), timeout=30)
    start_worker(**environment)  # a second worker, and time for both to look again
    wait_for(lambda: AdminAlert.objects.filter(job=job, mailed_at__isnull=False).exists(), timeout=30)
    import time

    time.sleep(3)

    (sent,) = list(outbox.iterdir())
    text = sent.read_text()
    assert "To: ops@studio.example.com" in text and "never confirmed this job" in text
    assert job.credits_status == Job.Credits.RESERVED
    assert AdminAlert.objects.filter(job=job).count() == 1
