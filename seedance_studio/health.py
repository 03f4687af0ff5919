"""Probes for load balancers and orchestrators.

`/healthz`: the process answers (no database, nothing else), for "restart it if it hangs".
`/readyz`: the parts a request needs answer: the database, the media storage, and at least one worker seen in
the last minute (workers record a heartbeat, seedance_studio.worker.models). 503 naming the failing part
otherwise, for "send it no traffic" and for monitoring.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from seedance_studio.worker.models import ALIVE_SECONDS, Worker

log = logging.getLogger("seedance_studio.health")

# A name no upload can take (uploads get random names under their own folders): exists() asks the storage a
# question that needs it to answer, on local disk and on S3 alike, and writes nothing.
STORAGE_PROBE = "healthz/readiness-probe"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _storage() -> str:
    default_storage.exists(STORAGE_PROBE)
    return "ok"


def _worker() -> str:
    now = timezone.now()
    alive = Worker.objects.alive(now).count()
    if not alive:
        last = Worker.objects.order_by("-last_seen_at").values_list("last_seen_at", flat=True).first()
        seen = f"last seen {(now - last) // timedelta(seconds=1)} s ago" if last else "none ever seen"
        raise NotReady(f"no worker seen in the last {ALIVE_SECONDS} s ({seen}); start `manage.py runworker`")
    return f"ok ({alive} alive)"


class NotReady(Exception):
    """A check's own words, safe to show anyone."""


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "storage": _storage, "worker": _worker}


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    lines, failing = [], []
    for name, check in CHECKS.items():
        try:
            lines.append(f"{name}: {check()}")
        except NotReady as error:
            failing.append(name)
            lines.append(f"{name}: failing: {error}")
        except Exception as error:
            # The probe is public: the error's type only (a database or S3 message may name hosts and users);
            # the log has the whole story.
            log.warning("readiness check %s failed", name, exc_info=True)
            failing.append(name)
            lines.append(f"{name}: failing: {type(error).__name__} (the log has the details)")
    status = 503 if failing else 200
    head = f"not ready: {', '.join(failing)}" if failing else "ready"
    return HttpResponse("\n".join([head, *lines]) + "\n", status=status, content_type="text/plain; charset=utf-8")
