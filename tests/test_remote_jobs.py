"""Remote jobs end to end against the in-process emulators: the real worker step, the real HTTP layer (through
an httpx transport), the real webhook view, real MP4 results. No network: a fake resolver answers DNS."""

import time
import uuid
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from seedance_studio.emulators import Emulators, emulator_transport
from seedance_studio.emulators.clock import Clock
from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import sniff
from seedance_studio.provider_api import Http, make_config
from seedance_studio.provider_api import http as provider_http
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
from seedance_studio.worker import remote
from seedance_studio.worker.remote.following import SLOW_POLL_SECONDS
from tests.provider_api.harness import HIAPI_SIGNING_KEY, FakeResolver

pytestmark = pytest.mark.django_db

REMOTE = {
    "piapi": "seedance-2-fast",
    "goapi": "seedance-2-fast",
    "seedance2": "seedance2-fast",
    "hiapi": "seedance-2-0",
    "evolink": "fast",
}
RESOLUTION = {"goapi": "480p"}


@pytest.fixture
def emulators(settings, monkeypatch):
    # Emulated time starts now: the webhook view checks HiAPI's signed timestamps against the real clock.
    emulators = Emulators(clock=Clock(start=time.time()), hiapi_signing_key=HIAPI_SIGNING_KEY)
    emulators.transport = emulator_transport(emulators)
    layer = Http(
        transport=emulators.transport, sleep=emulators.clock.sleep, jitter=lambda: 0.5, clock=emulators.clock.now
    )
    previous = provider_http.install(layer)
    settings.PROVIDERS = {
        provider: make_config(
            provider, emulators.keys[provider], signing_key=HIAPI_SIGNING_KEY if provider == "hiapi" else ""
        )
        for provider in REMOTE
    }
    settings.PUBLIC_BASE_URL = "https://studio.example.com"
    resolver = FakeResolver()
    monkeypatch.setattr(remote, "resolver", resolver)
    emulators.resolver = resolver
    yield emulators
    provider_http.install(previous)
    layer.close()


def _submit(owner, provider, prompt="A lighthouse at dawn, slow push-in", **fields) -> Job:
    draft = Composition.objects.draft_for(owner)
    values = dict(
        provider=provider,
        tier=REMOTE[provider],
        prompt=prompt,
        duration=5,
        resolution=RESOLUTION.get(provider, "720p"),
        aspect_ratio="16:9",
        mode="auto",
    )
    values.update(fields)
    for name, value in values.items():
        setattr(draft, name, value)
    draft.save()
    return submit_draft(draft, uuid.uuid4())


