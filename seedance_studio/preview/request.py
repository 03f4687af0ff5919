"""What the local preview renderer is asked for, and what it answers: plain data, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedance_studio.seedance.output_sizes import output_size

FPS = 24
MIN_SECONDS, MAX_SECONDS = 4, 15
KINDS = ("image", "video", "audio")


@dataclass(frozen=True)
class PreviewReference:
    """One uploaded reference, in composition order. `duration` is the probed length of a video or audio
    (None if unknown: a video then fills its share, holding its last frame if it runs out). `has_audio` is
    informational: a video's own sound is never used, the soundtrack comes from the first audio reference."""

    kind: str
    path: Path
    duration: float | None = None
    has_audio: bool = False
    # Informational: ffmpeg already applies a video's display rotation when decoding, and Pillow applies an
    # image's EXIF orientation, so the renderer never rotates by hand.
    rotation: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown reference kind {self.kind!r}: use one of {', '.join(KINDS)}.")


@dataclass(frozen=True)
class PreviewRequest:
    prompt: str
    duration: int
    aspect_ratio: str
    resolution: str
    generate_audio: bool
    references: tuple[PreviewReference, ...] = ()

    def __post_init__(self) -> None:
        if not (isinstance(self.duration, int) and MIN_SECONDS <= self.duration <= MAX_SECONDS):
            raise ValueError(
                f"Duration must be a whole number of seconds from {MIN_SECONDS} to {MAX_SECONDS}, "
                f"not {self.duration!r}."
            )
        output_size(self.aspect_ratio, self.resolution)  # raises ValueError naming the bad pair

    @property
    def size(self) -> tuple[int, int]:
        return output_size(self.aspect_ratio, self.resolution)

    @property
    def frame_count(self) -> int:
        return self.duration * FPS

    @property
    def visuals(self) -> tuple[PreviewReference, ...]:
        return tuple(ref for ref in self.references if ref.kind != "audio")

    @property
    def soundtrack(self) -> PreviewReference | None:
        """The first audio reference; later ones are ignored, as a preview has a single soundtrack."""
        return next((ref for ref in self.references if ref.kind == "audio"), None)

    @property
    def has_audio(self) -> bool:
        return self.generate_audio or self.soundtrack is not None


@dataclass(frozen=True)
class RenderResult:
    width: int
    height: int
    duration: float
    has_audio: bool
