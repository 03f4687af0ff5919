"""A job: one frozen composition on its way to a video, and the only code that moves it from state to state.

    queued ──claim──> (leased) ──mark_running──> running ──succeed──> succeeded   (credits consumed)
       │                 │   mark_create_sent, adopt_task (sent),    ├──fail────> failed      (credits released)
       │                 │   park (the step ended, next one due)     └──set_aside─> set aside (credits held)
       └──cancel (not yet sent)──> cancelled (credits released)          │
                                          admin: close (released) / resume (in flight again) / attach a task

Every transition is a conditional UPDATE that names the state it expects (and, for a worker, the lease it
holds), so two workers, a webhook and an admin acting at once can never both move the same job. Each terminal
transition settles the job's credits in the same transaction: a job cannot end without its ledger entry, and
the ledger's unique constraints make a second settlement impossible.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify

from seedance_studio.credits import ledger
from seedance_studio.storage import delete_after_commit
from seedance_studio.studio.models.composition import Composition

log = logging.getLogger("seedance_studio.jobs")
CANDIDATES_PER_CLAIM = 10
# Mentions and emulator markers make poor file names: "@image1 walks [[queue=2]]" -> "walks".
MARKUP = re.compile(r"\[\[[^\]]*\]\]|【?@\S+")


class LeaseLost(Exception):
    """Another worker took this job over, or it was cancelled: stop working on it and keep nothing."""


class SubmissionLimit(Exception):
    """A per-creative limit an admin set (daily cap, jobs in flight) refuses this submission."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def job_file_upload_to(instance: Job, filename: str) -> str:
    return f"jobs/{instance.public_id.hex}/{uuid.uuid4().hex[:8]}-{filename}"


@dataclass(frozen=True)
class Take:
    """One job to create: its frozen recipe, submission key, and the quote the core gave it."""

    composition: Composition
    submission_key: uuid.UUID
    provider: str
    quote: dict
    price_credits: int
    request_body: dict | None
    continues: Job | None = None  # the shot this one carries on from (shot chains)


@dataclass(frozen=True)
class RunTimeEstimate:
    """What a card says when nothing reports progress: the median run time of this studio's succeeded jobs of
    the same provider, tier, duration and resolution, how many it was learned from, and how far into that
    time this job is (`elapsed` is None until it has started)."""

    seconds: float
    similar_jobs: int
    elapsed: float | None

    @property
    def percent(self) -> int | None:
        """Never 100: an estimate does not know the job is done."""
        if self.elapsed is None:
            return None
        return min(99, int(100 * self.elapsed / self.seconds)) if self.seconds > 0 else 99

    @property
    def seconds_left(self) -> float | None:
        return None if self.elapsed is None else max(0.0, self.seconds - self.elapsed)


class EpochSeconds(models.Func):
    """A datetime as seconds since 1970, computed by the database (SQLite's julianday, PostgreSQL's EXTRACT):
    ranking a long history of run times then needs no Python function per row, as a DurationField would."""

    output_field = models.FloatField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


# What makes two jobs take about as long: the estimate groups finished jobs by these, over recent history only
# (providers speed up and slow down), and keeps each shape's answer a few minutes.
SHAPE_FIELDS = ("provider", "composition__tier", "composition__duration", "composition__resolution")
RUN_TIME_HISTORY_DAYS = 30
RUN_TIME_CACHE_SECONDS = 300


