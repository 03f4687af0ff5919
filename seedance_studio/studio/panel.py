"""What the live panel shows: the mode, the price and every finding, placed at the field or chip it concerns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seedance_studio import seedance
from seedance_studio.credits.balance import Balance
from seedance_studio.references.models import Reference
from seedance_studio.seedance import Finding, Severity
from seedance_studio.studio.evaluation import core_references

# Where a finding about each core field is shown on the page.
FIELD_SLOTS = {
    "provider": "model",
    "tier": "model",
    "mode": "mode",
    "prompt": "prompt",
    "duration": "duration",
    "aspect_ratio": "aspect_ratio",
    "resolution": "resolution",
    "generate_audio": "generate_audio",
    "seed": "seed",
    "references": "references",
    "model": "model",
}
SLOTS = (
    "model",
    "mode",
    "prompt",
    "duration",
    "aspect_ratio",
    "resolution",
    "generate_audio",
    "seed",
    "references",
    "extras",
)


def findings_slot(slot_id: str, findings: Sequence[Finding] = ()) -> dict:
    """A findings list on the compose page, under a field or on a chip: its element's id, what it lists and
    whether an error is among them. The page renders every slot, empty ones hidden, so the live check can always
    refresh each one in place. A dict, not an object: the check renders two dozen on every keystroke, and a
    template finds a dict's key at once where an attribute first costs it a failed key lookup."""
    return {"id": slot_id, "findings": findings, "has_error": any(finding.is_error for finding in findings)}


@dataclass(frozen=True)
class Chip:
    """A reference as its chip shows it: its mention ("@image1") and the slot for the findings about it."""

    reference: Reference
    label: str
    slot: dict  # see findings_slot()


def panel_context(
    evaluation: seedance.Evaluation | None,
    references: Sequence[Reference],
    unavailable: str | None,
    *,
    balance: Balance,
    form_errors=None,
    history: Iterable[Finding] = (),
) -> dict:
    """`history`: the studio's own findings from the creative's past jobs (studio.moderation), shown beside the
    core's."""
    findings = [*evaluation.findings, *history] if evaluation is not None else []
    for field, errors in (form_errors or {}).items():
        findings.extend(Finding(Severity.ERROR, f"form.{field}", message, field=field) for message in errors)
    placed: dict[str, list[Finding]] = {slot: [] for slot in SLOTS}
    chip_findings: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.reference_id:
            chip_findings.setdefault(finding.reference_id, []).append(finding)
        else:
            slot = FIELD_SLOTS.get(finding.field or "", "extras" if (finding.field or "").startswith("extra") else None)
            if slot:
                placed[slot].append(finding)
    slots = {name: findings_slot(f"slot-{name}", found) for name, found in placed.items()}
    chips = [
        Chip(
            reference,
            label,
            findings_slot(f"chip-findings-{reference.public_id.hex}", chip_findings.get(str(reference.public_id), ())),
        )
        for reference, label in zip(references, _labels(evaluation, references), strict=True)
    ]
    error_count = sum(1 for finding in findings if finding.is_error)
    quote = evaluation.quote if evaluation is not None else None
    # The server refuses the same shortfall at submit (with the account locked); this says it before the click.
    shortfall = balance.shortfall(quote.studio_credits) if quote is not None else 0
    sent_prompt, sent_to = _sent_prompt(evaluation)
    return {
        "evaluation": evaluation,
        "sent_prompt": sent_prompt,
        "sent_to": sent_to,
        "name_max_chars": seedance.NAME_MAX_CHARS,
        "mode_label": _mode_label(evaluation),
        "quote": quote,
        "balance": balance,
        "shortfall": shortfall,
        "findings": findings,
        "error_count": error_count,
        "warning_count": len(findings) - error_count,
        "slots": slots,
        "chips": chips,
        # Every slot on the page, each field's then each chip's: what the live check refreshes out of band.
        "all_slots": [*slots.values(), *(chip.slot for chip in chips)],
        "unavailable": unavailable,
        "can_submit": evaluation is not None and not error_count and unavailable is None and not shortfall,
    }


def labeled_chips(references: Sequence[Reference]) -> list[Chip]:
    """The chips without findings (what the provider options need to redraw each chip's "Use as" control)."""
    return [
        Chip(reference, label, findings_slot(f"chip-findings-{reference.public_id.hex}"))
        for reference, label in zip(references, _labels(None, references), strict=True)
    ]


def _labels(evaluation, references) -> list[str]:
    """The chips' mentions, numbered by the core (the one place that says @image1 is the first image)."""
    if evaluation is not None and len(evaluation.references) == len(references):
        labeled = evaluation.references
    else:
        labeled = seedance.label_references(core_references(references))
    return [reference.label for reference in labeled]


def _sent_prompt(evaluation: seedance.Evaluation | None) -> tuple[str, str]:
    """The prompt as the chosen provider receives it (the request body's text) and the provider's name; no name
    for the local preview, which shows the prompt as typed."""
    if evaluation is None or not evaluation.sent_prompt:
        return "", ""
    try:
        provider = seedance.get_provider(evaluation.provider)
    except KeyError:
        return "", ""
    return evaluation.sent_prompt, provider.display_name if provider.is_remote else ""


def _mode_label(evaluation) -> str:
    if evaluation is None or evaluation.mode is None:
        return "—"
    return seedance.MODE_LABELS.get(evaluation.mode, str(evaluation.mode))
