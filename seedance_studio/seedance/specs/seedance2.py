"""Seedance2 API (seedance2-ai.ai), `POST https://seedance2-ai.ai/api/v1/jobs/createTask`
(shared/seeds/002_f203a5308ec3fedc.txt).

How the studio's modes map to its request shapes:
- text_to_video -> no urls (002:42-60).
- first_last_frames with 1 image -> "Image to Video": one url, no videoInputMode (002:61-79).
- first_last_frames with 2 images -> "First & Last Frame": videoInputMode "keyframe" (002:80-103).
- omni_reference -> "Multi-Reference": videoInputMode "reference", resolution required (002:104-133).

The aspect ratio goes out as `resolution`, the pixel size (002:59), in every mode: the full parameter list
makes it optional everywhere (002:148), though the image-to-video and keyframe tables leave it out
(002:74-79, 002:97-103). "Auto" (frames modes only) sends none, like the document's own examples there.

"Reference Constraints" (002:134-138) sit under Multi-Reference: the 400 px short side applies to reference
images only, never to the first and last frames; the 9/3/3/12 counts matter there alone anyway.

Decisions where the document is silent:
- Sizes: the six pixel sizes (002:59) are all 720-class, so the studio offers "720p" only and maps the aspect
  ratio to the pixel size. Higher output is the `upscale` extra (2k/4k, 002:60), priced by the credit table.
- Audio-only references: nothing in 002 refuses them, so the studio warns instead of refusing (rules.py).
- No formats are listed: the other documents' lists apply as warnings (capabilities.py).
- asset:// is documented for `urls` (images) only (002:76, 002:126, 002:144), not for videoUrls/audioUrls.
- No seed, no audio switch, no total-input-video limit (each clip <= 15 s instead, 002:137).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..capabilities import (
    ALL_MODES,
    AUDIO_FORMATS,
    IMAGE_FORMATS,
    VIDEO_FORMATS,
    Context,
    ExtraSpec,
    MediaLimits,
    ProviderSpec,
    Tier,
)
from ..composition import AUTO, Kind, Mode
from ..mentions import MentionStyle
from ..output_sizes import ASPECT_RATIOS
from ..pricing import SEEDANCE2_CREDITS, PriceQuote, PricingConfig, line, quote

# 002:59 / 002:132 / 002:148: "Aspect ratio via resolution".
PIXEL_SIZES = {
    "1:1": "720x720",
    "3:4": "720x960",
    "4:3": "960x720",
    "16:9": "1280x720",
    "9:16": "720x1280",
    "21:9": "1280x540",
}

assert set(PIXEL_SIZES) == set(ASPECT_RATIOS)


def _size(pixels: str) -> tuple[int, int]:
    width, height = pixels.split("x")
    return int(width), int(height)


IMAGES = MediaLimits(formats=IMAGE_FORMATS, formats_documented=False, max_count=9, source={"count": "002:135"})
# 002:138 "Images must be at least 400px on the shortest side" is a Multi-Reference constraint (002:104-138).
REFERENCE_IMAGES = replace(IMAGES, min_short_side=400, source={"count": "002:135", "short_side": "002:138"})
MEDIA = {
    Kind.IMAGE: IMAGES,
    Kind.VIDEO: MediaLimits(
        formats=VIDEO_FORMATS,
        formats_documented=False,
        max_count=3,
        max_seconds=Decimal(15),
        source={"count": "002:135", "seconds": "002:137"},
    ),
    Kind.AUDIO: MediaLimits(
        formats=AUDIO_FORMATS,
        formats_documented=False,
        max_count=3,
        max_seconds=Decimal(15),
        source={"count": "002:135", "seconds": "002:137"},
    ),
}
_COMMON: dict[str, Any] = dict(
    modes=ALL_MODES,
    resolutions=("720p",),
    default_resolution="720p",
    media=MEDIA,
    auto_aspect_modes=(Mode.FIRST_LAST_FRAMES,),
    max_references=12,
    asset_urls=frozenset((mode, Kind.IMAGE) for mode in ALL_MODES),
    media_by_mode={Mode.OMNI_REFERENCE: {Kind.IMAGE: REFERENCE_IMAGES}},
    source={"resolutions": "002:59", "assets": "002:76"},
    # 002 says nothing about moderation: the studio claims no policy (Moderation.NOT_DOCUMENTED, the default).
    moderation_note="Not documented (002 has no moderation section): no less-restricted variant is offered.",
)
TIERS = (
    Tier("seedance2", "Seedance 2.0", description="40 credits per second (002:156).", **_COMMON),
    Tier("seedance2-fast", "Seedance 2.0 Fast", description="32 credits per second (002:156).", **_COMMON),
)

EXTRAS = (
    ExtraSpec(
        "upscale",
        "Upscale",
        str,
        choices=("2k", "4k"),
        help="Upscale the output to 2K (+20 credits/s) or 4K (+40 credits/s).",
        source="002:60",
    ),
)


def build_body(ctx: Context) -> dict:
    inputs: dict = {}
    images, videos, audios = ctx.urls(Kind.IMAGE), ctx.urls(Kind.VIDEO), ctx.urls(Kind.AUDIO)
    if ctx.mode is Mode.FIRST_LAST_FRAMES:
        inputs["urls"] = images
    elif ctx.mode is Mode.OMNI_REFERENCE:
        if images:
            inputs["urls"] = images
        if videos:
            inputs["videoUrls"] = videos
        if audios:
            inputs["audioUrls"] = audios
    if ctx.prompt:
        inputs["prompt"] = ctx.prompt
    inputs["duration"] = f"{ctx.duration}s"  # "4s" to "15s" (002:58)
    if ctx.mode is Mode.FIRST_LAST_FRAMES and len(images) == 2:
        inputs["videoInputMode"] = "keyframe"
    elif ctx.mode is Mode.OMNI_REFERENCE:
        inputs["videoInputMode"] = "reference"
    if ctx.aspect_ratio != AUTO:  # optional in every mode (002:148); "auto" leaves the size to the image
        inputs["resolution"] = PIXEL_SIZES[ctx.aspect_ratio]
    if ctx.extras.get("upscale"):
        inputs["upscaleResolution"] = ctx.extras["upscale"]
    return {"model": ctx.tier.id, "inputs": inputs}


def price(ctx: Context, config: PricingConfig) -> PriceQuote | None:
    """002:154-159: seconds x 40|32, doubled in reference mode with a video reference, + seconds x 20|40 upscale."""
    per_second = config.seedance2_credits_per_second.get(ctx.tier.id)
    if per_second is None or ctx.duration is None:
        return None
    seconds = Decimal(ctx.duration)
    doubled = ctx.mode is Mode.OMNI_REFERENCE and bool(ctx.of_kind(Kind.VIDEO))
    multiplier = config.seedance2_reference_video_multiplier if doubled else Decimal(1)
    lines = [
        line(
            "output",
            seconds,
            per_second,
            currency=SEEDANCE2_CREDITS,
            multiplier=multiplier,
            note="reference with video" if doubled else "",
        )
    ]
    upscale = ctx.extras.get("upscale")
    if upscale:
        lines.append(
            line(
                f"{upscale.upper()} upscale",
                seconds,
                config.seedance2_upscale_credits_per_second[upscale],
                currency=SEEDANCE2_CREDITS,
            )
        )
    configured = any(path.startswith("seedance2_") for path in config.configured)
    # The credit table is documented; what one credit is worth in studio credits is not (002:152-159).
    estimated_because = (
        ""
        if "studio_credits_per_seedance2_credit" in config.configured
        else (
            "Seedance2 API credits have no published price, so an admin must set "
            "STUDIO_CREDITS_PER_SEEDANCE2_CREDIT to what one of them costs in studio credits"
        )
    )
    return quote(
        lines,
        currency=SEEDANCE2_CREDITS,
        rate=config.studio_credits_per_seedance2_credit,
        source="configured" if configured else "document",
        estimated_because=estimated_because,
    )


PROVIDER = ProviderSpec(
    id="seedance2",
    display_name="Seedance2 API",
    document="002",
    currency=SEEDANCE2_CREDITS,
    tiers=TIERS,
    extras=EXTRAS,
    mention_style=MentionStyle.AT,
    mode_names={
        Mode.TEXT_TO_VIDEO: "Text to Video",
        Mode.FIRST_LAST_FRAMES: "Image to Video / keyframe",
        Mode.OMNI_REFERENCE: "reference",
    },
    build_body=build_body,
    price=price,
    # The six sizes of 002:59 are the only output sizes; "720p" is the studio's name for them.
    output_sizes={"720p": {ratio: _size(pixels) for ratio, pixels in PIXEL_SIZES.items()}},
    output_sizes_source="002:59",
    prompt_required_modes=(Mode.TEXT_TO_VIDEO,),
    source={
        "duration": "002:58",
        "frames": "002:99",
        "omni_count": "002:136",
        "prompt": "002:143",
        "aspect_ratio": "002:59",
        "modes": "002:145",
    },
)
