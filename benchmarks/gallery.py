"""Server time and SQL queries of the gallery with 1,000 jobs in an account, against the same with 10 jobs, an
unchanged card refresh, and a bare view in the same run.

Targets: gallery page and fragment p95 under 25 ms, the same number of queries with 10 jobs as with 1,000, and an
unchanged card refresh under 5 ms. Runs the real views (middleware, ORM, templates) in-process through Django's
test client against a throwaway SQLite database, without the test runner's template instrumentation (which copies
the context at every template and partial render: a cost production never pays). Estimates are cached a few
minutes (see Job.objects.run_time_estimates): the "cold" line clears the cache before every request.
Run: .venv/bin/python benchmarks/gallery.py [--requests 300] [--jobs 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.composer_fixture import start_throwaway_studio

# A realistic mix: mostly finished work, some failures, and a few jobs in flight at the top of the gallery.
MIX = ["succeeded"] * 14 + ["failed"] * 3 + ["cancelled", "set_aside"]


def fill_gallery(user, count: int) -> None:
    """`count` jobs, oldest first, written in bulk: a history of finished jobs on several providers (what the
    run time estimates learn from), then queued local previews and provider jobs in flight without progress."""
    from django.utils import timezone

    from seedance_studio.studio.models import Composition, Job

    now = timezone.now()
    shapes = [("local_preview", "local"), ("piapi", "seedance-2-fast"), ("goapi", "seedance-2")]
    in_flight = min(4, count // 2)
    specs = []
    for n in range(count):
        provider, tier = shapes[n % len(shapes)]
        status = MIX[n % len(MIX)] if n < count - in_flight else ("queued" if n % 2 else "running")
        if status in ("queued", "running"):
            provider, tier = ("local_preview", "local") if status == "queued" else ("piapi", "seedance-2-fast")
        specs.append((n, provider, tier, status))
    compositions = Composition.objects.bulk_create(
        Composition(
            owner=user,
            provider=provider,
            tier=tier,
            duration=5,
            resolution="720p",
            prompt=f"@image1 walks through the harbour at dawn, take {n}, slow push-in @video1",
        )
        for n, provider, tier, _ in specs
    )
    jobs = []
    for (n, provider, _tier, status), composition in zip(specs, compositions, strict=True):
        created = now - timedelta(minutes=count - n)  # what fill_gallery sets created_at to, below
        remote = provider != "local_preview"
        ended = status in ("succeeded", "failed", "cancelled")
        jobs.append(
            Job(
                owner=user,
                composition=composition,
                submission_key=uuid.uuid4(),
                provider=provider,
                status=status,
                phase="done" if ended else "follow" if status == "running" else "submit",
                price_credits=40 if remote else 0,
                credits_status=(
                    "free"
                    if not remote
                    else "charged"
                    if status == "succeeded"
                    else "released"
                    if ended
                    else "reserved"
                ),
                started_at=None if remote or status == "queued" else created + timedelta(seconds=3),
                create_sent_at=created + timedelta(seconds=1) if remote and status != "queued" else None,
                finished_at=created + timedelta(seconds=40 + n % 50) if ended else None,
                error_message="PiAPI refused the request: the prompt was flagged." if status == "failed" else "",
                video=f"jobs/{n}/video.mp4" if status == "succeeded" else "",
                poster=f"jobs/{n}/poster.jpg" if status == "succeeded" else "",
                request_body={"prompt": "x" * 400, "references": ["https://example.invalid/r.png"] * 4},
            )
        )
    jobs = Job.objects.bulk_create(jobs, batch_size=500)
    for n, job in enumerate(jobs):  # auto_now_add stamped them all "now": spread them out, oldest first
        job.created_at = now - timedelta(minutes=count - n)
    Job.objects.bulk_update(jobs, ["created_at"], batch_size=500)


def _time(
    client, path: str, requests: int, *, expect: int = 200, before=lambda: None, **headers
) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        assert client.get(path, **headers).status_code == expect, path
    timings = []
    for _ in range(requests):
        before()
        started = time.perf_counter()
        response = client.get(path, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == expect
    before()
    with CaptureQueriesContext(connection) as queries:
        client.get(path, **headers)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    start_throwaway_studio()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    import seedance_studio.urls as studio_urls
    from seedance_studio.studio.models import Job

    users = get_user_model().objects
    sizes = {"10": users.create_user("ten"), str(args.jobs): users.create_user("many")}
    started = time.perf_counter()
    for size, user in sizes.items():
        fill_gallery(user, int(size))
    print(f"wrote {10 + args.jobs} jobs in {time.perf_counter() - started:.1f} s")

    bare = [path("bench/bare/", lambda request: HttpResponse("ok"))]
    # Static files from source, as in the tests (production serves collectstatic's hashed names).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    results = {}
    with override_settings(
        ROOT_URLCONF=type("urls", (), {"urlpatterns": bare + studio_urls.urlpatterns}),
        STORAGES=storages,
        ALLOWED_HOSTS=["testserver"],
    ):
        for size, user in sizes.items():
            client = Client()
            client.force_login(user)
            results[("bare view", size)] = _time(client, "/bench/bare/", args.requests)
            results[("gallery page", size)] = _time(client, "/gallery/", args.requests)
            results[("gallery fragment", size)] = _time(client, "/gallery/", args.requests, HTTP_HX_REQUEST="true")
            results[("fragment, cold", size)] = _time(
                client, "/gallery/", args.requests, HTTP_HX_REQUEST="true", before=cache.clear
            )
            job = Job.objects.filter(owner=user, status="running").first()
            results[("unchanged card", size)] = _time(
                client,
                f"/jobs/{job.public_id}/card/?v={job.version}",
                args.requests,
                expect=204,
                HTTP_HX_REQUEST="true",
            )
    for (page, size), (p50, p95, queries) in results.items():
        print(f"{page:>17} ({size:>4} jobs): p50 {p50:6.2f} ms, p95 {p95:6.2f} ms, {queries} queries")
    large, small = str(args.jobs), "10"
    bare_p50 = results[("bare view", large)][0]
    for page in ("gallery page", "gallery fragment"):
        p50, p95, queries = results[(page, large)]
        print(
            f"{page} with {args.jobs} jobs: p95 {p95:.2f} ms (target < 25 ms), {p50 / bare_p50:.1f}x the bare "
            f"view at p50; queries {queries} vs {results[(page, small)][2]} with 10 jobs (target: equal)"
        )
    cold = results[("fragment, cold", large)]
    print(
        f"fragment with {args.jobs} jobs, estimates learned on every request: p95 {cold[1]:.2f} ms, "
        f"queries {cold[2]} vs {results[('fragment, cold', small)][2]} with 10 jobs"
    )
    refresh = results[("unchanged card", large)]
    print(f"unchanged card refresh: p95 {refresh[1]:.2f} ms (target < 5 ms), {refresh[2]} queries, no template")


if __name__ == "__main__":
    main()