class JobQuerySet(models.QuerySet["Job"]):
    def in_flight(self):
        return self.filter(status__in=Job.IN_FLIGHT)

    def paid(self):
        return self.exclude(provider="local_preview")

    def recent_renders(self):
        """The succeeded renders of the last RUN_TIME_HISTORY_DAYS, which the run-time estimates and the compare
        view's waits learn from (a chain export only joins shots: it says nothing of how long a video takes)."""
        return self.filter(
            kind=Job.Kind.RENDER,
            status=Job.Status.SUCCEEDED,
            finished_at__gte=timezone.now() - timedelta(days=RUN_TIME_HISTORY_DAYS),
        )

    def due(self, now):
        """In-flight jobs with a step due that no worker holds, and jobs whose worker stopped renewing its lease.

        A job's status is what the creative sees (a remote job waiting between two polls is "running" at the
        provider); whether a worker holds it is the lease alone.
        """
        return self.in_flight().filter(
            Q(lease_expires_at__isnull=True, run_after__lte=now) | Q(lease_expires_at__lt=now)
        )

    # --- What the gallery shows: for a whole page of cards, each in one query ------------------------------

    def older_than(self, created_at, pk):
        """Keyset paging, newest first: the jobs after (created_at, pk) in the gallery's order. New jobs never
        shift a page, and a page costs the same however many jobs come before it."""
        return self.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))

    def queue_positions(self, jobs) -> dict[int, int]:
        """{pk: place in the local render queue} for the queued local previews among `jobs`: the queued local
        previews (anyone's) claimed before it, plus one. One query for all of them."""
        queued = [job for job in jobs if job.status == Job.Status.QUEUED and not job.is_remote]
        if not queued:
            return {}
        ahead = Job.objects.filter(status=Job.Status.QUEUED, provider="local_preview").aggregate(
            **{
                f"ahead_{job.pk}": Count(
                    "pk", filter=Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
                )
                for job in queued
            }
        )
        return {job.pk: ahead[f"ahead_{job.pk}"] + 1 for job in queued}

    def run_time_estimates(self, jobs, *, now=None) -> dict[int, RunTimeEstimate]:
        """{pk: estimate} for the in-flight jobs among `jobs` that report no progress of their own, from how long
        this studio's recent succeeded jobs of the same shape (SHAPE_FIELDS) usually ran. A shape with no history
        gets no estimate."""
        waiting = [job for job in jobs if job.needs_estimate]
        typical = _typical_run_times({job.shape for job in waiting}) if waiting else {}
        now = now or timezone.now()
        estimates = {}
        for job in waiting:
            if job.shape in typical:
                seconds, similar = typical[job.shape]
                started_at = job.run_started_at
                estimates[job.pk] = RunTimeEstimate(
                    seconds=seconds,
                    similar_jobs=similar,
                    elapsed=None if started_at is None else max(0.0, (now - started_at).total_seconds()),
                )
        return estimates

    # --- Submitting ------------------------------------------------------------------------------------------

    def create_reserved(
        self,
        *,
        owner,
        composition: Composition,
        submission_key: uuid.UUID,
        provider: str,
        quote: dict,
        price_credits: int,
        request_body,
        continues: Job | None = None,
    ) -> Job:
        """Queue a job and reserve its quoted credits in one transaction, under the creative's account lock, so
        concurrent submissions can never overspend. Raises ledger.InsufficientCredits or SubmissionLimit, and
        then nothing is created."""
        take = Take(composition, submission_key, provider, quote, price_credits, request_body, continues)
        return self.create_takes_reserved(owner=owner, takes=[take], group=None)[0]

    def create_takes_reserved(self, *, owner, takes: list[Take], group: uuid.UUID | None) -> list[Job]:
        """Queue every take (one job each, numbered in `group`) and reserve each one's credits, all or nothing:
        one transaction, one account lock, the limits checked against all of them together. Raises
        ledger.InsufficientCredits (for the total) or SubmissionLimit, and then nothing is created."""
        with transaction.atomic():
            account = ledger.lock_account(owner)
            total = sum(take.price_credits for take in takes)
            paid = sum(1 for take in takes if take.price_credits)
            if total:
                if account.available < total:
                    raise ledger.InsufficientCredits(needed=total, available=account.available)
                _check_limits(account, owner, total, jobs=paid)
            jobs: list[Job] = []
            for number, take in enumerate(takes, start=1):
                job = self.create(
                    owner=owner,
                    composition=take.composition,
                    submission_key=take.submission_key,
                    provider=take.provider,
                    quote=take.quote,
                    price_credits=take.price_credits,
                    request_body=take.request_body,
                    credits_status=Job.Credits.RESERVED if take.price_credits else Job.Credits.FREE,
                    take_group=group,
                    take_number=number if group is not None else None,
                    continues=take.continues,
                )
                if take.price_credits:
                    ledger.reserve(account, job.public_id, take.price_credits)
                jobs.append(job)
            return jobs

    def create_chain_export(self, *, owner, shots: list[Job], submission_key: uuid.UUID) -> Job:
        """Queue the export of `shots` (a chain, oldest first, all succeeded) as one film: a free job on the
        local lane, with a composition that says what it is, so it is kept, listed, downloaded and shared like
        any result. The same submission key always yields the same export."""
        existing = self.filter(owner=owner, submission_key=submission_key).first()
        if existing is not None:
            return existing
        first = shots[0].composition
        total = sum(shot.duration or shot.composition.duration for shot in shots)
        described = " → ".join(shot.short_prompt for shot in shots)
        try:
            with transaction.atomic():
                composition = Composition.objects.create(
                    owner=owner,
                    provider="local_preview",
                    tier="local",
                    prompt=f"Chain of {len(shots)} shots: {described}"[:2000],
                    # The composition's duration is a request (4-15 s); the film's own length is the job's.
                    duration=min(15, max(4, round(total))),
                    aspect_ratio=first.aspect_ratio,
                    resolution=first.resolution,
                    generate_audio=True,
                )
                return self.create(
                    owner=owner,
                    composition=composition,
                    submission_key=submission_key,
                    provider="local_preview",
                    kind=Job.Kind.CHAIN_EXPORT,
                    chain_shots=[str(shot.public_id) for shot in shots],
                    credits_status=Job.Credits.FREE,
                )
        except IntegrityError:
            return self.get(owner=owner, submission_key=submission_key)

    # --- The worker's lease ----------------------------------------------------------------------------------

    def claim_next(self, worker: str, *, lease_seconds: int, remote: bool | None = None) -> Job | None:
        """Claim the oldest due job (only provider jobs with remote=True, only local renders with remote=False)."""
        now = timezone.now()
        due = self.due(now)
        if remote is not None:
            due = due.paid() if remote else due.filter(provider="local_preview")
        candidates = due.order_by("created_at", "pk").values_list("pk", "status", "lease_owner", "attempts")
        for pk, status, previous_owner, attempts in candidates[:CANDIDATES_PER_CLAIM]:
            # The filter repeats what we saw: if another worker claimed or changed the row since, nothing updates.
            seen = self.due(now).filter(pk=pk, status=status, lease_owner=previous_owner, attempts=attempts)
            if attempts >= settings.WORKER_MAX_ATTEMPTS:
                self.get(pk=pk)._give_up_on_interrupted(seen, attempts, now)
                continue
            claimed = seen.update(
                lease_owner=worker,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=F("attempts") + 1,
                updated_at=now,
            )
            if claimed:
                return self.select_related("composition").get(pk=pk)
        return None

    def renew_leases(self, worker: str, job_ids, *, lease_seconds: int) -> None:
        if job_ids:
            self.filter(pk__in=list(job_ids), lease_owner=worker).update(
                lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds)
            )


