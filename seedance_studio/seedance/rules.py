"""The rules every provider shares, driven by its tables (capabilities.py): modes, duration, aspect ratio,
resolution, URLs, prompt, seed, extras. Per-file limits are in media.py, provider oddities in
providers/<name>.py; this module only reads the tables and words what it finds.

Every message names the rule and the fix, in the creative's words (STYLE.md, "Words").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .capabilities import ALL_MODES, ExtraSpec, ProviderSpec, Tier
from .composition import AUTO, MODE_LABELS, PLURAL, Composition, Frame, Kind, LabeledReference, Mode, frame_images
from .findings import Finding, error, warning
from .pricing import format_seconds

DEFAULT_ASPECT_RATIO = "16:9"  # every document's default: 000:356, 001:326, 003:72, 004:52
_AUTO_SPELLINGS = {"auto", "adaptive"}  # PiAPI says auto (000:326), HiAPI and EvoLink adaptive (003:72, 004:54)


def join_words(items: Sequence[str], last: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def count_of(n: int, kind: Kind) -> str:
    return f"{n} {kind.value if n == 1 else PLURAL[kind]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def infer_mode(references: Sequence[LabeledReference]) -> Mode:
    """PiAPI's rule (000:309-312), which the studio applies to every provider when the mode is "auto"."""
    if not references:
        return Mode.TEXT_TO_VIDEO
    if all(r.kind is Kind.IMAGE for r in references) and len(references) <= 2:
        return Mode.FIRST_LAST_FRAMES
    return Mode.OMNI_REFERENCE


_KINDS_ALLOWED = {Mode.TEXT_TO_VIDEO: frozenset(), Mode.FIRST_LAST_FRAMES: frozenset({Kind.IMAGE})}
_EVERY_KIND = frozenset(Kind)


def kinds_allowed(mode: Mode) -> frozenset[Kind]:
    """The reference kinds a mode takes at all (asked for every reference of every check, so a table)."""
    return _KINDS_ALLOWED.get(mode, _EVERY_KIND)


def check_duration(composition: Composition, spec: ProviderSpec, tier: Tier) -> tuple[list[Finding], int | None]:
    low, high = min(tier.durations), max(tier.durations)
    rule = f"{spec.display_name} makes whole-second videos from {low} to {high} s"
    source = spec.cite("duration")
    value: object = composition.duration  # typed int, but it comes from a form: anything can arrive
    if value is None or value == "" or isinstance(value, bool):
        return [
            error(
                "duration.missing",
                f"Choose a duration: {rule} (the studio never lets the provider fall back to a default).",
                field="duration",
                source=source,
            )
        ], None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite():
        return [
            error(
                "duration.not_whole",
                f"{value!r} is not a duration: {rule}; choose one.",
                field="duration",
                source=source,
            )
        ], None
    if number != number.to_integral_value():
        return [
            error(
                "duration.not_whole",
                f"{format_seconds(number)} is not a whole number of seconds: "
                f"{rule}; choose {int(number)} or {int(number) + 1} s.",
                field="duration",
                source=source,
            )
        ], None
    seconds = int(number)
    if seconds not in tier.durations:
        return [
            error(
                "duration.out_of_range",
                f"{seconds} s is out of range: {rule} (the studio refuses it rather "
                f"than let it fall back to 5 s); choose {low}-{high} s.",
                field="duration",
                source=source,
            )
        ], None
    return [], seconds


def resolve_mode(
    composition: Composition, spec: ProviderSpec, tier: Tier, references: Sequence[LabeledReference]
) -> tuple[list[Finding], Mode | None, bool]:
    """(findings, mode, inferred). The mode is returned even when the tier lacks it, so the other rules run."""
    raw = (composition.mode or AUTO).strip().lower()
    if raw == AUTO:
        return [], infer_mode(references), True
    try:
        return [], Mode(raw), False
    except ValueError:
        choices = join_words([AUTO] + [m.value for m in tier.modes])
        return (
            [error("mode.unknown", f"{composition.mode!r} is not a mode: choose {choices}.", field="mode")],
            None,
            False,
        )


