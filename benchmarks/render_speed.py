"""Local preview render time relative to clip length (target: faster than real time, ratio < 1).

Run: .venv/bin/python benchmarks/render_speed.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seedance_studio.preview import PreviewReference, PreviewRequest, render_preview
from tests.media_factory import make_audio, make_image, make_video


def case(scratch: Path, name: str, duration: int, resolution: str, references) -> None:
    request = PreviewRequest(
        prompt=name,
        duration=duration,
        aspect_ratio="16:9",
        resolution=resolution,
        generate_audio=True,
        references=tuple(references),
    )
    started = time.perf_counter()
    result = render_preview(request, scratch / f"{name}.mp4")
    elapsed = time.perf_counter() - started
    print(
        f"{name}: {duration} s {resolution} ({result.width}x{result.height}) rendered in {elapsed:.2f} s "
        f"= {elapsed / duration:.2f}x clip length (target < 1.0)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        photo = make_image(scratch / "photo.jpg", 3000, 2000)
        photos = [make_image(scratch / f"p{n}.jpg", 3000, 2000, color=(30 * n, 90, 160)) for n in range(4)]
        clip = make_video(scratch / "clip.mp4", seconds=4, width=1920, height=1080)
        song = make_audio(scratch / "song.wav", seconds=20)
        case(scratch, "one-image", 5, "720p", [PreviewReference("image", photo)])
        case(scratch, "text-only", 10, "1080p", [])
        case(
            scratch,
            "mixed",
            15,
            "1080p",
            [
                *(PreviewReference("image", p) for p in photos),
                PreviewReference("video", clip, 4.0, True),
                PreviewReference("audio", song, 20.0),
            ],
        )


if __name__ == "__main__":
    main()
