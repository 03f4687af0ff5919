"""What the live panel shows: the mode, the price and every finding, placed at the field or chip it concerns."""

from __future__ import annotations

from collections.abc import Iterable

from seedance_studio import seedance
from seedance_studio.credits.balance import Balance
from seedance_studio.seedance import Finding, Severity
from seedance_studio.studio.evaluation import core_reference

# Where a finding about each core field is shown on the page.
FIELD_SLOTS = {"provider": "model", "tier": "model", "mode": "mode", "prompt": "prompt", "duration": "duration",
               "aspect_ratio": "aspect_ratio", "resolution": "resolution", "generate_audio": "generate_audio",
               "seed": "seed", "references": "references", "model": "model"}
SLOTS = ("model", "mode", "prompt", "duration", "aspect_ratio", "resolution", "generate_audio", "seed",
         "references", "extras")


def panel_context(evaluation: seedance.Evaluation | None, references, unavailable: str | None, *,
                  balance: Balance, form_errors=None, history: Iterable[Finding] = ()) -> dict:
    """`history`: the studio's own findings from the creative's past jobs (studio.moderation), shown beside the
    core's."""
    findings = [*evaluation.findings, *history] if evaluation is not None else []
    for field, errors in (form_errors or {}).items():
        findings.extend(Finding(Severity.ERROR, f"form.{field}", message, field=field) for message in errors)
    slots: dict[str, list[Finding]] = {slot: [] for slot in SLOTS}
    chip_findings: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.reference_id:
            chip_findings.setdefault(finding.reference_id, []).append(finding)
        else:
            slot = FIELD_SLOTS.get(finding.field or "", "extras" if (finding.field or "").startswith("extra")
                                   else None)
            if slot:
                slots[slot].append(finding)
    errors = [finding for finding in findings if finding.is_error]
    quote = evaluation.quote if evaluation is not None else None
    # The server refuses the same shortfall at submit (with the account locked); this says it before the click.
    shortfall = balance.shortfall(quote.studio_credits) if quote is not None else 0
    return {
        "evaluation": evaluation,
        "mode_label": _mode_label(evaluation),
        "quote": quote,
        "balance": balance,
        "shortfall": shortfall,
        "findings": findings,
        "error_count": len(errors),
        "warning_count": len(findings) - len(errors),
        "slots": slots,
        "chips": [(reference, labeled.label, chip_findings.get(str(reference.public_id), []))
                  for reference, labeled in zip(references, _labels(evaluation, references))],
        "unavailable": unavailable,
        "can_submit": evaluation is not None and not errors and unavailable is None and not shortfall,
    }


def _labels(evaluation, references):
    """The chips' mentions, numbered by the core (the one place that says @image1 is the first image)."""
    if evaluation is not None and len(evaluation.references) == len(references):
        return evaluation.references
    return seedance.label_references(tuple(core_reference(reference) for reference in references))


def _mode_label(evaluation) -> str:
    if evaluation is None or evaluation.mode is None:
        return "—"
    return seedance.MODE_LABELS.get(evaluation.mode, str(evaluation.mode))