def check_references(
    spec: ProviderSpec, tier: Tier, mode: Mode, inferred: bool, references: Sequence[LabeledReference]
) -> list[Finding]:
    findings: list[Finding] = []
    for ref in references:
        if ref.kind not in tier.media:
            findings.append(
                error(
                    "reference.kind_not_allowed",
                    f"{tier.display_name} takes no {ref.kind.value} references: remove {ref.label}, or choose a "
                    f"tier that does.",
                    ref=ref,
                    source=tier.source.get("kinds", ""),
                )
            )
    kind_errors = bool(findings)
    if mode not in tier.modes and not kind_errors:
        offered = join_words([MODE_LABELS[m].lower() for m in tier.modes], "and")
        fix = (
            "change the references (Auto chose it from them) or choose another tier"
            if inferred
            else "choose another mode or tier"
        )
        findings.append(
            error(
                "mode.unsupported",
                f"{tier.display_name} does not do {MODE_LABELS[mode].lower()}, only {offered}: {fix}.",
                field="mode",
                source=tier.source.get("modes", ""),
            )
        )
    images = [r for r in references if r.kind is Kind.IMAGE]
    if mode is Mode.TEXT_TO_VIDEO:
        for ref in references:
            findings.append(
                error(
                    "mode.text_with_references",
                    f"Text to video takes no references: remove {ref.label}, or set the mode to Auto so it is used.",
                    ref=ref,
                    source=spec.cite("modes"),
                )
            )
    elif mode is Mode.FIRST_LAST_FRAMES:
        for ref in references:
            if ref.kind is not Kind.IMAGE and ref.kind in tier.media:
                findings.append(
                    error(
                        "mode.frames_images_only",
                        f"First/last frames takes images only and {ref.label} is a {ref.kind.value}: remove it, or "
                        f"set the mode to Auto or Omni reference.",
                        ref=ref,
                        source=spec.cite("frames"),
                    )
                )
        if not images:
            findings.append(
                error(
                    "mode.frames_need_images",
                    "First/last frames needs 1 or 2 images (the first frame, then the last): add an image, or "
                    "choose Text to video.",
                    field="references",
                    source=spec.cite("frames"),
                )
            )
        elif len(images) > 2:
            findings.append(
                error(
                    "mode.frames_too_many_images",
                    f"First/last frames takes at most 2 images (first and last frame) and there are {len(images)}: "
                    f"remove {len(images) - 2}, or choose Omni reference to use them all.",
                    field="references",
                    source=spec.cite("frames"),
                )
            )
    else:
        findings += _check_omni_counts(spec, tier, references)
    return findings


def _check_omni_counts(spec: ProviderSpec, tier: Tier, references: Sequence[LabeledReference]) -> list[Finding]:
    findings = []
    if not references:
        return [
            error(
                "mode.reference_needs_references",
                "Omni reference needs at least one reference: add an image or a video, or choose Text to video.",
                field="references",
                source=spec.cite("omni_count"),
            )
        ]
    if tier.max_references is not None and len(references) > tier.max_references:
        findings.append(
            error(
                "references.too_many",
                f"{spec.display_name} takes at most {tier.max_references} references in all and there are "
                f"{len(references)}: remove {len(references) - tier.max_references}.",
                field="references",
                source=spec.cite("omni_count"),
            )
        )
    for kind in tier.media:
        limits = tier.limits_for(kind, Mode.OMNI_REFERENCE)
        count = sum(1 for r in references if r.kind is kind)
        if limits.max_count is not None and count > limits.max_count:
            findings.append(
                error(
                    f"{kind.value}s.too_many",
                    f"{spec.display_name} takes at most {count_of(limits.max_count, kind)} and there are "
                    f"{count}: remove {count - limits.max_count}.",
                    field="references",
                    source=limits.source.get("count", ""),
                )
            )
    if all(r.kind is Kind.AUDIO for r in references):
        findings.append(_audio_only(spec))
    return findings


def _audio_only(spec: ProviderSpec) -> Finding:
    if spec.refuses_audio_only:
        return error(
            "references.audio_only",
            f"Audio needs a picture: add at least one image or video reference ({spec.display_name} "
            f"rejects audio-only requests).",
            field="references",
            source=spec.cite("audio_only"),
        )
    # PiAPI, GoAPI and EvoLink refuse audio alone (000:337, 001:309, 004:37); a document that is silent may
    # take it, so the creative is told rather than stopped.
    return warning(
        "references.audio_only",
        f"Audio without a picture: {spec.display_name}'s document does not say whether it takes "
        f"audio-only requests, and other Seedance services reject them: add an image or video "
        f"reference to be safe.",
        field="references",
    )


