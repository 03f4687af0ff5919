"""PiAPI and GoAPI (shared/seeds/000, 001): `POST /api/v1/task`, `GET /api/v1/task/{task_id}`, `X-API-Key`.

Answers use the Unified API envelope `{"code", "data", "message"}` (000:552-594); a finished task carries
`data.output.video`, a failed one `data.error {code, raw_message, message, detail}`; callbacks POST
`{"timestamp", "data"}` with `x-webhook-secret` when `webhook_config.secret` was set (seeds/README.md).
`data.meta.usage` is `{"type": "point", "frozen", "consume"}` (000:577-581, 001:487-491): the task's price
in points is frozen while it is unfinished and consumed once it completes; a refused or failed task
consumes nothing (credits refunded, 000:378). The price is the document's per-second table (000:282-293,
001:271-273) at 10,000,000 points per USD, the rate the documents' own example implies (5 s of
seedance-2-fast at 480p = $0.40 freezes 4,000,000).

What the documents do not show, and the emulator decides: error envelopes are
`{"code": <status>, "data": null, "message": …}` at that HTTP status; validation messages are the
emulator's own wording of the documented rules; a moderation failure has error code 10001 and a message
starting "content violation" (with `Scenario.generic_failure_message`, every failure's `message` is just
"task failed" and the reason is in `raw_message` alone); links on img.theapi.app answer 404 once deleted
(after one hour); input videos are not billed (000:299, 001:276 charge for their seconds, but the emulator
never fetches a reference, so it does not know them): with input videos the usage is lower than the
studio's quote.
"""

from __future__ import annotations

import hmac
import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import unquote

from .base import ProviderEmulator, Task, is_int, str_list
from .wsgi import Request, Response

ASPECT_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
MODES = ("text_to_video", "first_last_frames", "omni_reference")
_MENTION = re.compile(r"@(image|video|audio)(\d+)", re.IGNORECASE)
_ZERO_TIME = "0001-01-01T00:00:00Z"
POINTS_PER_USD = 10_000_000  # 000:577-581 against 000:286 (see above); GoAPI alike, 001:487-491 and 001:273


