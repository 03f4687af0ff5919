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


def stored_reference(owner, kind: str = "image", name: str = "a.png", **facts):
    """A stored reference row (no file behind it) with the facts a probe would have found, for a 1280x720 image,
    a 6 s 1280x720 video with sound or a 4 s sound; `facts` override them. What a chip of the composer points at."""
    from seedance_studio.references.models import Reference

    defaults = {
        "image": dict(width=1280, height=720, format="png", content_type="image/png", extension="png"),
        "video": dict(
            width=1280,
            height=720,
            duration=6.0,
            fps=24,
            format="mp4",
            content_type="video/mp4",
            extension="mp4",
            has_audio=True,
        ),
        "audio": dict(duration=4.0, format="mp3", content_type="audio/mpeg", extension="mp3"),
    }[kind]
    defaults.update(facts)
    return Reference.objects.create(
        owner=owner,
        kind=kind,
        file=f"references/{uuid.uuid4().hex}.{defaults['extension']}",
        original_name=name,
        size_bytes=1000,
        **defaults,
    )
