"""Server time and SQL queries of the live check for a 12-reference composition.

Target: p95 under 15 ms and at most 3 SQL queries. Runs the real view (middleware, form, Seedance core,
template) in-process through Django's test client against a throwaway SQLite database.
Run: .venv/bin/python benchmarks/live_check.py [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="studio-bench-")
    os.environ.update(STUDIO_VAR_DIR=var, DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_DEBUG="0",
                      DJANGO_SETTINGS_MODULE="seedance_studio.settings", LOG_LEVEL="ERROR")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from seedance_studio.references.models import Reference
    from seedance_studio.studio.models import Composition

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-31415")
    draft = Composition.objects.draft_for(user)
    kinds = ["image"] * 7 + ["video"] * 3 + ["audio"] * 2
    references = [Reference.objects.create(
        owner=user, kind=kind, file=f"references/{uuid.uuid4().hex}", original_name=f"{kind}{n}",
        format={"image": "jpeg", "video": "mp4", "audio": "mp3"}[kind], extension="x", content_type="x",
        size_bytes=2_000_000, width=None if kind == "audio" else 1920, height=None if kind == "audio" else 1080,
        duration=None if kind == "image" else 4.0, fps=24 if kind == "video" else None, has_audio=kind == "video",
    ) for n, kind in enumerate(kinds)]
    draft.append(references)
    prompt = " ".join(f"@image{n}" for n in range(1, 8)) + " @video1 @video2 @video3 @audio1 @audio2 in the rain"
    client = Client(HTTP_HX_REQUEST="true")
    client.force_login(user)
    data = {"prompt": prompt, "model": "goapi/seedance-2", "mode": "omni_reference", "duration": "10",
            "aspect_ratio": "16:9", "resolution": "480p", "generate_audio": "on"}
    for _ in range(20):  # warm up imports and template caches
        client.post("/compose/check/", data)
    timings = []
    for n in range(args.requests):
        data["prompt"] = prompt + f" take {n}"
        started = time.perf_counter()
        response = client.post("/compose/check/", data)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.post("/compose/check/", data)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"live check, 12 references, GoAPI omni reference: p50 {statistics.median(timings):.2f} ms, "
          f"p95 {p95:.2f} ms, max {timings[-1]:.2f} ms over {len(timings)} requests (target p95 < 15 ms)")
    print(f"SQL queries per check: {len(queries)} (target <= 3)")
    for query in queries.captured_queries:
        print("   ", query["sql"][:110])


if __name__ == "__main__":
    main()
