"""Peak memory of the web process while it receives a 50 MB video upload, on local disk and on S3.

Target: the gunicorn worker's peak resident memory (VmHWM) grows by less than 30 MB. The upload streams to a
temporary file and the probe runs in a PyAV subprocess (started while the body arrives), so the body is never held
in the web process. On S3 (moto's server on 127.0.0.1), the studio sends the file on to the bucket in parts read
from that file while the body is still arriving; target: the whole upload through the studio (HTTP upload, sniff,
probe, poster, store) takes at most 1.5x a plain boto3 upload_file of the same file to the same server, measured
in turns with it.

The video is a camera's 50 MB clip by default. `--video dense` packs 50 MB into 36 lossless frames instead: the
studio then spends most of its CPU decoding the first half second for the poster (a third of the file), which no
real clip asks; on a 2-core machine that CPU is taken from the S3 server, whose work is the plain upload's.
Run: .venv/bin/python benchmarks/upload_memory.py [--runs 3] [--storage local|s3|both] [--video camera|dense]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.s3_server import running_s3
from benchmarks.studio_process import running_studio
from seedance_studio.mediatools.ffmpeg import run_ffmpeg

# A pause after each upload, so that neither measurement pays for what the other left running: the object store
# still freeing the last upload's parts, a probing process ending.
SETTLE_SECONDS = 0.5


def make_camera_clip(path: Path, seconds: int = 30) -> Path:
    """About 50 MB as a phone or camera makes it: 30 s of 720p H.264 at 13 Mbit/s, grain over a moving pattern so
    that the encoder spends the bitrate (a keyframe every 2 s, as cameras do)."""
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s=1280x720:r=24:d={seconds},noise=alls=12:allf=t",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "13M",
            "-maxrate",
            "13M",
            "-bufsize",
            "26M",
            "-g",
            "48",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(path),
        ],
        timeout=300,
    )
    return path


def make_50mb_video(path: Path, frames: int = 36) -> Path:
    # Lossless noise does not compress: about 1.4 MB a frame at 720p, so 36 frames make ~50 MB.
    run_ffmpeg(
        [
            "-y",
            "-f",
            "lavfi",
            "-i",
            "nullsrc=s=1280x720:r=24,geq=lum='random(1)*255':cb=128:cr=128",
            "-frames:v",
            str(frames),
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


def upload_through_studio(video: Path, runs: int, plain=None, **env: str) -> tuple[list[float], float, list[float]]:
    """Upload `video` `runs` times through a fresh studio: the times, the web worker's peak RSS growth (MB), and
    the times of `plain()` run right after each studio upload (interleaved, so both see the same machine load)."""
    timings, plain_timings = [], []
    with running_studio(worker=False, **env) as (client, processes, _var):
        pid = gunicorn_worker_pid(processes["web"].pid)
        client.get("/")  # warm up imports and templates before measuring
        before = memory_kb(pid)
        for run in range(runs):
            started = time.perf_counter()
            with video.open("rb") as handle:
                response = client.post(
                    "/compose/references/",
                    files={"files": ("big.mp4", handle, "video/mp4")},
                    headers={"HX-Request": "true"},
                )
            timings.append(time.perf_counter() - started)
            assert 'data-mention="@video' in response.text, response.text[-2000:]
            if plain is not None:
                time.sleep(SETTLE_SECONDS)
                started = time.perf_counter()
                plain(run)
                plain_timings.append(time.perf_counter() - started)
            time.sleep(SETTLE_SECONDS)
        after = memory_kb(pid)
    return timings, (after["VmHWM"] - before["VmHWM"]) / 1024, plain_timings


def report(label: str, size_mb: float, timings: list[float], growth: float) -> None:
    print(
        f"{label}: upload of a {size_mb:.1f} MB video took median {statistics.median(timings):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in timings)})"
    )
    print(f"{label}: web worker peak RSS grew {growth:.1f} MB over the uploads (target < 30 MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--storage", choices=["local", "s3", "both"], default="both")
    parser.add_argument(
        "--video",
        choices=["camera", "dense"],
        default="camera",
        help="camera: 30 s of 720p at 13 Mbit/s (a phone's clip); dense: 36 lossless frames (the worst case for "
        "the poster, which decodes the first half second: a third of the file)",
    )
    parser.add_argument("--seconds", type=int, default=30, help="the camera clip's length (30 s: about 50 MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.video == "camera":
            video = make_camera_clip(Path(scratch) / "big.mp4", seconds=args.seconds)
        else:
            video = make_50mb_video(Path(scratch) / "big.mp4")
        size_mb = video.stat().st_size / 1e6
        if args.storage in ("local", "both"):
            timings, growth, _ = upload_through_studio(video, args.runs)
            report("local disk", size_mb, timings, growth)
        if args.storage in ("s3", "both"):
            with running_s3() as s3:
                timings, growth, plain_timings = upload_through_studio(
                    video,
                    args.runs,
                    lambda run: s3.client.upload_file(str(video), s3.bucket, f"plain/{run}.mp4"),
                    **s3.env,
                )
            report("S3 (moto)", size_mb, timings, growth)
            ratio = statistics.median(timings) / statistics.median(plain_timings)
            print(
                "S3 (moto): plain boto3 upload_file of the same file, interleaved: median "
                f"{statistics.median(plain_timings):.2f} s (runs: {', '.join(f'{t:.2f}' for t in plain_timings)}); "
                f"through the studio (HTTP upload, sniff, probe, thumbnail, store) {ratio:.2f}x (target <= 1.5x)"
            )


if __name__ == "__main__":
    main()
