"""Peak memory of the web process while it receives a 50 MB video upload.

Target: the gunicorn worker's peak resident memory (VmHWM) grows by less than 30 MB. The upload streams to a
temporary file and the probe runs in an ffmpeg subprocess, so the body is never held in the web process.
Run: .venv/bin/python benchmarks/upload_memory.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.studio_process import running_studio
from seedance_studio.mediatools.ffmpeg import run_ffmpeg


def make_50mb_video(path: Path) -> Path:
    # Lossless noise does not compress: about 1.4 MB a frame at 720p, so 36 frames make ~50 MB.
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "nullsrc=s=1280x720:r=24,geq=lum='random(1)*255':cb=128:cr=128",
            "-frames:v",
            "36",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-qp",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(path),
        ],
        timeout=300,
    )
    return path


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def gunicorn_worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return int(children[0])


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        video = make_50mb_video(Path(scratch) / "big.mp4")
        size_mb = video.stat().st_size / 1e6
        with running_studio(worker=False) as (client, processes, _var):
            pid = gunicorn_worker_pid(processes["web"].pid)
            client.get("/")  # warm up imports and templates before measuring
            before = memory_kb(pid)
            started = time.perf_counter()
            with video.open("rb") as handle:
                response = client.post(
                    "/compose/references/",
                    files={"files": ("big.mp4", handle, "video/mp4")},
                    headers={"HX-Request": "true"},
                )
            elapsed = time.perf_counter() - started
            after = memory_kb(pid)
            assert 'data-mention="@video1"' in response.text, response.text[-2000:]
    growth = (after["VmHWM"] - before["VmHWM"]) / 1024
    print(f"upload of a {size_mb:.1f} MB video took {elapsed:.2f} s")
    print(
        f"web worker peak RSS before {before['VmHWM'] / 1024:.1f} MB, after {after['VmHWM'] / 1024:.1f} MB: "
        f"grew {growth:.1f} MB (target < 30 MB)"
    )


if __name__ == "__main__":
    main()
