import signal
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from seedance_studio.mediatools.probe import probe_media
from seedance_studio.mediatools.sniff import sniff
from seedance_studio.studio.models import Composition, Job, LeaseLost
from tests.conftest import wait_for


def _queue_job(owner, **settings) -> Job:
    draft = Composition.objects.draft_for(owner)
    for field, value in {
        "prompt": "A paper boat on a rainy street",
        "duration": 4,
        "resolution": "480p",
        **settings,
    }.items():
        setattr(draft, field, value)
    draft.save()
    return Job.objects.create(owner=owner, composition=draft.freeze(), submission_key=uuid.uuid4())


@pytest.mark.django_db
def test_it_lets_only_one_worker_claim_a_job(owner):
    job = _queue_job(owner)
    first = Job.objects.claim_next("worker-a", lease_seconds=30)
    second = Job.objects.claim_next("worker-b", lease_seconds=30)
    assert first.pk == job.pk and first.lease_owner == "worker-a" and first.attempts == 1
    assert first.status == "queued"  # the render, not the claim, makes it "running"
    assert second is None


@pytest.mark.django_db
def test_it_takes_over_a_job_whose_lease_ran_out(owner):
    job = _queue_job(owner)
    Job.objects.claim_next("worker-a", lease_seconds=30)
    assert Job.objects.claim_next("worker-b", lease_seconds=30) is None
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    taken = Job.objects.claim_next("worker-b", lease_seconds=30)
    assert taken.pk == job.pk and taken.lease_owner == "worker-b" and taken.attempts == 2


@pytest.mark.django_db
def test_it_stops_a_worker_that_lost_its_lease_from_reporting(owner):
    job = _queue_job(owner)
    claimed = Job.objects.claim_next("worker-a", lease_seconds=30)
    Job.objects.filter(pk=job.pk).update(lease_owner="worker-b")
    with pytest.raises(LeaseLost):
        claimed.report_progress("worker-a", 0.5, lease_seconds=30)
    assert not claimed.succeed("worker-a")


@pytest.mark.django_db
def test_it_fails_a_job_that_keeps_killing_its_workers(owner, settings):
    settings.WORKER_MAX_ATTEMPTS = 2
    job = _queue_job(owner)
    Job.objects.filter(pk=job.pk).update(
        status="running", attempts=2, lease_owner="dead", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Job.objects.claim_next("worker-b", lease_seconds=30) is None
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted 2 times" in job.error_message


@pytest.mark.django_db
def test_it_waits_for_a_retry_time(owner):
    job = _queue_job(owner)
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() + timedelta(minutes=1))
    assert Job.objects.claim_next("worker-a", lease_seconds=30) is None


@pytest.mark.django_db(transaction=True)
def test_it_renders_a_queued_job_in_a_real_worker_process(owner, start_worker, settings):
    job = _queue_job(owner, duration=5, resolution="720p", aspect_ratio="16:9")
    worker = start_worker()
    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first())
    assert job.status == "succeeded", job.error_message
    assert (job.width, job.height) == (1280, 720)
    video = settings.MEDIA_ROOT / job.video.name
    facts = probe_media(video, sniff(video), timeout=20, max_seconds=60)
    assert abs(facts.duration - 5.0) < 0.1
    assert (facts.video.width, facts.video.height) == (1280, 720)
    assert facts.audio is not None
    assert (settings.MEDIA_ROOT / job.poster.name).stat().st_size > 1000
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0


@pytest.mark.django_db(transaction=True)
def test_it_finishes_the_job_in_hand_on_sigterm(owner, start_worker):
    job = _queue_job(owner, duration=8, resolution="720p")
    worker = start_worker()
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", progress__gt=0).exists(), interval=0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_it_takes_over_the_job_of_a_killed_worker(owner, start_worker):
    job = _queue_job(owner, duration=8, resolution="720p")
    doomed = start_worker(WORKER_LEASE_SECONDS="5")
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", progress__gt=0).exists(), interval=0.05)
    doomed.kill()
    doomed.wait(timeout=10)
    start_worker(WORKER_LEASE_SECONDS="5")
    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first(), timeout=120)
    assert job.status == "succeeded", job.error_message
    assert job.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_it_runs_each_job_once_with_several_workers(owner, start_worker):
    jobs = [_queue_job(owner, duration=4, resolution="480p", prompt=f"shot {n}") for n in range(4)]
    start_worker(WORKER_CONCURRENCY="1")
    start_worker(WORKER_CONCURRENCY="1")
    wait_for(lambda: Job.objects.filter(status="succeeded").count() == len(jobs), timeout=180)
    assert list(Job.objects.values_list("attempts", flat=True)) == [1] * len(jobs)
