"""A documented "try again later" on create, through a real `runworker` process and the emulators on a port."""

import pytest

from seedance_studio.credits.models import CreditAccount, LedgerEntry
from seedance_studio.provider_api import make_config
from seedance_studio.studio.models import Job
from tests.conftest import OWNER_CREDITS, wait_for
from tests.credits.money import assert_ledger_invariants, submit_paid

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_sends_a_hiapi_create_again_after_its_503_with_one_task_and_one_charge(
    owner, start_worker, served_emulators, live_server, settings
):
    """HiAPI: "503 means retry later" (shared/seeds/README.md:22): nothing was created, so the worker queues the
    job again (create_sent_at cleared) and sends it once more: one task at HiAPI, one charge. The studio is on
    plain http here, so HiAPI gets no callback URL (003_bc94c502d4abd21f.txt:132) and is followed by polling."""
    env = {**served_emulators.env, "PUBLIC_BASE_URL": live_server.url}
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PROVIDERS = {
        "hiapi": make_config(
            "hiapi",
            env["HIAPI_API_KEY"],
            base_url=env["HIAPI_BASE_URL"],
            signing_key=env["HIAPI_SIGNING_KEY"],
            emulated=True,
        )
    }
    hiapi = served_emulators.emulators.hiapi
    job = submit_paid(
        owner,
        provider="hiapi",
        tier="seedance-2-0",
        prompt="A heron lifts off a misty lake [[fail-create-503-once]] [[queue=0]] [[run=1]]",
    )
    start_worker(**env)

    requeued = wait_for(lambda: Job.objects.filter(pk=job.pk, status_note__contains="try again later").first())
    assert requeued.phase == "submit" and requeued.create_sent_at is None
    job = wait_for(lambda: Job.objects.filter(pk=job.pk).exclude(status__in=Job.IN_FLIGHT).first(), timeout=120)

    assert job.status == "succeeded", (job.error_message, job.status_note)
    assert hiapi.create_calls == 2 and len(hiapi.tasks) == 1
    (task,) = hiapi.tasks.values()
    assert "callback" not in task.body
    assert LedgerEntry.objects.filter(job_public_id=job.public_id, kind="consume").count() == 1
    account = CreditAccount.objects.get(user=owner)
    assert (account.available, account.held) == (OWNER_CREDITS - job.price_credits, 0)
    assert_ledger_invariants(owner)
