"""Money: a balance per creative and the append-only ledger it is the sum of.

Credits are whole numbers (quotes round up to a whole credit), so every amount here is an exact integer. The
database itself stands behind each invariant: balances cannot go negative (check constraints), a job has at
most one reservation and at most one settlement (partial unique constraints), and ledger rows can be neither
changed nor deleted (triggers, installed by this app's migrations on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("Ledger entries are never changed: write a correcting entry instead.")

    def delete(self):
        raise LedgerIsAppendOnly("Ledger entries are never deleted: write a correcting entry instead.")


class LedgerIsAppendOnly(Exception):
    pass


class CreditAccount(models.Model):
    """A creative's balance: `available` to spend, `held` by jobs in flight. Only `credits.ledger` writes it,
    always together with the ledger entry that explains the change."""

    # CASCADE is safe: a user with any ledger entry cannot be deleted (LedgerEntry.user is PROTECT), so only an
    # account that never moved a credit goes with its user.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_account")
    available = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    # Limits an admin may set; empty means no limit.
    daily_spending_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most credits this creative may commit per day (UTC). Empty: no cap."
    )
    max_jobs_in_flight = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most paid jobs this creative may have in flight at once. Empty: no limit."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="credit_available_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="credit_held_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.available} available, {self.held} held"


class LedgerEntry(models.Model):
    """One movement of credits. How each kind moves the balance:

    grant      +amount available (an admin gives credits)
    adjustment +/-amount available (an admin corrects; negative deducts)
    reserve    -amount available, +amount held (a job is submitted)
    consume    -amount held (the job succeeded: the credits are spent)
    release    -amount held, +amount available (the job ended without a result: nothing is charged)
    """

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        ADJUSTMENT = "adjustment", "Adjustment"
        RESERVE = "reserve", "Reserved"
        CONSUME = "consume", "Charged"
        RELEASE = "release", "Refunded"

    JOB_KINDS = (Kind.RESERVE, Kind.CONSUME, Kind.RELEASE)
    SETTLEMENT_KINDS = (Kind.CONSUME, Kind.RELEASE)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField(help_text="Credits moved; negative only for a deducting adjustment.")
    # The balance right after this entry: a statement reads without summing, and the audit checks the chain.
    available_after = models.BigIntegerField()
    held_after = models.BigIntegerField()
    # The job behind a reserve/consume/release, by its public id: the entry outlives the job row (jobs can be
    # deleted; the money trail cannot).
    job_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries_made"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["job_public_id"], condition=Q(kind="reserve"), name="one_reservation_per_job"
            ),
            models.UniqueConstraint(
                fields=["job_public_id"], condition=Q(kind__in=["consume", "release"]), name="one_settlement_per_job"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["reserve", "consume", "release"], job_public_id__isnull=False)
                | Q(kind__in=["grant", "adjustment"], job_public_id__isnull=True),
                name="job_entries_name_their_job",
            ),
            models.CheckConstraint(
                condition=Q(kind="adjustment") & ~Q(amount=0) | ~Q(kind="adjustment") & Q(amount__gt=0),
                name="ledger_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["reserve", "consume", "release"]) | ~Q(reason=""),
                name="admin_entries_give_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(available_after__gte=0, held_after__gte=0), name="ledger_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} for {self.user}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerIsAppendOnly("Ledger entries are never changed: write a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("Ledger entries are never deleted: write a correcting entry instead.")

    @property
    def available_change(self) -> int:
        changes: dict[str, int] = {
            self.Kind.GRANT: self.amount,
            self.Kind.ADJUSTMENT: self.amount,
            self.Kind.RESERVE: -self.amount,
            self.Kind.CONSUME: 0,
            self.Kind.RELEASE: self.amount,
        }
        return changes[self.kind]

    @property
    def held_change(self) -> int:
        changes: dict[str, int] = {
            self.Kind.RESERVE: self.amount,
            self.Kind.CONSUME: -self.amount,
            self.Kind.RELEASE: -self.amount,
        }
        return changes.get(self.kind, 0)
