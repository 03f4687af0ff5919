"""Money through real worker processes, the real HTTP layer and the emulators served on a local port."""

import pytest

from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job
from tests.conftest import OWNER_CREDITS, wait_for
from tests.credits.money import assert_ledger_invariants, submit_paid

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def piapi_emulated(settings, served_emulators, live_server):
    env = {**served_emulators.env, "PUBLIC_BASE_URL": live_server.url, "WORKER_LEASE_SECONDS": "5"}
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDERS = {
        "piapi": make_config(
            "piapi",
            env["PIAPI_API_KEY"],
            base_url=env["PIAPI_BASE_URL"],
            allowed_result_hosts=[env["PIAPI_RESULT_HOSTS"]],
            emulated=True,
        )
    }
    return env


def test_a_worker_killed_after_the_create_left_is_finished_by_another_with_one_create_and_one_charge(
    owner, start_worker, served_emulators, piapi_emulated
):
    # The emulated PiAPI makes the task but never answers the create: the worker is killed while it waits.
    job = submit_paid(owner, prompt="A heron lifts off a misty lake [[timeout-create]] [[queue=1]] [[run=1]]")
    doomed = start_worker(**piapi_emulated)
    wait_for(lambda: Job.objects.filter(pk=job.pk, create_sent_at__isnull=False).exists())
    wait_for(lambda: served_emulators.emulators.piapi.create_calls == 1)
    doomed.kill()
    doomed.wait(timeout=10)

    start_worker(**piapi_emulated)  # takes the job over once the dead worker's lease runs out
    job = wait_for(lambda: Job.objects.filter(pk=job.pk).exclude(status__in=Job.IN_FLIGHT).first(), timeout=120)
    assert job.status == "succeeded", (job.error_message, job.status_note)
    assert served_emulators.emulators.piapi.create_calls == 1  # never sent twice
    assert LedgerEntry.objects.filter(job_public_id=job.public_id, kind="consume").count() == 1
    assert LedgerEntry.objects.filter(job_public_id=job.public_id, kind="release").count() == 0
    account = CreditAccount.objects.get(user=owner)
    assert (account.available, account.held) == (OWNER_CREDITS - job.price_credits, 0)
    assert job.provider_cost["unit"] == "PIAPI_POINTS" and job.provider_cost["studio_credits"] == job.price_credits
    assert_ledger_invariants(owner)


def test_a_moderated_job_costs_nothing_through_a_real_worker(owner, start_worker, piapi_emulated):
    job = submit_paid(owner, prompt="Something the provider refuses [[moderation]] [[queue=1]]")
    start_worker(**piapi_emulated)
    job = wait_for(lambda: Job.objects.filter(pk=job.pk).exclude(status__in=Job.IN_FLIGHT).first())
    assert job.status == "failed" and job.moderation and job.credits_status == "released"
    assert CreditAccount.objects.get(user=owner).available == OWNER_CREDITS
    assert_ledger_invariants(owner)
