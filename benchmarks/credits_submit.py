"""Paid submissions per second with their credit reservation, on PostgreSQL, 8 concurrent clients.

Every client is the same creative, so all reservations contend for one account row (the worst case for the row
lock). One submission in five resends the previous key (a double click), which must not reserve twice.
Baseline in the same run and the same server: the live check (same form and Seedance core, no reservation).
Targets: no lost or double reservation, at least 50 submissions per second on the 2-core machine.

Runs against a throwaway database on the local PostgreSQL (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/postgres for creating it); nothing is sent to any provider (no worker runs).
Run: .venv/bin/python benchmarks/credits_submit.py [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from benchmarks.studio_process import ROOT, running_studio, signed_in_client

HTMX = {"HX-Request": "true"}
FORM = {
    "prompt": "A lighthouse at dawn, slow push-in",
    "model": "piapi/seedance-2-fast",
    "mode": "auto",
    "duration": "4",
    "aspect_ratio": "16:9",
    "resolution": "480p",
    "generate_audio": "on",
}
PRICE = 32  # 4 s x $0.08 (000:286) = $0.32 -> 32 credits
GRANT = 10_000_000


def _throughput(base: str, clients: int, seconds: float, path: str, *, resend_every: int = 0):
    """Requests per second of `clients` threads posting the compose form for `seconds`; returns (rate, keys)."""
    sessions = [signed_in_client(base) for _ in range(clients)]
    stop = time.monotonic() + seconds
    counts, keys, errors = [0] * clients, [[] for _ in range(clients)], []

    def run(index: int) -> None:
        client = sessions[index]
        previous = None
        while time.monotonic() < stop:
            resend = resend_every and previous and counts[index] % resend_every == 0
            key = previous if resend else uuid.uuid4()
            response = client.post(path, headers=HTMX, data={**FORM, "submission_key": str(key)})
            if response.status_code != 200 or (
                path.endswith("submit/") and "job-created" not in response.headers.get("HX-Trigger", "")
            ):
                errors.append((response.status_code, response.text[:300]))
                return
            counts[index] += 1
            keys[index].append(key)
            previous = key

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(f"{path} failed: {errors[0]}")
    return sum(counts) / elapsed, [key for per_client in keys for key in per_client]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"studio_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    # PiAPI "configured" at an address on this machine that nothing listens on: submit works, nothing leaves.
    with running_studio(
        worker=False,
        web_workers=args.web_workers,
        database_url=database_url,
        PIAPI_API_KEY="bench-key",
        PIAPI_BASE_URL="http://127.0.0.1:9",
    ) as (client, _p, _v):
        env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SECRET_KEY="x" * 50, LOG_LEVEL="ERROR")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; from seedance_studio.credits import "
                f"ledger; ledger.grant(get_user_model().objects.get(username='bench'), {GRANT}, "
                "reason='benchmark')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        base = str(client.base_url)
        check_rate, _ = _throughput(base, args.clients, args.seconds, "/compose/check/")
        submit_rate, keys = _throughput(base, args.clients, args.seconds, "/compose/submit/", resend_every=5)
    with psycopg.connect(database_url) as db:
        jobs = db.execute("SELECT count(*) FROM studio_job").fetchone()[0]
        reserves = db.execute(
            "SELECT count(*), coalesce(sum(amount), 0) FROM credits_ledgerentry WHERE kind = 'reserve'"
        ).fetchone()
        doubled = db.execute(
            "SELECT count(*) FROM (SELECT job_public_id FROM credits_ledgerentry WHERE kind = "
            "'reserve' GROUP BY job_public_id HAVING count(*) > 1) d"
        ).fetchone()[0]
        available, held = db.execute("SELECT available, held FROM credits_creditaccount").fetchone()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    distinct_keys = len(set(keys))
    lost = distinct_keys - jobs
    print(f"live check (baseline, same server): {check_rate:.0f} requests/s with {args.clients} clients")
    print(
        f"paid submit with reservation: {submit_rate:.0f} submissions/s with {args.clients} clients on "
        f"PostgreSQL ({len(keys)} posts, {len(keys) - distinct_keys} of them resent keys) "
        f"= {submit_rate / check_rate:.2f}x the live check's rate (target >= 50/s)"
    )
    print(
        f"jobs {jobs}, reservations {reserves[0]} ({reserves[1]} credits), distinct keys {distinct_keys}: "
        f"lost {lost}, doubled {doubled}; balance {available} available + {held} held = "
        f"{available + held} of {GRANT} granted (target: 0 lost, 0 doubled, held = jobs x {PRICE})"
    )
    ok = lost == 0 and doubled == 0 and reserves[0] == jobs and held == jobs * PRICE and available + held == GRANT
    if not ok:
        raise SystemExit("MONEY MISMATCH")


if __name__ == "__main__":
    main()
