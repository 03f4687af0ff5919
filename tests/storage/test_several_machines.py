"""The studio as it runs on several machines: two gunicorn web processes and two workers that share nothing
but the database and the S3 server. Each process has its own var/ directory (upload temp files), its own
scratch directory and its own (unused) MEDIA_ROOT. A creative signs in on one web process, uploads there,
submits on the other (the signed session cookie works on both), an emulated provider runs the job, a worker
keeps the result in the bucket, and either web process plays it through a presigned URL.

With DATABASE_URL naming PostgreSQL (as .ci/run does when one answers), the database is the only other thing
the processes share; on the default SQLite it is one file that all of them open.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from seedance_studio.studio.models import Job
from tests.compose_forms import compose_form
from tests.conftest import ROOT, wait_for, worker_environment
from tests.storage.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _machine(tmp_path: Path, name: str, env: dict[str, str]) -> dict[str, str]:
    """One machine's environment: the shared database, bucket and providers, and directories of its own."""
    home = tmp_path / name
    return worker_environment(
        **env,
        STUDIO_VAR_DIR=str(home / "var"),
        MEDIA_ROOT=str(home / "media"),
        STUDIO_SCRATCH_DIR=str(home / "scratch"),
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
    )


@pytest.fixture
def machines(tmp_path, s3_storage, served_emulators):
    """Start two web processes and two workers; stop them all afterwards and print their logs."""
    processes: list[tuple[subprocess.Popen, Path]] = []
    shared = {**s3_storage.env, **served_emulators.env}
    static = _machine(tmp_path, "build", shared)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=static, check=True
    )

    def start(name: str, command: list[str], env: dict[str, str]) -> None:
        log_path = tmp_path / f"{name}.log"
        with log_path.open("w") as log:
            processes.append(
                (subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log_path)
            )

    ports = [free_port(), free_port()]
    # Every process names the same public address (a proxy's, in production; here web-a's): share links,
    # provider callbacks and reference URLs are built on it, by web processes and workers alike.
    shared["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{ports[0]}"
    webs = []
    for name, port in zip(("web-a", "web-b"), ports, strict=True):
        env = _machine(tmp_path, name, shared)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        start(
            name, [gunicorn, "seedance_studio.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env
        )
        webs.append(f"http://127.0.0.1:{port}")
    for name in ("worker-a", "worker-b"):
        start(name, [sys.executable, "manage.py", "runworker"], _machine(tmp_path, name, shared))
    for base in webs:
        wait_for(lambda base=base: _answers(base), timeout=60)
    yield webs
    for process, _ in processes:
        process.send_signal(signal.SIGTERM)
    for process, log_path in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(f"--- {log_path.name} (exit {process.returncode})\n{log_path.read_text()[-3000:]}")


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/accounts/signin/").status_code == 200
    except httpx.TransportError:
        return False


def _sign_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/accounts/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/signin/",
        data={"username": "olivia", "password": "a-long-test-password-1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.text
    client.get("/")
    client.headers.update({"X-CSRFToken": client.cookies["csrftoken"], "Referer": f"{base}/", "HX-Request": "true"})
    return client


def _on(base: str, client: httpx.Client) -> httpx.Client:
    """The same browser (its cookies) talking to another web process."""
    other = httpx.Client(base_url=base, timeout=60, cookies=client.cookies)
    other.headers.update({**client.headers, "Referer": f"{base}/"})
    return other


def test_two_web_and_two_worker_processes_share_only_the_database_and_the_bucket(
    owner, machines, s3_storage, image_file, tmp_path
):
    web_a = _sign_in(machines[0])
    web_b = _on(machines[1], web_a)

    with image_file.open("rb") as handle:
        uploaded = web_a.post("/compose/references/", files={"files": ("harbour.jpg", handle, "image/jpeg")})
    assert uploaded.status_code == 200 and 'data-mention="@image1"' in uploaded.text
    paid = web_b.post(
        "/compose/submit/",
        data=compose_form(
            model="piapi/seedance-2-fast",
            prompt="@image1 a paper lantern drifts over the harbour [[queue=1]] [[run=2]]",
            duration="4",
            resolution="480p",
        ),
    )
    assert paid.status_code == 200, paid.text[-2000:]
    free = web_a.post(
        "/compose/submit/",
        data=compose_form(prompt="@image1 the harbour at dawn", duration="4", resolution="480p"),
    )
    assert free.status_code == 200, free.text[-2000:]

    def ended():
        jobs = list(Job.objects.filter(owner=owner))
        return jobs if len(jobs) == 2 and all(not job.is_in_flight for job in jobs) else None

    jobs = wait_for(ended, timeout=180, interval=0.5)
    assert [job.status for job in jobs] == ["succeeded", "succeeded"], [job.error_message for job in jobs]
    remote = next(job for job in jobs if job.provider_task_id)

    for web in (web_a, web_b):  # either web process sends the owner to the bucket
        page = web.get(f"/jobs/{remote.public_id}/")
        assert page.status_code == 200 and f"/jobs/{remote.public_id}/video.mp4" in page.text
        redirect = web.get(f"/jobs/{remote.public_id}/video.mp4")
        assert redirect.status_code == 302
        assert redirect.headers["location"].startswith(s3_storage.endpoint.public_endpoint)
        played = httpx.get(redirect.headers["location"], headers={"Range": "bytes=0-1023"})
        assert played.status_code == 206 and played.content[4:8] == b"ftyp"

    keys = set(s3_storage.bucket.object_keys())
    for job in jobs:
        assert {f"studio/{job.video.name}", f"studio/{job.poster.name}", f"studio/{job.last_frame.name}"} <= keys
    for name in ("web-a", "web-b", "worker-a", "worker-b"):
        home = tmp_path / name
        assert not [path for path in (home / "media").rglob("*") if path.is_file()], f"{name} wrote to MEDIA_ROOT"
        assert not [path for path in (home / "scratch").rglob("*") if path.is_file()], f"{name} left scratch files"
