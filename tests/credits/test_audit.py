"""The audit: balances against the ledger, the reservation chain, jobs against their entries, waiting jobs,
provider costs and balances. Broken books are made the way they break in real life: by hand, in SQL."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection

from seedance_studio.credits import audit, ledger
from seedance_studio.credits.models import LedgerEntry
from seedance_studio.provider_api import AccountBalance, ProviderError, make_config
from seedance_studio.studio.models import Job
from seedance_studio.worker import remote
from tests.conftest import OWNER_CREDITS
from tests.credits import FakeBalanceClient, age, fail, paid_job, set_aside, succeed

pytestmark = pytest.mark.django_db


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_it_finds_no_mismatch_in_books_the_studio_wrote(owner, outsider):
    succeed(paid_job(owner, credits=120))
    fail(paid_job(owner, credits=80))
    paid_job(owner, credits=40)  # in flight: reserved, not settled
    set_aside(paid_job(owner, credits=30))
    ledger.grant(outsider, 50, reason="Trial")
    ledger.deduct(outsider, 20, reason="Trial ended early")

    assert audit.mismatches() == []


def test_it_finds_a_balance_changed_behind_the_ledgers_back(owner, outsider):
    ledger.grant(outsider, 50, reason="Trial")
    _sql("UPDATE credits_creditaccount SET available = available + 7 WHERE user_id = %s", owner.pk)

    [mismatch] = audit.balance_mismatches()
    assert (mismatch.username, mismatch.available, mismatch.ledger_available) == (
        "olivia",
        OWNER_CREDITS + 7,
        OWNER_CREDITS,
    )
    assert str(mismatch) == (
        f"Balance of olivia: account says {OWNER_CREDITS + 7} available, 0 held; the ledger "
        f"sums to {OWNER_CREDITS} available, 0 held."
    )


def test_it_finds_entries_of_a_creative_without_an_account(owner):
    _sql("DELETE FROM credits_creditaccount WHERE user_id = %s", owner.pk)

    [mismatch] = audit.balance_mismatches()
    assert mismatch.available is None and mismatch.ledger_available == OWNER_CREDITS
    assert "has no account" in str(mismatch)


def test_it_sums_balances_in_two_queries_however_many_creatives(owner, django_user_model, django_assert_num_queries):
    for n in range(5):
        ledger.grant(django_user_model.objects.create_user(f"creative{n}"), 10 + n, reason="Budget")
    succeed(paid_job(owner))
    with django_assert_num_queries(2):
        assert audit.balance_mismatches() == []


def test_it_finds_a_settlement_without_a_reservation_and_a_settlement_of_another_amount(owner):
    job = paid_job(owner, credits=120)
    stray = uuid.uuid4()
    ledger.consume(owner, stray, 50)  # the ledger API allows it; only Job transitions should call it
    ledger.release(owner, job.public_id, 60, "by hand")

    problems = {p.job_public_id: p for p in audit.chain_problems()}
    assert problems[stray].problem == "charged 50 credits without any reservation."
    assert problems[stray].job_pk is None
    assert problems[job.public_id].problem == "reserved 120 credits but refunded 60."
    assert problems[job.public_id].job_pk == job.pk


def test_it_finds_a_job_whose_credits_status_disagrees_with_its_entries(owner):
    charged = succeed(paid_job(owner, credits=60))
    released = paid_job(owner, credits=70)
    _sql("UPDATE studio_job SET status = 'failed', credits_status = 'released' WHERE id = %s", released.pk)
    mispriced = paid_job(owner, credits=90)
    _sql("UPDATE studio_job SET price_credits = 95 WHERE id = %s", mispriced.pk)

    problems = {p.job_pk: p.problem for p in audit.job_problems()}
    assert charged.pk not in problems
    assert problems[released.pk] == "credits released but the ledger has no release entry."
    assert problems[mispriced.pk] == "reserved 90 credits but its quote is 95."


def test_it_lists_jobs_in_flight_too_long_and_set_aside_jobs(owner, settings):
    settings.PROVIDER_FOLLOW_HOURS = 24
    overdue = age(paid_job(owner), hours=25)
    age(paid_job(owner), hours=23)  # still within the follow window
    aside = set_aside(paid_job(owner))

    waiting = audit.waiting_jobs()
    assert [job.pk for job in waiting.overdue] == [overdue.pk]
    assert [job.pk for job in waiting.set_aside] == [aside.pk]


def test_it_compares_quotes_with_the_providers_reported_costs(owner):
    over = succeed(paid_job(owner, credits=120), amount="130", unit="PIAPI_POINTS", studio_credits=130)
    succeed(paid_job(owner, credits=100), amount=100, unit="PIAPI_POINTS", studio_credits=100)
    succeed(paid_job(owner, provider="goapi", credits=50), amount="0.5", unit="GOAPI_POINTS", studio_credits="oops")

    costs = audit.cost_comparison()
    assert (costs.jobs, costs.differing) == (3, 2)
    assert costs.lines[0].job_pk == over.pk and costs.lines[0].difference == 10
    totals = {total.provider: total for total in costs.totals}
    assert (totals["piapi"].quoted, totals["piapi"].reported_credits, totals["piapi"].difference) == (220, 230, 10)
    assert totals["piapi"].amounts == {"PIAPI_POINTS": Decimal(230)}
    assert totals["goapi"].jobs_in_credits == 0 and totals["goapi"].amounts == {"GOAPI_POINTS": Decimal("0.5")}


def test_it_reads_each_providers_balance_and_says_why_when_it_cannot(settings, monkeypatch):
    settings.PROVIDERS = {p: make_config(p, "key") for p in ("seedance2", "piapi", "hiapi", "evolink")}
    answers = {
        "seedance2": FakeBalanceClient(AccountBalance(Decimal(4800), "SEEDANCE2_CREDITS")),
        "piapi": FakeBalanceClient(None),
        "hiapi": FakeBalanceClient(ProviderError("HiAPI refused the API key (HTTP 401).", permanent=True)),
        "evolink": FakeBalanceClient(RuntimeError("boom")),
    }
    monkeypatch.setattr(remote, "provider_client", answers.get)

    balances = {b.provider: b for b in audit.provider_balances()}
    assert (balances["seedance2"].amount, balances["seedance2"].unit) == (Decimal(4800), "Seedance2 credits")
    assert balances["piapi"].note == "not reported (its API has no balance endpoint)"
    assert balances["hiapi"].note == "could not be read: HiAPI refused the API key (HTTP 401)."
    assert balances["evolink"].note == "could not be read: boom"


def test_the_ledger_is_left_untouched_by_the_audit(owner):
    count = LedgerEntry.objects.count()
    audit.mismatches()
    assert LedgerEntry.objects.count() == count and Job.objects.count() == 0
