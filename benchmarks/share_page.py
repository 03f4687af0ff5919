"""Server time and SQL queries of a share page, the page a viewer opens from a link in a chat; then a share link
under load.

Target: p95 under 15 ms and at most 3 SQL queries. Runs the real view (middleware, token lookup, view count,
template) in-process through Django's test client against a throwaway SQLite database, beside a bare view that
returns HttpResponse("ok") through the same middleware, so what the share page itself costs is the difference.

Under load (--viewers, default 50): a real gunicorn with 4 sync workers, and that many viewers at once, each
opening the page and playing the video as a phone does (a Range request from the start, read at 2 MB/s, then a
seek to the middle and on to the end), while /healthz is timed every 20 ms. With S3 storage (moto's server on
127.0.0.1) the studio answers each video request with a redirect to a presigned URL, so the web workers stay
free: target, /healthz under 50 ms throughout. The same run on local disk (Django streams the bytes) shows what
the redirect saves.
Run: .venv/bin/python benchmarks/share_page.py [--requests 500] [--viewers 50] [--storage s3|local|both]
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.composer_fixture import start_throwaway_studio


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
    parser.add_argument("--viewers", type=int, default=50, help="0: no load run")
    parser.add_argument("--storage", choices=["s3", "local", "both"], default="both")
    args = parser.parse_args()
    if args.viewers:
        for storage in ("s3", "local") if args.storage == "both" else (args.storage,):
            under_load(args.viewers, storage)
    start_throwaway_studio(PUBLIC_BASE_URL="https://studio.example.com")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
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


# Made by the studio's own code in the benchmark studio's environment: a finished job whose video is ~14 MB of
# lossless noise (bigger than a socket's buffers, so a streaming web worker is held while a viewer reads it).
_SHARED_JOB = """
import io, uuid
from pathlib import Path
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image
from seedance_studio.sharing.models import ShareLink
from seedance_studio.studio.models import Composition, Job
from seedance_studio.studio.submission import submit_draft
draft = Composition.objects.draft_for(get_user_model().objects.get(username="bench"))
draft.prompt = "A red fox crosses a snowy field at dawn"
draft.save()
job = submit_draft(draft, uuid.uuid4())
held = Job.objects.filter(pk=job.pk).claim_next("bench", lease_seconds=60)
poster = io.BytesIO()
Image.new("RGB", (960, 540), (200, 80, 40)).save(poster, "JPEG")
held.poster.save("poster.jpg", ContentFile(poster.getvalue()), save=False)
with open(VIDEO, "rb") as handle:
    held.video.save("video.mp4", File(handle), save=False)
assert held.succeed("bench", video=held.video.name, poster=held.poster.name, width=1280, height=720, duration=1.0)
print("TOKEN", ShareLink.objects.share(Job.objects.get(pk=job.pk), show_prompt=False, expires_in_days=7).token())
"""


ARRIVAL_SECONDS = 5.0
BASELINE_SECONDS = 5.0

# Times GET /healthz every 20 ms until a line arrives on stdin, then prints "wall-clock-time ms" per request (a
# request that gets no answer in 60 s counts as 60 s).
_HEALTH_PROBE = """
import sys, threading, time, httpx
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
times = []
with httpx.Client(base_url=sys.argv[1], timeout=60) as client:
    while not stop.is_set():
        at, started = time.time(), time.perf_counter()
        try:
            assert client.get("/healthz").status_code == 200
        except httpx.TimeoutException:
            pass
        times.append((at, (time.perf_counter() - started) * 1000))
        time.sleep(0.02)
print("\\n".join(f"{at:.3f} {t:.2f}" for at, t in times))
"""


def _health_summary(times: list[float]) -> str:
    if not times:
        return "no requests"
    ordered = sorted(times)
    slow = sum(1 for t in times if t >= 50)
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p95 {ordered[max(0, int(len(ordered) * 0.95) - 1)]:.1f} ms, "
        f"max {ordered[-1]:.1f} ms over {len(ordered)} requests, {slow} at or over 50 ms"
    )


def under_load(viewers: int, storage: str) -> None:
    import subprocess
    import threading
    from contextlib import ExitStack

    import httpx

    from benchmarks.s3_server import running_s3
    from benchmarks.studio_process import ROOT, running_studio
    from benchmarks.upload_memory import make_50mb_video

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        video = make_50mb_video(scratch / "video.mp4", frames=10)
        env = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
        if storage == "s3":
            env.update(stack.enter_context(running_s3()).env)
        _client, _processes, var = stack.enter_context(running_studio(worker=False, web_workers=4, **env))
        made = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", f"VIDEO = {str(video)!r}\n{_SHARED_JOB}"],
            cwd=ROOT,
            env=dict(os.environ, STUDIO_VAR_DIR=str(var), STATIC_ROOT=f"{var}/static", DJANGO_DEBUG="0", **env),
            capture_output=True,
            text=True,
            check=True,
        )
        token = made.stdout.split("TOKEN ")[1].strip()
        base = str(_client.base_url)
        size = video.stat().st_size
        bytes_read = [0] * viewers
        errors: list[str] = []

        # /healthz is timed from a process of its own, so the viewers' threads (and their GIL) never delay it.
        prober = subprocess.Popen(
            [sys.executable, "-c", _HEALTH_PROBE, base], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

        def viewer(index: int) -> None:
            try:
                with httpx.Client(base_url=base, timeout=120, follow_redirects=True) as client:
                    assert client.get(f"/s/{token}/").status_code == 200
                    for start in (0, size // 2):  # play from the start, then seek to the middle
                        with client.stream("GET", f"/s/{token}/video.mp4", headers={"Range": f"bytes={start}-"}) as r:
                            assert r.status_code == 206, r.status_code
                            began = time.perf_counter()
                            read = 0
                            for chunk in r.iter_bytes(64 * 1024):
                                read += len(chunk)
                                ahead = read / (2 * 1024 * 1024) - (time.perf_counter() - began)
                                if ahead > 0:
                                    time.sleep(ahead)  # a phone reads at about 2 MB/s
                            bytes_read[index] += read
            except Exception as error:  # reported below; the run goes on
                errors.append(f"viewer {index}: {error!r}")

        time.sleep(BASELINE_SECONDS)  # /healthz on this machine as it is, before any viewer comes
        arrived = time.time()
        started = time.perf_counter()
        threads = [threading.Thread(target=viewer, args=(index,)) for index in range(viewers)]
        for thread in threads:
            thread.start()
            time.sleep(ARRIVAL_SECONDS / viewers)  # the viewers arrive over a few seconds, not in one instant
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        out, _ = prober.communicate("stop\n", timeout=120)
        samples = [tuple(map(float, line.split())) for line in out.splitlines() if line.strip()]
        baseline = [t for at, t in samples if at < arrived]
        health = [t for at, t in samples if at >= arrived]
    label = "S3, redirect to presigned URLs" if storage == "s3" else "local disk, Django streams"
    print(
        f"{label}: {viewers} viewers read {sum(bytes_read) / 1e6:.0f} MB of a {size / 1e6:.1f} MB video with Range "
        f"requests in {elapsed:.1f} s (gunicorn, 4 sync workers; arrivals spread over {ARRIVAL_SECONDS:.0f} s); "
        f"{len(errors)} viewer errors"
    )
    print(f"{label}: /healthz before the viewers came ({BASELINE_SECONDS:.0f} s): {_health_summary(baseline)}")
    print(f"{label}: /healthz during the load: {_health_summary(health)} (target: under 50 ms throughout, with S3)")
    for error in errors[:3]:
        print("   ", error)


if __name__ == "__main__":
    main()
