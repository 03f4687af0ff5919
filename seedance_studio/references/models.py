import functools
import secrets
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

from seedance_studio.storage import delete_after_commit


def new_public_token() -> str:
    return secrets.token_urlsafe(32)


def _stored_name(prefix: str, extension: str) -> str:
    # Random names: an uploaded file's own name never reaches the disk, and paths cannot be guessed.
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


def reference_upload_to(instance: "Reference", filename: str) -> str:
    return _stored_name("references", instance.extension)


def new_reference_file_name(extension: str) -> str:
    """A fresh stored name for a reference's file with this extension ("mp4", no dot), as saving one would make."""
    return Reference._meta.get_field("file").generate_filename(Reference(extension=extension), "upload")


def thumbnail_upload_to(instance: "Reference", filename: str) -> str:
    return _stored_name("thumbnails", "jpg")


# Stand-ins reversed once in place of a real token and extension. Real ones need no quoting in a URL (tokens
# are URL-safe base64, extensions letters and digits), so putting them where these were is what reverse() does.
_TOKEN, _EXTENSION = "token0placeholder", "ext0placeholder"


@functools.lru_cache(maxsize=8)
def _public_url_parts(base_url: str, script_prefix: str, urlconf) -> tuple[str, str, str]:
    """A reference's public URL around its token and extension, reversed once per base URL and URLconf: the live
    check builds one for every reference on every keystroke, and reverse() is the slow part of that."""
    url = base_url.rstrip("/") + reverse("public_reference", args=[_TOKEN, _EXTENSION], urlconf=urlconf)
    before_token, rest = url.split(_TOKEN)
    between, after_extension = rest.split(_EXTENSION)
    return before_token, between, after_extension


def public_url_maker() -> Callable[["Reference"], str]:
    """`Reference.public_url` for many references at once: the settings and the URLconf are read once, here."""
    before_token, between, after_extension = _public_url_parts(
        settings.PUBLIC_BASE_URL, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    return lambda reference: f"{before_token}{reference.public_token}{between}{reference.extension}{after_extension}"


class Reference(models.Model):
    """An image, video or audio file a creative uploaded, with the facts probed from its content."""

    # Not a column: the pin a composition gives this file ("first", "last" or ""), set on the instances
    # Composition.ordered_references() and draft_references() return.
    frame: str = ""
    # Not a column either: the short name the same composition gives it ("hero" for @hero, "" for none).
    mention_name: str = ""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        AUDIO = "audio", "Audio"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The unguessable part of the URL a provider fetches the file from (providers cannot sign in).
    public_token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to=reference_upload_to, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=10, help_text="Detected from the content, e.g. jpeg, mp4, wav.")
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=50)
    size_bytes = models.BigIntegerField()
    # Display size: after EXIF orientation (images) or rotation metadata (videos).
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for video and audio.")
    fps = models.FloatField(null=True, blank=True)
    has_audio = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # The library lists a creative's files newest first and sums their sizes for the quota.
        indexes = [models.Index(fields=["owner", "-created_at"], name="reference_library")]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    def public_url(self) -> str:
        """Where a provider fetches the file from (providers cannot sign in: the token is the only key)."""
        return public_url_maker()(self)

    def delete_with_files(self) -> bool:
        """Delete this file from its creative's library, and its stored objects once that is committed (a
        rollback never leaves a row pointing at nothing). Its chip in the creative's draft goes with it. False,
        and nothing deleted, while a job's recipe uses it: the frozen link PROTECTs it, so a job submitted at
        the same moment keeps its file too."""
        try:
            with transaction.atomic():
                self.links.filter(composition__is_draft=True).delete()
                self.delete()  # the post_delete receiver below deletes its objects once this is committed
        except ProtectedError:
            return False
        return True

    @property
    def facts(self) -> str:
        """The probed facts in a creative's words, e.g. "1280x720 · 4.0 s · 24 fps"."""
        parts = []
        if self.width and self.height:
            parts.append(f"{self.width}x{self.height}")
        if self.duration is not None:
            parts.append(f"{self.duration:.1f} s")
        if self.fps:
            parts.append(f"{self.fps:g} fps")
        return " · ".join(parts)


class StorageQuota(models.Model):
    """How much a creative's library may hold, set by an admin (no row: no limit). What counts is the size of
    every file they uploaded (or took from a result's last frame) that is still in their library; thumbnails
    are the studio's own and are not counted. Checked at upload under a lock on this row (see references.quota)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="storage_quota", verbose_name="creative"
    )
    megabytes = models.PositiveIntegerField(
        help_text="The most this creative's library may hold, in MB (1 MB = 1,048,576 bytes). 0 stops new uploads."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "library storage quota"

    def __str__(self) -> str:
        return f"{self.megabytes} MB for {self.user}"

    @property
    def bytes(self) -> int:
        return self.megabytes * 1024 * 1024


@receiver(post_delete, sender=Reference)
def _delete_reference_files(sender, instance: Reference, **kwargs) -> None:
    """However a reference goes (its owner's account deleted, an admin), its stored objects go with it."""
    delete_after_commit(instance.file, instance.thumbnail)
