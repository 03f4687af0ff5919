"""The shapes of the provider tables: what a tier accepts, per kind of reference, and what a provider is.

Each provider module fills these with rows copied from its document (with the line they come from), so a new
tier is one more `Tier(...)` row and a changed limit is one number. Behaviour that is not a plain limit lives
in the provider module's small functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .composition import Composition, Frame, Kind, LabeledReference, Mode, frame_images
from .findings import Finding
from .mentions import MentionStyle
from .output_sizes import ASPECT_RATIOS, OUTPUT_SIZES

DURATIONS = tuple(range(4, 16))  # whole seconds 4-15, every document (000:303, 001:280, 002:58, 003:75, 004:47)
ALL_MODES = (Mode.TEXT_TO_VIDEO, Mode.FIRST_LAST_FRAMES, Mode.OMNI_REFERENCE)

# What the documents that do list formats agree on, for the providers that list none (decision: applied
# as warnings there, since the provider may accept more; see rules.check_media).
IMAGE_FORMATS = ("jpeg", "png", "webp", "bmp")  # 000:327 / 001:299 ("jpg, jpeg, png, webp, bmp")
VIDEO_FORMATS = ("mp4", "mov")  # 000:333, 001:305
AUDIO_FORMATS = ("mp3", "wav")  # 000:334, 001:306

# A document's "MB" could be 10^6 or 2^20 bytes; none says which. Limits are read the larger way, so a file
# the provider may take is never refused by the studio (EvoLink's "30MB", 004:31, is 31,457,280 bytes).
MEGABYTE = 2**20


class Moderation(StrEnum):
    """How the provider reviews what it is asked to make. Every document that speaks of it reviews content
    (000:378, 001:344); PiAPI alone offers tiers with a more permissive review (000:260-266, 000:380)."""

    STRICT = "strict"
    LESS_RESTRICTION = "less-restriction"
    NONE = "none"  # the local preview: rendered on this machine, nobody reviews it
    NOT_DOCUMENTED = "not-documented"  # the document says nothing of it: the studio claims nothing either


@dataclass(frozen=True)
class MediaLimits:
    """What one tier accepts for one kind of reference. None = the document sets no limit."""

    formats: tuple[str, ...]
    formats_documented: bool = True
    max_count: int | None = None
    min_seconds: Decimal | None = None  # each clip
    max_seconds: Decimal | None = None  # each clip
    max_total_seconds: Decimal | None = None  # all clips of this kind together
    min_short_side: int | None = None
    min_side: int | None = None  # width and height each
    max_side: int | None = None
    min_aspect: Decimal | None = None  # width / height
    max_aspect: Decimal | None = None
    min_pixels: int | None = None  # width x height
    max_pixels: int | None = None
    min_fps: Decimal | None = None
    max_fps: Decimal | None = None
    max_bytes: int | None = None
    priced_by_seconds: bool = False  # the price counts these seconds, so they must be known
    source: Mapping[str, str] = field(default_factory=dict)  # rule name -> "004:37"


@dataclass(frozen=True)
class Tier:
    id: str  # what the studio stores and what the UI's select box posts
    display_name: str
    modes: tuple[Mode, ...]
    resolutions: tuple[str, ...]
    default_resolution: str
    media: Mapping[Kind, MediaLimits]  # a kind missing here is a kind this tier never accepts
    aspect_ratios: tuple[str, ...] = ASPECT_RATIOS
    auto_aspect_modes: tuple[Mode, ...] = ()  # modes where "auto" (auto / adaptive) is accepted
    # Modes where the provider discards any aspect ratio and takes the first image's: none is sent, a chosen one
    # is warned about, and the output has the image's shape.
    first_image_aspect_modes: tuple[Mode, ...] = ()
    max_references: int | None = None  # all kinds together, omni_reference
    # Where a document sets a limit in one mode's section only: {mode: {kind: limits}} replaces `media[kind]`
    # in that mode (Seedance2's 400 px rule is a Multi-Reference constraint, 002:134-138).
    media_by_mode: Mapping[Mode, Mapping[Kind, MediaLimits]] = field(default_factory=dict)
    asset_urls: frozenset[tuple[Mode, Kind]] = frozenset()  # where asset:// references are accepted
    durations: tuple[int, ...] = DURATIONS
    description: str = ""
    source: Mapping[str, str] = field(default_factory=dict)
    moderation: Moderation = Moderation.NOT_DOCUMENTED  # a tier is strict only where its document says so
    # Where the document says so, or what the studio decided where it is silent (the compare view shows it).
    moderation_note: str = ""

    def limits(self, kind: Kind, mode: Mode) -> MediaLimits | None:
        """What this tier accepts for `kind` in `mode`; None when it never takes that kind."""
        return self.media_by_mode.get(mode, {}).get(kind) or self.media.get(kind)

    def limits_for(self, kind: Kind, mode: Mode) -> MediaLimits:
        """`limits()` for a kind this tier takes (a key of `media`): never None."""
        return self.media_by_mode.get(mode, {}).get(kind) or self.media[kind]


@dataclass(frozen=True)
class ExtraSpec:
    """A provider-specific switch (HiAPI web_search, Seedance2 upscale...)."""

    name: str
    label: str
    kind: type  # bool, int or str
    choices: tuple[Any, ...] = ()
    default: Any = None
    tiers: frozenset[str] | None = None  # None: every tier
    modes: frozenset[Mode] | None = None  # None: every mode
    min_value: int | None = None
    max_value: int | None = None
    help: str = ""
    source: str = ""


@dataclass(frozen=True)
class Context:
    """A composition resolved against one provider and tier: what the rule, price and body functions see."""

    composition: Composition
    provider: ProviderSpec
    tier: Tier
    mode: Mode
    references: tuple[LabeledReference, ...]
    prompt: str  # stripped, mentions written in the provider's style
    aspect_ratio: str  # one of ASPECT_RATIOS or "auto"
    resolution: str
    duration: int | None  # None when the duration is invalid (then there is no quote and no body)
    extras: Mapping[str, Any]  # only the valid extras that apply here: these go on the wire

    def of_kind(self, kind: Kind) -> tuple[LabeledReference, ...]:
        return tuple(r for r in self.references if r.kind is kind)

    def urls(self, kind: Kind) -> list[str]:
        return [r.reference.url for r in self.of_kind(kind)]

    @property
    def frames(self) -> dict[Frame, LabeledReference]:
        return frame_images(self.mode, self.references)

    @property
    def input_video_seconds(self) -> Decimal:
        return sum((r.reference.seconds or Decimal(0) for r in self.of_kind(Kind.VIDEO)), Decimal(0))


@dataclass(frozen=True)
class ProviderSpec:
    id: str
    display_name: str
    document: str  # seed file number, "000"
    currency: str
    tiers: tuple[Tier, ...]
    mention_style: MentionStyle
    mode_names: Mapping[Mode, str]  # the provider's own words for each mode, for the UI
    build_body: Callable[[Context], dict]
    price: Callable[[Context, Any], Any]  # (Context, PricingConfig) -> PriceQuote | None
    check: Callable[[Context], Iterable[Finding]] = lambda ctx: ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # deprecated tier name -> successor
    extras: tuple[ExtraSpec, ...] = ()
    prompt_required_modes: tuple[Mode, ...] = ALL_MODES
    prompt_min_chars: int = 1
    prompt_max_chars: int | None = None
    supports_seed: bool = False
    seed_range: tuple[int, int] | None = None
    supports_audio_switch: bool = False
    # The document refuses audio references without an image or video (cite it as "audio_only"); where it
    # says nothing the studio only warns, since the provider may take them.
    refuses_audio_only: bool = False
    # The request names its frames (HiAPI's optional first_frame_url / last_frame_url, 003:83-93) instead of
    # reading them from the order of the images: a last frame may come alone, and frames beside reference images.
    named_frames: bool = False
    is_remote: bool = True
    source: Mapping[str, str] = field(default_factory=dict)  # rule name -> "000:303"
    # (width, height) of the video returned, by resolution and aspect ratio: Seedance's own table (output_sizes.py,
    # from 004's "Pixel values per resolution") unless the document lists its own sizes (002:59).
    output_sizes: Mapping[str, Mapping[str, tuple[int, int]]] = field(default_factory=lambda: OUTPUT_SIZES)
    output_sizes_source: str = "004:55-63"

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def cite(self, rule: str) -> str:
        return self.source.get(rule, "")
