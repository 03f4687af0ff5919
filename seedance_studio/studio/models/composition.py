import functools
from typing import cast

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from seedance_studio import seedance
from seedance_studio.compiled_queries import CompiledModelQuery
from seedance_studio.references.models import Reference
from seedance_studio.seedance import AUTO
from seedance_studio.studio.choices import (
    ASPECT_RATIO_CHOICES,
    DURATION_CHOICES,
    FRAME_CHOICES,
    MODE_CHOICES,
    RESOLUTION_CHOICES,
    model_label,
)

# What a composition says about the video (everything but who owns it and which references, in which order):
# copied when a draft is frozen onto a job, and what the Seedance core reads.
RECIPE_FIELDS = (
    "provider",
    "tier",
    "mode",
    "prompt",
    "duration",
    "aspect_ratio",
    "resolution",
    "generate_audio",
    "seed",
    "extras",
)


def _draft_update(fields: dict) -> dict:
    """The UPDATE's values for saving `fields` onto a draft. `QuerySet.update()` skips `auto_now`, so `updated_at`
    is set here."""
    unknown = set(fields) - set(RECIPE_FIELDS)
    if unknown:
        raise ValueError(f"not recipe fields: {sorted(unknown)}")
    return {**fields, "updated_at": timezone.now()}


class CompositionQuerySet(models.QuerySet["Composition"]):
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

    def save_draft_fields(self, owner, fields: dict) -> None:
        """Save recipe fields onto the creative's draft without loading it first (the live check saves what is
        typed on every keystroke): see `Composition.save_draft_fields`.

        Building and compiling this UPDATE cost the live check more than running it, so its SQL is compiled once
        per database and field set (by the ORM, so it follows the models) and each value is prepared by its own
        model field, exactly as `QuerySet.update()` prepares it."""
        values = _draft_update(fields)
        connection = connections[self.db]
        sql, where_params = _draft_update_sql(self.db, values)
        params = [
            _FIELDS[name].get_db_prep_save(value, connection) for name, value in values.items() if value is not None
        ]
        params.extend(owner.pk if param == _ANY_OWNER else param for param in where_params)
        with transaction.mark_for_rollback_on_error(using=self.db), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def draft_references(self, owner) -> list[Reference]:
        """The draft's references in order, each with its `frame` pin and `mention_name`, in one query.

        The live check runs it on every keystroke, and building, compiling and running this join through the ORM
        took three times as long as the database took to answer it: it is compiled once per database (from
        `_draft_references_query`, so it follows the models), see `compiled_queries`."""
        compiled = _draft_references_compiled(self.db)
        return compiled.run(self.db, [owner.pk if param == _ANY_OWNER else param for param in compiled.params])


def _draft_references_query(owner_id: int):
    return (
        Reference.objects.filter(links__composition__owner_id=owner_id, links__composition__is_draft=True)
        .annotate(frame=F("links__frame"))  # type: ignore[no-redef]  # fills the Reference.frame attribute
        .annotate(mention_name=F("links__name"))  # and Reference.mention_name
        .order_by("links__position", "links__pk")
    )


_ANY_OWNER = -314159  # stands in for the owner's id in the compiled SQL; no row has a negative id


# The compiled draft UPDATEs, by database and by which fields are set (and which of them to NULL: the ORM writes
# NULL into the SQL rather than as a parameter).
_DRAFT_UPDATES: dict[tuple, tuple[str, tuple]] = {}


def _draft_update_sql(alias: str, values: dict) -> tuple[str, tuple]:
    """The UPDATE of the owner's draft setting `values`, and its WHERE clause's parameters (the owner's id as
    `_ANY_OWNER`)."""
    key = (alias, *((name, value is None) for name, value in values.items()))
    compiled = _DRAFT_UPDATES.get(key)
    if compiled is None:
        query = cast(
            UpdateQuery, Composition.objects.filter(owner_id=_ANY_OWNER, is_draft=True).query.chain(UpdateQuery)
        )
        query.add_update_values(values)
        sql, params = query.get_compiler(alias).as_sql()
        set_count = sum(value is not None for value in values.values())
        where_params = tuple(params[set_count:])
        if where_params.count(_ANY_OWNER) != 1:
            raise AssertionError(f"the draft UPDATE's WHERE should take the owner once: {params!r}")
        compiled = _DRAFT_UPDATES[key] = (sql, where_params)
    return compiled


