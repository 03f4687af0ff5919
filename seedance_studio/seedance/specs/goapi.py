"""GoAPI, `POST https://api.goapi.ai/api/v1/task` (shared/seeds/001_972d478171c6ac8f.txt).

Where GoAPI's document differs from PiAPI's, GoAPI's wins here (seeds/README.md, "Known disagreements"):
- `mode` is required (001:285): always sent. The studio's "auto" is resolved first with PiAPI's rule.
- omni_reference takes 1-12 references (001:310), not 1-9.
- first_last_frames ignores any aspect ratio (001:298, 001:327): not sent, and a warning says so; "auto" is
  accepted there because it describes what GoAPI does.
- Input video seconds cost the full unit price (001:276), not half.
- Audio: "must be <= 15 seconds" per clip (001:306, 001:339); PiAPI's limit is on the total.
- Image formats are listed for first_last_frames only (001:299), as in PiAPI's document: refused there, only
  warned about in omni_reference (001:301-310 names none). Audio-only requests are refused (001:309, 001:340).

Decisions where the document is silent:
- No resolution parameter exists in the document and one price per tier is given (001:271-273), equal to
  PiAPI's 480p prices for the same models (000:283, 000:286), whose formal models default to 480p (000:278).
  The studio therefore lists GoAPI as 480p only and sends no `resolution` field.
- No asset:// references (the document has none); no seed, no audio switch.
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
    MediaLimits,
    Moderation,
    ProviderSpec,
    Tier,
)
from ..composition import AUTO, Kind, Mode
from ..findings import warning
from ..mentions import MentionStyle
from ..pricing import USD
from ._common import url_lists, usd_per_second_quote

IMAGES = MediaLimits(formats=IMAGE_FORMATS, source={"formats": "001:299"})
MEDIA = {
    Kind.IMAGE: IMAGES,
    Kind.VIDEO: MediaLimits(
        formats=VIDEO_FORMATS, max_total_seconds=Decimal("15.4"), source={"formats": "001:305", "total": "001:281"}
    ),
    Kind.AUDIO: MediaLimits(
        formats=AUDIO_FORMATS, max_seconds=Decimal(15), source={"formats": "001:338", "seconds": "001:339"}
    ),
}
_COMMON: dict[str, Any] = dict(
    modes=ALL_MODES,
    resolutions=("480p",),
    default_resolution="480p",
    media=MEDIA,
    auto_aspect_modes=(Mode.FIRST_LAST_FRAMES,),
    first_image_aspect_modes=(Mode.FIRST_LAST_FRAMES,),  # 001:298, 001:327
    max_references=12,
    # omni_reference lists no image formats: the frames list is a guess there, not a rule.
    media_by_mode={Mode.OMNI_REFERENCE: {Kind.IMAGE: replace(IMAGES, formats_documented=False)}},
    source={"resolutions": "001:271"},
    moderation=Moderation.STRICT,
    moderation_note="Prompts are checked before processing; repeated violations cost progressive penalties "
    "(001:344-346).",
)
TIERS = (
    Tier("seedance-2", "Seedance 2 (Pro)", description="Higher quality (001:266).", **_COMMON),
    Tier("seedance-2-fast", "Seedance 2 Fast", description="Lower cost (001:267).", **_COMMON),
)


def check(ctx: Context):
    # Only a ratio the creative chose is worth a word: an unset one means "whatever the provider does".
    if ctx.mode in ctx.tier.first_image_aspect_modes and ctx.composition.aspect_ratio and ctx.aspect_ratio != AUTO:
        yield warning(
            "aspect_ratio.ignored",
            f"GoAPI takes the aspect ratio from the first image in first/last frames and discards any other "
            f"value, so {ctx.aspect_ratio} is not sent: set the aspect ratio to Auto, or crop the first image.",
            field="aspect_ratio",
            source="001:298",
        )


def build_body(ctx: Context) -> dict:
    data: dict[str, Any] = {"prompt": ctx.prompt, "mode": ctx.mode.value, "duration": ctx.duration}
    if ctx.mode not in ctx.tier.first_image_aspect_modes:
        data["aspect_ratio"] = ctx.aspect_ratio
    data.update(url_lists(ctx, {Kind.IMAGE: "image_urls", Kind.VIDEO: "video_urls", Kind.AUDIO: "audio_urls"}))
    return {"model": "seedance", "task_type": ctx.tier.id, "input": data}


PROVIDER = ProviderSpec(
    id="goapi",
    display_name="GoAPI",
    document="001",
    currency=USD,
    tiers=TIERS,
    mention_style=MentionStyle.AT_BRACKETED_CHINESE,
    mode_names={
        Mode.TEXT_TO_VIDEO: "text_to_video",
        Mode.FIRST_LAST_FRAMES: "first_last_frames",
        Mode.OMNI_REFERENCE: "omni_reference",
    },
    build_body=build_body,
    price=usd_per_second_quote,
    check=check,
    refuses_audio_only=True,
    source={
        "duration": "001:280",
        "modes": "001:289",
        "frames": "001:296",
        "omni_count": "001:310",
        "audio_only": "001:309",
        "aspect_ratio": "001:325",
        "mentions": "001:379",
        "prompt": "001:399",
        "mode_required": "001:285",
    },
)
