"""An alert an admin must read: what happened to which job, and whether the mail about it has gone out."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class AdminAlert(models.Model):
    class Cause(models.TextChoices):
        SET_ASIDE = "set_aside", "Job set aside for an admin"
        OVERDUE = "overdue", "Job not finished in the follow window"
        PROVIDER_OUT_OF_CREDITS = "provider_credits", "Provider account out of credits"
        PROVIDER_KEY_MISSING = "provider_key", "Provider key missing for a job already sent"
        STUDIO_ERROR = "studio_error", "Studio error while following a job"

    # The job is named by its public id (it outlives a deleted job, as the ledger does) and linked while it exists.
    job = models.ForeignKey("studio.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    job_public_id = models.UUIDField(db_index=True)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    provider = models.CharField(max_length=40, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set when a sender claims the alert, cleared again if the mail could not be sent (then it is retried).
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One mail per job and cause, however many polls, workers or retries notice the same trouble.
            models.UniqueConstraint(fields=["job_public_id", "cause"], name="one_alert_per_job_and_cause"),
            models.CheckConstraint(
                condition=Q(mailed_at__isnull=True) | Q(mail_error=""), name="alert_mailed_has_no_error"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_cause_display()}: job {str(self.job_public_id)[:8]}"
