"""Each reference against its provider's per-kind limits (formats, durations, sizes, fps, bytes) and the
totals per kind. The limits are data (capabilities.MediaLimits); this module only compares and words them.

A fact the probe could not read is never assumed: when a limit (or the price) depends on it, the reference
is refused with "reference.unprobed" rather than waved through.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .capabilities import MEGABYTE, MediaLimits, ProviderSpec, Tier
from .composition import MODE_LABELS, PLURAL, Kind, LabeledReference, Mode
from .findings import Finding, error, warning
from .pricing import format_seconds
from .rules import join_words, kinds_allowed


def check_media(spec: ProviderSpec, tier: Tier, mode: Mode, references: Sequence[LabeledReference]) -> list[Finding]:
    """Each reference against its kind's limits in this mode, then the totals per kind."""
    findings: list[Finding] = []
    allowed = kinds_allowed(mode)
    listing: dict[Kind, list[Mode]] = {}  # by kind, not by reference: twelve references, three kinds
    for ref in references:
        limits = tier.limits(ref.kind, mode)
        if limits is None or ref.kind not in allowed:
            continue  # already reported by check_references
        if ref.kind not in listing:
            listing[ref.kind] = _modes_listing_formats(tier, ref.kind)
        findings += _check_one(spec, limits, ref, listing[ref.kind])
    for kind in tier.media:
        limits = tier.limits_for(kind, mode)
        if limits.max_total_seconds is None or kind not in allowed:
            continue
        clips = [r.reference.seconds or Decimal(0) for r in references if r.kind is kind]
        total = sum(clips, Decimal(0))
        # One clip over the per-clip limit is already reported; the total would only repeat it.
        repeats = len(clips) == 1 and limits.max_seconds is not None and total > limits.max_seconds
        if total > limits.max_total_seconds and not repeats:
            findings.append(
                error(
                    f"{kind.value}s.total_too_long",
                    f"Your {kind.value} references add up to {format_seconds(total)}; {spec.display_name} takes at "
                    f"most {format_seconds(limits.max_total_seconds)} of input {kind.value} in total: trim or remove "
                    f"one.",
                    field="references",
                    source=limits.source.get("total", ""),
                )
            )
    return findings


def _modes_listing_formats(tier: Tier, kind: Kind) -> list[Mode]:
    return [m for m in tier.modes if kind in kinds_allowed(m) and tier.limits_for(kind, m).formats_documented]


def _check_one(
    spec: ProviderSpec, limits: MediaLimits, ref: LabeledReference, listed_in: Sequence[Mode] = ()
) -> list[Finding]:
    findings: list[Finding] = []
    missing: list[str] = []
    r = ref.reference
    name = spec.display_name
    src = limits.source

    def fact(value, what):
        if value is None:
            missing.append(what)
        return value

    formats = r.formats
    if not formats:
        missing.append("format")
    elif not formats & set(limits.formats):
        shown = _shown_format(ref)
        listed = join_words(list(limits.formats))
        if limits.formats_documented:
            findings.append(
                error(
                    "reference.format_unsupported",
                    f"{ref.label} is {shown}, and {name} takes {PLURAL[ref.kind]} as {listed} only: convert it.",
                    ref=ref,
                    source=src.get("formats", ""),
                )
            )
        elif not spec.is_remote:
            findings.append(
                warning(
                    "reference.format_undocumented",
                    f"{ref.label} is {shown}, which the preview can show but the providers' documents do not list "
                    f"(they name {listed}): convert it before submitting.",
                    ref=ref,
                )
            )
        elif listed_in:
            # PiAPI and GoAPI list image formats under first_last_frames only (000:327, 001:299): elsewhere the
            # list is a good guess, not a rule, so it may not stop the creative.
            where = join_words([MODE_LABELS[m].lower() for m in listed_in])
            findings.append(
                warning(
                    "reference.format_undocumented",
                    f"{ref.label} is {shown}; {name} lists {ref.kind.value} formats ({listed}) for {where} only, so "
                    f"it may or may not take it here: convert it to be safe.",
                    ref=ref,
                    source=src.get("formats", ""),
                )
            )
        else:
            findings.append(
                warning(
                    "reference.format_undocumented",
                    f"{ref.label} is {shown}; {name}'s document lists no {ref.kind.value} formats and other Seedance "
                    f"services take {listed} only: convert it to be safe.",
                    ref=ref,
                    source=src.get("formats", ""),
                )
            )

    needs_seconds = limits.priced_by_seconds or any(
        x is not None for x in (limits.min_seconds, limits.max_seconds, limits.max_total_seconds)
    )
    seconds = fact(r.seconds, "duration") if needs_seconds else r.seconds
    if seconds is not None:
        if limits.max_seconds is not None and seconds > limits.max_seconds:
            findings.append(
                error(
                    "reference.too_long",
                    f"{ref.label} lasts {format_seconds(seconds)}; {name} takes {ref.kind.value} references of at most "
                    f"{format_seconds(limits.max_seconds)} each: trim it.",
                    ref=ref,
                    source=src.get("seconds", ""),
                )
            )
        if limits.min_seconds is not None and seconds < limits.min_seconds:
            findings.append(
                error(
                    "reference.too_short",
                    f"{ref.label} lasts {format_seconds(seconds)}; {name} needs {ref.kind.value} references of at "
                    f"least {format_seconds(limits.min_seconds)}: use a longer clip.",
                    ref=ref,
                    source=src.get("seconds", ""),
                )
            )

    needs_size = any(
        x is not None
        for x in (
            limits.min_short_side,
            limits.min_side,
            limits.max_side,
            limits.min_aspect,
            limits.max_aspect,
            limits.min_pixels,
            limits.max_pixels,
        )
    )
    if needs_size:
        width, height = fact(r.width, "width"), fact(r.height, "height")
        if width and height:
            findings += _check_size(name, limits, ref, width, height)

    if limits.min_fps is not None or limits.max_fps is not None:
        fps = fact(r.fps, "frame rate")
        if fps is not None:
            fps = Decimal(str(fps))
            if (limits.min_fps is not None and fps < limits.min_fps) or (
                limits.max_fps is not None and fps > limits.max_fps
            ):
                findings.append(
                    error(
                        "reference.fps_out_of_range",
                        f"{ref.label} runs at {fps.normalize():f} fps; {name} takes videos at {limits.min_fps}-"
                        f"{limits.max_fps} fps: re-encode it (e.g. at 30 fps).",
                        ref=ref,
                        source=src.get("fps", ""),
                    )
                )

    if limits.max_bytes is not None:
        size = fact(r.size_bytes, "file size")
        if size is not None and size > limits.max_bytes:
            findings.append(
                error(
                    "reference.file_too_large",
                    f"{ref.label} is {_megabytes(size)}; {name} takes {ref.kind.value} files up to "
                    f"{_megabytes(limits.max_bytes)}: compress it.",
                    ref=ref,
                    source=src.get("bytes", ""),
                )
            )

    if missing:
        findings.append(
            error(
                "reference.unprobed",
                f"The studio could not read the {join_words(missing, 'and')} of {ref.label}, which {name} checks: "
                f"re-upload it or replace it.",
                ref=ref,
            )
        )
    return findings


