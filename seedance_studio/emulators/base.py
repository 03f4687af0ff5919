"""What every emulated provider shares: tasks that move with the clock, scenario knobs, callbacks, results.

A subclass says only what is provider-specific: its paths, auth header, validation messages, id format,
status words and JSON shapes (`ProviderEmulator`'s "provider-specific" methods).

Scenario knobs, two ways: `emulator.scenario` (a `Scenario`), set by a test for the next requests; or
markers in the prompt for one task (`MARKERS_HELP`), also usable by hand against the served emulator.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import media
from .cdn import Cdn
from .wsgi import Request, Response, wsgi_app

Sender = Callable[[str, dict[str, str], bytes], None]
MARKERS_HELP = """\
  [[moderation]] or [[moderation=reason]]   the task ends refused by content moderation
  [[fail]] or [[fail=reason]]               the task ends failed
  [[fail-create-500]] (any status)          the create answers that status; nothing is created
  [[fail-create-503-once]] (any status; once, twice or thrice)   the first creates with this prompt answer
                                            that status (nothing created), the next one succeeds
  [[timeout-create]]                        the task is created, but the answer is lost (a read timeout)
  [[status-503-twice]] (any status; once, twice or thrice)   the task's next status reads answer that
  [[429-then-ok]]                           the task's next status read answers 429 with Retry-After
  [[queue=30]] [[run=60]]                   seconds queued, seconds running
  [[expire=60]]                             seconds before the result link expires
  [[result-url=https://...]]                report this result URL instead of the emulator's own"""
MARKER = re.compile(r"\[\[([a-z0-9-]+)(?:=([^\]]*))?\]\]")
_TIMES = {"once": 1, "twice": 2, "thrice": 3}


@dataclass
class Scenario:
    queue_seconds: float = 2.0
    run_seconds: float = 8.0
    link_ttl: float = 3600.0
    create_failures: list[int] = field(default_factory=list)  # the next creates answer these; nothing created
    create_timeouts: int = 0  # the next creates make their task, but the answer is lost
    status_failures: list[int] = field(default_factory=list)  # the next status reads (any task) answer these
    retry_after: str | None = "1"  # sent with 429 and 503 (status reads and creates)
    outcome: str | None = None  # "success", "moderation" or "fail" for new tasks
    reason: str | None = None  # the moderation or failure reason
    result_url: str | None = None  # report this result URL instead of the emulator's own
    callbacks: bool = True
    # PiAPI/GoAPI: a failed task's `error.message` is only the generic "task failed", the reason (moderation
    # included) is in `error.raw_message` alone.
    generic_failure_message: bool = False


@dataclass
class Task:
    id: str
    body: dict
    created_at: float
    queue_seconds: float
    run_seconds: float
    link_ttl: float
    outcome: str  # "success" | "moderation" | "fail"
    reason: str | None
    callback_url: str | None
    callback_secret: str
    seconds: int
    size: tuple[int, int]
    audio: bool
    status_failures: list[int] = field(default_factory=list)
    result_url: str | None = None
    outputs: list[dict] | None = None  # published on the CDN when first seen finished
    callback_sent: bool = False

    @property
    def started_at(self) -> float:
        return self.created_at + self.queue_seconds

    @property
    def finished_at(self) -> float:
        return self.started_at + self.run_seconds

    def phase(self, now: float) -> str:
        """ "queued", "running" or the outcome."""
        if now < self.started_at:
            return "queued"
        if now < self.finished_at:
            return "running"
        return self.outcome

    def progress(self, now: float) -> float:
        if now < self.started_at:
            return 0.0
        return min(1.0, (now - self.started_at) / self.run_seconds) if self.run_seconds else 1.0


@dataclass
class SentCallback:
    url: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Outbox(list):
    """The default callback sender: keeps what would have been POSTed, for tests to read and replay."""

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> None:
        self.append(SentCallback(url, headers, body))


class ProviderEmulator:
    provider = ""
    api_hosts: tuple[str, ...] = ()
    cdn_base = ""  # in-process result links: the provider's own file host
    expired_status = 404
    default_link_ttl = 3600.0

    def __init__(
        self,
        *,
        clock,
        cdn: Cdn,
        api_key: str,
        sender: Sender | None = None,
        cdn_base: str | None = None,
        allow_insecure_callbacks: bool = False,
        stall_seconds: float = 0.0,
    ):
        self.clock = clock
        self.cdn = cdn
        self.api_key = api_key
        self.send = sender if sender is not None else Outbox()  # an empty Outbox is falsy
        self.cdn_base = cdn_base or self.cdn_base
        self.allow_insecure_callbacks = allow_insecure_callbacks
        self.stall_seconds = stall_seconds
        self.scenario = Scenario(link_ttl=self.default_link_ttl)
        self.tasks: dict[str, Task] = {}
        self.requests: list[Request] = []
        self.create_calls = 0
        self._refused_creates: dict[tuple[str, str], int] = {}  # (prompt, marker) -> times refused so far
        self._lock = threading.RLock()
        self.app = wsgi_app(self.handle, stall_seconds=lambda: self.stall_seconds)

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    # --- provider-specific ------------------------------------------------------------------------------
    def route(self, request: Request) -> Callable[[], Response] | None:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def error(self, status: int, message: str) -> Response:
        raise NotImplementedError

    def validate(self, body: Any) -> Response | None:
        """The provider's own 4xx for an invalid create body, or None."""
        raise NotImplementedError

    def new_task_id(self) -> str:
        raise NotImplementedError

    def prompt(self, body: dict) -> str:
        raise NotImplementedError

    def shape(self, body: dict) -> tuple[int, str | None, bool]:
        """(seconds, aspect ratio, with audio) of the result the body asks for."""
        raise NotImplementedError

    def callback_target(self, body: dict) -> tuple[str | None, str]:
        """(callback URL, secret) from the create body."""
        return None, ""

    def created(self, task: Task) -> Response:
        raise NotImplementedError

    def task_json(self, task: Task) -> Any:
        """The task as a status read (and a callback) shows it."""
        raise NotImplementedError

    def status_response(self, task: Task) -> Response:
        return Response.json(200, self.task_json(task))

    def callback_request(self, task: Task) -> tuple[dict[str, str], bytes]:
        return {"Content-Type": "application/json"}, json.dumps(self.task_json(task)).encode()

    def publish_outputs(self, task: Task) -> list[dict]:
        """[{url, type, width, height}] for a finished task; the video first."""
        return [self.publish_video(task)]

    # --- shared behaviour --------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            handler = self.route(request)
            if handler is None:
                return self.error(404, f"No route for {request.method} {request.path}")
            if not self.authorized(request):
                return self.error(401, "Invalid or missing API key")
            response = handler()
        self.tick()
        return response

    def create(self, request: Request) -> Response:
        self.create_calls += 1
        try:
            body = request.json()
        except ValueError:
            return self.error(400, "The request body is not valid JSON")
        problem = self.validate(body)
        if problem is not None:
            return problem
        markers = dict(MARKER.findall(self.prompt(body) or ""))
        failure = self._create_failure(markers, self.prompt(body) or "")
        if failure is not None:
            response = self.error(
                failure, "Emulated failure: try again later" if failure >= 500 else "Emulated refusal"
            )
            if failure in (429, 503) and self.scenario.retry_after:
                response.headers.append(("Retry-After", self.scenario.retry_after))
            return response
        task = self._new_task(body, markers)
        self.tasks[task.id] = task
        response = self.created(task)
        if "timeout-create" in markers or self.scenario.create_timeouts > 0:
            self.scenario.create_timeouts = max(0, self.scenario.create_timeouts - 1)
            response.stalled()
        return response

    def status(self, task_id: str | None) -> Response:
        task = self.tasks.get(task_id or "")
        if task is None:
            return self.error(404, f"Task not found: {task_id}")
        failures = task.status_failures or self.scenario.status_failures
        if failures:
            status = failures.pop(0)
            response = self.error(status, "Emulated failure: try again later" if status >= 500 else "Too many requests")
            if status in (429, 503) and self.scenario.retry_after:
                response.headers.append(("Retry-After", self.scenario.retry_after))
            return response
        self._ensure_outputs(task)
        return self.status_response(task)

    def tick(self) -> None:
        """Send the callbacks that are due. Called on every request and whenever the clock moves."""
        due = []
        with self._lock:
            now = self.clock.now()
            for task in self.tasks.values():
                if task.callback_url and not task.callback_sent and task.phase(now) not in ("queued", "running"):
                    task.callback_sent = True
                    self._ensure_outputs(task)
                    due.append((task.callback_url, *self.callback_request(task)))
        for url, headers, body in due:
            self.send(url, headers, body)

    def state(self, task: Task) -> str:
        return task.phase(self.clock.now())

    def link_expires_at(self, task: Task) -> float:
        return task.finished_at + task.link_ttl

    def publish_video(self, task: Task) -> dict:
        width, height = task.size
        if task.result_url:
            return {"url": task.result_url, "type": "video", "width": width, "height": height}
        data = media.result_video(task.seconds, width, height, task.audio)
        url = self.cdn.publish(
            self.cdn_base,
            data,
            suffix=".mp4",
            content_type="video/mp4",
            expires_at=self.link_expires_at(task),
            expired_status=self.expired_status,
        )
        return {"url": url, "type": "video", "width": width, "height": height}

    def publish_frame(self, task: Task, which: str) -> dict:
        width, height = task.size
        data = media.frame(task.seconds, width, height, which)
        url = self.cdn.publish(
            self.cdn_base,
            data,
            suffix=".jpg",
            content_type="image/jpeg",
            expires_at=self.link_expires_at(task),
            expired_status=self.expired_status,
        )
        return {"url": url, "type": f"{which}_frame", "width": width, "height": height}

    def insecure_callback(self, url: Any) -> bool:
        return isinstance(url, str) and not url.startswith("https://") and not self.allow_insecure_callbacks

    def _ensure_outputs(self, task: Task) -> None:
        if task.outputs is None and self.state(task) == "success":
            task.outputs = self.publish_outputs(task)

    def _create_failure(self, markers: dict[str, str], prompt: str) -> int | None:
        for name in markers:
            if name.startswith("fail-create-") and name[12:].isdigit():
                return int(name[12:])
            found = re.fullmatch(r"fail-create-(\d{3})-(once|twice|thrice)", name)
            if found and self._refused_creates.get((prompt, name), 0) < _TIMES[found[2]]:
                self._refused_creates[(prompt, name)] = self._refused_creates.get((prompt, name), 0) + 1
                return int(found[1])
        if self.scenario.create_failures:
            return self.scenario.create_failures.pop(0)
        return None

    def _new_task(self, body: dict, markers: dict[str, str]) -> Task:
        scenario = self.scenario
        outcome, reason = scenario.outcome or "success", scenario.reason
        for name in ("moderation", "fail"):
            if name in markers:
                outcome, reason = name, markers[name] or None
        failures = []
        for name in markers:
            found = re.fullmatch(r"status-(\d{3})-(once|twice|thrice)", name)
            if found:
                failures += [int(found[1])] * _TIMES[found[2]]
        if "429-then-ok" in markers:
            failures.append(429)
        seconds, aspect_ratio, audio = self.shape(body)
        url, secret = self.callback_target(body) if scenario.callbacks else (None, "")
        return Task(
            id=self.new_task_id(),
            body=body,
            created_at=self.clock.now(),
            queue_seconds=_number(markers.get("queue"), scenario.queue_seconds),
            run_seconds=_number(markers.get("run"), scenario.run_seconds),
            link_ttl=_number(markers.get("expire"), scenario.link_ttl),
            outcome=outcome,
            reason=reason,
            callback_url=url,
            callback_secret=secret,
            seconds=seconds,
            size=media.size_for(aspect_ratio),
            audio=audio,
            status_failures=failures,
            result_url=markers.get("result-url") or scenario.result_url,
        )


def bearer_ok(request: Request, key: str) -> bool:
    given = request.headers.get("authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), key.encode())


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def str_list(value: Any) -> list[str] | None:
    """The list when `value` is a list of strings (or absent: []), None when it is malformed."""
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _number(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default