def check_frames(spec: ProviderSpec, mode: Mode, references: Sequence[LabeledReference]) -> list[Finding]:
    """Images pinned to the first or last frame (composition.Frame): only where the request can say so."""
    findings: list[Finding] = []
    pinned = [r for r in references if r.reference.frame is not None]
    for ref in pinned:
        if ref.kind is not Kind.IMAGE:
            findings.append(
                error(
                    "reference.frame_not_image",
                    f"{ref.label} is set as the {ref.reference.frame} frame, but only an image can be a frame: clear "
                    f"its frame setting, or use an image.",
                    ref=ref,
                )
            )
    for frame in Frame:
        same = [r for r in pinned if r.kind is Kind.IMAGE and r.reference.frame is frame]
        if len(same) > 1:
            findings.append(
                error(
                    "frames.duplicate",
                    f"{join_words([r.label for r in same], 'and')} are {'both' if len(same) == 2 else 'all'} set as "
                    f"the {frame} frame, but a video has only one: keep one there and clear the frame setting of the "
                    f"others.",
                    field="references",
                )
            )
    if spec.named_frames or mode is Mode.TEXT_TO_VIDEO:
        return findings  # named fields say everything; text to video already refuses every reference
    frames = frame_images(mode, references)
    name = spec.display_name
    if mode is Mode.OMNI_REFERENCE:
        for ref in frames.values():
            findings.append(
                error(
                    "frames.beside_references",
                    f"{ref.label} is set as the {ref.reference.frame} frame, but {name} takes frames only in "
                    f"first/last frames, without other references: clear its frame setting to use it as a "
                    f"reference, or choose HiAPI, which takes frames beside references.",
                    ref=ref,
                    source=spec.cite("frames"),
                )
            )
        return findings
    first, last = frames.get(Frame.FIRST), frames.get(Frame.LAST)
    if last is not None and first is None:
        findings.append(
            error(
                "frames.last_alone",
                f"{last.label} is set as the last frame with no first frame, and {name} cannot send a last frame "
                f"alone: add a first frame before it, clear its frame setting to start the video from it, or choose "
                f"HiAPI.",
                ref=last,
                source=spec.cite("frames"),
            )
        )
    elif first is not None and last is not None and references.index(first) > references.index(last):
        # The images go out in their order (first, then last) and mentions count in that order too.
        findings.append(
            error(
                "frames.out_of_order",
                f"{first.label} is the first frame but comes after {last.label}, the last frame, and {name} reads "
                f"the frames in order: move {first.label} before {last.label}.",
                ref=first,
                source=spec.cite("frames"),
            )
        )
    return findings


def check_urls(spec: ProviderSpec, tier: Tier, mode: Mode, references: Sequence[LabeledReference]) -> list[Finding]:
    findings = []
    # A frame beside references goes in the frame fields, which take what first/last frames takes (003:85-89).
    frames = set(frame_images(mode, references).values())
    for ref in references:
        url = ref.reference.url.strip()
        if not url:
            continue  # URLs are assigned at submit time; the submit path checks they are public (issue 4)
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        use = Mode.FIRST_LAST_FRAMES if ref in frames else mode
        if scheme == "asset":
            if (use, ref.kind) not in tier.asset_urls:
                where = [t.display_name for t in spec.tiers if (use, ref.kind) in t.asset_urls]
                fix = f"choose {join_words(where)}, or use the uploaded file" if where else "use the uploaded file"
                findings.append(
                    error(
                        "reference.asset_not_allowed",
                        f"{ref.label} is a provider asset (asset://), which {tier.display_name} does not accept for "
                        f"{PLURAL[ref.kind]} here: {fix}.",
                        ref=ref,
                        source=tier.source.get("assets", ""),
                    )
                )
        elif scheme not in ("http", "https"):
            findings.append(
                error(
                    "reference.url_scheme",
                    f"{ref.label} has an address the provider cannot fetch ({scheme or 'no'} scheme): it needs a "
                    f"public http(s) URL; re-upload it.",
                    ref=ref,
                )
            )
    return findings


def check_aspect_ratio(
    composition: Composition, spec: ProviderSpec, tier: Tier, mode: Mode
) -> tuple[list[Finding], str]:
    raw = (composition.aspect_ratio or DEFAULT_ASPECT_RATIO).strip()
    value = AUTO if raw.lower() in _AUTO_SPELLINGS else raw
    ratios = join_words(list(tier.aspect_ratios))
    source = spec.cite("aspect_ratio")
    if value == AUTO:
        if mode not in tier.auto_aspect_modes:
            if tier.auto_aspect_modes:
                where = join_words([MODE_LABELS[m].lower() for m in tier.auto_aspect_modes])
                text = f"Auto aspect ratio works only in {where} on {spec.display_name}: choose {ratios}."
            else:
                text = f"{spec.display_name} has no automatic aspect ratio: choose {ratios}."
            return [error("aspect_ratio.auto_not_allowed", text, field="aspect_ratio", source=source)], value
        return [], value
    if value not in tier.aspect_ratios:
        return [
            error(
                "aspect_ratio.unsupported",
                f"{raw} is not an aspect ratio {spec.display_name} offers: choose {ratios}.",
                field="aspect_ratio",
                source=source,
            )
        ], value
    return [], value


def check_resolution(composition: Composition, spec: ProviderSpec, tier: Tier) -> tuple[list[Finding], str]:
    value = (composition.resolution or tier.default_resolution).strip().lower()
    if value not in tier.resolutions:
        only = join_words(list(tier.resolutions))
        text = f"{tier.display_name} renders {only} only, not {value}: choose {only}."
        return [
            error("resolution.unsupported", text, field="resolution", source=tier.source.get("resolutions", ""))
        ], value
    return [], value


