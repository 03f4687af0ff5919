"""The local preview renderer: a composition in, a real H.264/AAC MP4 out, free and in seconds.

It lets a creative check framing and timing before paying a provider, so it honours the request exactly:
the output size from the provider's table, the whole duration to within a frame, audio present exactly when
the real video would have it. The clip is badged "PREVIEW" so nobody mistakes it for the real thing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PIL import Image

from seedance_studio.mediatools.ffmpeg import FfmpegError, ffmpeg_path

from .graph import build_command
from .plan import TITLE, Plan, plan_preview
from .progress import ProgressCallback, render_to
from .request import PreviewRequest, RenderResult
from .stills import cover_image, draw_badge, draw_caption, draw_title_card


class PreviewError(FfmpegError):
    """A reference could not be turned into a picture. An FfmpegError, so callers catch one type."""


def render_preview(
    request: PreviewRequest,
    output_path: Path,
    *,
    on_progress: ProgressCallback | None = None,
    timeout: float = 600,
    workdir: Path | None = None,
) -> RenderResult:
    """Render `request` to `output_path`, which appears only once complete (atomic rename); raises FfmpegError.

    `on_progress` gets fractions from 0 to 1, rising, a few times a second, and 1.0 once the file is in place.
    `workdir` holds the intermediate stills (the system's temporary directory by default).
    """
    deadline = time.monotonic() + timeout
    output_path = Path(output_path)
    plan = plan_preview(request)
    with tempfile.TemporaryDirectory(prefix="preview-", dir=workdir) as scratch_name:
        scratch = Path(scratch_name)
        stills = _draw_stills(request, plan, scratch)
        badge, margin = draw_badge(request.size, scratch / "badge.png")
        # The prompt runs under the pictures as a caption; a title card already is the prompt.
        caption = (
            None if plan.layout == TITLE else draw_caption(request.prompt, request.size[0], scratch / "caption.png")
        )
        render_to(
            output_path,
            lambda partial: build_command(
                ffmpeg_path(), request, plan, stills, badge, margin, partial, caption=caption
            ),
            clip_seconds=request.duration,
            timeout=deadline - time.monotonic(),  # drawing the stills took part of it
            what="The preview",
            on_progress=on_progress,
        )
    width, height = request.size
    return RenderResult(width=width, height=height, duration=float(request.duration), has_audio=request.has_audio)


def _draw_stills(request: PreviewRequest, plan: Plan, scratch: Path) -> list[Path | None]:
    """A picture for each still segment, at its canvas size: the title card, or the image cropped to cover."""
    stills: list[Path | None] = []
    for index, segment in enumerate(plan.segments):
        reference = segment.reference
        destination = scratch / f"still-{index}.png"
        canvas = segment.canvas_size(request.size)
        if reference is None:
            stills.append(draw_title_card(request.prompt, canvas, destination))
        elif reference.kind == "image":
            try:
                stills.append(cover_image(reference.path, canvas, destination))
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                raise PreviewError(f"Could not read the image reference {reference.path.name}.", str(exc)) from exc
        else:
            stills.append(None)
    return stills
