"""A throwaway studio for benchmarks: its own var/ directory and SQLite database, a real gunicorn web server
and a real worker, and an httpx client signed in as a creative. Everything runs on 127.0.0.1 only."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_studio(*, worker: bool = True, web_workers: int = 1, database_url: str | None = None, **extra_env: str):
    """`database_url`: a throwaway database to use instead of a fresh SQLite file (it is migrated here)."""
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as var:
        port = free_port()
        env = dict(
            os.environ,
            STUDIO_VAR_DIR=var,
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_DEBUG="0",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            WORKER_IDLE_SLEEP_MS="100",
            LOG_LEVEL="ERROR",
        )
        env.update(extra_env)  # may replace the defaults above (a benchmark that needs to know the secret key)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=dict(env, STATIC_ROOT=f"{var}/static"),
            check=True,
        )
        env["STATIC_ROOT"] = f"{var}/static"
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; "
                "get_user_model().objects.create_user('bench', password='bench-password-31415')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        processes = {
            "web": subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "seedance_studio.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(web_workers),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        }
        if worker:
            processes["worker"] = subprocess.Popen([*manage, "runworker"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            client = signed_in_client(base)
            yield client, processes, Path(var)
        finally:
            for process in processes.values():
                process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()


def signed_in_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    for _ in range(100):
        try:
            page = client.get("/accounts/signin/")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        raise RuntimeError("the web server did not start")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/signin/",
        data={"username": "bench", "password": "bench-password-31415", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.text
    compose = client.get("/")
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    client.headers["Referer"] = base + "/"
    assert compose.status_code == 200
    return client


def csrf_form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
