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


@dataclass(frozen=True)
class FindingsSlot:
    """A findings list on the compose page, under a field or on a chip: its element's id and what it lists. The
    page renders every slot, empty ones hidden, so the live check can always refresh each one in place. Frozen
    and hashable: the `findings_slot` template tag renders each distinct slot once (templatetags/compose.py)."""

    id: str
    findings: tuple[Finding, ...] = ()

    @property
    def has_error(self) -> bool:
        return any(finding.is_error for finding in self.findings)


def findings_slot(slot_id: str, findings: Sequence[Finding] = ()) -> FindingsSlot:
    return FindingsSlot(slot_id, tuple(findings))


@dataclass(frozen=True)
class Chip:
    """A reference as its chip shows it: its mention ("@image1") and the slot for the findings about it."""

    reference: Reference
    label: str
    slot: FindingsSlot


@dataclass(frozen=True)
class LivePanel:
    """What the check panel and the Submit button show: the mode, the price, the balance against it, every
    finding, and whether the job can be submitted. Frozen and hashable, and all the `panel-facts`,
    `panel-findings` and `submit-area` partials read, so each distinct panel is rendered once
    (templatetags/compose.py)."""

    mode_label: str
    quote: seedance.PriceQuote | None
    balance: Balance
    findings: tuple[Finding, ...]
    unavailable: str | None
    evaluated: bool  # False when the form itself is invalid: the core was not asked

    @property
    def shortfall(self) -> int:
        """Credits missing to pay the quote. The server refuses the same at submit (with the account locked);
        this says it before the click."""
        return self.balance.shortfall(self.quote.studio_credits) if self.quote is not None else 0

    @property
    def error_count(self) -> int:
        return sum(1 for finding in self.findings if finding.is_error)

    @property
    def warning_count(self) -> int:
        return len(self.findings) - self.error_count

    @property
    def can_submit(self) -> bool:
        return self.evaluated and not self.error_count and self.unavailable is None and not self.shortfall


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
    sent_prompt, sent_to = _sent_prompt(evaluation)
    panel = LivePanel(
        mode_label=_mode_label(evaluation),
        quote=evaluation.quote if evaluation is not None else None,
        balance=balance,
        findings=tuple(findings),
        unavailable=unavailable,
        evaluated=evaluation is not None,
    )
    return {
        "evaluation": evaluation,
        "panel": panel,
        "balance": balance,  # also the header's
        "name_max_chars": seedance.NAME_MAX_CHARS,
        # Not on the panel value: the prompt as sent changes with every keystroke, the rest of the panel seldom.
        "sent_prompt": sent_prompt,
        "sent_to": sent_to,
        "slots": slots,
        "chips": chips,
        # Every slot on the page, each field's then each chip's: what the live check refreshes out of band.
        "all_slots": [*slots.values(), *(chip.slot for chip in chips)],
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
