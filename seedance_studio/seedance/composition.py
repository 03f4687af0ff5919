"""What the creative composed, as plain frozen values: the input of `evaluate()`.

Nothing here knows a provider. The derived facts are each reference's mention label (numbering is per kind
and follows the order of the references, so "@image1" is the first image, "@video1" the first video,
whatever comes between them, 000:393-395, 001:358-360) and which images are the first and last frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Kind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


class Mode(StrEnum):
    """The studio's three modes; each provider module maps them to its own wire form."""

    TEXT_TO_VIDEO = "text_to_video"
    FIRST_LAST_FRAMES = "first_last_frames"
    OMNI_REFERENCE = "omni_reference"


class Frame(StrEnum):
    """The frame an image is pinned to. Unpinned images are frames by position in first/last frames and
    references in omni reference; a pin is how a creative asks for a last frame alone, or for frames beside
    reference images (HiAPI's `first_frame_url` / `last_frame_url` next to `reference_image_urls`, 003:83-93)."""

    FIRST = "first"
    LAST = "last"


PLURAL = {Kind.IMAGE: "images", Kind.VIDEO: "videos", Kind.AUDIO: "audio files"}
AUTO = "auto"
MODE_LABELS = {
    Mode.TEXT_TO_VIDEO: "Text to video",
    Mode.FIRST_LAST_FRAMES: "First/last frames",
    Mode.OMNI_REFERENCE: "Omni reference",
}

# What a probe may report as a format, mapped to the one name the provider tables use. ffmpeg names its
# demuxers ("mov,mp4,m4a,3gp,3g2,mj2", "png_pipe"), Pillow says "JPEG", browsers send MIME types.
_FORMAT_ALIASES = {
    "jpg": "jpeg",
    "jpe": "jpeg",
    "jfif": "jpeg",
    "image/jpeg": "jpeg",
    "jpeg_pipe": "jpeg",
    "mjpeg": "jpeg",
    "image/png": "png",
    "png_pipe": "png",
    "apng": "png",
    "image/webp": "webp",
    "webp_pipe": "webp",
    "image/bmp": "bmp",
    "bmp_pipe": "bmp",
    "quicktime": "mov",
    "video/quicktime": "mov",
    "video/mp4": "mp4",
    "m4v": "mp4",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "wave": "wav",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
}


def format_names(raw: str) -> frozenset[str]:
    """Every name a probed format could stand for; empty when nothing was probed."""
    names = set()
    for token in (raw or "").lower().replace(";", ",").split(","):
        token = token.strip().lstrip(".")
        if token:
            names.add(_FORMAT_ALIASES.get(token, token))
    return frozenset(names)


def to_decimal(value) -> Decimal | None:
    """Probed numbers arrive as float, int, str or Decimal; str() first so 6.04 stays 6.04."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@dataclass(frozen=True)
class Reference:
    """One uploaded file as the core needs it: its probed facts and the URL the provider will fetch."""

    id: str
    kind: Kind
    url: str = ""
    format: str = ""  # "jpeg", "mp4", "mov,mp4,m4a,3gp,3g2,mj2", "image/png"... see format_names()
    width: int | None = None  # display size, after EXIF orientation / rotation metadata
    height: int | None = None
    duration: Decimal | float | None = None  # seconds
    fps: Decimal | float | None = None
    size_bytes: int | None = None
    has_audio: bool | None = None
    name: str = ""  # the uploaded file's name
    frame: Frame | None = None  # "first" / "last": pinned to that frame; None: placed by the mode
    # The short name the creative gave it in this composition ("hero" for @hero), "" for none: see mentions.py.
    mention_name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "frame", Frame(self.frame) if self.frame else None)

    @property
    def formats(self) -> frozenset[str]:
        return format_names(self.format)

    @property
    def seconds(self) -> Decimal | None:
        return to_decimal(self.duration)

    @property
    def is_asset(self) -> bool:
        return self.url.lower().startswith("asset://")


@dataclass(frozen=True)
class Composition:
    """A request as the creative composed it.

    `duration` has no default on purpose: providers silently turn a missing or out-of-range duration into
    5 s (000:361, 001:332), the studio refuses it instead. `aspect_ratio` and `resolution` left as None take
    the provider's documented default, which is then written explicitly into the request body.
    `aspect_ratio` "auto" means "from the image" (PiAPI's `auto`, HiAPI's and EvoLink's `adaptive`).
    """

    provider: str
    tier: str
    prompt: str = ""
    references: tuple[Reference, ...] = ()
    mode: str = AUTO
    duration: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    generate_audio: bool = True
    seed: int | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "references", tuple(self.references))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras or {})))

    # A read-only mapping is not hashable by itself; hashing its items keeps compositions usable as cache keys.
    def __hash__(self) -> int:
        return hash(
            (
                self.provider,
                self.tier,
                self.prompt,
                self.references,
                self.mode,
                self.duration,
                self.aspect_ratio,
                self.resolution,
                self.generate_audio,
                self.seed,
                tuple(sorted(self.extras.items())),
            )
        )


@dataclass(frozen=True)
class LabeledReference:
    """A reference with its per-kind position: number 2 of kind video is "@video2"."""

    reference: Reference
    number: int
    # The reference's own, copied once: the rules read a reference's kind a few hundred times per evaluation.
    id: str = field(init=False, repr=False, compare=False)
    kind: Kind = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "id", self.reference.id)
        object.__setattr__(self, "kind", self.reference.kind)

    @property
    def label(self) -> str:
        return f"@{self.kind.value}{self.number}"

    @property
    def name(self) -> str:
        """ "@hero" when the creative named it, else "" (the numbered label always works too)."""
        return f"@{self.reference.mention_name}" if self.reference.mention_name else ""


def label_references(references: Sequence[Reference]) -> tuple[LabeledReference, ...]:
    counters = {kind: 0 for kind in Kind}
    labeled = []
    for reference in references:
        counters[reference.kind] += 1
        labeled.append(LabeledReference(reference, counters[reference.kind]))
    return tuple(labeled)


def frame_images(mode: Mode, references: Sequence[LabeledReference]) -> dict[Frame, LabeledReference]:
    """Which image is the first frame and which the last, as the request will use them.

    In first/last frames a pinned image takes its frame and the unpinned ones fill the free frames in order,
    first then last (the first image is the first frame, 000:323, 002:99, 004:27-28). In omni reference only
    pinned images are frames. Images are only looked at: a pinned video or audio is refused by the rules.
    When two images are pinned to one frame the first of them is taken (the rules refuse that too).
    """
    if mode is Mode.TEXT_TO_VIDEO:
        return {}
    images = [r for r in references if r.kind is Kind.IMAGE]
    frames: dict[Frame, LabeledReference] = {}
    for ref in images:
        if ref.reference.frame is not None:
            frames.setdefault(ref.reference.frame, ref)
    if mode is Mode.FIRST_LAST_FRAMES:
        free = [r for r in images if r.reference.frame is None]
        for frame in Frame:
            if frame not in frames and free:
                frames[frame] = free.pop(0)
    return {frame: frames[frame] for frame in Frame if frame in frames}
