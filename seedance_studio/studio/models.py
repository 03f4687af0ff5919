import uuid
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from seedance_studio.references.models import Reference
from seedance_studio.seedance import AUTO, MODE_LABELS
from seedance_studio.seedance.output_sizes import ASPECT_RATIOS, RESOLUTIONS
from seedance_studio.seedance.registry import ASPECT_RATIO_LABELS

# The choices are wide on purpose: the Seedance core, not the form, decides what a provider and tier accept, so
# a creative who picks 1080p on a fast tier is told why it does not work there instead of never seeing it.
DURATION_CHOICES = [(seconds, f"{seconds} s") for seconds in range(4, 16)]
ASPECT_RATIO_CHOICES = [(ratio, ASPECT_RATIO_LABELS.get(ratio, ratio)) for ratio in (*ASPECT_RATIOS, AUTO)]
RESOLUTION_CHOICES = [(resolution, resolution) for resolution in RESOLUTIONS]
MODE_CHOICES = [(AUTO, "Auto (from the references)"), *((str(mode), label) for mode, label in MODE_LABELS.items())]


# What a composition says about the video (everything but who owns it and which references, in which order):
# copied when a draft is frozen onto a job, and what the Seedance core reads.
RECIPE_FIELDS = ("provider", "tier", "mode", "prompt", "duration", "aspect_ratio", "resolution", "generate_audio",
                 "seed", "extras")


class CompositionQuerySet(models.QuerySet):
    def draft_for(self, owner) -> "Composition":
        """The creative's one draft, created on first use (the unique constraint settles a race)."""
        draft = self.filter(owner=owner, is_draft=True).first()
        if draft is not None:
            return draft
        try:
            with transaction.atomic():
                return self.create(owner=owner, is_draft=True)
        except IntegrityError:
            return self.get(owner=owner, is_draft=True)

    def draft_references(self, owner):
        """The draft's references in order, in one query (the live check runs on every keystroke)."""
        return Reference.objects.filter(links__composition__owner=owner, links__composition__is_draft=True
                                        ).order_by("links__position", "links__pk")


