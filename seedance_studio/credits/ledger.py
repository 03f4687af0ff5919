"""The only code that moves credits. Each operation writes one ledger entry and changes the balance it explains
in the same transaction, under a row lock on the creative's account, so concurrent submissions can never
overspend and the balance always equals the sum of the entries.

Job-related operations (reserve, consume, release) are called by the `Job` model's own transitions, inside the
transaction that changes the job's state; nothing else should call them.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F

from seedance_studio.credits.models import CreditAccount, LedgerEntry

Kind = LedgerEntry.Kind


class InsufficientCredits(Exception):
    def __init__(self, needed: int, available: int):
        self.needed, self.available = needed, available
        self.missing = needed - available
        super().__init__(f"needs {needed} credits, {available} available")

    @property
    def message(self) -> str:
        return (
            f"This job costs {self.needed} credit{'s' if self.needed != 1 else ''} and you have "
            f"{self.available} available: {self.missing} more needed. Ask an admin for credits, or choose a "
            "shorter duration, a lower resolution or the free local preview."
        )


def account_for(user) -> CreditAccount:
    """The creative's account (`user` is a user or its pk), created empty on first use."""
    user_id = getattr(user, "pk", user)
    account = CreditAccount.objects.filter(user_id=user_id).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return CreditAccount.objects.create(user_id=user_id)
    except IntegrityError:  # created by a concurrent request meanwhile
        return CreditAccount.objects.get(user_id=user_id)


def lock_account(user) -> CreditAccount:
    """The account, row-locked until the surrounding transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transactions already hold the database's write lock). Call inside transaction.atomic()."""
    user_id = getattr(user, "pk", user)
    account = CreditAccount.objects.select_for_update().filter(user_id=user_id).first()
    if account is None:  # first use: create it, then lock it
        account = CreditAccount.objects.select_for_update().get(pk=account_for(user_id).pk)
    return account


def _write(
    account: CreditAccount,
    kind: str,
    amount: int,
    *,
    job_public_id: uuid.UUID | None = None,
    admin=None,
    reason: str = "",
) -> LedgerEntry:
    entry = LedgerEntry(
        user_id=account.user_id, kind=kind, amount=amount, job_public_id=job_public_id, admin=admin, reason=reason[:300]
    )
    available, held = entry.available_change, entry.held_change
    # The conditional update repeats the check constraints' promise in the statement itself: with the row lock
    # held it always matches, and without one (a caller that forgot) it refuses rather than overspend.
    updated = CreditAccount.objects.filter(pk=account.pk, available__gte=-available, held__gte=-held).update(
        available=F("available") + available, held=F("held") + held
    )
    if not updated:
        raise InsufficientCredits(needed=max(-available, 0), available=account.available)
    account.available += available
    account.held += held
    entry.available_after, entry.held_after = account.available, account.held
    entry.save()
    return entry


@transaction.atomic
def grant(user, amount: int, *, admin=None, reason: str) -> LedgerEntry:
    if amount <= 0:
        raise ValueError("A grant is a positive number of credits; to take credits away, deduct them.")
    if not reason.strip():
        raise ValueError("Say why these credits are granted (the reason is kept in the ledger).")
    return _write(lock_account(user), Kind.GRANT, amount, admin=admin, reason=reason.strip())


@transaction.atomic
def deduct(user, amount: int, *, admin=None, reason: str) -> LedgerEntry:
    """An admin's correction downwards; never below zero (credits held by jobs in flight are not touched)."""
    if amount <= 0:
        raise ValueError("Deduct a positive number of credits.")
    if not reason.strip():
        raise ValueError("Say why these credits are deducted (the reason is kept in the ledger).")
    account = lock_account(user)
    if account.available < amount:
        raise InsufficientCredits(needed=amount, available=account.available)
    return _write(account, Kind.ADJUSTMENT, -amount, admin=admin, reason=reason.strip())


def reserve(account: CreditAccount, job_public_id: uuid.UUID, amount: int) -> LedgerEntry:
    """Hold a job's quoted credits. `account` must be locked by the caller's transaction (`lock_account`)."""
    if account.available < amount:
        raise InsufficientCredits(needed=amount, available=account.available)
    return _write(account, Kind.RESERVE, amount, job_public_id=job_public_id)


def consume(user, job_public_id: uuid.UUID, amount: int) -> LedgerEntry:
    """The job succeeded: its held credits are spent. Inside the job's transition transaction."""
    return _write(lock_account(user), Kind.CONSUME, amount, job_public_id=job_public_id)


def release(user, job_public_id: uuid.UUID, amount: int, reason: str) -> LedgerEntry:
    """The job ended without a result: its held credits return to available. Inside the job's transition."""
    return _write(lock_account(user), Kind.RELEASE, amount, job_public_id=job_public_id, reason=reason)
