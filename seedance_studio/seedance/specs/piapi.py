"""PiAPI, `POST https://api.piapi.ai/api/v1/task` (shared/seeds/000_9ea3d46214601d5a.txt).

Decisions where the document is silent or disagrees with itself:
- Less-restriction price: 000:267 says "+25%", 000:294 and the table say +10%: the table (pricing.py).
- `mode` is optional (000:309) but the studio always sends the mode it resolved, with the same inference
  rule, so PiAPI validates the request against the mode the creative saw ("enforce strict validation", 000:313).
- `resolution` is always sent, so the 480p/720p defaults (000:278, 000:365-367) never decide the price.
- Image formats are listed for first_last_frames only (000:327): an unlisted one is refused there and only
  warned about in omni_reference, where the document names none.
- Audio-only requests are refused (000:337, 000:374).
- The prompt is treated as required: every request example carries one and the body schema is not shown.
- Deprecated task types (000:273-277) are accepted, mapped to their successor and sent as the successor.
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
    Moderation,
    ProviderSpec,
    Tier,
)
from ..composition import Kind, Mode
from ..mentions import MentionStyle
from ..pricing import USD
from ._common import url_lists, usd_per_second_quote

IMAGES = MediaLimits(formats=IMAGE_FORMATS, source={"formats": "000:327"})
# omni_reference lists no image formats (000:329-338): the frames list is a guess there, not a rule.
OMNI_MEDIA = {Mode.OMNI_REFERENCE: {Kind.IMAGE: replace(IMAGES, formats_documented=False)}}
VIDEOS = MediaLimits(
    formats=VIDEO_FORMATS, max_total_seconds=Decimal("15.4"), source={"formats": "000:333", "total": "000:304"}
)
AUDIOS = MediaLimits(
    formats=AUDIO_FORMATS, max_total_seconds=Decimal(15), source={"formats": "000:372", "total": "000:373"}
)
ALL_MEDIA = {Kind.IMAGE: IMAGES, Kind.VIDEO: VIDEOS, Kind.AUDIO: AUDIOS}
FRAMES = (Mode.FIRST_LAST_FRAMES,)  # `auto` aspect ratio only here (000:355)
# Asset references: less-restriction tiers only, in image_urls / video_urls / audio_urls (000:419, 000:424).
ASSETS_EVERYWHERE = frozenset((mode, kind) for mode in ALL_MODES for kind in Kind)

STRICT_RETRIED = "Strict review; a content rejection may be retried once by another review path (000:261-263, 000:379)."
TIERS = (
    Tier(
        "seedance-2",
        "Seedance 2 (Pro)",
        ALL_MODES,
        ("480p", "720p", "1080p"),
        "480p",
        ALL_MEDIA,
        auto_aspect_modes=FRAMES,
        max_references=9,
        media_by_mode=OMNI_MEDIA,
        description="Higher quality, strict moderation (000:262).",
        moderation=Moderation.STRICT,
        moderation_note=STRICT_RETRIED,
        source={"resolutions": "000:365", "assets": "000:419"},
    ),
    Tier(
        "seedance-2-fast",
        "Seedance 2 Fast",
        ALL_MODES,
        ("480p", "720p"),
        "480p",
        ALL_MEDIA,
        auto_aspect_modes=FRAMES,
        max_references=9,
        media_by_mode=OMNI_MEDIA,
        description="Lower cost, strict moderation (000:263).",
        moderation=Moderation.STRICT,
        moderation_note=STRICT_RETRIED,
        source={"resolutions": "000:366", "assets": "000:419"},
    ),
    Tier(
        "seedance-2-mini",
        "Seedance 2 Mini",
        (Mode.TEXT_TO_VIDEO, Mode.FIRST_LAST_FRAMES),
        ("720p",),
        "720p",
        {Kind.IMAGE: IMAGES},
        auto_aspect_modes=FRAMES,
        description="Lowest cost, 720p only, no video or audio references (000:264).",
        moderation=Moderation.STRICT,
        moderation_note="Strict review, no retry: a content rejection ends the task, refunded (000:264, 000:381).",
        source={"resolutions": "000:367", "kinds": "000:268", "modes": "000:339", "assets": "000:419"},
    ),
    Tier(
        "seedance-2-less-restriction",
        "Seedance 2 (Pro) Less-restriction",
        ALL_MODES,
        ("480p", "720p", "1080p"),
        "480p",
        ALL_MEDIA,
        auto_aspect_modes=FRAMES,
        max_references=9,
        asset_urls=ASSETS_EVERYWHERE,
        media_by_mode=OMNI_MEDIA,
        description="Permissive review, no retry on rejection; takes asset:// references (000:265, 000:380).",
        moderation=Moderation.LESS_RESTRICTION,
        moderation_note="More permissive review; a rejection is final, refunded (000:265-267, 000:380).",
        source={"resolutions": "000:365", "assets": "000:419"},
    ),
    Tier(
        "seedance-2-fast-less-restriction",
        "Seedance 2 Fast Less-restriction",
        ALL_MODES,
        ("480p", "720p"),
        "480p",
        ALL_MEDIA,
        auto_aspect_modes=FRAMES,
        max_references=9,
        asset_urls=ASSETS_EVERYWHERE,
        media_by_mode=OMNI_MEDIA,
        description="Permissive review, no retry on rejection; takes asset:// references (000:266, 000:380).",
        moderation=Moderation.LESS_RESTRICTION,
        moderation_note="More permissive review; a rejection is final, refunded (000:265-267, 000:380).",
        source={"resolutions": "000:366", "assets": "000:419"},
    ),
)

# 000:273-277: legacy task types silently redirected to the strict formal models.
ALIASES = {
    "seedance-2-preview": "seedance-2",
    "seedance-2-fast-preview": "seedance-2-fast",
    "seedance-2-preview-vip": "seedance-2",
    "seedance-2-fast-preview-vip": "seedance-2-fast",
}

_LESS_RESTRICTION = frozenset({"seedance-2-less-restriction", "seedance-2-fast-less-restriction"})
EXTRAS = (
    # 000:425; ignored on strict task types (000:468), so the studio says so and does not send it there.
    ExtraSpec(
        "auto_upload_assets",
        "Auto-upload references as assets",
        bool,
        default=False,
        tiers=_LESS_RESTRICTION,
        help="PiAPI uploads each URL as an ephemeral asset for this task.",
        source="000:425",
    ),
    ExtraSpec(
        "asset_retention_hours",
        "Asset retention (hours)",
        int,
        min_value=1,
        tiers=_LESS_RESTRICTION,
        help="How long auto-uploaded assets are kept.",
        source="000:440",
    ),
)


def build_body(ctx: Context) -> dict:
    data: dict[str, Any] = {
        "prompt": ctx.prompt,
        "mode": ctx.mode.value,
        "duration": ctx.duration,
        "aspect_ratio": ctx.aspect_ratio,  # "auto" is PiAPI's own word (000:355)
        "resolution": ctx.resolution,
    }
    data.update(url_lists(ctx, {Kind.IMAGE: "image_urls", Kind.VIDEO: "video_urls", Kind.AUDIO: "audio_urls"}))
    data.update(ctx.extras)
    return {"model": "seedance", "task_type": ctx.tier.id, "input": data}


PROVIDER = ProviderSpec(
    id="piapi",
    display_name="PiAPI",
    document="000",
    currency=USD,
    tiers=TIERS,
    aliases=ALIASES,
    extras=EXTRAS,
    mention_style=MentionStyle.AT,
    mode_names={
        Mode.TEXT_TO_VIDEO: "text_to_video",
        Mode.FIRST_LAST_FRAMES: "first_last_frames",
        Mode.OMNI_REFERENCE: "omni_reference",
    },
    build_body=build_body,
    price=usd_per_second_quote,
    refuses_audio_only=True,
    source={
        "duration": "000:303",
        "modes": "000:317",
        "frames": "000:324",
        "omni_count": "000:338",
        "audio_only": "000:337",
        "aspect_ratio": "000:355",
        "mentions": "000:414",
        "prompt": "000:489",
        "aliases": "000:272",
        "inference": "000:309",
    },
)