def _typical_run_times(shapes: set[tuple]) -> dict[tuple, tuple[float, int]]:
    """{shape: (median run time in seconds, how many jobs)} for the shapes with history. History changes slowly,
    so each shape's answer is cached for RUN_TIME_CACHE_SECONDS: a gallery view does not rank the studio's
    history every time. The shapes not cached are learned together in one query: a window ranks each shape's
    run times and only the middle one or two rows of each come back."""
    keys = {shape: "run-time:" + ":".join(map(str, shape)) for shape in shapes}
    cached = cache.get_many(list(keys.values()))
    typical = {shape: cached[key] for shape, key in keys.items() if key in cached}
    missing = [shape for shape in shapes if keys[shape] not in cached]
    if missing:
        match = Q()
        for shape in missing:
            match |= Q(**dict(zip(SHAPE_FIELDS, shape, strict=True)))
        medians = medians_by_shape(
            Job.objects.recent_renders()
            .filter(match)
            .filter(Q(started_at__isnull=False) | Q(create_sent_at__isnull=False)),
            SHAPE_FIELDS,
            EpochSeconds("finished_at") - EpochSeconds(Coalesce("started_at", "create_sent_at")),
        )
        learned = {shape: medians.get(shape) for shape in missing}
        cache.set_many({keys[shape]: value for shape, value in learned.items()}, RUN_TIME_CACHE_SECONDS)
        typical.update(learned)
    return {shape: value for shape, value in typical.items() if value}


def medians_by_shape(jobs, shape_fields, measure) -> dict[tuple, tuple[float, int]]:
    """{shape: (median of `measure`, how many jobs)} over `jobs`, grouped by the values of `shape_fields`, in one
    query: a window ranks each shape's values and only the middle one or two rows of each come back."""
    by_shape = [F(name) for name in shape_fields]
    rows = (
        jobs.annotate(measured=measure)
        .annotate(
            rank=Window(RowNumber(), partition_by=by_shape, order_by=F("measured").asc()),
            similar=Window(Count("pk"), partition_by=by_shape),
        )
        .filter(rank__gte=(F("similar") + 1) / 2, rank__lte=(F("similar") + 2) / 2)
        .order_by()
        .values_list(*shape_fields, "measured", "similar")
    )
    middles: dict[tuple, list[float]] = {}
    similar: dict[tuple, int] = {}
    for *shape, measured, count in rows:
        middles.setdefault(tuple(shape), []).append(float(measured))
        similar[tuple(shape)] = count
    return {shape: (sum(values) / len(values), similar[shape]) for shape, values in middles.items()}


