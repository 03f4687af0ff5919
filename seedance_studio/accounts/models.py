import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from seedance_studio.tokens import hash_token


class SignInLinkQuerySet(models.QuerySet["SignInLink"]):
    def issue(self, user, *, valid_for: timedelta = timedelta(hours=24)) -> str:
        """Create a one-time link for `user` and return its token. Only the token's hash is stored."""
        token = secrets.token_urlsafe(32)
        self.create(user=user, token_hash=hash_token(token), expires_at=timezone.now() + valid_for)
        return token

    def redeem(self, token: str):
        """The user the token signs in, once; None for an unknown, used or expired token."""
        now = timezone.now()
        link = self.filter(token_hash=hash_token(token)).select_related("user").first()
        if link is None or link.expires_at <= now or not link.user.is_active:
            return None
        # Conditional update: two clicks on the same link race here, and only one of them wins.
        if not self.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
            return None
        return link.user


class SignInLink(models.Model):
    """A one-time sign-in link, e.g. the one `make run` prints for the first admin (no default passwords)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SignInLinkQuerySet.as_manager()

    def __str__(self) -> str:
        state = "used" if self.used_at else f"valid until {self.expires_at:%Y-%m-%d %H:%M} UTC"
        return f"sign-in link for {self.user} ({state})"