@functools.cache
def _draft_references_compiled(alias: str) -> CompiledModelQuery[Reference]:
    compiled = CompiledModelQuery.compile(_draft_references_query(_ANY_OWNER), alias)
    if compiled.params.count(_ANY_OWNER) != 1:
        raise AssertionError(f"the draft references' SQL should take the owner once: {compiled.params!r}")
    return compiled


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
    # A draft started with "Continue from the last frame": the job it submits continues this one (a chain).
    continues = models.ForeignKey("studio.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
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
        """ "PiAPI · Seedance 2 Fast", or just "Local preview"."""
        return model_label(self.provider, self.tier)

    def save_draft_fields(self, fields: dict) -> None:
        """Save what the creative typed (some or all of the recipe fields, e.g. the compose form's cleaned ones)
        onto this draft, and nothing else: one UPDATE, `updated_at` included. Every save of a draft's settings
        goes through here or through `Composition.objects.save_draft_fields` (the same UPDATE, by owner)."""
        values = _draft_update(fields)
        Composition.objects.filter(pk=self.pk).update(**values)
        for name, value in values.items():
            setattr(self, name, value)

    @transaction.atomic
    def load_recipe(self, fields: dict, references: list[Reference], *, continues=None) -> None:
        """Make this draft the given recipe: its settings, and exactly these references in this order with their
        frame pins and names (remix, fix and retry, continue a shot). Mentions keep their numbers and names because
        the order and the names are the same. A reference without a `frame` (a new file) comes unpinned and
        unnamed. `continues`: the job the next shot carries on from (None: a separate shot)."""
        self._lock()
        self.save_draft_fields({name: fields[name] for name in RECIPE_FIELDS})
        self.set_continues(continues)
        self.links.all().delete()
        self._link(references)

    def set_continues(self, job) -> None:
        """Record which job the draft's next shot continues (None: a separate shot)."""
        Composition.objects.filter(pk=self.pk).update(continues=job, updated_at=timezone.now())
        self.continues = job

    def recipe(self) -> dict:
        return {name: getattr(self, name) for name in RECIPE_FIELDS}

    def ordered_references(self) -> list[Reference]:
        """The references in order, each as this composition uses it: `reference.frame` is its pin here ("" for
        none) and `reference.mention_name` its name here ("" for none), which the core, the chips and every copy
        of the recipe read."""
        references = []
        for link in self.links.select_related("reference").order_by("position", "pk"):
            link.reference.frame = link.frame
            link.reference.mention_name = link.name
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
    def rename(self, reference: Reference, name: str) -> str | None:
        """Give `reference` the short name `name` in this composition ("" clears it). Returns why it cannot be
        that name (the core's rule, `seedance.name_problem`), and then changes nothing."""
        self._lock()
        links = list(self.links.all())
        link = next((link for link in links if link.reference_id == reference.pk), None)
        if link is None:
            return "That reference is not in this composition any more: reload the page."
        problem = seedance.name_problem(name, [other.name for other in links if other is not link])
        if problem is None:
            link.name = name
            link.save(update_fields=["name"])
        return problem

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
        if reference in order:
            self._place(order, reference, order.index(reference) + offset)

    @transaction.atomic
    def move_to(self, reference: Reference, index: int) -> None:
        """Move a reference to place `index` (0 is first), clamped to the ends: where a chip was dropped."""
        self._lock()
        order = self.ordered_references()
        if reference in order:
            self._place(order, reference, index)

    def _place(self, order: list[Reference], reference: Reference, index: int) -> None:
        order.remove(reference)
        order.insert(max(0, min(len(order), index)), reference)
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

    def freeze(self, references: list[Reference] | None = None, **changes) -> "Composition":
        """A non-draft copy with the same settings and references in the same order, pins included. `changes`:
        recipe fields that differ in the copy (a take's seed, provider and tier); `references`: the draft's
        ordered references when the caller has them already."""
        fields = {name: getattr(self, name) for name in RECIPE_FIELDS}
        fields.update(_draft_update(changes))
        del fields["updated_at"]
        frozen = Composition.objects.create(owner=self.owner, **fields)
        frozen._link(self.ordered_references() if references is None else references)
        return frozen

    def _link(self, references) -> None:
        CompositionReference.objects.bulk_create(
            CompositionReference(
                composition=self,
                reference=reference,
                position=position,
                frame=getattr(reference, "frame", "") or "",
                name=getattr(reference, "mention_name", "") or "",
            )
            for position, reference in enumerate(references)
        )


# The recipe's model fields (and `updated_at`), which prepare their own values for the compiled draft UPDATE.
_FIELDS = {name: cast(models.Field, Composition._meta.get_field(name)) for name in (*RECIPE_FIELDS, "updated_at")}


class CompositionReference(models.Model):
    composition = models.ForeignKey(Composition, on_delete=models.CASCADE, related_name="links")
    # PROTECT: a file used by a job's recipe is never deleted from under it.
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="links")
    position = models.PositiveIntegerField()
    # Which frame this image is pinned to ("" for none). Named-frame providers (HiAPI) send it as
    # first_frame_url / last_frame_url; the core tells the creative where a provider cannot (rules.check_frames).
    frame = models.CharField(max_length=5, choices=FRAME_CHOICES, blank=True, default="")
    # The short name the creative gave it here ("hero": @hero in the prompt), "" for none. Its form is the core's
    # rule (seedance.name_problem); unique per composition without case, as mentions are read.
    name = models.CharField(max_length=seedance.NAME_MAX_CHARS, blank=True, default="")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["composition", "reference"], name="reference_once_per_composition"),
            models.UniqueConstraint(
                fields=["composition", "frame"], condition=~Q(frame=""), name="one_reference_per_frame"
            ),
            models.CheckConstraint(
                condition=Q(frame__in=["", *(value for value, _ in FRAME_CHOICES)]), name="frame_first_last_or_none"
            ),
            models.UniqueConstraint(
                "composition", Lower("name"), condition=~Q(name=""), name="reference_name_once_per_composition"
            ),
        ]

    def __str__(self) -> str:
        pin = f", {self.frame} frame" if self.frame else ""
        return f"reference at position {self.position} of composition {self.composition_id}{pin}"