def _check_size(name: str, limits: MediaLimits, ref: LabeledReference, width: int, height: int) -> list[Finding]:
    findings = []
    src = limits.source
    size = f"{width}x{height}"
    short, long_ = min(width, height), max(width, height)
    if limits.min_short_side is not None and short < limits.min_short_side:
        findings.append(
            error(
                "reference.too_small",
                f"{ref.label} is {size}; {name} needs {PLURAL[ref.kind]} at least {limits.min_short_side} px on the "
                f"shorter side: use a larger one.",
                ref=ref,
                source=src.get("short_side", ""),
            )
        )
    if limits.min_side is not None and short < limits.min_side:
        findings.append(
            error(
                "reference.too_small",
                f"{ref.label} is {size}; {name} needs {PLURAL[ref.kind]} at least {limits.min_side} px wide and high: "
                f"use a larger one.",
                ref=ref,
                source=src.get("sides", ""),
            )
        )
    if limits.max_side is not None and long_ > limits.max_side:
        findings.append(
            error(
                "reference.too_large",
                f"{ref.label} is {size}; {name} takes {PLURAL[ref.kind]} up to {limits.max_side} px on each side: "
                f"scale it down.",
                ref=ref,
                source=src.get("sides", ""),
            )
        )
    aspect = Decimal(width) / Decimal(height)
    if (limits.min_aspect is not None and aspect < limits.min_aspect) or (
        limits.max_aspect is not None and aspect > limits.max_aspect
    ):
        findings.append(
            error(
                "reference.aspect_out_of_range",
                f"{ref.label} is {size} (width/height {aspect:.2f}); {name} takes {PLURAL[ref.kind]} between "
                f"{limits.min_aspect} and {limits.max_aspect}: crop it.",
                ref=ref,
                source=src.get("aspect", ""),
            )
        )
    pixels = width * height
    if (limits.min_pixels is not None and pixels < limits.min_pixels) or (
        limits.max_pixels is not None and pixels > limits.max_pixels
    ):
        findings.append(
            error(
                "reference.pixels_out_of_range",
                f"{ref.label} is {size} ({pixels:,} pixels); {name} takes {PLURAL[ref.kind]} of {limits.min_pixels:,}-"
                f"{limits.max_pixels:,} pixels (640x640 to 834x1112): re-encode it at 720p or 480p.",
                ref=ref,
                source=src.get("pixels", ""),
            )
        )
    return findings


def _megabytes(size: int) -> str:
    # In the unit the limits are read in (capabilities.MEGABYTE), so a limit shows as the document's number.
    return f"{(Decimal(size) / MEGABYTE).quantize(Decimal('0.1')).normalize():f} MB"


def _shown_format(ref: LabeledReference) -> str:
    """The format in the creative's words: the file's extension when it has one, since a probe may only say
    "mov,mp4,m4a,3gp,3g2,mj2" (ffmpeg's one name for all those containers)."""
    for candidate in (ref.reference.name, ref.reference.url.split("?")[0]):
        tail = candidate.rsplit("/", 1)[-1]
        if "." in tail:
            return tail.rsplit(".", 1)[-1].lower()
    return ref.reference.format.split(",")[0] or "an unknown format"
