"""A share link: a finished video anyone with the link can watch, without an account, until its owner stops it.

The token is never stored. The row keeps a random salt and the SHA-256 of the token; the token itself is
HMAC-SHA256(SECRET_KEY, "share:" + salt), so the owner can be shown the same link again later while a copy of
the database alone gives nobody a working link. Visitors are found by the hash of the token they bring, so the
lookup compares hashes, never the secret, and its timing tells an attacker nothing about a valid token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, normalize_newlines

from seedance_studio.studio.models import Job
from seedance_studio.studio.models.job import MARKUP
from seedance_studio.tokens import hash_token

# How long a link lives, as the owner chooses it: None is "until I stop it".
EXPIRY_CHOICES = [(None, "Never"), (1, "After 1 day"), (7, "After 7 days"), (30, "After 30 days")]
EXPIRY_DAYS = [days for days, _ in EXPIRY_CHOICES]
# base64url of a 32-byte HMAC, unpadded: anything else cannot be a token, and costs no query to refuse.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
UNTITLED = "A Seedance Studio video"
TITLE_LENGTH = 70  # what chat apps show of a title before they cut it
# Chat apps and social sites fetch a link to draw its preview card; those fetches are not people watching.
LINK_PREVIEW_AGENTS = re.compile(
    r"facebookexternalhit|facebot|twitterbot|whatsapp|telegrambot|slackbot|discordbot|linkedinbot|applebot|"
    r"skypeuripreview|redditbot|pinterestbot|iframely|embedly|vkshare|googlebot|bingbot",
    re.IGNORECASE,
)


class NotShareable(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def derive_token(salt: str, key: str) -> str:
    digest = hmac.new(key.encode(), f"share:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def public_url(url_name: str, token: str) -> str:
    """An absolute URL on the studio's public address: link previews are fetched from other servers."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(url_name, args=[token])


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def active(self):
        """Links that still open: not stopped by their owner, not past their expiry."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), revoked_at__isnull=True)

    def share(self, job: Job, *, show_prompt: bool, expires_in_days: int | None) -> ShareLink:
        """The job's link: the one already open if there is one (sharing twice never changes a link people
        already have), else a new one. Raises NotShareable for a job without a finished video."""
        if job.status != Job.Status.SUCCEEDED or not job.video:
            status = job.get_status_display().lower()
            raise NotShareable(
                f"Only a finished video can be shared, and this job is {status}. Share it once it has succeeded."
            )
        if expires_in_days not in EXPIRY_DAYS:
            raise ValueError(f"expires_in_days must be one of {EXPIRY_DAYS}")
        open_link = self.filter(job=job).active().first()
        if open_link is not None:
            return open_link
        salt = secrets.token_hex(32)
        poster_width, poster_height = _poster_size(job)
        try:
            with transaction.atomic():
                # An expired link still holds the job's one live slot (the constraint cannot know the time);
                # only expired ones are retired, so a link a concurrent click just made is never stopped.
                now = timezone.now()
                self.filter(job=job, revoked_at__isnull=True, expires_at__lte=now).update(revoked_at=now)
                return self.create(
                    job=job,
                    salt=salt,
                    token_hash=hash_token(derive_token(salt, settings.SECRET_KEY)),
                    show_prompt=show_prompt,
                    poster_width=poster_width,
                    poster_height=poster_height,
                    expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
                )
        except IntegrityError:
            # A second click raced this one past the lookup above: the constraint let one link through.
            return self.get(job=job, revoked_at__isnull=True)

    def find(self, token: str) -> ShareLink | None:
        """The open link this token belongs to, with its job, if its video can still be watched; else None."""
        if not TOKEN.fullmatch(token):
            return None
        return (
            self.active()
            .filter(token_hash=hash_token(token), job__status=Job.Status.SUCCEEDED)
            .select_related("job__composition")
            .first()
        )


def _poster_size(job: Job) -> tuple[int | None, int | None]:
    """Read once when sharing, so the share page tells chat apps the picture's size without opening the file."""
    from PIL import Image

    if not job.poster:
        return None, None
    try:
        with job.poster.open("rb") as handle, Image.open(handle) as image:
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


class ShareLink(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=64)
    show_prompt = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A count of page loads by people, nothing about who they are.
    views = models.PositiveIntegerField(default=0)
    poster_width = models.PositiveIntegerField(null=True, blank=True)
    poster_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One link per job at a time: stopping it (revoked_at) frees the slot for a new one.
            models.UniqueConstraint(
                fields=["job"], condition=Q(revoked_at__isnull=True), name="one_live_share_link_per_job"
            ),
        ]

    def __str__(self) -> str:
        return f"share link {self.pk} of {self.job_id}"

    def token(self) -> str | None:
        """The token of this link, derived again. After a key rotation the old key must be in
        SECRET_KEY_FALLBACKS for the link to be shown; the link itself keeps working either way."""
        for key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
            token = derive_token(self.salt, key)
            if hmac.compare_digest(hash_token(token), self.token_hash):
                return token
        return None

    def url(self) -> str:
        token = self.token()
        return public_url("share_page", token) if token else ""

    def revoke(self) -> bool:
        """Stop the link: from now on it opens the "stopped" page. False if it was already stopped."""
        now = timezone.now()
        stopped = ShareLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now)
        if stopped:
            self.revoked_at = now
        return bool(stopped)

    def count_view(self, user_agent: str) -> bool:
        """A person opened the page: one more view (chat apps fetching a preview card are not counted)."""
        if LINK_PREVIEW_AGENTS.search(user_agent):
            return False
        return bool(ShareLink.objects.filter(pk=self.pk).update(views=F("views") + 1))

    # --- What viewers see -------------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        if not self.show_prompt:
            return UNTITLED
        words = self._clean_prompt()
        if len(words) > TITLE_LENGTH:
            words = words[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
        return capfirst(words) or UNTITLED

    @property
    def prompt(self) -> str:
        """The prompt as written, when the owner chose to show it and it says more than the title already does."""
        text = normalize_newlines(self.job.composition.prompt).strip() if self.show_prompt else ""
        return text if text and text != self.title else ""

    @property
    def description(self) -> str:
        if self.show_prompt and self._clean_prompt():
            return self._clean_prompt()[:300]
        return f"A {self.seconds}-second video made with Seedance Studio."

    @property
    def download_name(self) -> str:
        """The job's own file name carries the prompt's first words: only when the prompt is shown."""
        if self.show_prompt:
            return self.job.download_name
        return f"{self.job.created_at:%Y-%m-%d} seedance-studio-video {self.seconds}s.mp4"

    @property
    def seconds(self) -> int:
        return round(self.job.duration or self.job.composition.duration)

    def _clean_prompt(self) -> str:
        """The prompt on one line, without mentions of references the viewer cannot see or emulator markers."""
        return " ".join(MARKUP.sub(" ", self.job.composition.prompt).split())
