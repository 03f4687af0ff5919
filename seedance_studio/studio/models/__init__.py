"""The studio's models: a creative's `Composition` (the recipe) and the `Job` made from it."""

from seedance_studio.studio.models.composition import (
    ASPECT_RATIO_CHOICES,
    DURATION_CHOICES,
    FRAME_CHOICES,
    MODE_CHOICES,
    RECIPE_FIELDS,
    RESOLUTION_CHOICES,
    Composition,
    CompositionReference,
)
from seedance_studio.studio.models.job import Job, JobQuerySet, LeaseLost, SubmissionLimit, Take, job_file_upload_to
from seedance_studio.studio.models.studio_settings import StudioSettings

__all__ = [
    "ASPECT_RATIO_CHOICES",
    "DURATION_CHOICES",
    "FRAME_CHOICES",
    "MODE_CHOICES",
    "RECIPE_FIELDS",
    "RESOLUTION_CHOICES",
    "Composition",
    "CompositionReference",
    "Job",
    "JobQuerySet",
    "LeaseLost",
    "StudioSettings",
    "SubmissionLimit",
    "Take",
    "job_file_upload_to",
]  # job_file_upload_to: named by the first migration
