"""Seedance2 API (shared/seeds/002): `POST /api/v1/jobs/createTask`, `GET /api/v1/jobs/queryTask?taskId=`,
`GET /api/v1/account/credits`, `Authorization: Bearer`.

Documented behaviour emulated: `{"taskId"}` on create; PENDING / PROCESSING / COMPLETED / FAILED with
`output: [{url, width, height}]` (null until COMPLETED), `error` (a message when FAILED) and `creditsUsed`
(002:196-212) by the credit table of 002:154-159; the error statuses of 002:216-225 including 429 at more
than 3 unfinished tasks ("Concurrency limit (3 tasks)"); unsigned callbacks with the queryTask shape to
`callBackUrl`; the balance `{"credits", "availableCredits"}` (002:212-216).

What the document does not show, and the emulator decides: error bodies are `{"message": …}` (the
document's client code reads `err.message`); results are on static.seedance2-pro.com (002:184) and answer
403 once expired (after one hour). The account starts with the document's 5000 credits (002:214);
`credits` drops by `creditsUsed` when a task completes, and `availableCredits` is `credits` less what the
unfinished tasks will cost (the document's 4800 against 5000 is one 5 s seedance2 task in flight). A failed
task costs nothing ("Credits have been refunded"), and while unfinished it reports `creditsUsed: 0`.
"""

from __future__ import annotations

import re
import secrets

from .base import ProviderEmulator, Task, bearer_ok, str_list
from .wsgi import Request, Response

SIZES = {
    "720x720": "1:1",
    "720x960": "3:4",
    "960x720": "4:3",
    "1280x720": "16:9",
    "720x1280": "9:16",
    "1280x540": "21:9",
}  # 002:59
CONCURRENCY_LIMIT = 3  # 002:224
CREDITS_PER_SECOND = {"seedance2": 40, "seedance2-fast": 32}  # 002:156 (the fast column: 160 for 5 s)
UPSCALE_CREDITS_PER_SECOND = {"2k": 20, "4k": 40}  # 002:157-158
REFERENCE_VIDEO_MULTIPLIER = 2  # 002:159: reference mode with a video reference doubles the base
STARTING_CREDITS = 5000  # 002:214
_DURATION = re.compile(r"(\d+)s")


def task_credits(body: dict, seconds: int) -> int:
    """002:154-159: seconds x 40|32, doubled in reference mode with a video reference, + seconds x 20|40 upscale."""
    inputs = body["inputs"]
    base = seconds * CREDITS_PER_SECOND[body["model"]]
    if inputs.get("videoInputMode") == "reference" and inputs.get("videoUrls"):
        base *= REFERENCE_VIDEO_MULTIPLIER
    return base + seconds * UPSCALE_CREDITS_PER_SECOND.get(inputs.get("upscaleResolution"), 0)


