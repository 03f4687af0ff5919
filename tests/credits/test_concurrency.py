"""Money under real concurrency: real threads, each with its own database connection, racing on committed rows.
On PostgreSQL (what CI runs) this exercises the row locks and constraints for real; on SQLite the same tests
pass because its IMMEDIATE transactions serialise writers."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Job
from seedance_studio.studio.submission import SubmissionRefused
from tests.credits.money import PAID_5S_CREDITS, assert_ledger_invariants, claimed, submit_paid

pytestmark = pytest.mark.django_db(transaction=True)


def _race(count: int, action):
    """Run `action(i)` in `count` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait(timeout=30)
            return action(index)
        except Exception as error:  # the test inspects what each racer got
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def creative(django_user_model):
    return django_user_model.objects.create_user("racer", password="a-long-test-password-4")


def test_twenty_concurrent_submissions_on_credits_for_ten_make_exactly_ten_jobs(creative):
    ledger.grant(creative, 10 * PAID_5S_CREDITS, reason="enough for ten")
    results = _race(20, lambda index: submit_paid(creative, prompt=f"Racer {index}: a lighthouse at dawn"))
    made = [result for result in results if isinstance(result, Job)]
    refused = [result for result in results if isinstance(result, SubmissionRefused)]
    assert len(made) == 10 and len(refused) == 10, results
    assert all("more needed" in refusal.problems[0] for refusal in refused)
    account = CreditAccount.objects.get(user=creative)
    assert (account.available, account.held) == (0, 10 * PAID_5S_CREDITS)
    assert Job.objects.filter(owner=creative).count() == 10
    assert LedgerEntry.objects.filter(user=creative, kind="reserve").count() == 10
    assert_ledger_invariants(creative)


def test_a_double_click_racing_itself_makes_one_job_and_one_reservation(creative):
    ledger.grant(creative, 1000, reason="plenty")
    key = uuid.uuid4()
    results = _race(8, lambda index: submit_paid(creative, key=key))
    assert all(isinstance(result, Job) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert LedgerEntry.objects.filter(user=creative, kind="reserve").count() == 1
    assert_ledger_invariants(creative)


def test_a_double_click_with_credits_for_one_job_gets_that_job_not_a_refusal(creative):
    """The second click waits on the account lock while the first reserves; then the balance is spent, by the
    first click's own job, which is what the second gets back."""
    ledger.grant(creative, PAID_5S_CREDITS, reason="exactly one job")
    key = uuid.uuid4()
    results = _race(4, lambda index: submit_paid(creative, key=key))
    assert all(isinstance(result, Job) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert LedgerEntry.objects.filter(user=creative, kind="reserve").count() == 1
    assert_ledger_invariants(creative)


def test_success_and_failure_reported_at_once_settle_the_job_once(creative):
    ledger.grant(creative, 1000, reason="plenty")
    for _ in range(5):
        job = claimed(submit_paid(creative))
        outcomes = _race(
            2,
            lambda index, job=job: (
                job.succeed("worker-a") if index == 0 else job.fail("worker-a", "a duplicate failure report")
            ),
        )
        assert sorted(outcomes) == [False, True]
    assert LedgerEntry.objects.filter(user=creative, kind__in=["consume", "release"]).count() == 5
    assert_ledger_invariants(creative)


def test_a_duplicate_failure_report_releases_once(creative):
    ledger.grant(creative, 1000, reason="plenty")
    job = claimed(submit_paid(creative))
    outcomes = _race(4, lambda index: job.fail("worker-a", "PiAPI could not make this video."))
    assert outcomes.count(True) == 1
    assert LedgerEntry.objects.filter(user=creative, kind="release").count() == 1
    assert CreditAccount.objects.get(user=creative).available == 1000


def test_a_cancel_racing_the_create_either_cancels_or_sends_never_both(creative):
    ledger.grant(creative, 1000, reason="plenty")
    for _ in range(5):
        job = claimed(submit_paid(creative))
        cancelled, sent = _race(
            2,
            lambda index, job=job: (
                Job.objects.get(pk=job.pk).cancel()
                if index == 0
                else job.mark_create_sent("worker-a", callback_token_hash="h")
            ),
        )
        assert cancelled != sent
        job.refresh_from_db()
        assert job.status == ("cancelled" if cancelled else "queued")
    assert_ledger_invariants(creative)


def test_grants_and_submissions_at_once_keep_the_balance_equal_to_the_ledger(creative, admin_user):
    ledger.grant(creative, 200, reason="start")

    def act(index):
        if index % 2:
            return ledger.grant(creative, 40, admin=admin_user, reason=f"top-up {index}")
        return submit_paid(creative, prompt=f"shot {index}")

    _race(12, act)
    assert_ledger_invariants(creative)
