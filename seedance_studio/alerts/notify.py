"""Raise an alert for a job and mail it to ADMINS once.

    from seedance_studio.alerts.notify import alert_admins
    alert_admins(job, AdminAlert.Cause.SET_ASIDE, "PiAPI's result link points at a private address ...")

`alert_admins` is safe to call on every poll: the unique (job, cause) row makes the second call a no-op. The
mail leaves after the surrounding transaction commits (an alert for a change that rolled back is never sent),
and a mail that fails (SMTP down) is retried by the worker's `send_pending()` instead of being lost; a crashed
sender can at worst lose one mail, never send two.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from seedance_studio.alerts.models import AdminAlert

log = logging.getLogger(__name__)

MAX_MAIL_ATTEMPTS = 5
RETRY_WITHIN = timedelta(days=1)  # an alert whose mail kept failing that long stays on the page only


def alert_admins(job, cause: str, message: str) -> AdminAlert | None:
    """Record the alert for (job, cause) and mail it after commit; None when it was already raised."""
    try:
        with transaction.atomic():
            alert = AdminAlert.objects.create(
                job=job, job_public_id=job.public_id, cause=cause, provider=job.provider, message=message[:2000]
            )
    except IntegrityError:
        return None
    log.warning("admin alert: %s (job %s)", alert.get_cause_display(), job.public_id)
    transaction.on_commit(lambda: send(alert.pk))
    return alert


def send(alert_pk: int) -> bool:
    """Mail one alert unless another sender already has. True when this call sent it."""
    now = timezone.now()
    claimed = AdminAlert.objects.filter(
        pk=alert_pk, mailed_at__isnull=True, mail_attempts__lt=MAX_MAIL_ATTEMPTS
    ).update(mailed_at=now, mail_error="", mail_attempts=F("mail_attempts") + 1)
    if not claimed:
        return False
    alert = AdminAlert.objects.select_related("job__owner").get(pk=alert_pk)
    try:
        mail_admins(subject(alert), body(alert), fail_silently=False)
    except Exception as error:
        log.warning("mailing admin alert %s failed: %s", alert.pk, type(error).__name__)
        AdminAlert.objects.filter(pk=alert.pk).update(
            mailed_at=None, mail_error=f"{type(error).__name__}: {error}"[:300]
        )
        return False
    return True


def send_pending() -> int:
    """Retry the mails that failed (and any whose sender died before commit hooks ran). Returns how many went."""
    since = timezone.now() - RETRY_WITHIN
    pending = AdminAlert.objects.filter(
        mailed_at__isnull=True, mail_attempts__lt=MAX_MAIL_ATTEMPTS, created_at__gte=since
    ).values_list("pk", flat=True)[:50]
    return sum(send(pk) for pk in list(pending))


def subject(alert: AdminAlert) -> str:
    return f"{alert.get_cause_display()}: job {str(alert.job_public_id)[:8]} ({alert.provider})"


def body(alert: AdminAlert) -> str:
    job = alert.job
    lines = [alert.message, ""]
    if job is not None:
        lines += [
            f"Creative: {job.owner}",
            f"Provider: {job.provider}",
            f"Provider task: {job.provider_task_id or 'none yet'}",
            f"Credits: {job.price_credits} {job.get_credits_status_display().lower()}",
            f"Open it: {settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('admin:studio_job_change', args=[job.pk])}",
        ]
    lines += [f"All alerts: {settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('admin:credits_reconciliation')}"]
    return "\n".join(lines)
