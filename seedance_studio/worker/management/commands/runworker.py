import logging
import os
import secrets
import signal
import socket
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from seedance_studio.alerts.notify import send_pending
from seedance_studio.studio.models import Job
from seedance_studio.worker.chain_export import run_chain_export
from seedance_studio.worker.local_preview import run_local_preview
from seedance_studio.worker.models import HEARTBEAT_SECONDS, Worker
from seedance_studio.worker.remote import run_remote_step, step_crashed

log = logging.getLogger("seedance_studio.worker")
ALERT_RETRY_SECONDS = 60.0
PRUNE_SECONDS = 3600.0


class Command(BaseCommand):
    help = (
        "Claim due jobs from the database and run them, a few at a time. SIGTERM or Ctrl-C: stop claiming, "
        "finish the jobs in hand, exit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=settings.WORKER_CONCURRENCY)
        parser.add_argument("--once", action="store_true", help="Run until no job is due, then exit.")

    def handle(self, *args, concurrency, once, **options):
        worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        stopping = threading.Event()

        def request_stop(signum, frame):
            if not stopping.is_set():
                log.info("worker %s: signal %s received, finishing the jobs in hand", worker, signum)
            stopping.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        log.info("worker %s started (concurrency %s)", worker, concurrency)
        Loop(worker, concurrency, stopping, once=once).run()
        log.info("worker %s stopped", worker)


class Loop:
    """Two lanes, so long local renders never hold up provider work (status reads, result downloads before their
    links expire): `concurrency` renders and WORKER_PROVIDER_CONCURRENCY provider steps at once."""

    def __init__(self, worker: str, concurrency: int, stopping: threading.Event, *, once: bool = False):
        self.worker = worker
        self.limits = {False: concurrency, True: settings.WORKER_PROVIDER_CONCURRENCY}  # keyed by "is remote"
        self.stopping = stopping
        self.once = once
        self.lease = settings.WORKER_LEASE_SECONDS
        self.active: dict[Future[None], int] = {}  # future -> job pk
        self.lanes: dict[Future[None], bool] = {}  # future -> is remote
        self.alerts_checked = 0.0  # monotonic time of the last retry of unsent admin mails
        self.record: Worker | None = None  # this worker's heartbeat row (/readyz, the admin's Workers page)
        self.beaten = self.pruned = float("-inf")

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=sum(self.limits.values()), thread_name_prefix="job") as pool:
            while not self.stopping.is_set():
                self._beat()
                self._reap(timeout=0)
                job = None
                for remote, limit in self.limits.items():
                    if sum(1 for lane in self.lanes.values() if lane is remote) < limit:
                        job = self._claim(remote)
                        if job is not None:
                            break
                if job is not None:
                    future = pool.submit(self._run_job, job)
                    self.active[future], self.lanes[future] = job.pk, job.is_remote
                    continue
                if self.once and not self.active:
                    break
                self._renew()
                self._send_alerts()
                self._reap(timeout=settings.WORKER_IDLE_SLEEP_SECONDS)
            # Finish what we hold; keep the leases alive meanwhile so nobody takes these jobs over.
            while self.active:
                self._beat()
                self._renew()
                self._reap(timeout=min(self.lease / 3, HEARTBEAT_SECONDS))
        self._stopped()
        connection.close()

    def _beat(self) -> None:
        """Say this worker is alive, every HEARTBEAT_SECONDS; now and then forget workers long gone."""
        now = time.monotonic()
        if now - self.beaten < HEARTBEAT_SECONDS:
            return
        self.beaten = now
        try:
            if self.record is None:
                self.record = Worker.start(self.worker)
                self.pruned = now
            else:
                self.record.beat()
            if now - self.pruned >= PRUNE_SECONDS:
                self.pruned = now
                Worker.objects.prune()
        except Exception:
            log.exception("worker %s: recording the heartbeat failed", self.worker)

    def _stopped(self) -> None:
        try:
            if self.record is not None:
                self.record.stop()
        except Exception:
            log.exception("worker %s: recording the stop failed", self.worker)

    def _claim(self, remote: bool):
        try:
            close_old_connections()
            return Job.objects.claim_next(self.worker, lease_seconds=self.lease, remote=remote)
        except Exception:
            # A database hiccup must not kill the loop: log it and try again after the idle sleep.
            log.exception("worker %s: claiming failed", self.worker)
            return None

    def _send_alerts(self) -> None:
        """Retry admin mails that could not be sent (SMTP down), at most once a minute."""
        if time.monotonic() - self.alerts_checked < ALERT_RETRY_SECONDS:
            return
        self.alerts_checked = time.monotonic()
        try:
            send_pending()
        except Exception:
            log.exception("worker %s: sending admin alerts failed", self.worker)

    def _renew(self) -> None:
        try:
            Job.objects.renew_leases(self.worker, self.active.values(), lease_seconds=self.lease)
        except Exception:
            log.exception("worker %s: renewing leases failed", self.worker)

    def _reap(self, timeout: float) -> None:
        if not self.active:
            if timeout:
                self.stopping.wait(timeout)
            return
        done, _ = wait(list(self.active), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            self.active.pop(future)
            self.lanes.pop(future)

    def _run_job(self, job: Job) -> None:
        try:
            log.info("job %s: started (attempt %s)", job.public_id, job.attempts)
            if job.is_remote:
                run_remote_step(job, self.worker)
            elif job.is_chain_export:
                run_chain_export(job, self.worker)
            else:
                run_local_preview(job, self.worker)
            log.info("job %s: step finished", job.public_id)
        except Exception:
            log.exception("job %s: unexpected error", job.public_id)
            if job.is_remote:
                step_crashed(Job.objects.get(pk=job.pk), self.worker)
            else:
                job.retry_or_fail(
                    self.worker, "Something went wrong in the studio while rendering. It will be retried automatically."
                )
        finally:
            connection.close()