def _step(job: Job, worker="worker-a") -> Job:
    """Make the job due, let a worker claim it and run one step, as the worker loop would."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    claimed = Job.objects.claim_next(worker, lease_seconds=30)
    assert claimed is not None and claimed.pk == job.pk
    remote.run_remote_step(claimed, worker)
    return Job.objects.get(pk=job.pk)


def _run_to_end(job: Job, emulators, *, max_steps=30) -> Job:
    for _ in range(max_steps):
        job = _step(job)
        if not job.is_in_flight:
            return job
        emulators.clock.advance(5)
    raise AssertionError(f"job still {job.status}/{job.phase} after {max_steps} steps: {job.status_note}")


def _create_calls(emulators, provider) -> int:
    return getattr(emulators, provider).create_calls


def _deliver(client, callback):
    path = callback.url.removeprefix("https://studio.example.com")
    headers = {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in callback.headers.items()
        if name.lower() != "content-type"
    }
    return client.post(path, data=callback.body, content_type="application/json", **headers)


def _assert_kept(job, settings):
    assert job.status == "succeeded", job.error_message
    video = settings.MEDIA_ROOT / job.video.name
    facts = probe_media(video, sniff(video), timeout=20, max_seconds=60)
    assert abs(facts.duration - 5) < 0.2
    assert (settings.MEDIA_ROOT / job.poster.name).stat().st_size > 500
    assert (settings.MEDIA_ROOT / job.last_frame.name).stat().st_size > 500


@pytest.mark.parametrize("provider", REMOTE)
def test_it_follows_a_task_by_polling_and_keeps_the_result(provider, owner, emulators, settings):
    job = _run_to_end(_submit(owner, provider), emulators)
    _assert_kept(job, settings)
    assert _create_calls(emulators, provider) == 1
    assert job.provider_task_id and job.phase == "done"
    assert job.price_credits > 0


@pytest.mark.parametrize("provider", REMOTE)
def test_it_follows_a_task_by_webhook(provider, owner, emulators, settings, client):
    job = _step(_submit(owner, provider))
    assert job.phase == "follow" and job.run_after > timezone.now()
    emulators.clock.advance(60)  # the provider finishes and calls back
    callbacks = [c for c in emulators.outbox if "/webhooks/" in c.url]
    if provider in ("hiapi", "evolink") and not callbacks:
        pytest.skip(f"{provider} only calls back to https URLs it accepts")
    assert callbacks, "the provider should have called back"
    response = _deliver(client, callbacks[-1])
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.run_after <= timezone.now()  # the callback brought the next status read forward
    job = _run_to_end(job, emulators)
    _assert_kept(job, settings)


@pytest.mark.parametrize("provider", REMOTE)
def test_it_names_a_moderation_refusal(provider, owner, emulators):
    job = _run_to_end(
        _submit(owner, provider, prompt="A beach scene [[moderation=sensitive content detected]]"), emulators
    )
    assert job.status == "failed" and job.moderation
    assert "moderation" in job.error_message and "sensitive content detected" in job.error_message


@pytest.mark.parametrize("provider", REMOTE)
def test_it_shows_the_providers_own_validation_message(provider, owner, emulators):
    getattr(emulators, provider).scenario.create_failures = [400]
    job = _step(_submit(owner, provider))
    assert job.status == "failed"
    assert "refused this job" in job.error_message
    assert _create_calls(emulators, provider) == 1


@pytest.mark.parametrize("provider", REMOTE)
def test_it_waits_for_a_free_slot_after_a_429_then_succeeds(provider, owner, emulators, settings):
    getattr(emulators, provider).scenario.create_failures = [429]
    job = _step(_submit(owner, provider))
    assert job.status == "queued" and job.phase == "submit" and job.create_sent_at is None
    assert "Waiting for a free slot" in job.status_note
    job = _run_to_end(job, emulators)
    _assert_kept(job, settings)


@pytest.mark.parametrize("provider", REMOTE)
def test_it_rides_out_5xx_on_status_reads(provider, owner, emulators, settings):
    job = _run_to_end(_submit(owner, provider, prompt="A harbour at dusk [[status-503-twice]]"), emulators)
    _assert_kept(job, settings)


@pytest.mark.parametrize("provider", ["piapi", "goapi", "hiapi"])
def test_it_reconciles_a_create_that_timed_out_without_sending_it_twice(provider, owner, emulators, settings, client):
    getattr(emulators, provider).scenario.create_timeouts = 1
    job = _step(_submit(owner, provider))
    assert job.phase == "confirm" and not job.provider_task_id
    assert "never sends a job twice" in job.status_note
    job = _step(job)  # still nothing known: it waits, and sends nothing
    assert _create_calls(emulators, provider) == 1
    emulators.clock.advance(60)
    callbacks = [c for c in emulators.outbox if "/webhooks/" in c.url]
    assert _deliver(client, callbacks[-1]).status_code == 200  # a verified callback names the task
    job = _run_to_end(Job.objects.get(pk=job.pk), emulators)
    _assert_kept(job, settings)
    assert _create_calls(emulators, provider) == 1


@pytest.mark.parametrize("provider", ["seedance2", "evolink"])
def test_it_never_adopts_a_task_from_an_unsigned_callback(provider, owner, emulators, client, admin_client):
    getattr(emulators, provider).scenario.create_timeouts = 1
    job = _step(_submit(owner, provider))
    emulators.clock.advance(60)
    callback = [c for c in emulators.outbox if "/webhooks/" in c.url][-1]
    assert _deliver(client, callback).status_code == 200
    job.refresh_from_db()
    assert job.phase == "confirm" and not job.provider_task_id  # anyone could have sent that callback

    # The admin reads the task id off the provider's dashboard and attaches it; the worker takes it from there.
    task_id = next(iter(getattr(emulators, provider).tasks))
    response = admin_client.post(f"/admin/studio/job/{job.pk}/change/", {"provider_task_id": task_id})
    assert response.status_code == 302
    job = _run_to_end(Job.objects.get(pk=job.pk), emulators)
    assert job.status == "succeeded" and job.provider_task_id == task_id
    assert _create_calls(emulators, provider) == 1


def test_it_sets_an_unconfirmed_create_aside_at_the_deadline_with_its_credits_held(owner, emulators):
    emulators.seedance2.scenario.create_timeouts = 1
    job = _step(_submit(owner, "seedance2"))
    Job.objects.filter(pk=job.pk).update(follow_deadline=timezone.now() - timedelta(seconds=1))
    job = _step(job)
    # The provider may have made and billed the task: an admin settles it, nothing is released or charged yet.
    assert job.status == "set_aside" and "never confirmed" in job.status_note
    assert "attach the task" in job.status_note and "credits are held" in job.status_note
    assert job.credits_status == "reserved" and owner.credit_account.held == job.price_credits


def test_every_phase_but_done_has_one_step():
    assert set(remote.STEPS) == set(Job.Phase) - {Job.Phase.DONE}


def test_a_confirming_job_whose_task_was_named_meanwhile_is_followed(owner, emulators, settings):
    """A callback can name the task while the submit step is still parking the job as unanswered: the confirm
    step then follows it at once instead of waiting for a deadline."""
    emulators.piapi.scenario.create_timeouts = 1
    job = _step(_submit(owner, "piapi"))
    assert job.phase == "confirm"
    task_id = next(iter(emulators.piapi.tasks))
    Job.objects.filter(pk=job.pk).update(provider_task_id=task_id)  # what the race leaves behind
    job = _step(job)
    assert job.phase == "follow" and job.provider_task_id == task_id
    _assert_kept(_run_to_end(job, emulators), settings)
    assert _create_calls(emulators, "piapi") == 1


def test_an_overdue_task_is_read_slowly_then_failed_as_timed_out(owner, emulators, settings):
    job = _step(_submit(owner, "piapi", prompt="A slow one [[queue=100000]]"))  # the emulated task stays queued
    Job.objects.filter(pk=job.pk).update(follow_deadline=timezone.now() - timedelta(seconds=1))
    job = _step(job)
    assert (job.phase, job.poll_interval) == ("overdue", SLOW_POLL_SECONDS) and job.is_in_flight
    assert "keeps checking every 10 minutes" in job.status_note
    assert job.follow_deadline > timezone.now() + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS - 1)
    job = _step(job)  # within the second period: still overdue, read again in 10 minutes
    assert job.phase == "overdue" and job.is_in_flight

    Job.objects.filter(pk=job.pk).update(follow_deadline=timezone.now() - timedelta(seconds=1))
    job = _step(job)
    assert (job.status, job.failure_cause, job.credits_status) == ("failed", "timed_out", "released")
    assert f"within {2 * settings.PROVIDER_FOLLOW_HOURS} hours" in job.error_message


def test_an_overdue_task_that_finishes_is_still_kept(owner, emulators, settings):
    job = _step(_submit(owner, "piapi"))
    Job.objects.filter(pk=job.pk).update(phase=Job.Phase.OVERDUE)
    emulators.clock.advance(60)
    _assert_kept(_run_to_end(job, emulators), settings)


def test_a_late_callback_changes_nothing_on_an_ended_job(owner, emulators, client):
    job = _run_to_end(_submit(owner, "piapi"), emulators)
    callback = [c for c in emulators.outbox if "/webhooks/" in c.url][-1]
    assert _deliver(client, callback).status_code == 200
    assert Job.objects.get(pk=job.pk).status == "succeeded"


def test_a_crash_after_the_create_keeps_the_job(owner, emulators, monkeypatch):
    from seedance_studio.provider_api.client import ProviderClient

    job = _step(_submit(owner, "piapi"))
    monkeypatch.setattr(ProviderClient, "status", lambda self, task_id: {}["boom"])
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    claimed = Job.objects.claim_next("worker-a", lease_seconds=30)
    try:
        remote.run_remote_step(claimed, "worker-a")
    except KeyError:
        remote.step_crashed(Job.objects.get(pk=job.pk), "worker-a")  # what the worker loop does
    job.refresh_from_db()
    assert job.is_in_flight and job.provider_task_id and "try again" in job.status_note


def test_it_gives_up_on_a_download_after_the_download_window(owner, emulators):
    job = _submit(owner, "piapi")
    while job.phase != "download":
        job = _step(job)
        emulators.clock.advance(10)
    emulators.resolver.answers["img.theapi.app"] = []  # the file host vanished: nothing resolves
    Job.objects.filter(pk=job.pk).update(follow_deadline=timezone.now() - timedelta(seconds=1))
    job = _step(job)
    assert job.status == "set_aside" and "the download kept failing for 2 hours" in job.status_note
    assert "could not be resolved" in job.error_message
    assert job.credits_status == "reserved" and not job.is_in_flight


@pytest.mark.parametrize("provider", ["piapi", "goapi", "hiapi"])
def test_it_refuses_forged_callbacks_and_ignores_duplicates(provider, owner, emulators, client):
    job = _step(_submit(owner, provider))
    emulators.clock.advance(60)
    callback = [c for c in emulators.outbox if "/webhooks/" in c.url][-1]
    forged_headers = {
        name: ("forged" if name.lower() in ("x-webhook-secret", "x-hiapi-signature") else value)
        for name, value in callback.headers.items()
    }
    before = Job.objects.get(pk=job.pk)
    assert _deliver(client, type(callback)(callback.url, forged_headers, callback.body)).status_code == 403
    assert Job.objects.get(pk=job.pk).run_after == before.run_after
    assert _deliver(client, callback).status_code == 200
    assert _deliver(client, callback).status_code == 200
    job = Job.objects.get(pk=job.pk)
    assert job.status in ("queued", "running") and job.provider_task_id == before.provider_task_id


def test_it_answers_404_to_an_unknown_callback_token(client, emulators):
    assert client.post("/webhooks/piapi/not-a-token/", data=b"{}", content_type="application/json").status_code == 404


# Results that cannot be kept (refused, expired, not a video) are in tests/test_result_keeping.py.


def test_another_worker_finishes_the_job_of_a_killed_one(owner, emulators, settings):
    job = _step(_submit(owner, "piapi"), worker="worker-a")
    # worker-a claims the follow step and dies (SIGKILL): its lease simply runs out.
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert Job.objects.claim_next("worker-a", lease_seconds=30).pk == job.pk
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    emulators.clock.advance(30)
    taken = Job.objects.claim_next("worker-b", lease_seconds=30)
    assert taken.pk == job.pk
    remote.run_remote_step(taken, "worker-b")
    job = _run_to_end(Job.objects.get(pk=job.pk), emulators)
    _assert_kept(job, settings)
    assert _create_calls(emulators, "piapi") == 1
    assert len(list((settings.MEDIA_ROOT / "jobs").rglob("*.mp4"))) == 1


def test_a_worker_killed_after_sending_the_create_never_sends_it_again(owner, emulators):
    job = _submit(owner, "piapi")
    Job.objects.filter(pk=job.pk).update(create_sent_at=timezone.now())  # sent, then SIGKILL before the answer
    job = _step(job, worker="worker-b")
    assert job.phase == "confirm"
    job = _step(job, worker="worker-b")
    assert _create_calls(emulators, "piapi") == 0


def test_it_refuses_remote_submits_when_the_studio_is_not_reachable(owner, emulators, settings, client):
    from tests.compose_forms import stored_reference

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    draft = Composition.objects.draft_for(owner)
    draft.append([stored_reference(owner, "image", "harbour.png")])
    client.force_login(owner)
    response = client.post(
        "/compose/check/",
        {
            "prompt": "@image1 waves",
            "model": "piapi/seedance-2-fast",
            "mode": "auto",
            "duration": "5",
            "aspect_ratio": "16:9",
            "resolution": "720p",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "but the internet cannot reach that address" in response.content.decode()


def test_it_never_shows_an_api_key_to_the_browser(owner_client, emulators, settings):
    secret = "sk-test-0123456789abcdefSECRET"
    settings.PROVIDERS = {**settings.PROVIDERS, "piapi": make_config("piapi", secret)}
    pages = [
        owner_client.get("/").content.decode(),
        owner_client.post(
            "/compose/check/",
            {
                "model": "piapi/seedance-2-fast",
                "prompt": "a harbour",
                "mode": "auto",
                "duration": "5",
                "aspect_ratio": "16:9",
                "resolution": "720p",
            },
            HTTP_HX_REQUEST="true",
        ).content.decode(),
    ]
    assert all(secret not in page for page in pages)
    assert secret not in repr(settings.PROVIDERS)


def test_it_keeps_hiapis_own_first_and_last_frames(owner, emulators, settings):
    job = _run_to_end(_submit(owner, "hiapi", extras={"return_last_frame": True}), emulators)
    _assert_kept(job, settings)
    assert job.first_frame and job.last_frame
    first = sniff(settings.MEDIA_ROOT / job.first_frame.name)
    last = sniff(settings.MEDIA_ROOT / job.last_frame.name)
    assert first.kind == last.kind == "image"
    assert job.last_frame.name.endswith(last.extension)
    fetched = {request.url.path for request in emulators.transport.requests}
    frames = {
        kind: next(o["url"] for o in job.result_outputs if o["kind"] == kind) for kind in ("first_frame", "last_frame")
    }
    assert all(httpx.URL(url).path in fetched for url in frames.values())  # the provider's own frames were kept


# --- A create the provider documents as "try again later" -------------------------------------------------------


@pytest.mark.parametrize("provider, status", [("hiapi", 503), ("seedance2", 500)])
def test_it_sends_a_create_again_after_a_documented_retry_answer_with_one_task_and_one_charge(
    provider, status, owner, emulators, settings
):
    """HiAPI: "503 means retry later" (shared/seeds/README.md:22); the Seedance2 API: 500 "Internal server error
    | Retry after a few seconds" (002_f203a5308ec3fedc.txt:225). Nothing was created, so the job goes back to
    the queue with create_sent_at cleared and is sent again; it is not reconciled for a day."""
    from tests.credits.money import assert_ledger_invariants, entries

    emulator = getattr(emulators, provider)
    emulator.scenario.create_failures = [status]
    job = _step(_submit(owner, provider))
    assert (job.status, job.phase, job.create_sent_at) == ("queued", "submit", None)
    assert "try again later" in job.status_note and "nothing was created" in job.status_note
    assert not emulator.tasks

    job = _run_to_end(job, emulators)
    _assert_kept(job, settings)
    assert _create_calls(emulators, provider) == 2 and len(emulator.tasks) == 1
    assert [e.job_public_id for e in entries(owner, "consume")] == [job.public_id]
    assert_ledger_invariants(owner)


def test_it_waits_longer_after_each_retry_answer_and_honours_retry_after(owner, emulators, settings):
    """The re-queue delay after HiAPI's 503 (shared/seeds/README.md:22) doubles from 15 s instead of staying at
    15 s for ever, and a longer Retry-After wins."""
    emulators.hiapi.scenario.create_failures = [503, 503, 503, 503]
    job = _submit(owner, "hiapi")
    waits = []
    for retry_after in ("1", "1", "1", "200"):
        emulators.hiapi.scenario.retry_after = retry_after
        before = timezone.now()
        job = _step(job)
        assert job.phase == "submit" and job.create_sent_at is None
        waits.append(round((job.run_after - before).total_seconds()))
    assert waits == [15, 30, 60, 200]
    assert "sent again in 200 s" in job.status_note
    job = _run_to_end(job, emulators)
    _assert_kept(job, settings)
    assert len(emulators.hiapi.tasks) == 1


@pytest.mark.parametrize("provider, status", [("hiapi", 500), ("hiapi", 502), ("seedance2", 503)])
def test_an_undocumented_5xx_on_create_is_still_reconciled_never_resent(provider, status, owner, emulators):
    """Only the documented statuses mean "not created" (README.md:22 for HiAPI's 503, 002:225 for the Seedance2
    API's 500); any other 5xx may hide a task, so the job is reconciled and the create is not sent again."""
    getattr(emulators, provider).scenario.create_failures = [status]
    job = _step(_submit(owner, provider))
    assert job.phase == "confirm" and job.create_sent_at is not None
    _step(job)
    assert _create_calls(emulators, provider) == 1


# --- HiAPI's callback must be https -----------------------------------------------------------------------------


def test_it_follows_hiapi_by_polling_when_the_studio_has_only_a_plain_http_address(owner, emulators, settings):
    """HiAPI's callback.url is an "HTTPS URL that receives terminal task notifications" (003_bc94c502d4abd21f.txt
    :130-132): a studio on plain http sends no callback to HiAPI at all and follows the task by polling."""
    settings.PUBLIC_BASE_URL = "http://studio.example.com"
    job = _run_to_end(_submit(owner, "hiapi"), emulators)
    _assert_kept(job, settings)
    (task,) = emulators.hiapi.tasks.values()
    assert "callback" not in task.body and task.callback_url is None


# --- PiAPI/GoAPI failure words ------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["piapi", "goapi"])
def test_it_shows_the_raw_message_when_the_unified_error_message_is_generic(provider, owner, emulators):
    """A failed task's error is `{code, raw_message, message, detail}` (000_9ea3d46214601d5a.txt:586-591,
    001_972d478171c6ac8f.txt:496-501); when `message` is only "task failed", the reason is in `raw_message`."""
    getattr(emulators, provider).scenario.generic_failure_message = True
    moderated = _run_to_end(_submit(owner, provider, prompt="A beach [[moderation=nudity detected]]"), emulators)
    failed = _run_to_end(_submit(owner, provider, prompt="A harbour [[fail=upstream GPU lost]]"), emulators)
    assert moderated.moderation and "content moderation: nudity detected" in moderated.error_message
    assert not failed.moderation and "could not make this video: upstream GPU lost" in failed.error_message
    assert "task failed" not in moderated.error_message + failed.error_message


def test_a_goapi_moderation_failure_names_its_progressive_penalties(owner, emulators):
    """GoAPI: "Repeated violations incur progressive credit penalties." (001_972d478171c6ac8f.txt:345); PiAPI's
    document says nothing of the kind (000:376-381), so its failure text does not either."""
    goapi = _run_to_end(_submit(owner, "goapi", prompt="A beach [[moderation]]"), emulators)
    piapi = _run_to_end(_submit(owner, "piapi", prompt="A beach [[moderation]]"), emulators)
    assert (
        goapi.moderation and "repeated moderation violations incur progressive credit penalties" in goapi.error_message
    )
    assert "do not send it again unchanged" in goapi.error_message
    assert piapi.moderation and "penalt" not in piapi.error_message
