"""Submitting the draft: check it with the Seedance core, freeze it, queue the job and reserve its credits,
exactly once per click."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from seedance_studio import seedance
from seedance_studio.credits.ledger import InsufficientCredits
from seedance_studio.studio.availability import submission_blocker
from seedance_studio.studio.evaluation import evaluate_composition, quote_as_json
from seedance_studio.studio.models import Composition, Job, SubmissionLimit


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
    try:
        with transaction.atomic():
            return Job.objects.create_reserved(
                owner=draft.owner,
                composition=draft.freeze(),
                submission_key=key,
                provider=draft.provider,
                quote=quote_as_json(evaluation.quote),
                price_credits=evaluation.quote.studio_credits if evaluation.quote else 0,
                request_body=evaluation.request_body,
                continues=_continued(draft),
            )
    except (InsufficientCredits, SubmissionLimit) as refusal:
        raise SubmissionRefused([refusal.message]) from None
    except IntegrityError:
        # A second click raced the first one past the lookup above: the unique key let only one job through.
        return Job.objects.get(owner=draft.owner, submission_key=key)


def _continued(draft: Composition) -> Job | None:
    """The job the draft continues, if it is still the creative's (a deleted one clears the link itself)."""
    if draft.continues_id is None:
        return None
    return Job.objects.filter(pk=draft.continues_id, owner=draft.owner).first()
