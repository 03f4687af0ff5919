"""HiAPI (shared/seeds/003 and seeds/README.md): `POST /v1/tasks`, `GET /v1/tasks/{taskId}`, Bearer auth.

Documented behaviour emulated: `{"code": 200, "message": "success", "data": {"taskId": "tk-hiapi-…"}}`;
errors `{"code", "message", "data": null, "error_code"}`; 503 = retry later; status queued -> handling ->
archiving -> success (with `output [{url, type, expireAt}]`) or fail (with `error {code, message}`);
callbacks POST the task detail object to `callback.url` once final, signed with `X-HiAPI-Timestamp` and
`X-HiAPI-Signature` when the account has a signing key (`signing_key`), unsigned otherwise.

What the documents do not show, and the emulator decides: `error_code` values (INVALID_REQUEST,
UNAUTHORIZED, NOT_FOUND, RATE_LIMITED, SERVICE_UNAVAILABLE); `expireAt` in unix seconds, one hour after
completion; archiving is the last 10 % of the run; `first_frame` and `last_frame` outputs come with
`return_last_frame: true`; a moderation failure has code CONTENT_MODERATION; links on cdn.hiapi.ai (an
invented host) answer 403 once expired.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from urllib.parse import unquote

from .base import ProviderEmulator, Task, bearer_ok, is_int, str_list
from .wsgi import Request, Response

ASPECT_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16", "21:9", "adaptive")  # 003:72
RESOLUTIONS = ("480p", "720p", "1080p")  # 003:80
_ERROR_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class HiApiEmulator(ProviderEmulator):
    provider = "hiapi"
    api_hosts = ("api.hiapi.ai",)
    cdn_base = "https://cdn.hiapi.ai/outputs"
    expired_status = 403

    def __init__(self, *, signing_key: str = "", **kwargs):
        super().__init__(**kwargs)
        self.signing_key = signing_key

    def route(self, request: Request):
        if request.method == "POST" and request.path == "/v1/tasks":
            return lambda: self.create(request)
        if request.method == "GET" and request.path.startswith("/v1/tasks/"):
            return lambda: self.status(unquote(request.path[len("/v1/tasks/") :]))
        return None

    def authorized(self, request: Request) -> bool:
        return bearer_ok(request, self.api_key)

    def error(self, status: int, message: str) -> Response:
        return Response.json(
            status, {"code": status, "message": message, "data": None, "error_code": _ERROR_CODES.get(status, "ERROR")}
        )

    def new_task_id(self) -> str:
        return f"tk-hiapi-{secrets.token_hex(10)}"

    def prompt(self, body: dict) -> str:
        return body["input"]["prompt"]

    def shape(self, body: dict):
        data = body["input"]
        return data.get("duration", 5), data.get("aspect_ratio"), data.get("generate_audio", True)

    def callback_target(self, body: dict):
        return (body.get("callback") or {}).get("url"), ""

    def validate(self, body) -> Response | None:
        problem = self._problem(body)
        return self.error(400, problem) if problem else None

    def _problem(self, body) -> str | None:
        if not isinstance(body, dict) or body.get("model") != "seedance-2-0":
            return "model must be seedance-2-0"
        data = body.get("input")
        if not isinstance(data, dict):
            return "input is required"
        prompt = data.get("prompt")
        if not isinstance(prompt, str) or not 3 <= len(prompt) <= 20000:
            return "input.prompt is required and must be 3-20000 characters"
        if data.get("aspect_ratio") not in ASPECT_RATIOS:
            return f"input.aspect_ratio is required: one of {', '.join(ASPECT_RATIOS)}"
        if "duration" in data and (not is_int(data["duration"]) or not 4 <= data["duration"] <= 15):
            return f"input.duration must be an integer from 4 to 15, got {data['duration']!r}"
        if data.get("resolution", "720p") not in RESOLUTIONS:
            return f"input.resolution must be one of {', '.join(RESOLUTIONS)}"
        if "seed" in data and (not is_int(data["seed"]) or not 0 <= data["seed"] <= 2147483647):
            return "input.seed must be an integer from 0 to 2147483647"
        images, videos, audios = (
            str_list(data.get(k)) for k in ("reference_image_urls", "reference_video_urls", "reference_audio_urls")
        )
        if images is None or videos is None or audios is None:
            return "reference URL fields must be arrays of strings"
        frames = sum(1 for k in ("first_frame_url", "last_frame_url") if data.get(k))
        if frames + len(images) > 9:
            return "reference images and first/last frames together must not exceed 9"
        if len(videos) > 3 or len(audios) > 3:
            return "at most 3 reference videos and 3 reference audio clips"
        callback = body.get("callback")
        if callback is not None:
            if not isinstance(callback, dict) or not isinstance(callback.get("url"), str):
                return "callback.url is required"
            if not callback["url"].startswith("https://") and not self.allow_insecure_callbacks:
                return "callback.url must be an HTTPS URL"
            if callback.get("when", "final") != "final":
                return 'callback.when must be "final"'
        return None

    def created(self, task: Task) -> Response:
        return Response.json(200, {"code": 200, "message": "success", "data": {"taskId": task.id}})

    def status_response(self, task: Task) -> Response:
        return Response.json(200, {"code": 200, "message": "success", "data": self.task_json(task)})

    def task_json(self, task: Task) -> dict:
        state = self.state(task)
        now = self.clock.now()
        if state == "running":
            status = "archiving" if task.progress(now) >= 0.9 else "handling"
        else:
            status = {"queued": "queued", "success": "success"}.get(state, "fail")
        detail = {
            "taskId": task.id,
            "model": "seedance-2-0",
            "status": status,
            "created": int(task.created_at),
            "completed": int(task.finished_at) if status in ("success", "fail") else None,
        }
        if state == "success":
            expire = int(self.link_expires_at(task))
            assert task.outputs is not None  # published when the task was first seen finished
            detail["output"] = [{"url": o["url"], "type": o["type"], "expireAt": expire} for o in task.outputs]
        elif state == "moderation":
            reason = task.reason or "the input contains sensitive content"
            detail["error"] = {"code": "CONTENT_MODERATION", "message": f"Content moderation: {reason}"}
        elif state == "fail":
            detail["error"] = {"code": "GENERATION_FAILED", "message": task.reason or "Video generation failed"}
        return detail

    def publish_outputs(self, task: Task) -> list[dict]:
        outputs = [self.publish_video(task)]
        if task.body["input"].get("return_last_frame") and not task.result_url:
            outputs += [self.publish_frame(task, "first"), self.publish_frame(task, "last")]
        return outputs

    def callback_request(self, task: Task):
        body = json.dumps(self.task_json(task)).encode()
        headers = {"Content-Type": "application/json"}
        if self.signing_key:
            stamp = str(int(self.clock.now()))
            signature = hmac.new(self.signing_key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers |= {"X-HiAPI-Timestamp": stamp, "X-HiAPI-Signature": signature}
        return headers, body
