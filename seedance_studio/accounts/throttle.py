"""Sign-in throttling: repeated failures for one account, or from one network address, are slowed and then
refused for a while, with a message that says when to try again.

The policy, per scope (an account's username, or the address the request came from):

- the first `SLOW_AFTER` failures cost nothing (typos happen);
- after that each failure makes the next attempt wait, doubling from 15 seconds (15 s, 30 s, 1 min, 2 min ...);
- from the scope's limit on (SIGNIN_ACCOUNT_FAILURES, SIGNIN_ADDRESS_FAILURES) each failure refuses sign-ins for
  SIGNIN_LOCKOUT_MINUTES;
- a scope is forgotten after SIGNIN_LOCKOUT_MINUTES x 4 without a failure; a successful password sign-in clears
  its account (never its address: one valid account must not reset the count of guesses at the others).

While a scope waits, the password is not even checked. Password sign-in (the studio's and the admin's) counts
both scopes; a one-time sign-in link has no account until it works, so a bad link counts its address.

The counts live in the database (accounts.SignInThrottle), so several web processes on several machines share
them, and the zero-config studio needs no cache server.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from seedance_studio.accounts.models import SignInThrottle

Scope = SignInThrottle.Scope
FIRST_WAIT = timedelta(seconds=15)
SLOW_AFTER: dict[str, int] = {Scope.ACCOUNT: 3, Scope.ADDRESS: 10}
WHO: dict[str, str] = {Scope.ACCOUNT: "for this account", Scope.ADDRESS: "from your network address"}


def _limit(scope: str) -> int:
    return settings.SIGNIN_ACCOUNT_FAILURES if scope == Scope.ACCOUNT else settings.SIGNIN_ADDRESS_FAILURES


def _lockout() -> timedelta:
    return timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)


def wait_after(scope: str, failures: int) -> timedelta:
    """How long the next attempt must wait once `failures` failures are counted."""
    lockout = _lockout()
    if failures >= _limit(scope):
        return lockout
    slow_after = min(SLOW_AFTER[scope], _limit(scope))
    if failures < slow_after:
        return timedelta(0)
    return min(lockout, FIRST_WAIT * 2 ** (failures - slow_after))


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind a TLS proxy (DJANGO_BEHIND_TLS_PROXY) it is the last entry of
    X-Forwarded-For, the one the proxy itself added (earlier entries are whatever the client sent). An IPv6
    address counts as its /64 network: one machine usually holds a whole /64."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            address = forwarded[-1]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope!s}:{key}".encode()).hexdigest()


def _keys(request: HttpRequest, username: str | None) -> list[tuple[str, str]]:
    keys = [(Scope.ACCOUNT, username)] if username is not None else []
    keys.append((Scope.ADDRESS, client_address(request)))
    return [(scope, _hash(scope, key)) for scope, key in keys]


def _in_words(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refusal(request: HttpRequest, username: str | None = None) -> str:
    """Why a sign-in must not be tried now, in words with the time to wait; "" when it may be."""
    now = timezone.now()
    keys = _keys(request, username)
    rows = {
        (row.scope, row.key_hash): row
        for row in SignInThrottle.objects.filter(blocked_until__gt=now, key_hash__in=[key for _, key in keys])
    }
    for scope, key in keys:  # the account first: it is what the person is trying to reach
        row = rows.get((scope, key))
        if row is not None and row.blocked_until is not None:
            return f"Too many failed sign-ins {WHO[scope]}. Try again in {_in_words(row.blocked_until - now)}."
    return ""


def failed(request: HttpRequest, username: str | None = None) -> None:
    """Count a failed sign-in (a wrong password for `username`, or a bad sign-in link when None)."""
    for scope, key in _keys(request, username):
        try:
            _count(scope, key)
        except IntegrityError:  # another process created the row first: count on it
            _count(scope, key)
    prune()


def _count(scope: str, key: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row, created = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, key_hash=key, defaults={"last_failure_at": now}
        )
        if not created and row.last_failure_at < now - 4 * _lockout():
            row.failures = 0  # long quiet: start again
        row.failures += 1
        row.last_failure_at = now
        wait = wait_after(scope, row.failures)
        row.blocked_until = now + wait if wait else None
        row.save(update_fields=["failures", "last_failure_at", "blocked_until"])


def succeeded(username: str) -> None:
    SignInThrottle.objects.filter(scope=Scope.ACCOUNT, key_hash=_hash(Scope.ACCOUNT, username)).delete()


def prune() -> int:
    """Forget scopes quiet for long (after every failure, so the table stays small)."""
    deleted, _ = SignInThrottle.objects.filter(last_failure_at__lt=timezone.now() - 4 * _lockout()).delete()
    return deleted