def _check_limits(account, owner, price_credits: int, *, jobs: int = 1) -> None:
    """`price_credits`: what `jobs` new paid jobs cost together."""
    if account.max_jobs_in_flight is not None:
        in_flight = Job.objects.filter(owner=owner).paid().in_flight().count()
        if in_flight + jobs > account.max_jobs_in_flight:
            more = f" (with these {jobs} takes, {in_flight + jobs})" if jobs > 1 else ""
            raise SubmissionLimit(
                f"You already have {in_flight} paid job{'s' if in_flight != 1 else ''} in flight{more}, the most an "
                f"admin allows you at once ({account.max_jobs_in_flight}). Submit again when one has finished, or "
                "cancel one that has not been sent yet."
            )
    if account.daily_spending_cap is not None:
        day_start = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        committed = Job.objects.filter(
            owner=owner, created_at__gte=day_start, credits_status__in=(Job.Credits.RESERVED, Job.Credits.CHARGED)
        ).aggregate(total=Coalesce(models.Sum("price_credits"), 0))["total"]
        if committed + price_credits > account.daily_spending_cap:
            left = max(0, account.daily_spending_cap - committed)
            what = "These takes cost" if jobs > 1 else "This job costs"
            raise SubmissionLimit(
                f"{what} {price_credits} credits, but your daily spending cap is "
                f"{account.daily_spending_cap} credits and {committed} are already committed today ({left} left). "
                "The cap resets at 00:00 UTC; an admin can raise it."
            )


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SET_ASIDE = "set_aside", "Set aside for an admin"

    class Phase(models.TextChoices):
        """Where a remote job is on its way; each step is idempotent and run by whichever worker claims it
        (seedance_studio.worker.remote has the table of steps and transitions)."""

        SUBMIT = "submit", "Sending to the provider"
        # The create went unanswered: the task may exist, the provider has to name it (a callback, an admin).
        CONFIRM = "confirm", "Confirming with the provider"
        FOLLOW = "follow", "Following the provider's task"
        # Followed past PROVIDER_FOLLOW_HOURS: read slowly for one more period, then failed as timed out.
        OVERDUE = "overdue", "Overdue at the provider"
        DOWNLOAD = "download", "Keeping the result"
        DONE = "done", "Done"

    class Kind(models.TextChoices):
        """What the job makes: a video from its composition, or one film joined from a chain of shots
        (rendered by the local lane with ffmpeg, always free)."""

        RENDER = "render", "Video"
        CHAIN_EXPORT = "chain_export", "Chain export"

    class Credits(models.TextChoices):
        FREE = "free", "Free"
        RESERVED = "reserved", "Reserved"
        CHARGED = "charged", "Charged"
        RELEASED = "released", "Not charged"

    class Failure(models.TextChoices):
        """Why a job ended without a video, in the groups an admin reads a provider's health by."""

        REFUSED = "refused", "Refused at submit"
        MODERATION = "moderation", "Moderation"
        PROVIDER = "provider", "Failed at the provider"
        TIMED_OUT = "timed_out", "Never finished"
        NO_RESULT = "no_result", "No video returned"
        NOT_CONFIGURED = "not_configured", "Provider not set up"
        INTERRUPTED = "interrupted", "Worker interrupted"
        STUDIO = "studio", "Studio error"
        CLOSED = "closed", "Closed by an admin"

    # How long a result download keeps being retried before the job is set aside (provider links rarely live
    # longer); the worker's download step and an admin's retry both give it this window.
    DOWNLOAD_HOURS = 2

    IN_FLIGHT = (Status.QUEUED, Status.RUNNING)
    # In flight but waiting on the provider in a way an admin may settle (close it, attach its task).
    ADMIN_SETTLES = (Phase.CONFIRM, Phase.OVERDUE)
    ENDED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    # A step may move a job between these and nothing else: ending it is a named transition.
    PARK_FIELDS = frozenset(
        {
            "phase",
            "status",
            "status_note",
            "run_after",
            "poll_interval",
            "follow_deadline",
            "has_progress",
            "provider_eta_seconds",
            "progress",
            "result_outputs",
            "create_sent_at",
            "error_message",
            "provider_cost",
        }
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    composition = models.OneToOneField(Composition, on_delete=models.PROTECT, related_name="job")
    # The compose form's one-time key: a double click or a resent POST finds the job it already made.
    submission_key = models.UUIDField()
    provider = models.CharField(max_length=40, default="local_preview")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RENDER)
    # The shot this one continues ("Continue from the last frame"): following it back gives the chain.
    continues = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="continuations"
    )
    # A chain export's shots, oldest first, as public ids: fixed when it is asked for, read by the worker.
    chain_shots = models.JSONField(default=list, blank=True)
    # Fixed at submit from the one Seedance core: what the creative saw is what is stored and reserved.
    quote = models.JSONField(default=dict, blank=True)
    price_credits = models.PositiveIntegerField(default=0)
    # Where the job's credits are; moved only with the ledger entry that says so (see credits.ledger).
    credits_status = models.CharField(max_length=10, choices=Credits.choices, default=Credits.FREE)
    # What the provider says it charged, where it reports it: {"amount", "unit", "studio_credits", "raw"}.
    provider_cost = models.JSONField(default=dict, blank=True)
    request_body = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_after = models.DateTimeField(default=timezone.now)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # What the creative should know right now, in words: "Waiting for a free slot at the provider", ...
    status_note = models.CharField(max_length=300, blank=True)
    # Remote providers: the phases, the provider's task, following it, and what it returned.
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.SUBMIT)
    provider_task_id = models.CharField(max_length=200, blank=True, db_index=True)
    # Set before the create request leaves: a worker that finds it set with no task id must not send again.
    create_sent_at = models.DateTimeField(null=True, blank=True)
    callback_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    has_progress = models.BooleanField(default=False, help_text="The provider reports progress (never invented).")
    provider_eta_seconds = models.FloatField(null=True, blank=True)
    poll_interval = models.FloatField(default=0)
    follow_deadline = models.DateTimeField(null=True, blank=True)
    result_outputs = models.JSONField(default=list, blank=True)
    moderation = models.BooleanField(default=False)
    failure_cause = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    video = models.FileField(upload_to=job_file_upload_to, max_length=200, blank=True)
    poster = models.FileField(upload_to=job_file_upload_to, max_length=200, blank=True)
    last_frame = models.FileField(upload_to=job_file_upload_to, max_length=200, blank=True)
    # HiAPI returns its own first frame when asked (return_last_frame); kept beside the video.
    first_frame = models.FileField(upload_to=job_file_upload_to, max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Takes: jobs submitted together from one composition (several seeds, or several providers) share a group,
    # numbered from 1. The seed of each take is on its frozen composition, with the rest of its recipe.
    take_group = models.UUIDField(null=True, blank=True, db_index=True)
    take_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # The creative's pick: one per take group (a constraint), any number among single jobs.
    favourite = models.BooleanField(default=False)

    objects = JobQuerySet.as_manager()
    # Not columns: set on a page of cards by studio.job_views._with_card_facts (one query for the whole page).
    queue_place: int | None
    estimate: RunTimeEstimate | None
    take_header: dict | None

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "submission_key"], name="one_job_per_submission"),
            # One provider task belongs to one job: a callback can never bind someone else's task to a job.
            models.UniqueConstraint(
                fields=["provider", "provider_task_id"],
                condition=~Q(provider_task_id=""),
                name="one_job_per_provider_task",
            ),
            # A job's credits follow its state: held only while it can still end either way.
            models.CheckConstraint(
                condition=~Q(credits_status="reserved") | Q(status__in=["queued", "running", "set_aside"]),
                name="credits_held_only_while_unsettled",
            ),
            models.CheckConstraint(
                condition=~Q(credits_status="charged") | Q(status="succeeded"), name="credits_charged_only_for_a_result"
            ),
            # Joining a chain is the studio's own ffmpeg work: never charged.
            models.CheckConstraint(
                condition=~Q(kind="chain_export") | Q(credits_status="free", provider="local_preview"),
                name="chain_exports_are_free",
            ),
            models.CheckConstraint(
                condition=Q(credits_status="free", price_credits=0)
                | ~Q(credits_status="free") & Q(price_credits__gt=0),
                name="credits_free_only_when_priced_zero",
            ),
            models.CheckConstraint(
                condition=Q(take_group__isnull=True, take_number__isnull=True)
                | Q(take_group__isnull=False, take_number__gte=1),
                name="take_numbered_within_its_group",
            ),
            models.UniqueConstraint(
                fields=["take_group", "take_number"], condition=Q(take_group__isnull=False), name="one_job_per_take"
            ),
            models.UniqueConstraint(
                fields=["take_group"],
                condition=Q(take_group__isnull=False, favourite=True),
                name="one_favourite_per_take_group",
            ),
        ]
        indexes = [models.Index(fields=["status", "run_after"]), models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"job {self.public_id} ({self.status})"

    # --- What the pages show -----------------------------------------------------------------------------------

    @property
    def is_remote(self) -> bool:
        return self.provider != "local_preview"

    @property
    def is_in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def can_be_cancelled(self) -> bool:
        """Until the create request has left, nothing exists at the provider and nothing can be billed."""
        return self.is_in_flight and self.create_sent_at is None

    @property
    def can_be_closed_by_admin(self) -> bool:
        """A set-aside job, or one still being confirmed with the provider or overdue there (what close_by_admin
        accepts)."""
        return self.status == self.Status.SET_ASIDE or (self.is_in_flight and self.phase in self.ADMIN_SETTLES)

    @property
    def can_be_given_a_task_by_admin(self) -> bool:
        """The provider may have made a task for it without the studio learning the id."""
        return not self.provider_task_id and self.can_be_closed_by_admin

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)

    @property
    def version(self) -> str:
        """Changes whenever anything the gallery card shows changes: lets a poll answer "nothing changed"."""
        return f"{self.status}:{self.progress_percent}:{self.updated_at.timestamp():.3f}"

    @property
    def shape(self) -> tuple:
        """What makes two jobs take about as long (SHAPE_FIELDS): the run time estimate groups jobs by it."""
        c = self.composition
        return (self.provider, c.tier, c.duration, c.resolution)

    @property
    def run_started_at(self):
        """When the work began: a local render's start, or when the create request left for a provider (the
        worker marks only local renders running)."""
        return self.started_at or self.create_sent_at

    @property
    def needs_estimate(self) -> bool:
        """In flight with no progress of its own: the provider reports none, or a local render has not begun."""
        reports_progress = self.has_progress or (not self.is_remote and self.status == self.Status.RUNNING)
        # An export's run time is its chain's length, unlike any render's: better no estimate than a wrong one.
        return self.is_in_flight and not reports_progress and not self.is_chain_export

    @property
    def is_chain_export(self) -> bool:
        return self.kind == self.Kind.CHAIN_EXPORT

    @property
    def short_prompt(self) -> str:
        """The prompt without mentions or emulator markers, cut to a few words: how a chain names its shots."""
        words = " ".join(MARKUP.sub(" ", self.composition.prompt).split())
        return (words[:57] + "…") if len(words) > 60 else (words or "(no prompt)")

    def exported_shots(self) -> list[Job]:
        """A chain export's shots that still exist, in the chain's order (a deleted one is missing)."""
        order = [uuid.UUID(value) for value in self.chain_shots]
        found = {
            shot.public_id: shot
            for shot in Job.objects.select_related("composition").filter(owner_id=self.owner_id, public_id__in=order)
        }
        return [found[public_id] for public_id in order if public_id in found]

    def chain(self, *, limit: int = 100) -> list[Job]:
        """The shots that lead to this one, oldest first, this one last: each continues the one before. A
        deleted shot ends the chain there (its link is cleared). One query per shot; chains are short."""
        shots = [self]
        seen = {self.pk}
        current = self
        while current.continues_id is not None and len(shots) < limit:
            previous = (
                Job.objects.select_related("composition")
                .filter(pk=current.continues_id, owner_id=self.owner_id)
                .first()
            )
            if previous is None or previous.pk in seen:
                break
            shots.append(previous)
            seen.add(previous.pk)
            current = previous
        return shots[::-1]

    @property
    def elapsed_seconds(self) -> float:
        """How long the creative has waited: from submitting until now, or until it ended."""
        return max(0.0, ((self.finished_at or timezone.now()) - self.created_at).total_seconds())

    @property
    def provider_name(self) -> str:
        return self.composition.model_label.split(" · ")[0]

    @property
    def peak_hours_note(self) -> str:
        """Seedance providers' queues are longest 09:00-15:00 GMT; say so while a remote job waits then."""
        if self.is_remote and self.is_in_flight and 9 <= timezone.now().astimezone(UTC).hour < 15:
            return "Peak hours at Seedance providers (09:00–15:00 GMT): queues can take hours."
        return ""

    @property
    def cost_difference(self) -> int | None:
        """Studio credits the provider's own report differs from the quote by (negative: it charged less)."""
        reported = (self.provider_cost or {}).get("studio_credits")
        return None if reported is None else int(reported) - self.price_credits

    @property
    def download_name(self) -> str:
        """A file name a person would keep: "2026-12-01 cat-walks-in-garden seedance-2-fast 5s.mp4"."""
        words = MARKUP.sub(" ", self.composition.prompt).split()[:6]
        subject = slugify(" ".join(words))[:60].strip("-") or "video"
        tier = "chain" if self.is_chain_export else slugify(self.composition.tier) or "video"
        seconds = f"{round(self.duration or self.composition.duration)}s"
        return f"{self.created_at:%Y-%m-%d} {subject} {tier} {seconds}.mp4"

    def delete_with_files(self) -> bool:
        """Delete a job that has ended, its frozen recipe and its files (after the commit, so a rollback never
        leaves a row pointing at nothing). A job that still holds credits (in flight, set aside) stays: False.
        Its ledger entries stay too: they name the job by public id, and the money trail is never deleted."""
        with transaction.atomic():
            # The files go after the commit, with the row (_delete_job_files).
            deleted, _ = Job.objects.filter(pk=self.pk, status__in=self.ENDED).delete()
            if not deleted:
                return False
            Composition.objects.filter(pk=self.composition_id).delete()
        return True

    # --- The creative's pick ----------------------------------------------------------------------------------

    def mark_favourite(self, favourite: bool) -> None:
        """Mark this job the favourite (of its take group: the group's previous favourite is unmarked), or not."""
        with transaction.atomic():
            if favourite and self.take_group is not None:
                Job.objects.filter(take_group=self.take_group, favourite=True).exclude(pk=self.pk).update(
                    favourite=False
                )
            Job.objects.filter(pk=self.pk).update(favourite=favourite)
        self.favourite = favourite

    # --- Transitions: steps a worker takes while it holds the lease ------------------------------------------

    def _log_transition(self, transition: str, to_status: str, **more: str) -> None:
        """One line per transition, for whoever follows a job through the logs: its public id, provider and task,
        the state it left and the one it reached. Never a key, a signed URL or a body (LOG_FORMAT=json carries the
        same fields as keys)."""
        task = self.provider_task_id
        fields = {
            "job": str(self.public_id),
            "provider": self.provider,
            "task": task,
            "transition": transition,
            "from_status": self.status,
            "to_status": to_status,
            **more,
        }
        details = "".join(f" {key}={value}" for key, value in more.items())
        log.info(
            "job %s %s: %s -> %s (provider %s, task %s)%s",
            self.public_id,
            transition,
            self.status,
            to_status,
            self.provider,
            task or "-",
            details,
            extra=fields,
        )
        # This instance now knows what the row says, so its next transition logs the right "from".
        self.status = to_status
        if "phase" in more:
            self.phase = more["phase"]

    def _held(self, worker: str):
        return Job.objects.in_flight().filter(pk=self.pk, lease_owner=worker)

    def mark_running(self, worker: str) -> None:
        now = timezone.now()
        started = self._held(worker).update(
            status=self.Status.RUNNING, updated_at=now, started_at=Coalesce(F("started_at"), now)
        )
        if started and self.status != self.Status.RUNNING:
            self._log_transition("running", self.Status.RUNNING)

    def report_progress(self, worker: str, fraction: float, *, lease_seconds: int) -> None:
        now = timezone.now()
        if not self._held(worker).update(
            progress=max(0.0, min(1.0, fraction)),
            updated_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
        ):
            raise LeaseLost(self.public_id)

    def mark_create_sent(self, worker: str, *, callback_token_hash: str) -> bool:
        """Record that the create request is about to leave; False if it already did (then it must not again)
        or the job was cancelled meanwhile."""
        sent = bool(
            self._held(worker)
            .filter(create_sent_at__isnull=True)
            .update(create_sent_at=timezone.now(), callback_token_hash=callback_token_hash, updated_at=timezone.now())
        )
        if sent:
            self._log_transition("create_sent", self.status)
        return sent

    def adopt_task(self, task_id: str) -> bool:
        """The job was sent: bind the provider's task to it, whoever holds the lease. Once the provider has a
        task, its id is the one thing that must not be lost. False when the id is unusable or already bound."""
        if not task_id or len(task_id) > 200:
            return False
        try:
            with transaction.atomic():
                adopted = bool(
                    Job.objects.filter(pk=self.pk, provider_task_id="")
                    .exclude(status__in=(self.Status.SUCCEEDED, self.Status.CANCELLED))
                    .update(provider_task_id=task_id, phase=self.Phase.FOLLOW, updated_at=timezone.now())
                )
        except IntegrityError:
            return False
        if adopted:
            self.provider_task_id = task_id
            self._log_transition("task_adopted", self.status, phase=self.Phase.FOLLOW)
        return adopted

    def park(self, worker: str, *, run_after, **fields) -> bool:
        """End a step without ending the job: store what it learned, release the lease, say when the next step
        is due. A completed step resets the attempt count: attempts only count steps a dying worker left."""
        unknown = set(fields) - self.PARK_FIELDS
        if unknown:
            raise ValueError(f"park() does not set {sorted(unknown)}: ending a job is a named transition")
        if fields.get("status", self.Status.QUEUED) not in self.IN_FLIGHT:
            raise ValueError("park() keeps a job in flight: use succeed(), fail(), set_aside() or cancel()")
        if "status_note" in fields:
            fields["status_note"] = fields["status_note"][:300]
        parked = bool(
            self._held(worker).update(
                run_after=run_after,
                lease_owner="",
                lease_expires_at=None,
                attempts=0,
                updated_at=timezone.now(),
                **fields,
            )
        )
        status, phase = fields.get("status", self.status), fields.get("phase", self.phase)
        if parked and (status != self.status or phase != self.phase):  # a poll that changed nothing is no transition
            self._log_transition("phase", status, phase=phase)
        return parked

    def retry_or_fail(self, worker: str, message: str, *, cause: str = "studio") -> None:
        """A step failed before anything was sent: try again later, or fail once the attempts are used up."""
        attempts = self._held(worker).values_list("attempts", flat=True).first()
        if attempts is None:
            return
        if attempts < settings.WORKER_MAX_ATTEMPTS:
            now = timezone.now()
            self._held(worker).update(
                status=self.Status.QUEUED,
                lease_owner="",
                lease_expires_at=None,
                updated_at=now,
                run_after=now + timedelta(seconds=10 * attempts),
                progress=0.0,
                error_message=message,
            )
            self._log_transition("retry", self.Status.QUEUED, attempt=str(attempts))
        else:
            self.fail(worker, message, cause=cause)

    def hurry(self) -> None:
        """A callback said the task moved: read its status now instead of at the next poll."""
        Job.objects.in_flight().filter(
            pk=self.pk, phase__in=[self.Phase.CONFIRM, self.Phase.FOLLOW, self.Phase.OVERDUE]
        ).update(run_after=timezone.now())

    # --- Terminal transitions: each settles the credits in the same transaction ------------------------------

    def succeed(self, worker: str, *, provider_cost: dict | None = None, **result) -> bool:
        """The result is kept: the reservation is consumed (at the quote, never more). False when the lease was
        lost (the caller discards its files)."""
        fields = dict(progress=1.0, error_message="", status_note="", phase=self.Phase.DONE, **result)
        if provider_cost:
            fields["provider_cost"] = provider_cost
        return self._end(self._held(worker), self.Status.SUCCEEDED, fields)

    def fail(self, worker: str, message: str, *, moderation: bool = False, cause: str | None = None) -> bool:
        """No video: the reservation is released, and the message says why in words. `cause` (a Failure) groups
        it for the providers page; by default a failure at the provider, or moderation."""
        cause = cause or (self.Failure.MODERATION if moderation else self.Failure.PROVIDER)
        return self._end(
            self._held(worker),
            self.Status.FAILED,
            dict(
                error_message=message, moderation=moderation, status_note="", phase=self.Phase.DONE, failure_cause=cause
            ),
        )

    def cancel(self) -> bool:
        """The creative withdrew a job the provider has not been sent yet; a worker holding it loses its lease."""
        unsent = Job.objects.in_flight().filter(pk=self.pk, create_sent_at__isnull=True)
        return self._end(
            unsent,
            self.Status.CANCELLED,
            dict(error_message="Cancelled before it was sent to the provider.", status_note="", phase=self.Phase.DONE),
        )

    def set_aside(self, worker: str, reason: str, *, error: str = "") -> bool:
        """Stop working on a job the provider may have billed for, keeping its credits held until an admin
        settles it (close or resume). Nothing is lost: the task id and outputs stay on the job, `error` (the
        technical cause, for the admin) in its error message. The admins are alerted, once."""
        fields = dict(error_message=error) if error else {}
        set_aside = self._held(worker).update(
            status=self.Status.SET_ASIDE,
            status_note=reason[:300],
            lease_owner="",
            lease_expires_at=None,
            updated_at=timezone.now(),
            **fields,
        )
        if set_aside:
            self._log_transition("set_aside", self.Status.SET_ASIDE)
            self._alert_set_aside(f"{reason}\n\n{error}".strip())
        return bool(set_aside)

    def _alert_set_aside(self, message: str) -> None:
        from seedance_studio.alerts.models import AdminAlert
        from seedance_studio.alerts.notify import alert_admins

        alert_admins(self, AdminAlert.Cause.SET_ASIDE, message)

    def close_by_admin(self, admin, reason: str) -> bool:
        """An admin ends a set-aside job, or one still being confirmed or overdue, after reconciling it with the
        provider: released."""
        closable = Job.objects.filter(pk=self.pk).filter(
            Q(status=self.Status.SET_ASIDE) | Q(status__in=self.IN_FLIGHT, phase__in=self.ADMIN_SETTLES)
        )
        message = f"Closed by an admin after checking with the provider: {reason}".strip()
        return self._end(
            closable,
            self.Status.FAILED,
            dict(error_message=message, status_note="", phase=self.Phase.DONE, failure_cause=self.Failure.CLOSED),
            release_reason=f"closed by {admin}: {reason}",
            transition="closed_by_admin",
        )

    def resume_by_admin(self) -> bool:
        """An admin fixed what set the job aside: the worker picks it up again at the step it stopped at, with
        that step's own window (a result download gets DOWNLOAD_HOURS again, not a whole follow period)."""
        now = timezone.now()
        downloading = Q(phase=self.Phase.DOWNLOAD)
        to_status = self.Status.RUNNING if self.create_sent_at else self.Status.QUEUED
        resumed = bool(
            Job.objects.filter(pk=self.pk, status=self.Status.SET_ASIDE).update(
                status=self.Status.RUNNING if self.create_sent_at else self.Status.QUEUED,
                run_after=now,
                attempts=0,
                follow_deadline=Case(
                    When(downloading, then=Value(now + timedelta(hours=self.DOWNLOAD_HOURS))),
                    default=Value(now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS)),
                ),
                updated_at=now,
                status_note=Case(
                    When(
                        downloading, then=Value("An admin is retrying the download; the studio is keeping the video.")
                    ),
                    default=Value("An admin resumed this job; the studio is working on it again."),
                ),
            )
        )
        if resumed:
            self._log_transition("resumed_by_admin", to_status)
        return resumed

    def attach_task_by_admin(self, task_id: str) -> bool:
        """Name the task the provider's dashboard shows for a job whose create went unanswered."""
        now = timezone.now()
        task_id = task_id.strip()
        if not task_id:
            return False
        try:
            with transaction.atomic():
                attached = bool(
                    Job.objects.filter(pk=self.pk, provider_task_id="")
                    .filter(Q(status=self.Status.SET_ASIDE) | Q(status__in=self.IN_FLIGHT))
                    .update(
                        provider_task_id=task_id,
                        phase=self.Phase.FOLLOW,
                        run_after=now,
                        updated_at=now,
                        status=F("status") if self.is_in_flight else self.Status.RUNNING,
                        follow_deadline=now + timedelta(hours=settings.PROVIDER_FOLLOW_HOURS),
                        status_note="An admin attached the provider's task; the studio is following it now.",
                    )
                )
        except IntegrityError:
            return False
        if attached:
            to_status = self.status if self.is_in_flight else self.Status.RUNNING
            self.provider_task_id = task_id
            self._log_transition("task_attached_by_admin", to_status, phase=self.Phase.FOLLOW)
        return attached

    def _end(self, matching, status: str, fields: dict, *, release_reason: str = "", transition: str = "") -> bool:
        now = timezone.now()
        with transaction.atomic():
            # Lock the row first: a concurrent transition waits here, then finds the job no longer matching.
            row = Job.objects.select_for_update().filter(pk=self.pk).values_list("price_credits", "credits_status")
            price, credits = row.get()
            settle = credits == self.Credits.RESERVED
            if settle:
                fields["credits_status"] = (
                    self.Credits.CHARGED if status == self.Status.SUCCEEDED else self.Credits.RELEASED
                )
            ended = matching.update(
                status=status, finished_at=now, updated_at=now, lease_owner="", lease_expires_at=None, **fields
            )
            if not ended:
                return False
            if settle and status == self.Status.SUCCEEDED:
                ledger.consume(self.owner_id, self.public_id, price)
            elif settle:
                ledger.release(
                    self.owner_id, self.public_id, price, release_reason or fields.get("error_message", "") or status
                )
        self._log_transition(transition or status, status)  # once committed, with its ledger entry
        return True

    def _give_up_on_interrupted(self, seen, attempts: int, now) -> None:
        """A step that keeps killing its worker. A job whose create has left is never ended for that (the
        provider has the task): it is set aside for an admin, credits held. Anything else fails, released."""
        note = (
            f"The worker stopped {attempts} times while handling this job, so it is set aside for an admin. "
            "Your credits are held, not spent, until it is settled. Nothing is lost."
        )
        if seen.filter(create_sent_at__isnull=False).update(
            status=self.Status.SET_ASIDE,
            attempts=0,
            lease_owner="",
            lease_expires_at=None,
            updated_at=now,
            status_note=note,
        ):
            self._log_transition("set_aside_interrupted", self.Status.SET_ASIDE)
            self._alert_set_aside(note)
        self._end(
            seen.filter(create_sent_at__isnull=True),
            self.Status.FAILED,
            dict(
                phase=self.Phase.DONE,
                failure_cause=self.Failure.INTERRUPTED,
                error_message=f"The job was interrupted {attempts} times (the worker stopped while working "
                "on it). Submit it again.",
            ),
            transition="failed_interrupted",
        )


@receiver(post_delete, sender=Job)
def _delete_job_files(sender, instance: Job, **kwargs) -> None:
    """However a job row goes (delete_with_files, its owner's account deleted, an admin), its stored objects go
    with it once the deletion commits."""
    delete_after_commit(instance.video, instance.poster, instance.last_frame, instance.first_frame)
