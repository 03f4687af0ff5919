"""SUBMIT and CONFIRM: send the create request at most once, and wait for the provider to name a task whose
create went unanswered."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert
from seedance_studio.alerts.notify import alert_admins
from seedance_studio.provider_api import OutcomeUnknown, ProviderClient, ProviderError
from seedance_studio.studio.callbacks import callback_secret, callback_url
from seedance_studio.studio.models import Job
from seedance_studio.tokens import hash_token

from .following import FIRST_POLL_SECONDS

log = logging.getLogger(__name__)

CONFIRM_WAIT_SECONDS = 60.0


def submit(job: Job, worker: str, client: ProviderClient) -> None:
    """SUBMIT: send the create request, once."""
    now = timezone.now()
    follow_deadline = now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS)
    if job.create_sent_at and not job.provider_task_id:
        # A worker sent the create and stopped before it stored the answer: the task may exist. Never resend.
        job.park(
            worker,
            phase=Job.Phase.CONFIRM,
            run_after=now + timedelta(seconds=CONFIRM_WAIT_SECONDS),
            follow_deadline=job.follow_deadline or follow_deadline,
            status_note=_unknown_note(client.name),
        )
        return
    token = secrets.token_urlsafe(32)
    url = callback_url(job, client, token)
    if not job.mark_create_sent(worker, callback_token_hash=hash_token(token)):
        return  # another worker holds it now, or already sent it
    try:
        assert job.request_body is not None  # stored with the job when it was submitted
        task_id = client.create(job.request_body, callback_url=url, callback_secret=callback_secret(job))
    except OutcomeUnknown as unknown:
        log.warning("job %s: create outcome unknown: %s", job.public_id, unknown)
        # poll_interval=0: a wait grown by earlier "try again" answers must not slow the first status reads.
        job.park(
            worker,
            phase=Job.Phase.CONFIRM,
            run_after=now + timedelta(seconds=CONFIRM_WAIT_SECONDS),
            follow_deadline=follow_deadline,
            poll_interval=0.0,
            status_note=_unknown_note(client.name),
        )
        return
    except ProviderError as error:
        if error.permanent:
            job.fail(
                worker,
                f"{client.name} refused this job: {error.provider_message or error.message}",
                cause=Job.Failure.REFUSED,
            )
            return
        _send_again_later(job, worker, client, error)
        return
    log.info("job %s: created %s task %s", job.public_id, job.provider, task_id)
    # Stored first and whatever happened to our lease meanwhile: the task exists and is paid for, so its id must
    # never be lost (the unique constraint keeps one task from being bound to two jobs).
    if not job.adopt_task(task_id):
        job.park(
            worker,
            phase=Job.Phase.CONFIRM,
            run_after=now + timedelta(seconds=CONFIRM_WAIT_SECONDS),
            follow_deadline=follow_deadline,
            status_note=f"{client.name} answered with a task id the studio cannot use; an admin must "
            "reconcile this job.",
        )
        return
    job.park(
        worker,
        phase=Job.Phase.FOLLOW,
        status=Job.Status.QUEUED,
        poll_interval=FIRST_POLL_SECONDS,
        run_after=now + timedelta(seconds=FIRST_POLL_SECONDS),
        follow_deadline=follow_deadline,
        status_note="",
    )


def _send_again_later(job: Job, worker: str, client: ProviderClient, error: ProviderError) -> None:
    """A definite "not now" (429, 402, a status the provider documents as "try again", a connection that never
    opened): nothing was created, so the job goes back to the queue to be sent again, with a new callback token.
    The wait doubles with each such answer, 15 s up to 5 min, and never undercuts a Retry-After; it is kept in
    poll_interval because park() resets `attempts`."""
    delay = max(error.retry_after or 0.0, min(300.0, max(15.0, (job.poll_interval or 0) * 2)))
    parked = job.park(
        worker,
        create_sent_at=None,
        status=Job.Status.QUEUED,
        poll_interval=delay,
        run_after=timezone.now() + timedelta(seconds=delay),
        status_note=_waiting_note(client.name, error, delay),
    )
    if parked and error.status == 402:  # the note says an admin was asked to top the account up: ask them
        alert_admins(
            job,
            AdminAlert.Cause.PROVIDER_OUT_OF_CREDITS,
            f"{client.name} says the studio's account is out of credits ({error.message}). Jobs for "
            f"{client.name} wait, queued, until it is topped up; they are sent automatically then.",
        )


def confirm(job: Job, worker: str, client: ProviderClient) -> None:
    """CONFIRM: the create went unanswered, so the provider may have made (and billed) the task; it is never sent
    again. A verified callback or an admin names the task (and moves the job to FOLLOW); this step waits for
    that, and at the deadline hands the job to an admin."""
    now = timezone.now()
    if job.provider_task_id:  # named while the submit step was parking the job here (a fast callback)
        job.park(worker, phase=Job.Phase.FOLLOW, run_after=now, status_note="")
        return
    if job.follow_deadline and now > job.follow_deadline:
        # The provider may have made (and billed) the task: an admin settles it, the credits stay held till then.
        job.set_aside(
            worker,
            f"{client.name} never confirmed this job after the studio's request went "
            "unanswered. It is set aside for an admin, who can attach the task from the provider's "
            "dashboard or close it; your credits are held, not spent, until then.",
        )
        return
    job.park(worker, run_after=now + timedelta(seconds=CONFIRM_WAIT_SECONDS))


def _unknown_note(name: str) -> str:
    return (
        f"{name} did not answer when the studio sent this job, so it is not yet known whether the task was "
        f"created. The studio never sends a job twice: it is waiting for {name} to report the task."
    )


def _waiting_note(name: str, error: ProviderError, delay: float) -> str:
    if error.status == 429:
        return (
            f"Waiting for a free slot at {name} (it limits how many videos run at once). It will be sent automatically."
        )
    if error.status == 402:
        return (
            f"{name} says the studio's account is out of credits. An admin has been asked to top it up; the job "
            "will be sent then."
        )
    if error.status is not None and error.status >= 500:  # a status its document says means "try again later"
        return (
            f"{name} was busy and asked the studio to try again later (HTTP {error.status}); nothing was created "
            f"there. The job is sent again in {delay:.0f} s."
        )
    return f"Could not reach {name} ({error.message}). Trying again in {delay:.0f} s."