class UnifiedEmulator(ProviderEmulator):
    api_hosts: tuple[str, ...] = ()
    cdn_base = "https://img.theapi.app/ephemeral"
    expired_status = 404
    task_types: dict[str, str] = {}  # accepted task_type -> the one it runs as
    max_references = 9
    mode_required = False
    lenient_aspect_ratio = False  # GoAPI: "Default: 16:9 (when omitted or invalid)" (001:326)
    resolutions: dict[str, tuple[str, ...]] = {}  # task_type -> allowed; empty: no resolution parameter

    def route(self, request: Request):
        if request.method == "POST" and request.path == "/api/v1/task":
            return lambda: self.create(request)
        if request.method == "GET" and request.path.startswith("/api/v1/task/"):
            return lambda: self.status(unquote(request.path[len("/api/v1/task/") :]))
        return None

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("x-api-key", "").encode(), self.api_key.encode())

    def error(self, status: int, message: str) -> Response:
        return Response.json(status, {"code": status, "data": None, "message": message})

    def new_task_id(self) -> str:
        return str(uuid.uuid4())

    def prompt(self, body: dict) -> str:
        return body["input"]["prompt"]

    def shape(self, body: dict):
        data = body["input"]
        return data.get("duration", 5), data.get("aspect_ratio"), True

    def callback_target(self, body: dict):
        hook = (body.get("config") or {}).get("webhook_config") or {}
        return hook.get("endpoint") or None, hook.get("secret") or ""

    def validate(self, body) -> Response | None:
        problem = self._problem(body)
        if problem is None:
            return None
        status, message = problem if isinstance(problem, tuple) else (400, problem)
        return self.error(status, f"failed to validate input: {message}")

    def _problem(self, body):
        if not isinstance(body, dict) or body.get("model") != "seedance":
            return 'model must be "seedance"'
        task_type = body.get("task_type")
        if task_type not in self.task_types:
            return f"task_type {task_type!r} is not supported; use one of {', '.join(self.task_types)}"
        data = body.get("input")
        if not isinstance(data, dict):
            return "input is required"
        if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
            return "prompt is required"
        if "duration" in data and (not is_int(data["duration"]) or not 4 <= data["duration"] <= 15):
            return f"duration must be an integer from 4 to 15, got {data['duration']!r}"
        images, videos, audios = (str_list(data.get(k)) for k in ("image_urls", "video_urls", "audio_urls"))
        if images is None or videos is None or audios is None:
            return "image_urls, video_urls and audio_urls must be lists of URLs"
        mode = data.get("mode")
        if mode is None:
            if self.mode_required:
                return f"mode is required: one of {', '.join(MODES)}"
            mode = (
                "text_to_video"
                if not (images or videos or audios)
                else "first_last_frames"
                if len(images) <= 2 and not (videos or audios)
                else "omni_reference"
            )
        if mode not in MODES:
            return f"mode must be one of {', '.join(MODES)}, got {mode!r}"
        ratio = data.get("aspect_ratio")
        auto_ok = mode == "first_last_frames"
        if (
            ratio is not None
            and ratio not in ASPECT_RATIOS
            and not (auto_ok and ratio == "auto")
            and not self.lenient_aspect_ratio
        ):
            return f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, got {ratio!r}"
        runs_as = self.task_types[task_type]
        allowed = self.resolutions.get(runs_as)
        if allowed and data.get("resolution") is not None and data["resolution"] not in allowed:
            return f"resolution {data['resolution']} is not supported by {runs_as}"
        if "mini" in runs_as and (videos or audios):
            return f"{runs_as} does not accept video or audio references"
        if "less-restriction" not in runs_as and any(u.startswith("asset://") for u in images + videos + audios):
            return 422, f"asset:// references need a -less-restriction task type, not {runs_as}"
        if mode == "text_to_video" and (images or videos or audios):
            return "text_to_video takes no references"
        if mode == "first_last_frames":
            if videos or audios:
                return "first_last_frames accepts images only"
            if not 1 <= len(images) <= 2:
                return f"first_last_frames needs 1-2 images, got {len(images)}"
        if mode == "omni_reference":
            total = len(images) + len(videos) + len(audios)
            if not 1 <= total <= self.max_references:
                return f"omni_reference needs 1-{self.max_references} references, got {total}"
            if audios and not (images or videos):
                return "audio-only is not allowed: add at least one image or video reference"
        counts = {"image": len(images), "video": len(videos), "audio": len(audios)}
        for kind, number in _MENTION.findall(data["prompt"]):
            if int(number) > counts[kind.lower()]:
                return (
                    f"prompt references @{kind.lower()}{number} but only {counts[kind.lower()]} "
                    f"{kind.lower()} reference(s) were provided"
                )
        return None

    def created(self, task: Task) -> Response:
        return Response.json(200, self.task_json(task))

    def task_json(self, task: Task) -> dict:
        state = self.state(task)
        status = {"queued": "pending", "running": "processing", "success": "completed"}.get(state, "failed")
        output, error = None, {"code": 0, "raw_message": "", "message": "", "detail": None}
        if state == "success":
            output = {"video": task.outputs[0]["url"] if task.outputs else None}
        elif state == "moderation":
            reason = task.reason or "the prompt was flagged for sexual content"
            error = {
                "code": 10001,
                "raw_message": f"content moderation: {reason}",
                "message": f"content violation: {reason}; your credits have been refunded",
                "detail": None,
            }
        elif state == "fail":
            reason = task.reason or "generation failed upstream"
            error = {"code": 10000, "raw_message": reason, "message": f"task failed: {reason}", "detail": None}
        if state in ("moderation", "fail") and self.scenario.generic_failure_message:
            error = {**error, "message": "task failed"}
        price = self.price_in_points(task)
        hook_url = task.callback_url or ""
        data = {
            "task_id": task.id,
            "model": "seedance",
            "task_type": task.body["task_type"],
            "status": status,
            "config": {"service_mode": "", "webhook_config": {"endpoint": hook_url, "secret": ""}},
            "input": task.body["input"],
            "output": output,
            "meta": {
                "created_at": _iso(task.created_at),
                "started_at": _iso(task.started_at) if state != "queued" else _ZERO_TIME,
                "ended_at": _iso(task.finished_at) if state not in ("queued", "running") else _ZERO_TIME,
                "usage": {
                    "type": "point",
                    "frozen": price if state in ("queued", "running") else 0,
                    "consume": price if state == "success" else 0,
                },
                "is_using_private_pool": False,
            },
            "detail": None,
            "logs": [],
            "error": error,
        }
        return {"code": 200, "data": data, "message": "success"}

    def price_in_points(self, task: Task) -> int:
        """The task's output seconds at its tier's (and resolution's) price per second, in points."""
        usd = Decimal(self.usd_per_second(self.task_types[task.body["task_type"]], task.body["input"]))
        return int(usd * task.seconds * POINTS_PER_USD)

    def usd_per_second(self, runs_as: str, data: dict) -> str:
        raise NotImplementedError

    def callback_request(self, task: Task):
        headers = {"Content-Type": "application/json"}
        if task.callback_secret:
            headers["x-webhook-secret"] = task.callback_secret
        body = {"timestamp": int(self.clock.now()), "data": self.task_json(task)["data"]}
        return headers, json.dumps(body).encode()


