import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


def new_public_token() -> str:
    return secrets.token_urlsafe(32)


def _stored_name(prefix: str, extension: str) -> str:
    # Random names: an uploaded file's own name never reaches the disk, and paths cannot be guessed.
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


def reference_upload_to(instance: "Reference", filename: str) -> str:
    return _stored_name("references", instance.extension)


def thumbnail_upload_to(instance: "Reference", filename: str) -> str:
    return _stored_name("thumbnails", "jpg")


class Reference(models.Model):
    """An image, video or audio file a creative uploaded, with the facts probed from its content."""

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

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    def public_url(self) -> str:
        path = reverse("public_reference", args=[self.public_token, self.extension])
        return settings.PUBLIC_BASE_URL.rstrip("/") + path

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
