"""What the benchmarks share: a throwaway studio in this process (live_check.py, compare_takes.py, gallery.py,
credits_pages.py, share_page.py), and a
creative whose draft holds twelve references (7 images, 3 videos, 2 audio), all mentioned, on HiAPI (the first two)."""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import uuid
import warnings

KINDS = ["image"] * 7 + ["video"] * 3 + ["audio"] * 2
PROMPT = " ".join(f"@image{n}" for n in range(1, 8)) + " @video1 @video2 @video3 @audio1 @audio2 in the rain"
# The form as htmx posts it: HiAPI takes all twelve, so the panel has a price, a request body and no error.
FORM = {
    "prompt": PROMPT,
    "model": "hiapi/seedance-2-0",
    "mode": "omni_reference",
    "duration": "10",
    "aspect_ratio": "16:9",
    "resolution": "720p",
    "generate_audio": "on",
}


def start_throwaway_studio(database_url: str | None = None, **extra_env: str) -> None:
    """Django set up in this process on a fresh database (SQLite in a temporary directory, or the throwaway
    `database_url`), production settings (DEBUG off), `extra_env` on top, and migrated."""
    os.environ.update(
        STUDIO_VAR_DIR=tempfile.mkdtemp(prefix="studio-bench-"),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="seedance_studio.settings",
        LOG_LEVEL="ERROR",
        **extra_env,
    )
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise wants collectstatic's output; not needed here
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def creative_with_twelve_references(credits: int):
    """A creative granted `credits`, whose draft holds the twelve references FORM mentions."""
    from django.contrib.auth import get_user_model

    from seedance_studio.credits import ledger
    from seedance_studio.references.models import Reference
    from seedance_studio.studio.models import Composition

    user = get_user_model().objects.create_user("bench", password="bench-password-31415")
    Composition.objects.draft_for(user).append(
        [
            Reference.objects.create(
                owner=user,
                kind=kind,
                file=f"references/{uuid.uuid4().hex}",
                original_name=f"{kind}{n}",
                format={"image": "jpeg", "video": "mp4", "audio": "mp3"}[kind],
                extension="x",
                content_type="x",
                size_bytes=2_000_000,
                width=None if kind == "audio" else 1920,
                height=None if kind == "audio" else 1080,
                duration=None if kind == "image" else 4.0,
                fps=24 if kind == "video" else None,
                has_audio=kind == "video",
            )
            for n, kind in enumerate(KINDS)
        ]
    )
    ledger.grant(user, credits, reason="Benchmark: enough credits for any quote.")
    return user


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def print_profile(call, times: int) -> None:
    """cProfile of `call(n)` for n in range(times), printed sorted by PROFILE_SORT (cumulative), PROFILE_LINES (40)
    lines long, and dumped to the file PROFILE_DUMP names, if it names one (for snakeviz and the like)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(times):
        call(n)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
        int(os.environ.get("PROFILE_LINES", "40"))
    )
