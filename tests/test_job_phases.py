"""The phases an admin settles (CONFIRM, OVERDUE), and the migration that split the old "reconcile" phase in two."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from seedance_studio.studio.models import Job
from tests.credits import paid_job

pytestmark = pytest.mark.django_db

split = importlib.import_module("seedance_studio.studio.migrations.0005_job_phase_confirm_overdue")


def _in_phase(job: Job, phase: str, **fields) -> Job:
    Job.objects.filter(pk=job.pk).update(
        **{"phase": phase, "status": Job.Status.RUNNING, "create_sent_at": job.created_at, **fields}
    )
    return Job.objects.get(pk=job.pk)


def test_it_moves_reconcile_jobs_to_confirm_or_overdue_by_whether_the_task_is_known(owner):
    unconfirmed = _in_phase(paid_job(owner), "reconcile")
    followed = _in_phase(paid_job(owner), "reconcile", provider_task_id="task-1")
    set_aside = _in_phase(paid_job(owner), "reconcile", status=Job.Status.SET_ASIDE)
    following = _in_phase(paid_job(owner), "follow", provider_task_id="task-2")

    split.split_reconcile(apps, None)

    phases = dict(Job.objects.values_list("pk", "phase"))
    assert phases == {
        unconfirmed.pk: "confirm",
        followed.pk: "overdue",
        set_aside.pk: "confirm",
        following.pk: "follow",
    }


def test_it_joins_them_again_when_migrated_back(owner):
    confirm = _in_phase(paid_job(owner), Job.Phase.CONFIRM)
    overdue = _in_phase(paid_job(owner), Job.Phase.OVERDUE, provider_task_id="task-1")
    split.join_reconcile(apps, None)
    assert set(Job.objects.filter(pk__in=[confirm.pk, overdue.pk]).values_list("phase", flat=True)) == {"reconcile"}


@pytest.mark.parametrize(
    "phase, task_id, closable, attachable",
    [
        (Job.Phase.CONFIRM, "", True, True),
        (Job.Phase.OVERDUE, "task-1", True, False),
        (Job.Phase.FOLLOW, "task-1", False, False),
        (Job.Phase.DOWNLOAD, "task-1", False, False),
    ],
)
def test_an_admin_settles_jobs_being_confirmed_or_overdue(owner, admin_user, phase, task_id, closable, attachable):
    job = _in_phase(paid_job(owner), phase, provider_task_id=task_id)
    assert (job.can_be_closed_by_admin, job.can_be_given_a_task_by_admin) == (closable, attachable)
    assert job.close_by_admin(admin_user, "checked the dashboard") is closable
    job.refresh_from_db()
    assert job.credits_status == (Job.Credits.RELEASED if closable else Job.Credits.RESERVED)
