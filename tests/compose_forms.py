"""What the composer posts, shared by the tests that post it."""

import uuid

# The header htmx sends with every request it makes: views answer with their fragment.
HTMX = {"HTTP_HX_REQUEST": "true"}


def compose_form(**overrides) -> dict[str, str]:
    """The compose form as the browser posts it: a local preview of a 5 s 16:9 720p video. An override of None
    leaves that field out, as an unchecked box or a missing field would."""
    data = {
        "prompt": "A lighthouse at dusk, waves rolling in",
        "model": "local_preview/local",
        "mode": "auto",
        "duration": "5",
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "generate_audio": "on",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def image_reference(owner, name: str):
    """A stored 1280x720 PNG reference row (no file behind it): what a chip of the composer points at."""
    from seedance_studio.references.models import Reference

    return Reference.objects.create(
        owner=owner,
        kind="image",
        file=f"references/{uuid.uuid4().hex}.png",
        original_name=name,
        format="png",
        content_type="image/png",
        extension="png",
        width=1280,
        height=720,
        size_bytes=1000,
    )
