"""Submitting the draft: check it, freeze it, queue the job, exactly once per click."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from seedance_studio.studio.models import Composition, Job


class SubmissionRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def composition_problems(draft: Composition) -> list[str]:
    kinds = [reference.kind for reference in draft.ordered_references()]
    problems = []
    if not kinds and not draft.prompt.strip():
        problems.append("Nothing to render yet: write a prompt or add an image or video reference.")
    if "audio" in kinds and not ({"image", "video"} & set(kinds)):
        problems.append("Audio needs a picture: add at least one image or video reference "
                        "(Seedance rejects audio-only requests).")
    return problems


def submit_draft(draft: Composition, submission_key: uuid.UUID | None) -> Job:
    """Queue a job made from a frozen copy of the draft. The same submission key always yields the same job."""
    key = submission_key or uuid.uuid4()
    existing = Job.objects.filter(owner=draft.owner, submission_key=key).first()
    if existing is not None:
        return existing
    problems = composition_problems(draft)
    if problems:
        raise SubmissionRefused(problems)
    try:
        with transaction.atomic():
            frozen = draft.freeze()
            return Job.objects.create(owner=draft.owner, composition=frozen, submission_key=key,
                                      provider=draft.provider)
    except IntegrityError:
        # A second click raced the first one past the lookup above: the unique key let only one job through.
        return Job.objects.get(owner=draft.owner, submission_key=key)