class Composition(models.Model):
    """A recipe: prompt, ordered references and output settings.

    Each creative has one draft they are editing; submitting freezes a copy onto the job, so later edits to the
    draft never change what a job was made from.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compositions")
    is_draft = models.BooleanField(default=False)
    provider = models.CharField(max_length=40, default="local_preview")
    tier = models.CharField(max_length=60, default="local")
    mode = models.CharField(max_length=30, choices=MODE_CHOICES, default=AUTO)
    prompt = models.TextField(blank=True)
    duration = models.PositiveSmallIntegerField(default=5, choices=DURATION_CHOICES)
    aspect_ratio = models.CharField(max_length=5, choices=ASPECT_RATIO_CHOICES, default="16:9")
    resolution = models.CharField(max_length=5, choices=RESOLUTION_CHOICES, default="720p")
    generate_audio = models.BooleanField(default=True)
    seed = models.BigIntegerField(null=True, blank=True)
    extras = models.JSONField(default=dict, blank=True)
    references = models.ManyToManyField(Reference, through="CompositionReference", related_name="compositions")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompositionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner"], condition=Q(is_draft=True), name="one_draft_per_owner"),
            models.CheckConstraint(condition=Q(duration__gte=4, duration__lte=15), name="duration_4_to_15"),
        ]

    def __str__(self) -> str:
        return f"composition {self.pk} of {self.owner}"

    @property
    def css_aspect_ratio(self) -> str:
        if ":" not in self.aspect_ratio:  # "auto": the card shows 16:9 until the video's own size is known
            return "16 / 9"
        width, height = self.aspect_ratio.split(":")
        return f"{width} / {height}"

    @property
    def model_label(self) -> str:
        """"PiAPI · Seedance 2 Fast", or just "Local preview"."""
        from seedance_studio.studio.evaluation import model_label

        return model_label(self.provider, self.tier)

    def ordered_references(self) -> list[Reference]:
        return [link.reference for link in self.links.select_related("reference").order_by("position", "pk")]

    def append(self, references) -> None:
        last = self.links.aggregate(last=models.Max("position"))["last"]
        start = -1 if last is None else last
        CompositionReference.objects.bulk_create(
            CompositionReference(composition=self, reference=reference, position=start + offset)
            for offset, reference in enumerate(references, start=1)
        )

    @transaction.atomic
    def remove(self, reference: Reference) -> None:
        self._lock()
        self.links.filter(reference=reference).delete()
        self._renumber(self.ordered_references())

    @transaction.atomic
    def move(self, reference: Reference, offset: int) -> None:
        """Move a reference `offset` places (negative: earlier), clamped to the ends."""
        self._lock()
        order = self.ordered_references()
        if reference not in order:
            return
        index = order.index(reference)
        order.pop(index)
        order.insert(max(0, min(len(order), index + offset)), reference)
        self._renumber(order)

    def _lock(self) -> None:
        """Serialise edits of one composition's order (two clicks at once): a row lock on PostgreSQL; SQLite's
        IMMEDIATE transactions already take the write lock."""
        Composition.objects.select_for_update().filter(pk=self.pk).first()

    def _renumber(self, order: list[Reference]) -> None:
        links = {link.reference_id: link for link in self.links.all()}
        for position, reference in enumerate(order):
            links[reference.pk].position = position
        CompositionReference.objects.bulk_update(links.values(), ["position"])

    def freeze(self) -> "Composition":
        """A non-draft copy with the same settings and references in the same order."""
        frozen = Composition.objects.create(owner=self.owner, **{name: getattr(self, name) for name in RECIPE_FIELDS})
        CompositionReference.objects.bulk_create(
            CompositionReference(composition=frozen, reference=reference, position=position)
            for position, reference in enumerate(self.ordered_references())
        )
        return frozen


class CompositionReference(models.Model):
    composition = models.ForeignKey(Composition, on_delete=models.CASCADE, related_name="links")
    # PROTECT: a file used by a job's recipe is never deleted from under it.
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="links")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["composition", "reference"], name="reference_once_per_composition"),
        ]


def job_file_upload_to(instance: "Job", filename: str) -> str:
    return f"jobs/{instance.public_id.hex}/{uuid.uuid4().hex[:8]}-{filename}"


class JobQuerySet(models.QuerySet):
    def in_flight(self):
        return self.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))

    def due(self, now):
        """In-flight jobs with a step due that no worker holds, and jobs whose worker stopped renewing its lease.

        A job's status is what the creative sees (a remote job waiting between two polls is "running" at the
        provider); whether a worker holds it is the lease alone.
        """
        return self.in_flight().filter(Q(lease_expires_at__isnull=True, run_after__lte=now)
                                       | Q(lease_expires_at__lt=now))


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    class Phase(models.TextChoices):
        """Where a remote job is on its way; each step is idempotent and run by whichever worker claims it."""

        SUBMIT = "submit", "Sending to the provider"
        RECONCILE = "reconcile", "Confirming with the provider"
        FOLLOW = "follow", "Following the provider's task"
        DOWNLOAD = "download", "Keeping the result"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    composition = models.OneToOneField(Composition, on_delete=models.PROTECT, related_name="job")
    # The compose form's one-time key: a double click or a resent POST finds the job it already made.
    submission_key = models.UUIDField()
    provider = models.CharField(max_length=40, default="local_preview")
    # Fixed at submit from the one Seedance core: what the creative saw is what is stored (and later reserved).
    quote = models.JSONField(default=dict, blank=True)
    price_credits = models.PositiveIntegerField(default=0)
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

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "submission_key"], name="one_job_per_submission"),
            # One provider task belongs to one job: a callback can never bind someone else's task to a job.
            models.UniqueConstraint(fields=["provider", "provider_task_id"], condition=~Q(provider_task_id=""),
                                    name="one_job_per_provider_task"),
        ]
        indexes = [models.Index(fields=["status", "run_after"]), models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"job {self.public_id} ({self.status})"

    @property
    def is_remote(self) -> bool:
        return self.provider != "local_preview"

    @property
    def is_in_flight(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int:
        return int(round(self.progress * 100))

    @property
    def version(self) -> str:
        """Changes whenever anything the gallery card shows changes: lets a poll answer "nothing changed"."""
        return f"{self.status}:{self.progress_percent}:{self.updated_at.timestamp():.3f}"

    @property
    def provider_name(self) -> str:
        return self.composition.model_label.split(" · ")[0]

    @property
    def peak_hours_note(self) -> str:
        """Seedance providers' queues are longest 09:00-15:00 GMT; say so while a remote job waits then."""
        if self.is_remote and self.is_in_flight and 9 <= timezone.now().astimezone(dt_timezone.utc).hour < 15:
            return "Peak hours at Seedance providers (09:00–15:00 GMT): queues can take hours."
        return ""

    def queue_position(self) -> int:
        """How many queued jobs (anyone's) are ahead of this one, plus one."""
        return Job.objects.filter(status=self.Status.QUEUED, created_at__lt=self.created_at).count() + 1
