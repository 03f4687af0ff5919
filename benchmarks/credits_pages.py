"""Server time and SQL queries of the credits page and the admin's reconciliation page with 10,000 ledger
entries, against the same pages with 100 entries and against a bare view in the same run.

Targets: p95 under 50 ms, and the same number of queries with 10,000 entries as with 100.
Runs the real views in-process (Django's test client) on a throwaway database: PostgreSQL when BENCH_POSTGRES_URL
or the local server answers, else SQLite.
Run: .venv/bin/python benchmarks/credits_pages.py [--requests 200] [--entries 10000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.composer_fixture import start_throwaway_studio

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _throwaway_postgres() -> str | None:
    try:
        import psycopg

        name = f"studio_bench_{secrets.token_hex(4)}"
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=2) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    except Exception:
        return None


def _drop(database_url: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def fill_ledger(user, entries: int) -> None:
    """A realistic, consistent history: grants, then jobs that were reserved and charged or refunded, written
    in bulk (the chain of balances computed here exactly as credits.ledger would)."""
    from seedance_studio.credits.models import CreditAccount, LedgerEntry
    from seedance_studio.studio.models import Composition, Job

    jobs_count = (entries - entries // 10) // 2
    grants = entries - 2 * jobs_count
    compositions = Composition.objects.bulk_create(
        Composition(
            owner=user, provider="piapi", tier="seedance-2-fast", prompt=f"shot {n}", duration=5, resolution="480p"
        )
        for n in range(jobs_count)
    )
    jobs = Job.objects.bulk_create(
        Job(
            owner=user,
            composition=composition,
            submission_key=uuid.uuid4(),
            provider="piapi",
            price_credits=40,
            quote={"summary": "5 s x $0.08 = $0.40 -> 40 credits", "lines": ["5 s x $0.08"]},
            status="succeeded" if n % 4 else "failed",
            credits_status="charged" if n % 4 else "released",
            phase="done",
        )
        for n, composition in enumerate(compositions)
    )
    available = held = 0
    rows = []

    def write(kind, amount, job=None, reason=""):
        nonlocal available, held
        available += {"grant": amount, "reserve": -amount, "release": amount}.get(kind, 0)
        held += {"reserve": amount, "consume": -amount, "release": -amount}.get(kind, 0)
        rows.append(
            LedgerEntry(
                user=user,
                kind=kind,
                amount=amount,
                available_after=available,
                held_after=held,
                job_public_id=job.public_id if job else None,
                reason=reason,
            )
        )

    for n in range(grants):
        write("grant", 1000, reason=f"top-up {n}")
    for job in jobs:
        write("reserve", 40, job)
        write("consume" if job.credits_status == "charged" else "release", 40, job, reason="")
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    CreditAccount.objects.update_or_create(user=user, defaults={"available": available, "held": held})


def _time(client, path: str, requests: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        assert client.get(path).status_code == 200, path
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    database_url = _throwaway_postgres()
    try:
        start_throwaway_studio(database_url)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.http import HttpResponse
        from django.test import Client
        from django.test.utils import override_settings, setup_test_environment
        from django.urls import path

        setup_test_environment()
        users = get_user_model().objects
        small, large = users.create_user("small"), users.create_user("large")
        admin = users.create_superuser("boss", password="bench-password-31415")
        staff = Client()
        staff.force_login(admin)
        fill_ledger(small, 100)

        import seedance_studio.urls as studio_urls

        bare = [path("bench/bare/", lambda request: HttpResponse("ok"))]
        # Static files from source, as in the tests (production serves collectstatic's hashed names).
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(
            ROOT_URLCONF=type("urls", (), {"urlpatterns": bare + studio_urls.urlpatterns}), STORAGES=storages
        ):
            results = {("reconciliation", "100"): _time(staff, "/admin/credits/reconciliation/", args.requests // 4)}
            started = time.perf_counter()
            fill_ledger(large, args.entries)
            print(
                f"wrote {args.entries} ledger entries in {time.perf_counter() - started:.1f} s on {connection.vendor}"
            )
            for name, user in (("100", small), (str(args.entries), large)):
                client = Client()
                client.force_login(user)
                results[("bare", name)] = _time(client, "/bench/bare/", args.requests)
                results[("credits", name)] = _time(client, "/credits/", args.requests)
            results[("reconciliation", str(args.entries))] = _time(
                staff, "/admin/credits/reconciliation/", args.requests // 4
            )
        for (page, size), (p50, p95, queries) in results.items():
            print(f"{page:>15} ({size} entries): p50 {p50:6.2f} ms, p95 {p95:6.2f} ms, {queries} queries")
        bare_p50 = results[("bare", str(args.entries))][0]
        credits_large, credits_small = results[("credits", str(args.entries))], results[("credits", "100")]
        print(
            f"credits page with {args.entries} entries: p95 {credits_large[1]:.2f} ms (target < 50 ms), "
            f"{credits_large[0] / bare_p50:.1f}x the bare view at p50; queries {credits_large[2]} vs "
            f"{credits_small[2]} with 100 entries (target: equal)"
        )
        reconciliation = results[("reconciliation", str(args.entries))]
        print(
            f"reconciliation over {args.entries + 100} entries: p95 {reconciliation[1]:.2f} ms (target < 50 ms), "
            f"queries {reconciliation[2]} vs {results[('reconciliation', '100')][2]} with 100 (target: equal)"
        )
    finally:
        if database_url:
            from django.db import connections

            connections.close_all()
            _drop(database_url)


if __name__ == "__main__":
    main()