class PiApiEmulator(UnifiedEmulator):
    provider = "piapi"
    api_hosts = ("api.piapi.ai",)
    task_types = {
        t: t
        for t in (
            "seedance-2",
            "seedance-2-fast",
            "seedance-2-mini",
            "seedance-2-less-restriction",
            "seedance-2-fast-less-restriction",
        )
    } | {
        "seedance-2-preview": "seedance-2",
        "seedance-2-fast-preview": "seedance-2-fast",
        "seedance-2-preview-vip": "seedance-2",
        "seedance-2-fast-preview-vip": "seedance-2-fast",
    }  # 000:273-277
    resolutions = {
        "seedance-2": ("480p", "720p", "1080p"),
        "seedance-2-less-restriction": ("480p", "720p", "1080p"),
        "seedance-2-fast": ("480p", "720p"),
        "seedance-2-fast-less-restriction": ("480p", "720p"),
        "seedance-2-mini": ("720p",),
    }
    prices = {  # USD per second, 000:282-293
        "seedance-2": {"480p": "0.10", "720p": "0.20", "1080p": "0.50"},
        "seedance-2-fast": {"480p": "0.08", "720p": "0.16"},
        "seedance-2-mini": {"720p": "0.15"},
        "seedance-2-less-restriction": {"480p": "0.11", "720p": "0.22", "1080p": "0.55"},
        "seedance-2-fast-less-restriction": {"480p": "0.088", "720p": "0.176"},
    }

    def usd_per_second(self, runs_as: str, data: dict) -> str:
        # 480p by default (000:365), except Mini, which only makes 720p (000:367).
        resolution = data.get("resolution") or ("720p" if runs_as == "seedance-2-mini" else "480p")
        return self.prices[runs_as][resolution]


class GoApiEmulator(UnifiedEmulator):
    provider = "goapi"
    api_hosts = ("api.goapi.ai",)
    task_types = {"seedance-2": "seedance-2", "seedance-2-fast": "seedance-2-fast"}  # 001:266-267
    max_references = 12  # 001:310
    mode_required = True  # 001:285
    lenient_aspect_ratio = True
    prices = {"seedance-2": "0.10", "seedance-2-fast": "0.08"}  # USD per second, 001:271-273

    def usd_per_second(self, runs_as: str, data: dict) -> str:
        return self.prices[runs_as]  # one price per tier: GoAPI has no resolution parameter


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")
