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


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one account or one network address (accounts.throttle has the policy). Kept
    in the database, so every web process sees the same counts with no cache server; the key is stored hashed
    (a username field often receives a password typed in the wrong box)."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", "Account"
        ADDRESS = "address", "Network address"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key_hash = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key_hash"], name="one_throttle_per_key")]
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key_hash[:8]}: {self.failures} failed sign-ins"
