"""Server time and SQL queries of the live check for a 12-reference composition, beside a bare view.

The live check (POST /compose/check/) runs on every keystroke. Target: p50 and p95 under 8x those of a bare
Django view (`HttpResponse("ok")` for the same signed-in client, through the same middleware, never touching the
user), and 3 SQL queries: the signed-in user with their balance, the draft's references, and the UPDATE that saves
the draft. For scale it also times the bare view with the user loaded (`login_required`) and a view making the
check's three queries and nothing else: no live check can be faster than that. Each keystroke's prompt differs,
as typing does; the panel, Submit and the findings slots then mostly do not, and the studio renders each distinct
one once (studio/templatetags/compose.py). "live check, panel new" is the worst keystroke, every one of them
rendered anew (the remembered HTML forgotten before each request).

Everything runs in one process, the requests of each kind interleaved so that a busy moment of the machine hits
all alike, through Django's test client against a throwaway SQLite database: the real view (middleware, form,
Seedance core, template), without the test runner's template instrumentation (it copies the context at every
template and partial render: a cost production never pays). Times are wall-clock and the serving thread's CPU
time, which other processes on a shared machine do not inflate.
Run: .venv/bin/python benchmarks/live_check.py [--requests 1000] [--profile]
  --profile prints where the check spends its time (cProfile; PROFILE_SORT, PROFILE_LINES, PROFILE_DUMP=file).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.composer_fixture import (
    FORM,
    PROMPT,
    creative_with_twelve_references,
    percentiles,
    print_profile,
    start_throwaway_studio,
)

TARGET_RATIO = 8
TARGET_QUERIES = 3
FIRST_RENDER = "live check, panel new"
URLENCODED = "application/x-www-form-urlencoded"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print where the live check spends its time")
    args = parser.parse_args()
    start_throwaway_studio()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import path

    import seedance_studio.urls as studio_urls
    from seedance_studio.provider_api import make_config
    from seedance_studio.studio.models import Composition
    from seedance_studio.studio.templatetags.compose import forget_rendered_partials

    user = creative_with_twelve_references(100_000)
    prompt, data = PROMPT, FORM

    @login_required
    def queries_only(request):
        """The live check's three queries and nothing else: the floor under any live check."""
        list(Composition.objects.draft_references(request.user))
        Composition.objects.save_draft_fields(request.user, {"prompt": request.POST["prompt"]})
        return HttpResponse("ok")

    bare = [
        path("bench/bare/", lambda request: HttpResponse("ok")),
        path("bench/signed-in/", login_required(lambda request: HttpResponse("ok"))),
        path("bench/queries/", queries_only),
    ]
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        ROOT_URLCONF=type("urls", (), {"urlpatterns": bare + studio_urls.urlpatterns}),
        STORAGES=storages,
        ALLOWED_HOSTS=["testserver"],
        PROVIDERS={**settings.PROVIDERS, "hiapi": make_config("hiapi", "bench-key-not-real")},
        PUBLIC_BASE_URL="https://studio.example.com",
    ):
        client = Client(HTTP_HX_REQUEST="true")
        client.force_login(user)

        def body(n: int) -> str:  # as htmx sends the form: url-encoded, not multipart
            return urlencode({**data, "prompt": f"{prompt} take {n}"})

        def check(n: int):
            return client.post("/compose/check/", body(n), content_type=URLENCODED)

        first = check(0)
        assert first.status_code == 200 and "Ready to submit" in first.content.decode(), first.content.decode()[:3000]
        requests = {
            "bare view": "/bench/bare/",
            "bare view, user loaded": "/bench/signed-in/",
            "the check's 3 queries": "/bench/queries/",
            "live check": "/compose/check/",
            # The worst keystroke: a panel and slots unlike any rendered before (see templatetags/compose.py).
            FIRST_RENDER: "/compose/check/",
        }
        timings: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in requests}
        for n in range(-50, args.requests):  # the first 50 warm up imports, the template loader and every cache
            for name, url in requests.items():  # interleaved, so a busy moment of the machine hits both alike
                sent = body(n)
                if name == FIRST_RENDER:
                    forget_rendered_partials()
                wall, cpu = time.perf_counter(), time.thread_time()
                response = client.post(url, sent, content_type=URLENCODED)
                cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
                assert response.status_code == 200
                if n >= 0:
                    timings[name]["wall"].append(wall * 1000)
                    timings[name]["cpu"].append(cpu * 1000)
        with CaptureQueriesContext(connection) as captured:
            check(args.requests)
        queries = [query["sql"] for query in captured.captured_queries]
        if args.profile:
            print_profile(check, 200)

    print(f"12 references, HiAPI omni reference, {args.requests} requests of each, interleaved")
    for clock, what in (
        ("wall", "wall-clock time"),
        ("cpu", "CPU time of the serving thread (other processes on the machine do not inflate it)"),
    ):
        bare_p50, bare_p95 = percentiles(timings["bare view"][clock])
        print(f"{what}:")
        print(f"  {'':24} {'p50':>9} {'p95':>9}   x bare at p50, p95")
        for name in requests:
            p50, p95 = percentiles(timings[name][clock])
            print(f"  {name:24} {p50:6.3f} ms {p95:6.3f} ms   {p50 / bare_p50:5.1f}x {p95 / bare_p95:5.1f}x")
        p50, p95 = percentiles(timings["live check"][clock])
        print(
            f"  live check / bare view: p50 {p50 / bare_p50:.1f}x, p95 {p95 / bare_p95:.1f}x "
            f"(target < {TARGET_RATIO}x at both)"
        )
    print(f"SQL queries per check: {len(queries)} (target {TARGET_QUERIES})")
    for sql in queries:
        print("   ", sql[:110])


if __name__ == "__main__":
    main()
