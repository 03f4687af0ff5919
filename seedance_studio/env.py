"""Typed readers for environment variables.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot parse, so a typo in a deployment
stops the process at start instead of silently falling back to a default.

An empty value (`DJANGO_SECURE_COOKIES=` in a compose file or a systemd unit) means the same as unset: the
default. Every security default is the safe side (debug off, secure cookies on unless debug), so an empty line
can never switch a protection off; turning one off takes an explicit `0`/`false`.
"""

from __future__ import annotations

import os
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_megabytes(name: str, default_mb: int) -> int:
    """A size given in megabytes, returned in bytes. 1 MB is 1,048,576 bytes, as everywhere the studio shows a
    size (Django's filesizeformat, the Seedance core, the library quota): a limit of 100 MB is refused as
    "larger than 100.0 MB", never "95.4 MB"."""
    return env_int(name, default_mb, minimum=1) * 1024 * 1024
