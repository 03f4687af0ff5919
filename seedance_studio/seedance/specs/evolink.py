"""EvoLink, `POST https://api.evolink.ai/v1/videos/generations` (shared/seeds/004_8f7010333526f07b.txt).

The model id is chosen from the studio's mode and the tier's speed (004:10-17): text_to_video ->
*-text-to-video, first_last_frames -> *-image-to-video (1 image = first frame, 2 = first and last, 004:24-28),
omni_reference -> *-reference-to-video.

The document arrives as flattened tables; the numbers are read as: images jpeg/png/webp, width/height ratio
0.4-2.5, 300-6000 px, 30 MB each, up to 9 (004:31); videos mp4/mov, 2-15 s each, at most 3, 15 s in total,
ratio 0.4-2.5, 300-6000 px, 409,600-927,408 pixels, 50 MB, 24-60 fps (004:34-37); audio wav/mp3, 2-15 s each,
at most 3, 15 s in total, 15 MB (004:41-44). "64MB" (004:31) is the limit of the whole request body when media
is inlined; the studio sends URLs, so it does not apply.

Decisions where the document is silent:
- "MB" is read as 2^20 bytes (MiB), the larger reading, so the studio never refuses a file EvoLink may take
  (see the limit table below).
- Audio-only requests are refused (004:37, 004:44).
- Prices are not in the document: configurable, placeholder defaults in pricing.py, and quotes are
  "estimated" until configured. Per second of output, by resolution, like HiAPI (seeds/README.md): no
  input-video term unless an admin configures one.
- The prompt is treated as required (every model takes one; 004:19); the length advice (500 Chinese
  characters or 1000 English words) is a warning, not an error.
- "Model extension parameters ... only applicable to Text-to-Video models" (004:68-69) is `model_params`
  with `web_search`, EvoLink's text-to-video switch; outside text_to_video it is not sent.
- Mentions are written as "image 1", "video 2" ("图片1" in Chinese): 004:21 names the reference inputs in the
  prompt by their lists, and EvoLink's guides number them in words rather than with "@".
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..capabilities import ALL_MODES, MEGABYTE, Context, ExtraSpec, MediaLimits, ProviderSpec, Tier
from ..composition import AUTO, Kind, Mode
from ..findings import warning
from ..mentions import MentionStyle
from ..pricing import USD
from ._common import url_lists, usd_per_second_quote

# 004:31-44 write "30MB", "50MB", "15MB" without saying whether MB is 10^6 or 2^20 bytes. Read as 2^20, the
# larger limit: a file between the two readings goes to EvoLink rather than being stopped by the studio.
MB = MEGABYTE
_SHAPE: dict[str, Any] = dict(min_aspect=Decimal("0.4"), max_aspect=Decimal("2.5"), min_side=300, max_side=6000)
MEDIA = {
    Kind.IMAGE: MediaLimits(
        formats=("jpeg", "png", "webp"),
        max_count=9,
        max_bytes=30 * MB,
        **_SHAPE,
        source={k: "004:31" for k in ("formats", "count", "aspect", "sides", "bytes")},
    ),
    Kind.VIDEO: MediaLimits(
        formats=("mp4", "mov"),
        max_count=3,
        min_seconds=Decimal(2),
        max_seconds=Decimal(15),
        max_total_seconds=Decimal(15),
        min_pixels=409_600,
        max_pixels=927_408,
        min_fps=Decimal(24),
        max_fps=Decimal(60),
        max_bytes=50 * MB,
        **_SHAPE,
        source={
            "count": "004:34",
            **{k: "004:37" for k in ("formats", "seconds", "total", "aspect", "sides", "pixels", "bytes", "fps")},
        },
    ),
    Kind.AUDIO: MediaLimits(
        formats=("wav", "mp3"),
        max_count=3,
        min_seconds=Decimal(2),
        max_seconds=Decimal(15),
        max_total_seconds=Decimal(15),
        max_bytes=15 * MB,
        source={"count": "004:41", **{k: "004:44" for k in ("formats", "seconds", "total", "bytes")}},
    ),
}
_COMMON: dict[str, Any] = dict(
    modes=ALL_MODES,
    resolutions=("480p", "720p"),
    default_resolution="720p",
    media=MEDIA,
    auto_aspect_modes=ALL_MODES,
    source={"resolutions": "004:50"},
    moderation_note="Not documented (004 has no moderation section): no less-restricted variant is offered.",
)
TIERS = (
    Tier("standard", "Seedance 2.0", description="Standard speed (004:12-14).", **_COMMON),
    Tier("fast", "Seedance 2.0 Fast", description="Fast version (004:15-17).", **_COMMON),
)

# 004:10-17: six models, one per mode and speed.
MODEL_IDS = {
    ("standard", Mode.TEXT_TO_VIDEO): "seedance-2.0-text-to-video",
    ("standard", Mode.FIRST_LAST_FRAMES): "seedance-2.0-image-to-video",
    ("standard", Mode.OMNI_REFERENCE): "seedance-2.0-reference-to-video",
    ("fast", Mode.TEXT_TO_VIDEO): "seedance-2.0-fast-text-to-video",
    ("fast", Mode.FIRST_LAST_FRAMES): "seedance-2.0-fast-image-to-video",
    ("fast", Mode.OMNI_REFERENCE): "seedance-2.0-fast-reference-to-video",
}

EXTRAS = (
    ExtraSpec(
        "web_search",
        "Web search",
        bool,
        modes=frozenset({Mode.TEXT_TO_VIDEO}),
        help="Text to video only: the model may search the web for the prompt.",
        source="004:68",
    ),
)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CHINESE_ADVICE, ENGLISH_ADVICE = 500, 1000  # 004:19


def check(ctx: Context):
    if _CJK.search(ctx.prompt):
        if len(ctx.prompt) > CHINESE_ADVICE:
            yield warning(
                "prompt.long",
                f"The prompt has {len(ctx.prompt)} characters; EvoLink recommends at most "
                f"{CHINESE_ADVICE} for Chinese: shorten it for better results.",
                field="prompt",
                source="004:19",
            )
    else:
        words = len(ctx.prompt.split())
        if words > ENGLISH_ADVICE:
            yield warning(
                "prompt.long",
                f"The prompt has {words} words; EvoLink recommends at most "
                f"{ENGLISH_ADVICE} for English: shorten it for better results.",
                field="prompt",
                source="004:19",
            )


def model_id(tier: str, mode: Mode) -> str:
    return MODEL_IDS[(tier, mode)]


def build_body(ctx: Context) -> dict:
    body: dict[str, Any] = {"model": model_id(ctx.tier.id, ctx.mode), "prompt": ctx.prompt}
    if ctx.mode is not Mode.TEXT_TO_VIDEO:
        body.update(url_lists(ctx, {Kind.IMAGE: "image_urls", Kind.VIDEO: "video_urls", Kind.AUDIO: "audio_urls"}))
    body.update(
        {
            "duration": ctx.duration,
            "quality": ctx.resolution,  # EvoLink calls the resolution `quality` (seeds/README.md)
            "aspect_ratio": "adaptive" if ctx.aspect_ratio == AUTO else ctx.aspect_ratio,
            "generate_audio": bool(ctx.composition.generate_audio),
        }
    )
    if "web_search" in ctx.extras:
        body["model_params"] = {"web_search": ctx.extras["web_search"]}
    return body


PROVIDER = ProviderSpec(
    id="evolink",
    display_name="EvoLink",
    document="004",
    currency=USD,
    tiers=TIERS,
    extras=EXTRAS,
    mention_style=MentionStyle.WORDS,
    mode_names={
        Mode.TEXT_TO_VIDEO: "Text-to-Video",
        Mode.FIRST_LAST_FRAMES: "Image-to-Video",
        Mode.OMNI_REFERENCE: "Multimodal Reference",
    },
    build_body=build_body,
    price=usd_per_second_quote,
    check=check,
    supports_audio_switch=True,
    refuses_audio_only=True,
    source={
        "duration": "004:47",
        "aspect_ratio": "004:54",
        "frames": "004:24",
        "audio_only": "004:37",
        "omni_count": "004:31",
        "prompt": "004:19",
    },
)
