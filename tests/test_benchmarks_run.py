"""The benchmark scripts still run against today's code (their numbers are only meaningful in `make benchmark`;
here each runs once, briefly, so a change to a form or URL cannot silently break them)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "script, args",
    [
        ("live_check.py", ["--requests", "5"]),
        ("submit_to_playable.py", ["--runs", "1"]),
        ("gallery.py", ["--requests", "5", "--jobs", "60"]),
        ("share_page.py", ["--requests", "5", "--viewers", "3", "--storage", "s3"]),
        ("compare_takes.py", ["--requests", "5", "--takes", "2"]),
        # 6 s of the camera clip: about 10 MB, so the upload is sent on to the bucket in parts while it arrives.
        ("upload_memory.py", ["--runs", "1", "--storage", "s3", "--seconds", "6"]),
    ],
)
def test_the_benchmark_runs(script, args):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # they use their own SQLite
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "target" in result.stdout
