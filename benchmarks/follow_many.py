"""One worker process following 500 in-flight jobs at the emulated providers: polling lag, CPU and memory.

Targets: lag under one second past schedule, under one core, under 200 MB. The emulators run in their own
process (`manage.py run_provider_emulator`), on 127.0.0.1, with tasks that stay running for the whole run.
"Lag" is sampled from outside: every 0.25 s, how far past its `run_after` the most overdue unclaimed job is.
Run: .venv/bin/python benchmarks/follow_many.py [--jobs 500] [--seconds 120]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.studio_process import free_port  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="studio-bench-")
    port = free_port()
    env = dict(
        os.environ,
        STUDIO_VAR_DIR=var,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="seedance_studio.settings",
        PUBLIC_BASE_URL="http://127.0.0.1:9",
    )  # nobody listens: callbacks fail, polling does the work
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    emulator = subprocess.Popen(
        [*manage, "run_provider_emulator", "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    exports = {}
    for line in emulator.stdout:
        match = re.match(r"\s+export (\w+)=(\S+)", line)
        if match:
            exports[match.group(1)] = match.group(2)
        if line.startswith("Ctrl-C"):
            break
    env.update(exports)
    os.environ.update(env)
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from seedance_studio.studio.models import Composition, Job
    from seedance_studio.studio.submission import submit_draft

    owner = get_user_model().objects.create_user("bench")
    draft = Composition.objects.draft_for(owner)
    draft.provider, draft.tier, draft.duration, draft.resolution = "piapi", "seedance-2-fast", 5, "480p"
    for n in range(args.jobs):
        draft.prompt = f"Shot {n} [[queue=5]] [[run=100000]]"
        draft.save()
        submit_draft(draft, uuid.uuid4())
    print(f"queued {Job.objects.count()} PiAPI jobs at the emulator on port {port}")

    worker = subprocess.Popen([*manage, "runworker"], cwd=ROOT, env=env)
    started, cpu_start = time.monotonic(), cpu_seconds(worker.pid)
    lags, rss = [], []
    try:
        while time.monotonic() - started < args.seconds:
            now = timezone.now()
            overdue = (
                Job.objects.filter(lease_expires_at__isnull=True, run_after__lt=now)
                .in_flight()
                .order_by("run_after")
                .values_list("run_after", flat=True)
                .first()
            )
            lags.append((now - overdue).total_seconds() if overdue else 0.0)
            rss.append(memory_mb(worker.pid)[0])
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        cpu = (cpu_seconds(worker.pid) - cpu_start) / elapsed
        peak = memory_mb(worker.pid)[1]
        following = Job.objects.filter(phase="follow").count()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        emulator.terminate()
        emulator.wait(timeout=10)
    steady = lags[len(lags) // 4 :]  # after the first quarter: all 500 creates have been sent
    lags.sort()
    steady.sort()
    print(f"{following} of {args.jobs} jobs being followed after {elapsed:.0f} s")
    print(
        f"polling lag past schedule: p50 {statistics.median(lags):.2f} s, p95 {lags[int(len(lags) * 0.95)]:.2f} s, "
        f"max {lags[-1]:.2f} s; steady state p95 {steady[int(len(steady) * 0.95)]:.2f} s (target < 1 s)"
    )
    print(
        f"worker CPU {cpu * 100:.0f}% of one core (target < 100%), RSS now {rss[-1]:.0f} MB, peak {peak:.0f} MB "
        f"(target < 200 MB)"
    )


if __name__ == "__main__":
    main()
