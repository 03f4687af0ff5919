"""Submitting the draft: check it with the Seedance core, freeze it, queue the job and reserve its credits,
exactly once per click."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction

from seedance_studio import seedance
from seedance_studio.credits.ledger import InsufficientCredits
from seedance_studio.seedance import takes
from seedance_studio.studio.availability import submission_blocker
from seedance_studio.studio.choices import model_label
from seedance_studio.studio.evaluation import core_composition, evaluate_composition, quote_as_json
from seedance_studio.studio.models import Composition, Job, SubmissionLimit, Take


class SubmissionRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def submit_draft(
    draft: Composition,
    submission_key: uuid.UUID | None,
    *,
    evaluation: seedance.Evaluation | None = None,
    references=None,
) -> Job:
    """Queue a job made from a frozen copy of the draft, with its quoted credits reserved. The same submission
    key always yields the same job (and one reservation).

    The server re-runs the same core as the live panel, so a request the panel showed as broken is refused here
    too even if the browser's disabled Submit button was bypassed, and the stored, reserved quote is the one
    shown. A refusal creates nothing: no job, no frozen copy, no ledger entry.
    """
    key = submission_key or uuid.uuid4()
    existing = Job.objects.filter(owner=draft.owner, submission_key=key).first()
    if existing is not None:
        return existing
    if evaluation is None:  # the caller may pass the evaluation it made of this same draft (the submit view)
        references = draft.ordered_references() if references is None else references
        evaluation = evaluate_composition(draft, references)
    problems = [finding.message for finding in evaluation.errors]
    blocker = submission_blocker(draft.provider)
    if blocker:
        problems.append(blocker)
    if problems:
        raise SubmissionRefused(problems)
    continued = _continued(draft)
    try:
        with transaction.atomic():
            return Job.objects.create_reserved(
                owner=draft.owner,
                composition=draft.freeze(),
                submission_key=key,
                provider=draft.provider,
                quote=quote_as_json(evaluation.quote),
                price_credits=_price(evaluation),
                request_body=evaluation.request_body,
                continues=continued,
            )
    except (InsufficientCredits, SubmissionLimit) as refusal:
        # A second click that waited on the account lock while the first one reserved finds the balance spent
        # by that first click: its job is the answer, not a refusal.
        existing = Job.objects.filter(owner=draft.owner, submission_key=key).first()
        if existing is not None:
            return existing
        raise SubmissionRefused([refusal.message]) from None
    except IntegrityError:
        # A second click raced the first one past the lookup above: the unique key let only one job through.
        existing = Job.objects.filter(owner=draft.owner, submission_key=key).first()
        if existing is None:
            raise SubmissionRefused([_CHANGED_MEANWHILE]) from None
        return existing


def submit_takes(
    draft: Composition,
    submission_key: uuid.UUID | None,
    *,
    references,
    count: int = 0,
    models: list[str] | None = None,
) -> list[Job]:
    """Queue several takes of the draft at once: `count` takes with different seeds (where the provider takes a
    seed; elsewhere the same request `count` times), or one take per "provider/tier" in `models`. Each take is a
    job with its own reservation, all or nothing: when one take is refused, or the balance does not cover them
    all, none is submitted and the problems say why. The same submission key always yields the same takes."""
    key = submission_key or uuid.uuid4()
    existing = list(Job.objects.filter(owner=draft.owner, take_group=key).order_by("take_number"))
    if existing:
        return existing
    composition = core_composition(draft.recipe(), references)
    if models:
        variants = takes.provider_takes(composition, models)
    else:
        variants = takes.seed_takes(composition, count, secrets.randbelow(2**31))
    evaluations = [seedance.evaluate(variant, settings.SEEDANCE_PRICING) for variant in variants]
    problems = []
    for number, (variant, evaluation) in enumerate(zip(variants, evaluations, strict=True), start=1):
        label = model_label(variant.provider, variant.tier)
        problems += [f"Take {number} ({label}): {finding.message}" for finding in evaluation.errors]
        blocker = submission_blocker(variant.provider)
        if blocker:
            problems.append(f"Take {number} ({label}): {blocker}")
    if problems:
        raise SubmissionRefused(problems)
    continued = _continued(draft)  # every take is another try at the same next shot
    try:
        with transaction.atomic():
            return Job.objects.create_takes_reserved(
                owner=draft.owner,
                group=key,
                takes=[
                    Take(
                        composition=draft.freeze(
                            references,
                            provider=variant.provider,
                            tier=variant.tier,
                            seed=variant.seed,
                            extras=dict(variant.extras),
                        ),
                        submission_key=uuid.uuid5(key, f"take-{number}"),
                        provider=variant.provider,
                        quote=quote_as_json(evaluation.quote),
                        price_credits=_price(evaluation),
                        request_body=evaluation.request_body,
                        continues=continued,
                    )
                    for number, (variant, evaluation) in enumerate(zip(variants, evaluations, strict=True), start=1)
                ],
            )
    except (InsufficientCredits, SubmissionLimit) as refusal:
        # As for one job: a second click that waited on the account lock finds the first click's takes.
        made = list(Job.objects.filter(owner=draft.owner, take_group=key).order_by("take_number"))
        if made:
            return made
        if isinstance(refusal, InsufficientCredits):
            prices = [_price(evaluation) for evaluation in evaluations]
            raise SubmissionRefused([takes_shortfall_message(prices, refusal.available)]) from None
        raise SubmissionRefused([refusal.message]) from None
    except IntegrityError:
        # A second click raced the first past the lookup above: the takes' unique keys let one set through.
        made = list(Job.objects.filter(owner=draft.owner, take_group=key).order_by("take_number"))
        if not made:
            raise SubmissionRefused([_CHANGED_MEANWHILE]) from None
        return made


def takes_shortfall_message(prices: list[int], available: int) -> str:
    total = sum(prices)
    each = ", ".join(str(price) for price in prices)
    return (
        f"{len(prices)} takes cost {total} credits in all ({each}) and you have {available} available: "
        f"{total - available} more needed. None of the takes was submitted. Ask an admin for credits, or make "
        "fewer takes."
    )


def _price(evaluation) -> int:
    """What a job of this evaluation reserves: its quote's studio credits (none without a quote)."""
    return evaluation.quote.studio_credits if evaluation.quote else 0


# What an IntegrityError means when no job of this submission exists: a row the new jobs point at went away
# between the checks and the insert (in practice, the shot the draft continues was deleted in another tab).
_CHANGED_MEANWHILE = (
    "Something this submission depends on changed while it was being submitted (the shot it continues may have "
    "been deleted). Nothing was submitted or charged: check the composition and submit again."
)


def _continued(draft: Composition) -> Job | None:
    """The job the draft continues, if it is still the creative's (a deleted one clears the link itself)."""
    if draft.continues_id is None:
        return None
    return Job.objects.filter(pk=draft.continues_id, owner=draft.owner).first()
