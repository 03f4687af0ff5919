"""Personas and shared fixtures.

- `owner`: the creative whose work is under test, with OWNER_CREDITS granted by an admin; `owner_client` is
  signed in as them.
- `admin_user` (pytest-django's): a superuser; `admin_client` is signed in as them.
- `outsider`: another creative of the same studio; must never see the owner's files or jobs (404).
- `client` (pytest-django's): anonymous.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests import media_factory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    # Production serves hashed static names from collectstatic's manifest; tests serve the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield


OWNER_CREDITS = 10_000


@pytest.fixture
def owner(django_user_model):
    from seedance_studio.credits import ledger

    creative = django_user_model.objects.create_user("olivia", password="a-long-test-password-1")
    ledger.grant(creative, OWNER_CREDITS, reason="Test persona: the studio's admin funded this creative.")
    return creative


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("oscar", password="a-long-test-password-2")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(outsider):
    from django.test import Client

    other = Client()
    other.force_login(outsider)
    return other


def wait_for(predicate, timeout=60.0, interval=0.1):
    """Poll `predicate` until it returns something truthy (what real worker processes do takes a while)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("timed out waiting")


@pytest.fixture
def media_dir(tmp_path) -> Path:
    path = tmp_path / "made"
    path.mkdir()
    return path


@pytest.fixture
def image_file(media_dir) -> Path:
    return media_factory.make_image(media_dir / "sunrise.jpg", 800, 600)


@pytest.fixture
def video_file(media_dir) -> Path:
    return media_factory.make_video(media_dir / "walk.mp4", seconds=2, width=640, height=360)


@pytest.fixture
def audio_file(media_dir) -> Path:
    return media_factory.make_audio(media_dir / "theme.mp3", seconds=3)


def worker_environment(**extra: str) -> dict[str, str]:
    """Environment for a real worker process that must see this test's database and media."""
    from django.db import connection

    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        at = "@" if user else ""
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}{password}{at}{host}:{port}/{db['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["WORKER_IDLE_SLEEP_MS"] = "100"
    env.update(extra)
    return env


@pytest.fixture
def start_worker(tmp_path):
    """Start real `manage.py runworker` processes; all are stopped (SIGKILL if need be) after the test, and
    their logs are printed so a failing test shows what the workers said."""
    processes: list[tuple[subprocess.Popen, Path]] = []

    def start(**extra_env: str) -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(processes)}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "runworker"],
                cwd=ROOT,
                env=worker_environment(**extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append((process, log_path))
        return process

    yield start
    for process, log_path in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        print(f"--- {log_path.name} (exit {process.returncode})\n{log_path.read_text()}")


@pytest.fixture
def served_emulators():
    """The provider emulators on a real local port, as `manage.py run_provider_emulator` serves them: `.env` has
    the variables that point a studio process at them, `.emulators` the emulators themselves (task counts)."""
    import threading
    from types import SimpleNamespace

    from seedance_studio.emulators.server import serve, start, studio_environment

    server, emulators = start("127.0.0.1", 0, hiapi_signing_key="hiapi-served-test-key")
    thread = threading.Thread(target=serve, args=(server, emulators), daemon=True)
    thread.start()
    yield SimpleNamespace(env=studio_environment(emulators, server.base_url), emulators=emulators)
    server.shutdown()
