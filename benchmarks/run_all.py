"""Run every benchmark in turn and print its numbers: `make benchmark`."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in (
    "render_speed.py",
    "submit_to_playable.py",
    "upload_memory.py",
    "live_check.py",
    "follow_many.py",
    "credits_submit.py",
    "credits_pages.py",
    "share_page.py",
    "gallery.py",
    "compare_takes.py",
    "probe.py",
):
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
