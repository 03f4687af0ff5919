"""/healthz and /readyz, and the worker heartbeats behind /readyz and the admin's Workers page."""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from seedance_studio.studio.models import Job
from seedance_studio.worker.models import Worker
from tests.conftest import wait_for
from tests.jobs import submitted

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def alive_worker(name="vm:101:abc123") -> Worker:
    return Worker.start(name)


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and text(response) == "ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_a_missing_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert text(response).splitlines() == [
        "not ready: worker",
        "database: ok",
        "storage: ok",
        "worker: failing: no worker seen in the last 60 s (none ever seen); start `manage.py runworker`",
    ]


def test_readyz_is_ready_with_a_worker_seen_in_the_last_minute(client):
    alive_worker()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert text(response) == "ready\ndatabase: ok\nstorage: ok\nworker: ok (1 alive)\n"


def test_readyz_does_not_count_a_worker_gone_quiet_or_stopped(client):
    quiet = alive_worker("vm:1:quiet")
    Worker.objects.filter(pk=quiet.pk).update(last_seen_at=timezone.now() - timedelta(seconds=90))
    alive_worker("vm:2:stopped").stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "worker: failing: no worker seen in the last 60 s (last seen 0 s ago)" in text(response)


def test_readyz_names_a_storage_that_does_not_answer(client, settings):
    alive_worker()
    # A storage the process cannot reach: an S3 endpoint where nothing listens (port 9, discard), tried once.
    from botocore.config import Config

    unreachable = {
        "bucket_name": "studio-media",
        "endpoint_url": "http://127.0.0.1:9",
        "access_key": "not-a-key",
        "secret_key": "not-a-secret",
        "client_config": Config(connect_timeout=2, retries={"total_max_attempts": 1}),
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": unreachable},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = text(response)
    assert body.startswith("not ready: storage\n") and "storage: failing: EndpointConnectionError" in body
    assert "127.0.0.1:9" not in body and "not-a-key" not in body  # the probe is public: the type only


def test_the_probes_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503  # answered, not redirected
    assert client.get("/gallery/").status_code == 301


def test_it_forgets_workers_gone_for_a_day():
    old = alive_worker("vm:1:old")
    Worker.objects.filter(pk=old.pk).update(last_seen_at=timezone.now() - timedelta(days=2))
    alive_worker("vm:2:new")
    assert list(Worker.objects.values_list("name", flat=True)) == ["vm:2:new"]


def test_the_admin_lists_workers_alive_and_dead_with_the_jobs_they_hold(admin_client, owner):
    alive = alive_worker("vm:7:alive1")
    dead = alive_worker("vm:8:dead01")
    Worker.objects.filter(pk=dead.pk).update(last_seen_at=timezone.now() - timedelta(minutes=5))
    job = submitted(owner)
    Job.objects.filter(pk=job.pk).update(lease_owner=alive.name, lease_expires_at=timezone.now())

    listing = " ".join(text(admin_client.get("/admin/worker/worker/")).split())
    assert "vm:7:alive1" in listing and "vm:8:dead01" in listing
    assert "alive" in listing and "not seen (dead?)" in listing
    detail = text(admin_client.get(f"/admin/worker/worker/{alive.pk}/change/"))
    assert str(job.public_id)[:8] in detail and f"/admin/studio/job/{job.pk}/change/" in detail
    assert "none" in text(admin_client.get(f"/admin/worker/worker/{dead.pk}/change/"))


def test_only_staff_see_the_workers(owner_client):
    alive_worker()
    response = owner_client.get("/admin/worker/worker/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_beats_and_says_when_it_stopped(start_worker, client):
    process = start_worker()
    worker = wait_for(lambda: Worker.objects.alive().first(), timeout=60)
    assert worker.pid == process.pid
    assert client.get("/readyz").status_code == 200
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    worker.refresh_from_db()
    assert worker.stopped_at is not None and worker.state == "stopped"
    assert client.get("/readyz").status_code == 503
