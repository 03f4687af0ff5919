"""HiAPI, `POST https://api.hiapi.ai/v1/tasks` with model `seedance-2-0` (shared/seeds/003_bc94c502d4abd21f.txt).

How the studio's modes map: first_last_frames -> `first_frame_url` and/or `last_frame_url` (003:39,
003:83-89, 003:209); omni_reference -> `reference_image_urls` / `reference_video_urls` /
`reference_audio_urls` (003:91-101), plus the frame fields for images pinned to a frame. Every one of these
fields is optional, so a last frame may come alone, and frames may come beside reference images: "Combined
count with first/last frames should not exceed 9" (003:93) is checked as 9 images in all.

Decisions where the document is silent:
- Prices are not in the document (003:15): configurable, placeholder defaults in pricing.py, and quotes are
  "estimated" until configured. Priced "per second of generated video" (003:213): no input-video term unless
  an admin configures one.
- No formats, clip durations or total-input-video limit are documented: formats apply as warnings
  (capabilities.py); no duration limit is invented.
- "asset id" is documented for the frame URLs only (003:85, 003:89), so asset:// references are accepted in
  first_last_frames only.
- `generate_audio` is always sent (its default is true, 003:112) so the creative's switch is explicit.
- `web_search`, `nsfw_checker`, `return_last_frame` are sent only when the creative set them.
- Audio-only references: nothing in 003 refuses them, so the studio warns instead of refusing (rules.py).
"""

from __future__ import annotations

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
from ..composition import AUTO, Frame, Kind, Mode
from ..mentions import MentionStyle
from ..pricing import USD
from ._common import usd_per_second_quote

MEDIA = {
    # "Combined count with first/last frames should not exceed 9" (003:93): frames are images too.
    Kind.IMAGE: MediaLimits(formats=IMAGE_FORMATS, formats_documented=False, max_count=9, source={"count": "003:93"}),
    Kind.VIDEO: MediaLimits(
        formats=VIDEO_FORMATS, formats_documented=False, max_count=3, priced_by_seconds=True, source={"count": "003:97"}
    ),
    Kind.AUDIO: MediaLimits(formats=AUDIO_FORMATS, formats_documented=False, max_count=3, source={"count": "003:101"}),
}
TIERS = (
    Tier(
        "seedance-2-0",
        "Seedance 2.0",
        ALL_MODES,
        ("480p", "720p", "1080p"),
        "720p",
        MEDIA,
        auto_aspect_modes=ALL_MODES,
        asset_urls=frozenset({(Mode.FIRST_LAST_FRAMES, Kind.IMAGE)}),
        description="One model for text, frames and multimodal references (003:12-17).",
        moderation_note="No permissive variant; HiAPI's own extra content check is off unless asked (nsfw_checker, "
        "003:117-121).",
        source={"resolutions": "003:80", "assets": "003:85"},
    ),
)

EXTRAS = (
    ExtraSpec("web_search", "Web search", bool, help="Let the model look things up on the web.", source="003:113"),
    ExtraSpec("nsfw_checker", "Content check", bool, default=False, help="HiAPI's content checking.", source="003:117"),
    ExtraSpec(
        "return_last_frame",
        "Return last frame",
        bool,
        default=False,
        help="Also return the last frame, to continue the shot.",
        source="003:103",
    ),
)


REFERENCE_FIELDS = {
    Kind.IMAGE: "reference_image_urls",
    Kind.VIDEO: "reference_video_urls",
    Kind.AUDIO: "reference_audio_urls",
}  # 003:91-101


def build_body(ctx: Context) -> dict:
    data: dict[str, Any] = {
        "prompt": ctx.prompt,
        "aspect_ratio": "adaptive" if ctx.aspect_ratio == AUTO else ctx.aspect_ratio,  # 003:72
        "duration": ctx.duration,
        "resolution": ctx.resolution,
        "generate_audio": bool(ctx.composition.generate_audio),
    }
    frames = ctx.frames
    for frame, key in ((Frame.FIRST, "first_frame_url"), (Frame.LAST, "last_frame_url")):
        if frame in frames:
            data[key] = frames[frame].reference.url
    if ctx.mode is Mode.OMNI_REFERENCE:
        others = [r for r in ctx.references if r not in frames.values()]
        for kind, key in REFERENCE_FIELDS.items():
            urls = [r.reference.url for r in others if r.kind is kind]
            if urls:
                data[key] = urls
    if ctx.composition.seed is not None:
        data["seed"] = ctx.composition.seed
    data.update(ctx.extras)
    return {"model": "seedance-2-0", "input": data}


PROVIDER = ProviderSpec(
    id="hiapi",
    display_name="HiAPI",
    document="003",
    currency=USD,
    tiers=TIERS,
    extras=EXTRAS,
    mention_style=MentionStyle.AT,
    mode_names={
        Mode.TEXT_TO_VIDEO: "Text-to-video",
        Mode.FIRST_LAST_FRAMES: "First or last frame control",
        Mode.OMNI_REFERENCE: "Multimodal references",
    },
    build_body=build_body,
    price=usd_per_second_quote,
    prompt_min_chars=3,
    prompt_max_chars=20000,
    supports_seed=True,
    seed_range=(0, 2147483647),
    supports_audio_switch=True,
    named_frames=True,
    source={
        "duration": "003:75",
        "prompt": "003:66",
        "aspect_ratio": "003:72",
        "seed": "003:124",
        "frames": "003:209",
        "omni_count": "003:93",
    },
)
