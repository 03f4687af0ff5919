from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q

from seedance_studio.references.models import Reference
from seedance_studio.seedance import AUTO, MODE_LABELS, Frame
from seedance_studio.seedance.output_sizes import ASPECT_RATIOS, RESOLUTIONS
from seedance_studio.seedance.registry import ASPECT_RATIO_LABELS

# The choices are wide on purpose: the Seedance core, not the form, decides what a provider and tier accept, so
# a creative who picks 1080p on a fast tier is told why it does not work there instead of never seeing it.
DURATION_CHOICES = [(seconds, f"{seconds} s") for seconds in range(4, 16)]
ASPECT_RATIO_CHOICES = [(ratio, ASPECT_RATIO_LABELS.get(ratio, ratio)) for ratio in (*ASPECT_RATIOS, AUTO)]
RESOLUTION_CHOICES = [(resolution, resolution) for resolution in RESOLUTIONS]
MODE_CHOICES = [(AUTO, "Auto (from the references)"), *((str(mode), label) for mode, label in MODE_LABELS.items())]
# An image pinned to a frame (seedance.Frame); "" (no pin) leaves it where the mode puts it.
FRAME_CHOICES = [(str(Frame.FIRST), "First frame"), (str(Frame.LAST), "Last frame")]


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
        """The draft's references in order, each with its `frame` pin, in one query (the live check runs on every
        keystroke)."""
        return (Reference.objects.filter(links__composition__owner=owner, links__composition__is_draft=True)
                .annotate(frame=F("links__frame")).order_by("links__position", "links__pk"))


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

    def save_recipe(self, fields: dict) -> None:
        """Save what the creative typed (the compose form's cleaned recipe fields) onto this draft."""
        unknown = set(fields) - set(RECIPE_FIELDS)
        if unknown:
            raise ValueError(f"not recipe fields: {sorted(unknown)}")
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=[*fields, "updated_at"])

    @transaction.atomic
    def load_recipe(self, fields: dict, references: list[Reference]) -> None:
        """Make this draft the given recipe: its settings, and exactly these references in this order with their
        frame pins (remix, fix and retry, continue a shot). Mentions keep their numbers because the order is the
        same. A reference without a `frame` (a new file) comes unpinned."""
        self._lock()
        for name in RECIPE_FIELDS:
            setattr(self, name, fields[name])
        self.save()
        self.links.all().delete()
        self._link(references)

    def recipe(self) -> dict:
        return {name: getattr(self, name) for name in RECIPE_FIELDS}

    def ordered_references(self) -> list[Reference]:
        """The references in order, each as this composition uses it: `reference.frame` is its pin here ("" for
        none), which the core, the chips and every copy of the recipe read."""
        references = []
        for link in self.links.select_related("reference").order_by("position", "pk"):
            link.reference.frame = link.frame
            references.append(link.reference)
        return references

    def append(self, references) -> None:
        last = self.links.aggregate(last=models.Max("position"))["last"]
        start = -1 if last is None else last
        CompositionReference.objects.bulk_create(
            CompositionReference(composition=self, reference=reference, position=start + offset)
            for offset, reference in enumerate(references, start=1)
        )

    @transaction.atomic
    def pin(self, reference: Reference, frame: str) -> Reference | None:
        """Pin `reference` to the first or last frame, or unpin it (frame ""). A video has one frame of each, so
        the reference that held that frame before is unpinned: it is returned, for the creative to be told."""
        self._lock()
        links = list(self.links.select_related("reference"))
        link = next((link for link in links if link.reference_id == reference.pk), None)
        if link is None:
            return None
        held = next((other for other in links if frame and other.frame == frame and other is not link), None)
        if held is not None:
            held.frame = ""
            held.save(update_fields=["frame"])  # first: the constraint allows one reference per frame
        link.frame = frame
        link.save(update_fields=["frame"])
        return held.reference if held is not None else None

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
        """A non-draft copy with the same settings and references in the same order, pins included."""
        frozen = Composition.objects.create(owner=self.owner, **{name: getattr(self, name) for name in RECIPE_FIELDS})
        frozen._link(self.ordered_references())
        return frozen

    def _link(self, references) -> None:
        CompositionReference.objects.bulk_create(
            CompositionReference(composition=self, reference=reference, position=position,
                                 frame=getattr(reference, "frame", "") or "")
            for position, reference in enumerate(references)
        )


class CompositionReference(models.Model):
    composition = models.ForeignKey(Composition, on_delete=models.CASCADE, related_name="links")
    # PROTECT: a file used by a job's recipe is never deleted from under it.
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="links")
    position = models.PositiveIntegerField()
    # Which frame this image is pinned to ("" for none). Named-frame providers (HiAPI) send it as
    # first_frame_url / last_frame_url; the core tells the creative where a provider cannot (rules.check_frames).
    frame = models.CharField(max_length=5, choices=FRAME_CHOICES, blank=True, default="")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["composition", "reference"], name="reference_once_per_composition"),
            models.UniqueConstraint(fields=["composition", "frame"], condition=~Q(frame=""),
                                    name="one_reference_per_frame"),
            models.CheckConstraint(condition=Q(frame__in=["", *(value for value, _ in FRAME_CHOICES)]),
                                   name="frame_first_last_or_none"),
        ]
