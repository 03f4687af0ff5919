"""Small builders for compositions: valid defaults everywhere, so each test changes only what it is about.

Defaults are chosen to pass every provider's limits (1280x720 images and videos, 5 s clips at 30 fps,
small files, formats every document lists) and the default prompt mentions every reference.
"""

from __future__ import annotations

from dataclasses import replace

from seedance_studio.seedance import Composition, Reference, evaluate
from seedance_studio.seedance.composition import label_references

DEFAULT_TIERS = {
    "piapi": "seedance-2",
    "goapi": "seedance-2",
    "seedance2": "seedance2",
    "hiapi": "seedance-2-0",
    "evolink": "standard",
    "local_preview": "local",
}
REMOTE = ("piapi", "goapi", "seedance2", "hiapi", "evolink")
ALL = (*REMOTE, "local_preview")


def image(
    ref_id: str = "img-a",
    *,
    fmt: str = "png",
    width: int = 1280,
    height: int = 720,
    size: int | None = 2_000_000,
    url: str | None = None,
) -> Reference:
    return Reference(
        ref_id,
        "image",
        url=url if url is not None else f"https://cdn.example.com/{ref_id}.{fmt}",
        format=fmt,
        width=width,
        height=height,
        size_bytes=size,
    )


def video(
    ref_id: str = "vid-a",
    *,
    seconds=5,
    fmt: str = "mp4",
    width: int = 1280,
    height: int = 720,
    fps=30,
    size: int | None = 10_000_000,
    url: str | None = None,
) -> Reference:
    return Reference(
        ref_id,
        "video",
        url=url if url is not None else f"https://cdn.example.com/{ref_id}.{fmt}",
        format=fmt,
        width=width,
        height=height,
        duration=seconds,
        fps=fps,
        size_bytes=size,
        has_audio=True,
    )


def audio(
    ref_id: str = "aud-a", *, seconds=5, fmt: str = "mp3", size: int | None = 1_000_000, url: str | None = None
) -> Reference:
    return Reference(
        ref_id,
        "audio",
        url=url if url is not None else f"https://cdn.example.com/{ref_id}.{fmt}",
        format=fmt,
        duration=seconds,
        size_bytes=size,
    )


def images(n: int, **kwargs) -> list[Reference]:
    return [image(f"img-{i}", **kwargs) for i in range(1, n + 1)]


def videos(n: int, **kwargs) -> list[Reference]:
    return [video(f"vid-{i}", **kwargs) for i in range(1, n + 1)]


def audios(n: int, **kwargs) -> list[Reference]:
    return [audio(f"aud-{i}", **kwargs) for i in range(1, n + 1)]


def mentioning(references) -> str:
    labels = " ".join(r.label for r in label_references(references))
    return f"A quiet scene with {labels}".strip() if labels else "A quiet scene at dawn"


def comp(
    provider: str, *references: Reference, tier: str | None = None, prompt: str | None = None, **kwargs
) -> Composition:
    kwargs.setdefault("duration", 5)
    return Composition(
        provider=provider,
        tier=tier or DEFAULT_TIERS[provider],
        prompt=mentioning(references) if prompt is None else prompt,
        references=tuple(references),
        **kwargs,
    )


def run(provider: str, *references: Reference, **kwargs):
    return evaluate(comp(provider, *references, **kwargs))


def codes(evaluation, severity: str | None = None) -> set[str]:
    return {f.code for f in evaluation.findings if severity is None or f.severity == severity}


def errors(evaluation) -> set[str]:
    return codes(evaluation, "error")


def warnings(evaluation) -> set[str]:
    return codes(evaluation, "warning")


def framed(reference: Reference, frame: str) -> Reference:
    """The same image pinned to the "first" or "last" frame."""
    return replace(reference, frame=frame)