def check_prompt(spec: ProviderSpec, mode: Mode, prompt: str) -> list[Finding]:
    length = len(prompt)
    source = spec.cite("prompt")
    if not prompt:
        if mode in spec.prompt_required_modes:
            when = "in text to video" if len(spec.prompt_required_modes) == 1 else "for every video"
            return [
                error(
                    "prompt.missing",
                    f"Write a prompt: {spec.display_name} needs one {when}.",
                    field="prompt",
                    source=source,
                )
            ]
        return []
    if length < spec.prompt_min_chars:
        return [
            error(
                "prompt.too_short",
                f"The prompt has {_plural(length, 'character')}; {spec.display_name} "
                f"needs at least {spec.prompt_min_chars}: say a little more.",
                field="prompt",
                source=source,
            )
        ]
    if spec.prompt_max_chars is not None and length > spec.prompt_max_chars:
        return [
            error(
                "prompt.too_long",
                f"The prompt has {length:,} characters; {spec.display_name} takes at "
                f"most {spec.prompt_max_chars:,}: shorten it.",
                field="prompt",
                source=source,
            )
        ]
    return []


def check_seed_and_audio(composition: Composition, spec: ProviderSpec) -> list[Finding]:
    findings = []
    seed = composition.seed
    if seed is not None:
        if not spec.supports_seed:
            findings.append(
                warning(
                    "seed.unsupported",
                    f"{spec.display_name} has no seed setting, so the seed is not sent and each run differs: clear it, "
                    f"or choose a provider with seeds (HiAPI).",
                    field="seed",
                )
            )
        elif (
            isinstance(seed, bool)
            or not isinstance(seed, int)
            or (spec.seed_range and not spec.seed_range[0] <= seed <= spec.seed_range[1])
        ):
            low, high = spec.seed_range or (0, 0)
            findings.append(
                error(
                    "seed.out_of_range",
                    f"{seed!r} is not a seed {spec.display_name} takes: use a whole number from {low} to {high:,}.",
                    field="seed",
                    source=spec.cite("seed"),
                )
            )
    if not composition.generate_audio and not spec.supports_audio_switch:
        findings.append(
            warning(
                "generate_audio.unsupported",
                f"{spec.display_name} has no switch to turn audio off, so the video may come with sound: mute it "
                f"after download, or choose HiAPI or EvoLink for a silent video.",
                field="generate_audio",
            )
        )
    return findings


def check_extras(
    composition: Composition, spec: ProviderSpec, tier: Tier, mode: Mode
) -> tuple[list[Finding], dict[str, Any]]:
    findings: list[Finding] = []
    applicable: dict[str, Any] = {}
    known: Mapping[str, ExtraSpec] = {extra.name: extra for extra in spec.extras}
    for name, value in composition.extras.items():
        field = f"extras.{name}"
        extra = known.get(name)
        if value is None or value == "":
            continue
        if extra is None:
            findings.append(
                warning(
                    "extras.unknown",
                    f"{spec.display_name} has no setting called {name}, so it is not sent: remove it.",
                    field=field,
                )
            )
            continue
        problem = _extra_problem(extra, value)
        if problem:
            findings.append(error("extras.invalid", f"{extra.label}: {problem}.", field=field, source=extra.source))
            continue
        where = None
        if extra.tiers is not None and tier.id not in extra.tiers:
            names = [t.display_name for t in spec.tiers if t.id in extra.tiers]
            where = f"on {join_words(names)}"
        elif extra.modes is not None and mode not in extra.modes:
            where = f"in {join_words([MODE_LABELS[m].lower() for m in ALL_MODES if m in extra.modes])}"
        if where:
            if value:
                findings.append(
                    warning(
                        "extras.ignored",
                        f"{extra.label} works only {where}, so it is not sent "
                        f"here: turn it off or change the "
                        f"{'tier' if where.startswith('on') else 'mode'}.",
                        field=field,
                        source=extra.source,
                    )
                )
            continue
        applicable[name] = value
    return findings, applicable


def _extra_problem(extra: ExtraSpec, value: Any) -> str | None:
    if extra.kind is bool:
        return None if isinstance(value, bool) else "choose on or off"
    if extra.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return "use a whole number"
        if (extra.min_value is not None and value < extra.min_value) or (
            extra.max_value is not None and value > extra.max_value
        ):
            if extra.max_value is None:
                return f"use a whole number of at least {extra.min_value}"
            if extra.min_value is None:
                return f"use a whole number of at most {extra.max_value}"
            return f"use a whole number from {extra.min_value} to {extra.max_value}"
        return None
    if extra.choices and value not in extra.choices:
        return f"choose {join_words([str(c) for c in extra.choices])}"
    return None
