"""The ledger and the job transitions that settle it: what a creative pays is what was quoted, a job without a
result costs nothing, and the database refuses anything else."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry, LedgerIsAppendOnly
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import SubmissionRefused, submit_draft
from tests.conftest import OWNER_CREDITS
from tests.credits.money import PAID_5S_CREDITS, assert_ledger_invariants, claimed, entries, submit_paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def creative(django_user_model):
    """A creative no admin has granted anything yet."""
    return django_user_model.objects.create_user("carla", password="a-long-test-password-3")


def _account(user) -> CreditAccount:
    return CreditAccount.objects.get(user=user)


def test_it_reserves_the_quote_when_a_job_is_submitted(owner):
    job = submit_paid(owner)
    assert job.price_credits == PAID_5S_CREDITS and job.credits_status == "reserved"
    account = _account(owner)
    assert (account.available, account.held) == (OWNER_CREDITS - PAID_5S_CREDITS, PAID_5S_CREDITS)
    [reserve] = entries(owner, "reserve")
    assert reserve.job_public_id == job.public_id and reserve.amount == PAID_5S_CREDITS
    assert (reserve.available_after, reserve.held_after) == (account.available, account.held)
    assert_ledger_invariants(owner)


def test_it_refuses_a_job_the_balance_does_not_cover_and_creates_nothing(creative):
    ledger.grant(creative, 30, reason="trial")
    with pytest.raises(SubmissionRefused) as refused:
        submit_paid(creative)
    assert "costs 40 credits and you have 30 available: 10 more needed" in refused.value.problems[0]
    assert not Job.objects.exists()
    assert not Composition.objects.filter(is_draft=False).exists()  # no frozen copy left behind
    assert entries(creative, "reserve") == []
    assert _account(creative).available == 30


def test_a_resent_form_makes_one_job_and_one_reservation(owner):
    key = uuid.uuid4()
    first, second = submit_paid(owner, key=key), submit_paid(owner, key=key)
    assert first.pk == second.pk
    assert len(entries(owner, "reserve")) == 1 and _account(owner).held == PAID_5S_CREDITS


def test_success_consumes_the_reservation(owner):
    job = submit_paid(owner)
    assert claimed(job).succeed("worker-a")
    job.refresh_from_db()
    assert job.status == "succeeded" and job.credits_status == "charged"
    account = _account(owner)
    assert (account.available, account.held) == (OWNER_CREDITS - PAID_5S_CREDITS, 0)
    assert [e.kind for e in entries(owner)] == ["consume", "reserve", "grant"]
    assert_ledger_invariants(owner)


def test_failure_releases_the_reservation_with_its_reason(owner):
    job = submit_paid(owner)
    assert claimed(job).fail("worker-a", "PiAPI refused this video on content grounds (moderation).", moderation=True)
    job.refresh_from_db()
    assert job.status == "failed" and job.credits_status == "released"
    assert _account(owner).available == OWNER_CREDITS and _account(owner).held == 0
    [release] = entries(owner, "release")
    assert release.amount == PAID_5S_CREDITS and "moderation" in release.reason
    assert_ledger_invariants(owner)


def test_a_second_outcome_for_an_ended_job_changes_nothing(owner):
    job = submit_paid(owner)
    held = claimed(job)
    assert held.succeed("worker-a")
    assert not held.succeed("worker-a")  # the poller saw it again
    assert not held.fail("worker-a", "a late failure report")  # a duplicate, contradicting callback
    assert not Job.objects.get(pk=job.pk).cancel()
    assert len(entries(owner, "consume")) == 1 and entries(owner, "release") == []
    assert_ledger_invariants(owner)


def test_a_creative_can_cancel_a_job_not_yet_sent_and_gets_the_credits_back_at_once(owner):
    job = submit_paid(owner)
    assert job.cancel()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.credits_status == "released" and not job.is_in_flight
    assert _account(owner).available == OWNER_CREDITS
    assert_ledger_invariants(owner)


def test_a_job_already_sent_cannot_be_cancelled(owner):
    job = claimed(submit_paid(owner))
    assert job.mark_create_sent("worker-a", callback_token_hash="x")
    assert not Job.objects.get(pk=job.pk).cancel()
    assert Job.objects.get(pk=job.pk).credits_status == "reserved"


def test_a_worker_loses_a_job_cancelled_under_it(owner):
    job = claimed(submit_paid(owner))
    Job.objects.get(pk=job.pk).cancel()
    assert not job.mark_create_sent("worker-a", callback_token_hash="x")  # nothing leaves for the provider
    assert not job.succeed("worker-a")
    assert len(entries(owner, "release")) == 1 and entries(owner, "consume") == []


def test_a_set_aside_job_keeps_its_credits_held_until_an_admin_closes_it(owner, admin_user):
    job = claimed(submit_paid(owner))
    assert job.set_aside("worker-a", "The studio could not keep the result.")
    job.refresh_from_db()
    assert job.status == "set_aside" and job.credits_status == "reserved" and _account(owner).held == 40
    assert job.close_by_admin(admin_user, "the provider's dashboard shows no video")
    job.refresh_from_db()
    assert job.status == "failed" and job.credits_status == "released" and "dashboard" in job.error_message
    assert _account(owner).held == 0 and "closed by admin" in entries(owner, "release")[0].reason
    assert not job.close_by_admin(admin_user, "twice")
    assert_ledger_invariants(owner)


def test_an_admin_can_resume_a_set_aside_job(owner):
    job = claimed(submit_paid(owner))
    job.mark_create_sent("worker-a", callback_token_hash="x")
    job.set_aside("worker-a", "download failed")
    assert Job.objects.get(pk=job.pk).resume_by_admin()
    job.refresh_from_db()
    assert job.is_in_flight and job.status == "running" and job.credits_status == "reserved"


def test_local_previews_are_free_and_never_touch_the_ledger(owner):
    draft = Composition.objects.draft_for(owner)
    draft.prompt = "A title card"
    draft.save()
    job = submit_draft(draft, uuid.uuid4())
    assert job.price_credits == 0 and job.credits_status == "free"
    claimed(job).succeed("worker-a")
    assert [e.kind for e in entries(owner)] == ["grant"]
    assert _account(owner).available == OWNER_CREDITS


def test_a_free_preview_needs_no_credits(creative):
    draft = Composition.objects.draft_for(creative)
    draft.prompt = "A title card"
    draft.save()
    assert submit_draft(draft, uuid.uuid4()).credits_status == "free"


def test_an_admin_grant_and_deduction_are_ledger_entries(creative, admin_user):
    ledger.grant(creative, 500, admin=admin_user, reason="Welcome")
    ledger.deduct(creative, 120, admin=admin_user, reason="Correction")
    assert _account(creative).available == 380
    grant, deduction = sorted(entries(creative), key=lambda e: e.pk)
    assert (grant.kind, grant.amount, grant.admin, grant.reason) == ("grant", 500, admin_user, "Welcome")
    assert (deduction.kind, deduction.amount, deduction.available_after) == ("adjustment", -120, 380)


def test_a_deduction_never_takes_the_balance_below_zero(creative):
    ledger.grant(creative, 50, reason="trial")
    with pytest.raises(ledger.InsufficientCredits):
        ledger.deduct(creative, 51, reason="too much")
    assert _account(creative).available == 50 and len(entries(creative)) == 1


@pytest.mark.parametrize("amount, reason", [(0, "zero"), (-5, "negative"), (10, "  ")])
def test_it_refuses_a_grant_that_makes_no_sense(creative, amount, reason):
    with pytest.raises(ValueError):
        ledger.grant(creative, amount, reason=reason)
    assert entries(creative) == []


def test_ledger_entries_are_never_changed_or_deleted(owner):
    entry = entries(owner)[0]
    entry.amount = 1_000_000
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_an_edit_of_the_ledger_even_in_raw_sql(owner):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE credits_ledgerentry SET amount = 1000000")
    assert entries(owner)[0].amount == OWNER_CREDITS


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_database_refuses_a_delete_of_the_ledger_on_postgresql(owner):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM credits_ledgerentry")
    assert len(entries(owner)) == 1


def test_the_database_refuses_a_second_settlement_for_a_job(owner):
    job = submit_paid(owner)
    claimed(job).succeed("worker-a")
    account = _account(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            user=owner,
            kind="release",
            amount=40,
            job_public_id=job.public_id,
            available_after=account.available + 40,
            held_after=0,
        )


def test_the_database_refuses_a_second_reservation_for_a_job(owner):
    job = submit_paid(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.reserve(ledger.lock_account(owner), job.public_id, 40)


def test_the_database_refuses_a_negative_balance(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(user=owner).update(available=-1)


def test_the_database_refuses_an_ended_job_that_still_holds_credits(owner):
    job = submit_paid(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(status="failed")


def test_the_database_refuses_a_charge_without_a_result(owner):
    job = submit_paid(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(credits_status="charged")


def test_it_refuses_a_job_over_the_daily_spending_cap(owner):
    CreditAccount.objects.filter(user=owner).update(daily_spending_cap=100)
    submit_paid(owner)
    submit_paid(owner)
    with pytest.raises(SubmissionRefused) as refused:
        submit_paid(owner)
    assert "daily spending cap is 100 credits and 80 are already committed today (20 left)" in str(refused.value)
    assert Job.objects.count() == 2


def test_a_refunded_job_does_not_count_against_the_daily_cap(owner):
    CreditAccount.objects.filter(user=owner).update(daily_spending_cap=80)
    submit_paid(owner).cancel()
    submit_paid(owner)
    submit_paid(owner)
    assert Job.objects.filter(credits_status="reserved").count() == 2


def test_it_refuses_a_job_over_the_jobs_in_flight_limit(owner):
    CreditAccount.objects.filter(user=owner).update(max_jobs_in_flight=1)
    first = submit_paid(owner)
    with pytest.raises(SubmissionRefused) as refused:
        submit_paid(owner)
    assert "1 paid job in flight, the most an admin allows you at once (1)" in str(refused.value)
    first.cancel()
    assert submit_paid(owner).credits_status == "reserved"


def test_free_previews_are_not_held_back_by_the_in_flight_limit(owner):
    CreditAccount.objects.filter(user=owner).update(max_jobs_in_flight=1)
    submit_paid(owner)
    draft = Composition.objects.draft_for(owner)
    draft.provider, draft.tier, draft.resolution = "local_preview", "local", "720p"
    draft.save()
    assert submit_draft(draft, uuid.uuid4()).credits_status == "free"
