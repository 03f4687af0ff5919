"""Takes under real concurrency: several sets of takes racing for one balance are each all or nothing (real
threads, each with its own connection; on PostgreSQL the account's row lock, on SQLite IMMEDIATE transactions)."""

import uuid

import pytest

from seedance_studio.credits import ledger
from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import SubmissionRefused, submit_takes
from tests.credits.money import PAID, PAID_5S_CREDITS, assert_ledger_invariants
from tests.credits.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)


def test_six_sets_of_two_takes_on_credits_for_three_sets_make_exactly_three(django_user_model):
    creative = django_user_model.objects.create_user("racer", password="a-long-test-password-4")
    ledger.grant(creative, 3 * 2 * PAID_5S_CREDITS, reason="enough for three sets of two takes")
    draft = Composition.objects.draft_for(creative)
    for name, value in {**PAID, "duration": 5}.items():
        setattr(draft, name, value)
    draft.save()

    def takes(index):
        mine = Composition.objects.get(pk=draft.pk)
        return submit_takes(mine, uuid.uuid4(), references=[], count=2)

    results = _race(6, takes)
    made = [result for result in results if isinstance(result, list)]
    refused = [result for result in results if isinstance(result, SubmissionRefused)]
    assert len(made) == 3 and len(refused) == 3, results
    assert all(len(group) == 2 for group in made)
    assert all("None of the takes was submitted" in refusal.problems[0] for refusal in refused)
    account = CreditAccount.objects.get(user=creative)
    assert (account.available, account.held) == (0, 6 * PAID_5S_CREDITS)
    assert Job.objects.filter(owner=creative).count() == 6
    assert LedgerEntry.objects.filter(user=creative, kind="reserve").count() == 6
    assert_ledger_invariants(creative)


def test_a_double_click_on_takes_with_credits_for_one_set_gets_that_set(django_user_model):
    creative = django_user_model.objects.create_user("clicker", password="a-long-test-password-4")
    ledger.grant(creative, 2 * PAID_5S_CREDITS, reason="exactly one set of two takes")
    draft = Composition.objects.draft_for(creative)
    for name, value in {**PAID, "duration": 5}.items():
        setattr(draft, name, value)
    draft.save()
    key = uuid.uuid4()

    results = _race(4, lambda index: submit_takes(Composition.objects.get(pk=draft.pk), key, references=[], count=2))

    assert all(isinstance(result, list) for result in results), results
    assert {tuple(job.pk for job in result) for result in results} == {tuple(job.pk for job in results[0])}
    assert len(results[0]) == 2
    assert LedgerEntry.objects.filter(user=creative, kind="reserve").count() == 2
    assert_ledger_invariants(creative)
