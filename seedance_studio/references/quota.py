"""A creative's library storage: what it holds, what an admin allows, and the check every new file passes.

The check runs inside the transaction that saves the new Reference, after locking the creative's quota row
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the studio's IMMEDIATE transactions hold the write lock from
the start). Two uploads at once therefore take turns: the second sums the first one's file too, and the library
can never end up over the quota however many uploads race.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.template.defaultfilters import filesizeformat

from seedance_studio.references.models import Reference, StorageQuota


@dataclass(frozen=True)
class Storage:
    """What the library page shows: bytes used, and the quota (None: no limit)."""

    used: int
    quota: int | None

    @property
    def percent(self) -> int | None:
        if self.quota is None:
            return None
        return 100 if self.quota == 0 else min(100, round(100 * self.used / self.quota))

    @property
    def summary(self) -> str:
        if self.quota is None:
            return f"{filesizeformat(self.used)} used (no limit)"
        left = max(0, self.quota - self.used)
        return f"{filesizeformat(self.used)} of {filesizeformat(self.quota)} used ({filesizeformat(left)} left)"


def bytes_used(owner) -> int:
    return Reference.objects.filter(owner=owner).aggregate(total=Sum("size_bytes"))["total"] or 0


def storage_of(owner) -> Storage:
    quota = StorageQuota.objects.filter(user=owner).first()
    return Storage(used=bytes_used(owner), quota=None if quota is None else quota.bytes)


def refusal_for(owner, size: int) -> str | None:
    """Why a new file of `size` bytes does not fit in the creative's library, or None when it does. Call it in
    the transaction that saves the file: it locks the quota row, so concurrent uploads are counted one by one."""
    quota = StorageQuota.objects.select_for_update().filter(user=owner).first()
    if quota is None:
        return None
    used = bytes_used(owner)
    if used + size <= quota.bytes:
        return None
    return (
        f"is {filesizeformat(size)}, and your library already holds {filesizeformat(used)} of the "
        f"{filesizeformat(quota.bytes)} an admin allows you ({filesizeformat(max(0, quota.bytes - used))} left). "
        "Free space by deleting files you no longer need from your library (/library/), or ask an admin for "
        "a larger quota."
    )
