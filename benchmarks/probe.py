"""Time and memory of one media probe: the PyAV subprocess against the ffmpeg runs it replaced.

For each generated file, each way of probing runs `--rounds` times; printed are the wall time per probe (p50 and
p95, in ms) and the peak resident memory of the probing process (its ru_maxrss, in MB):
  pyav probe_media   the studio's probe, end to end (the subprocess, its JSON, the checks): what an upload pays
  pyav process       the same subprocess alone, for its memory
  python+import av   an isolated interpreter that only imports av: the fixed cost of every new probe
  old ffmpeg probe   the command the regex probe ran (`ffmpeg -i` with the same locks, decoding to framecrc)
  ffmpeg -i          ffmpeg printing its report, decoding nothing
  ffprobe json       `ffprobe -show_format -show_streams -of json`, when FFPROBE names one or one is on PATH
Run: .venv/bin/python benchmarks/probe.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seedance_studio.mediatools.ffmpeg import ffmpeg_path, run_ffmpeg
from seedance_studio.mediatools.probe import DECODE_CHECK_SECONDS, input_args, probe_command, probe_media
from seedance_studio.mediatools.sniff import Detected, sniff


def make_files(d: Path) -> list[Path]:
    def lavfi(out: Path, *args: str) -> Path:
        run_ffmpeg(["-y", *args, str(out)], timeout=300)
        return out

    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    return [
        lavfi(
            d / "720p-5s.mp4",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=24:duration=5",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=5",
            *h264,
        ),
        lavfi(
            d / "4k-2s.mov",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=3840x2160:rate=30:duration=2",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=2",
            *h264,
        ),
        lavfi(
            d / "30s.mp3", "-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-c:a", "libmp3lame", "-b:a", "128k"
        ),
        lavfi(
            d / "30s.wav",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:sample_rate=48000:duration=30",
            "-ac",
            "2",
            "-c:a",
            "pcm_s16le",
        ),
    ]


def old_probe_command(path: Path, detected: Detected) -> list[str]:
    """What probe_media ran before PyAV: ffmpeg printing its report while decoding the first frames."""
    maps = ["-map", "0:V:0", "-map", "0:a:0?", "-frames:v", "1"] if detected.kind == "video" else ["-map", "0:a:0"]
    return [
        ffmpeg_path(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "info",
        *input_args(path, detected.format),
        *maps,
        "-t",
        str(DECODE_CHECK_SECONDS),
        "-f",
        "framecrc",
        "-",
    ]


def measured(command: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KB) of one run of `command`, its output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4 above
    return time.perf_counter() - started, usage.ru_maxrss


def timed(call: Callable[[], object]) -> tuple[float, int]:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started, 0


def ways(path: Path, detected: Detected, ffprobe: str | None) -> dict[str, Callable[[], tuple[float, int]]]:
    found = {
        "pyav probe_media": lambda: timed(lambda: probe_media(path, detected, timeout=60, max_seconds=3600)),
        "pyav process": lambda: measured(probe_command(path, detected, timeout=60)),
        "python+import av": lambda: measured([sys.executable, "-I", "-c", "import av"]),
        "old ffmpeg probe": lambda: measured(old_probe_command(path, detected)),
        "ffmpeg -i": lambda: measured([ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path)]),
    }
    if ffprobe:
        found["ffprobe json"] = lambda: measured(
            [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)]
        )
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    ffprobe = os.environ.get("FFPROBE") or shutil.which("ffprobe")
    print(f"ffmpeg: {ffmpeg_path()}")
    print(f"ffprobe: {ffprobe or 'none found (set FFPROBE=/path/to/ffprobe to compare it)'}")
    print(f"{rounds} rounds per row, on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as scratch:
        files = make_files(Path(scratch))
        print(f"\n{'file':<14} {'probe':<18} {'p50 ms':>8} {'p95 ms':>8} {'peak RSS MB':>12}")
        for path in files:
            for name, way in ways(path, sniff(path), ffprobe).items():
                way()  # warm the page cache and the imports
                runs = [way() for _ in range(rounds)]
                seconds = [s for s, _ in runs]
                peak = max(kb for _, kb in runs)
                memory = f"{peak / 1024:12.1f}" if peak else f"{'-':>12}"
                print(
                    f"{path.name:<14} {name:<18} {percentile(seconds, 0.5) * 1000:8.0f} "
                    f"{percentile(seconds, 0.95) * 1000:8.0f} {memory}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
