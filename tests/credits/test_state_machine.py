"""A property-based state machine over the money paths: grants, submissions (double clicks included), cancels,
workers that claim, send, succeed, fail or set aside jobs, duplicate and late reports, workers killed mid-step,
and admins settling set-aside jobs. After every step the ledger invariants must hold:
available and held never negative; available + held = grants + adjustments - consumed; at most one terminal
entry per job; every ended job holds no credits."""

import contextlib
import itertools
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from seedance_studio.credits import ledger
from seedance_studio.studio.models import Job
from seedance_studio.studio.submission import SubmissionRefused
from tests.credits.money import assert_ledger_invariants, submit_paid

pytestmark = pytest.mark.django_db

_names = itertools.count()


class MoneyMachine(RuleBasedStateMachine):
    @initialize(grant=st.integers(min_value=0, max_value=300))
    def start(self, grant):
        user_model = get_user_model()
        self.creative = user_model.objects.create_user(f"machine-{next(_names)}")
        self.admin = user_model.objects.create_user(f"machine-admin-{next(_names)}", is_staff=True)
        if grant:
            ledger.grant(self.creative, grant, reason="start")
        self.keys: list[uuid.UUID] = []
        self.held: dict[int, tuple[str, Job]] = {}  # job pk -> (worker, the job as that worker loaded it)
        self.workers = itertools.count()

    def _job(self, index: int) -> Job | None:
        jobs = list(Job.objects.filter(owner=self.creative).order_by("pk"))
        return jobs[index % len(jobs)] if jobs else None

    @rule(amount=st.integers(min_value=1, max_value=200))
    def grant(self, amount):
        ledger.grant(self.creative, amount, admin=self.admin, reason="top-up")

    @rule(amount=st.integers(min_value=1, max_value=200))
    def deduct(self, amount):
        with contextlib.suppress(ledger.InsufficientCredits):
            ledger.deduct(self.creative, amount, admin=self.admin, reason="correction")

    @rule(duration=st.integers(min_value=4, max_value=15), again=st.booleans())
    def submit(self, duration, again):
        key = self.keys[-1] if again and self.keys else uuid.uuid4()  # a double click resends the last key
        self.keys.append(key)
        with contextlib.suppress(SubmissionRefused):
            submit_paid(self.creative, duration=duration, key=key)

    @rule(index=st.integers(min_value=0))
    def cancel(self, index):
        job = self._job(index)
        if job is not None:
            job.cancel()

    @rule()
    def claim(self):
        worker = f"worker-{next(self.workers)}"
        job = Job.objects.filter(owner=self.creative).claim_next(worker, lease_seconds=60)
        if job is not None:
            self.held[job.pk] = (worker, job)

    @rule(index=st.integers(min_value=0))
    def send(self, index):
        for worker, job in self._holders(index):
            if job.mark_create_sent(worker, callback_token_hash="h"):
                job.adopt_task(f"task-{job.public_id.hex}")

    @rule(index=st.integers(min_value=0), outcome=st.sampled_from(["succeed", "fail", "moderated", "set_aside"]))
    def finish(self, index, outcome):
        """The holding worker reports an outcome; a stale holder (killed, taken over) reporting it is refused."""
        for worker, job in self._holders(index):
            if outcome == "succeed":
                job.succeed(worker)
            elif outcome == "set_aside":
                job.set_aside(worker, "kept for an admin")
            else:
                job.fail(worker, "the provider failed it", moderation=outcome == "moderated")

    @rule(index=st.integers(min_value=0))
    def kill_worker_mid_step(self, index):
        """The worker holding a job dies (SIGKILL): its lease runs out and another worker may take the job."""
        for _worker, job in self._holders(index):
            Job.objects.filter(pk=job.pk).update(
                lease_expires_at=timezone.now() - timedelta(seconds=1), run_after=timezone.now() - timedelta(seconds=1)
            )

    @rule(index=st.integers(min_value=0), close=st.booleans())
    def admin_settles(self, index, close):
        job = self._job(index)
        if job is None:
            return
        if close:
            job.close_by_admin(self.admin, "reconciled")
        else:
            job.resume_by_admin()

    def _holders(self, index):
        if not self.held:
            return []
        pk = sorted(self.held)[index % len(self.held)]
        return [self.held[pk]]

    @invariant()
    def ledger_holds(self):
        if hasattr(self, "creative"):
            assert_ledger_invariants(self.creative)

    def teardown(self):
        # Park this example's jobs out of every later example's claims (claims look at every creative's jobs).
        if hasattr(self, "creative"):
            Job.objects.filter(owner=self.creative).update(
                lease_owner="retired", lease_expires_at=timezone.now() + timedelta(days=1)
            )


def test_the_ledger_invariants_hold_over_any_sequence_of_money_events():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
