"""Which workers are alive: each `runworker` records a heartbeat, which /readyz and the admin read."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.db import models
from django.utils import timezone

# A worker beats every HEARTBEAT_SECONDS; one not seen for ALIVE_SECONDS is taken for dead (killed, host gone).
HEARTBEAT_SECONDS = 10
ALIVE_SECONDS = 60
# Rows of workers not seen for this long are deleted by the next worker that starts or beats.
FORGET_AFTER = timedelta(days=1)


class WorkerQuerySet(models.QuerySet["Worker"]):
    def alive(self, now=None):
        now = now or timezone.now()
        return self.filter(stopped_at__isnull=True, last_seen_at__gte=now - timedelta(seconds=ALIVE_SECONDS))

    def prune(self, now=None) -> int:
        now = now or timezone.now()
        deleted, _ = self.filter(last_seen_at__lt=now - FORGET_AFTER).delete()
        return deleted


class Worker(models.Model):
    """One `runworker` process. Its `name` is what it writes into a job's lease (Job.lease_owner), so the jobs a
    worker holds are the in-flight jobs leased by that name."""

    name = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="Set when the worker stopped cleanly.")

    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def start(cls, name: str) -> Worker:
        now = timezone.now()
        cls.objects.prune(now)
        worker, _ = cls.objects.update_or_create(
            name=name,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen_at": now,
                "stopped_at": None,
            },
        )
        return worker

    def beat(self) -> None:
        """Seen now. If an admin deleted the row meanwhile, it comes back."""
        now = timezone.now()
        if not Worker.objects.filter(pk=self.pk).update(last_seen_at=now, stopped_at=None):
            Worker.start(self.name)

    def stop(self) -> None:
        now = timezone.now()
        Worker.objects.filter(pk=self.pk).update(last_seen_at=now, stopped_at=now)

    @property
    def is_alive(self) -> bool:
        return self.stopped_at is None and self.last_seen_at >= timezone.now() - timedelta(seconds=ALIVE_SECONDS)

    @property
    def state(self) -> str:
        if self.stopped_at:
            return "stopped"
        return "alive" if self.is_alive else "not seen (dead?)"