class Seedance2Emulator(ProviderEmulator):
    provider = "seedance2"
    api_hosts = ("seedance2-ai.ai",)
    cdn_base = "https://static.seedance2-pro.com/videos"
    expired_status = 403
    starting_credits = STARTING_CREDITS  # a test may give the account another balance

    def route(self, request: Request):
        if request.method == "POST" and request.path == "/api/v1/jobs/createTask":
            return lambda: self._create_within_limit(request)
        if request.method == "GET" and request.path == "/api/v1/jobs/queryTask":
            return lambda: self.status(request.query.get("taskId"))
        if request.method == "GET" and request.path == "/api/v1/account/credits":
            return lambda: Response.json(200, self.balance())
        return None

    def authorized(self, request: Request) -> bool:
        return bearer_ok(request, self.api_key)

    def error(self, status: int, message: str) -> Response:
        return Response.json(status, {"message": message})

    def new_task_id(self) -> str:
        return f"task_{secrets.token_hex(8)}"

    def prompt(self, body: dict) -> str:
        return body["inputs"].get("prompt") or ""

    def shape(self, body: dict):
        inputs = body["inputs"]
        duration = _DURATION.fullmatch(inputs.get("duration", "5s"))
        assert duration is not None  # validate() refused any other duration before the task was made
        seconds = int(duration[1])
        return seconds, SIZES.get(inputs.get("resolution", "1280x720")), True

    def callback_target(self, body: dict):
        return body.get("callBackUrl") or None, ""

    def credits_used(self, task: Task) -> int:
        return task_credits(task.body, task.seconds) if self.state(task) == "success" else 0

    def balance(self) -> dict:
        """Worked out from the tasks at the clock's time, so it moves exactly when their states do."""
        spent = sum(self.credits_used(task) for task in self.tasks.values())
        promised = sum(
            task_credits(task.body, task.seconds)
            for task in self.tasks.values()
            if self.state(task) in ("queued", "running")
        )
        credits = self.starting_credits - spent
        return {"credits": credits, "availableCredits": credits - promised}

    def _create_within_limit(self, request: Request) -> Response:
        unfinished = sum(1 for t in self.tasks.values() if self.state(t) in ("queued", "running"))
        if unfinished >= CONCURRENCY_LIMIT:
            self.create_calls += 1
            return self.error(
                429,
                f"Concurrency limit reached: at most {CONCURRENCY_LIMIT} tasks at a time. "
                f"Wait for existing tasks to complete.",
            )
        return self.create(request)

    def validate(self, body) -> Response | None:
        problem = self._problem(body)
        return self.error(400, problem) if problem else None

    def _problem(self, body) -> str | None:
        if not isinstance(body, dict) or body.get("model") not in CREDITS_PER_SECOND:
            return "model must be seedance2 or seedance2-fast"
        inputs = body.get("inputs")
        if not isinstance(inputs, dict):
            return "inputs is required"
        duration = inputs.get("duration", "5s")
        found = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
        if not found or not 4 <= int(found[1]) <= 15:
            return f'duration must be "4s" to "15s", got {duration!r}'
        if "resolution" in inputs and inputs["resolution"] not in SIZES:
            return f"resolution must be one of {', '.join(SIZES)}"
        if inputs.get("upscaleResolution") not in (None, "2k", "4k"):
            return 'upscaleResolution must be "2k" or "4k"'
        mode = inputs.get("videoInputMode")
        if mode not in (None, "keyframe", "reference"):
            return 'videoInputMode must be "keyframe" or "reference"'
        urls, videos, audios = (str_list(inputs.get(k)) for k in ("urls", "videoUrls", "audioUrls"))
        if urls is None or videos is None or audios is None:
            return "urls, videoUrls and audioUrls must be arrays of URLs"
        if not urls and not videos and not audios and not (inputs.get("prompt") or "").strip():
            return "prompt is required for text-to-video"
        if mode == "reference":
            if "resolution" not in inputs:
                return "resolution is required for reference mode"
            if len(urls) > 9 or len(videos) > 3 or len(audios) > 3 or len(urls) + len(videos) + len(audios) > 12:
                return "too many references: at most 9 images, 3 videos, 3 audio files and 12 files in total"
            return None
        if videos or audios:
            return 'videoUrls and audioUrls need videoInputMode "reference"'
        if mode == "keyframe" and len(urls) != 2:
            return f"keyframe mode needs exactly 2 image URLs, got {len(urls)}"
        if mode is None and len(urls) > 1:
            return 'image-to-video takes one image URL; use videoInputMode "keyframe" for two'
        callback = body.get("callBackUrl")
        if callback is not None and not (isinstance(callback, str) and callback.startswith(("http://", "https://"))):
            return "callBackUrl must be a URL"
        return None

    def created(self, task: Task) -> Response:
        return Response.json(200, {"taskId": task.id})

    def task_json(self, task: Task) -> dict:
        state = self.state(task)
        status = {"queued": "PENDING", "running": "PROCESSING", "success": "COMPLETED"}.get(state, "FAILED")
        error = None
        if state == "moderation":
            error = (
                f"Content moderation rejected the request: {task.reason or 'sensitive content detected'}. "
                f"Credits have been refunded."
            )
        elif state == "fail":
            error = f"Generation failed: {task.reason or 'internal error'}. Credits have been refunded."
        done = state not in ("queued", "running")
        output = (
            [{k: o[k] for k in ("url", "width", "height")} for o in task.outputs or ()] if state == "success" else None
        )
        return {
            "taskId": task.id,
            "model": task.body["model"],
            "status": status,
            "creditsUsed": self.credits_used(task),
            "output": output,
            "error": error,
            "createTime": int(task.created_at * 1000),
            "completeTime": int(task.finished_at * 1000) if done else None,
        }
