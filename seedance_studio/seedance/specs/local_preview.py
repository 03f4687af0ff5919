"""The local preview: a free render on the studio's own machine, to check a composition before paying.

It accepts the union of what the providers accept (so anything one of them would take can be previewed):
every mode, 480p/720p/1080p, every aspect ratio and "auto" in every mode (HiAPI, EvoLink), up to 12
references of any kind (GoAPI), a seed (HiAPI), audio on or off, frames pinned anywhere (HiAPI). What no
provider takes it refuses too: durations outside 4-15 s, asset:// references it cannot read. Audio-only
requests are refused as well: three documents refuse them (000:337, 001:309, 004:37), the other two are silent,
and the preview would have no picture to show. Formats outside the documented lists are warnings, as for
the providers whose documents list none.

The body is not a wire format: it is a plain description of the render for the preview renderer. Its references
are in the order the preview plays them (`preview_order`): the creative's shot order, as the prompt first
mentions them, then the unmentioned ones; a frame pin still opens or ends the clip.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from ..composition import AUTO, Frame, Kind, Mode, Reference
from ..mentions import MentionStyle, shot_order
from ..output_sizes import nearest_aspect_ratio, output_size
from ..pricing import FREE, free_quote

MEDIA = {
    Kind.IMAGE: MediaLimits(formats=IMAGE_FORMATS, formats_documented=False),
    Kind.VIDEO: MediaLimits(formats=VIDEO_FORMATS, formats_documented=False),
    Kind.AUDIO: MediaLimits(formats=AUDIO_FORMATS, formats_documented=False),
}
TIERS = (
    Tier(
        "local",
        "Local preview",
        ALL_MODES,
        ("480p", "720p", "1080p"),
        "720p",
        MEDIA,
        auto_aspect_modes=ALL_MODES,
        max_references=12,
        description="Free, rendered by the studio.",
        moderation=Moderation.NONE,
        moderation_note="Rendered on this machine: nobody reviews it.",
    ),
)


def resolved_aspect_ratio(ctx: Context) -> str:
    """ "auto" becomes the shape of the first picture (image, else video); 16:9 without one (000:356)."""
    if ctx.aspect_ratio != AUTO:
        return ctx.aspect_ratio
    for kind in (Kind.IMAGE, Kind.VIDEO):
        for ref in ctx.of_kind(kind):
            if ref.reference.width and ref.reference.height:
                return nearest_aspect_ratio(ref.reference.width, ref.reference.height)
    return "16:9"


def preview_order(prompt: str, references: Sequence[Reference]) -> list[str]:
    """The references' ids in the order the preview plays them: an image pinned to the first frame opens it, one
    pinned to the last frame ends it, and the rest follow the prompt (mentions.shot_order) between them."""
    place = {reference.id: {Frame.FIRST: 0, None: 1, Frame.LAST: 2}[reference.frame] for reference in references}
    return sorted(shot_order(prompt, references), key=place.__getitem__)


def build_body(ctx: Context) -> dict:
    aspect_ratio = resolved_aspect_ratio(ctx)
    width, height = output_size(aspect_ratio, ctx.resolution)
    by_id = {ref.id: ref for ref in ctx.references}
    played = [by_id[ref_id] for ref_id in preview_order(ctx.composition.prompt, [r.reference for r in ctx.references])]
    return {
        "renderer": "local_preview",
        "mode": ctx.mode.value,
        "prompt": ctx.prompt,
        "duration": ctx.duration,
        "aspect_ratio": aspect_ratio,
        "resolution": ctx.resolution,
        "width": width,
        "height": height,
        "generate_audio": bool(ctx.composition.generate_audio),
        "seed": ctx.composition.seed,
        "references": [
            {"id": ref.id, "kind": ref.kind.value, "mention": ref.label, "url": ref.reference.url} for ref in played
        ],
    }


PROVIDER = ProviderSpec(
    id="local_preview",
    display_name="Local preview",
    document="",
    currency=FREE,
    tiers=TIERS,
    mention_style=MentionStyle.AS_WRITTEN,
    mode_names={
        Mode.TEXT_TO_VIDEO: "Text to video",
        Mode.FIRST_LAST_FRAMES: "First/last frames",
        Mode.OMNI_REFERENCE: "Omni reference",
    },
    build_body=build_body,
    price=lambda ctx, config: free_quote(),
    # Without references the preview is a title card of the prompt: nothing to show without one.
    prompt_required_modes=(Mode.TEXT_TO_VIDEO,),
    supports_seed=True,
    seed_range=(0, 2147483647),
    supports_audio_switch=True,
    refuses_audio_only=True,
    named_frames=True,
    is_remote=False,
)
