"""How a preview spends its frames: which layout, and how many frames each visual reference gets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .request import FPS, PreviewReference, PreviewRequest

TITLE, FIRST_LAST, SEQUENCE = "title", "first_last", "sequence"
# How much closer a still's last frame is than its first: a slow push-in, and a gentler drift for the title.
PUSH_IN, TITLE_DRIFT = 1.10, 1.04


@dataclass(frozen=True)
class Segment:
    reference: PreviewReference | None  # None: the title card made from the prompt
    frames: int
    zoom: tuple[float, float] = (1.0, 1.0)  # a still's magnification at its first and last frame

    def canvas_size(self, frame_size: tuple[int, int]) -> tuple[int, int]:
        """The still is drawn this large, so that even its closest frame is a crop and never an enlargement.
        Both margins are even, so every crop of the motion can sit exactly in the middle."""
        closest = max(self.zoom)
        width, height = frame_size
        return (width + 2 * round(width * (closest - 1) / 2), height + 2 * round(height * (closest - 1) / 2))


@dataclass(frozen=True)
class Plan:
    layout: str
    segments: tuple[Segment, ...]
    crossfade_frames: int = 0  # only FIRST_LAST overlaps its two segments


def plan_preview(request: PreviewRequest) -> Plan:
    total = request.frame_count
    visuals = request.visuals
    if not visuals:
        return Plan(TITLE, (Segment(None, total, (1.0, TITLE_DRIFT)),))
    if len(request.references) == 2 and all(ref.kind == "image" for ref in request.references):
        # Seedance's first-and-last-frame mode: both images stay on screen long, meeting in a long dissolve.
        fade = min(max(total // 4, FPS // 2), 2 * FPS)
        first = (total + fade) // 2
        # The second image pulls back rather than pushing in, so the clip lands exactly on the last frame.
        return Plan(
            FIRST_LAST,
            (Segment(visuals[0], first, (1.0, PUSH_IN)), Segment(visuals[1], total + fade - first, (PUSH_IN, 1.0))),
            fade,
        )
    caps = [_frames_available(ref) for ref in visuals]
    return Plan(
        SEQUENCE,
        tuple(
            Segment(ref, n, (1.0, PUSH_IN) if ref.kind == "image" else (1.0, 1.0))
            for ref, n in zip(visuals, share_frames(total, caps), strict=True)
        ),
    )


def _frames_available(ref: PreviewReference) -> int | None:
    if ref.kind != "video" or not ref.duration:
        return None  # an image (or a video of unknown length) can fill any share
    return max(1, math.floor(ref.duration * FPS + 1e-6))


def share_frames(total: int, caps: Sequence[int | None]) -> list[int]:
    """Split `total` frames evenly, except that a video shorter than its even share plays whole and the others
    share what it leaves. When every reference is such a short video, each also holds its last frame a little."""
    if not caps:
        return []
    if len(caps) > total:
        raise ValueError(f"{len(caps)} visual references cannot share {total} frames.")
    shares = [0] * len(caps)
    open_ = list(range(len(caps)))
    remaining = total
    while open_:
        fair = remaining // len(open_)
        short = {i: cap for i in open_ if (cap := caps[i]) is not None and cap <= fair}
        if not short:
            break
        for i, cap in short.items():
            shares[i] = cap
            remaining -= cap
        open_ = [i for i in open_ if i not in short]
    takers = open_ or list(range(len(caps)))
    base, extra = divmod(remaining, len(takers))
    for rank, i in enumerate(takers):
        shares[i] += base + (1 if rank < extra else 0)
    return shares
