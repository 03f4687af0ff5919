"""Server time and SQL queries of a share page, the page a viewer opens from a link in a chat.

Target: p95 under 15 ms and at most 3 SQL queries. Runs the real view (middleware, token lookup, view count,
template) in-process through Django's test client against a throwaway SQLite database, beside a bare view that
returns HttpResponse("ok") through the same middleware, so what the share page itself costs is the difference.
Run: .venv/bin/python benchmarks/share_page.py [--requests 500]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
import types
import uuid
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(client, path: str, requests: int) -> list[float]:
    for _ in range(20):  # warm up imports and template caches
        client.get(path)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(timings)


def summary(timings: list[float]) -> str:
    p95 = timings[int(len(timings) * 0.95) - 1]
    return f"p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="studio-bench-")
    os.environ.update(
        STUDIO_VAR_DIR=var,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="seedance_studio.settings",
        LOG_LEVEL="ERROR",
        MEDIA_ROOT=str(Path(var) / "media"),
        PUBLIC_BASE_URL="https://studio.example.com",
    )
    os.environ.pop("DATABASE_URL", None)
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise wants collectstatic's output; not needed here
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment
    from django.urls import include, path
    from PIL import Image

    from seedance_studio.sharing.models import ShareLink
    from seedance_studio.studio.models import Composition, Job
    from seedance_studio.studio.submission import submit_draft

    setup_test_environment()
    call_command("migrate", verbosity=0)
    # The studio's URLs plus the bare view, in a URLconf made for this run.
    urls = types.ModuleType("share_page_bench_urls")
    urls.urlpatterns = [
        path("bench/bare/", lambda request: HttpResponse("ok")),  # type: ignore[attr-defined]
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[urls.__name__] = urls

    user = get_user_model().objects.create_user("bench", password="bench-password-31415")
    draft = Composition.objects.draft_for(user)
    draft.prompt = "A red fox crosses a snowy field at dawn, slow tracking shot"
    draft.save()
    job = submit_draft(draft, uuid.uuid4())
    held = Job.objects.filter(pk=job.pk).claim_next("bench", lease_seconds=60)
    poster = io.BytesIO()
    Image.new("RGB", (960, 540), (200, 80, 40)).save(poster, "JPEG")
    held.poster.save("poster.jpg", ContentFile(poster.getvalue()), save=False)
    held.video.save("video.mp4", ContentFile(b"\0" * 1024), save=False)  # the page never reads the video
    assert held.succeed("bench", video=held.video.name, poster=held.poster.name, width=1280, height=720, duration=5.0)
    token = ShareLink.objects.share(Job.objects.get(pk=job.pk), show_prompt=True, expires_in_days=7).token()
    share_path = f"/s/{token}/"

    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148")
    # Static URLs from the source files, as the tests do: production's manifest lookup needs a collectstatic run.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=urls.__name__, STORAGES=storages):
        bare = timed(client, "/bench/bare/", args.requests)
        page = timed(client, share_path, args.requests)
        with CaptureQueriesContext(connection) as queries:
            client.get(share_path)
    print(f"bare view (middleware only):        {summary(bare)} over {len(bare)} requests")
    print(f"share page, anonymous phone viewer: {summary(page)} over {len(page)} requests (target p95 < 15 ms)")
    print(f"share page minus the bare view:     p50 {statistics.median(page) - statistics.median(bare):.2f} ms")
    print(f"SQL queries per share page: {len(queries)} (target <= 3)")
    for query in queries.captured_queries:
        print("   ", query["sql"][:110])
    print(f"views counted: {ShareLink.objects.get().views}")


if __name__ == "__main__":
    main()
