"""EvoLink (shared/seeds/004 and seeds/README.md): `POST /v1/videos/generations`, `GET /v1/tasks/{id}`, Bearer.

Documented behaviour emulated: the six model ids (004:10-17); the task object `{created, id:
"task-unified-…", model, object: "video.generation.task", progress, status, task_info: {can_cancel,
estimated_time, video_duration}, type: "video", usage: {billing_rule, credits_reserved, user_group}}`;
pending -> processing (progress 0-100) -> completed with `results` (URL strings, valid 24 hours) or failed;
`quality` 480p/720p, `callback_url` HTTPS and at most 2048 characters; unsigned callbacks.

What the documents do not show, and the emulator decides: HTTP errors are OpenAI-style
`{"error": {"code", "message", "type"}}`; a failed task carries `error {code, message}` with
`content_policy_violation` for moderation (EvoLink's error-code reference); links on files.evolink.ai (an
invented host) answer 410 once expired. `usage` is `{"billing_rule": "per_second", "credits_reserved",
"user_group": "default"}` on every answer, `credits_reserved` being the output seconds at
`CREDITS_PER_SECOND`: EvoLink's prices are not in its document (seeds/README.md), so these are PiAPI's
seedance-2 / seedance-2-fast rows (000:283-287) at an invented 1 credit = $0.01.
"""

from __future__ import annotations

import secrets
import string
from urllib.parse import unquote

from .base import ProviderEmulator, Task, bearer_ok, is_int, str_list
from .wsgi import Request, Response

MODELS = {
    f"seedance-2.0-{speed}{kind}-to-video": kind for speed in ("", "fast-") for kind in ("text", "image", "reference")
}
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive")  # 004:54
QUALITIES = ("480p", "720p")  # 004:50
CREDITS_PER_SECOND = {
    ("standard", "480p"): 10,
    ("standard", "720p"): 20,
    ("fast", "480p"): 8,
    ("fast", "720p"): 16,
}  # invented, see above
_TYPES = {
    400: ("invalid_parameters", "invalid_request_error"),
    401: ("invalid_api_key", "authentication_error"),
    402: ("insufficient_quota", "insufficient_quota_error"),
    404: ("resource_not_found", "not_found_error"),
    429: ("quota_exceeded", "rate_limit_error"),
    500: ("service_error", "internal_server_error"),
    503: ("service_unavailable", "service_unavailable_error"),
}
_ID_CHARS = string.ascii_lowercase + string.digits


class EvoLinkEmulator(ProviderEmulator):
    provider = "evolink"
    api_hosts = ("api.evolink.ai",)
    cdn_base = "https://files.evolink.ai/videos"
    expired_status = 410
    default_link_ttl = 24 * 3600.0

    def route(self, request: Request):
        if request.method == "POST" and request.path == "/v1/videos/generations":
            return lambda: self.create(request)
        if request.method == "GET" and request.path.startswith("/v1/tasks/"):
            return lambda: self.status(unquote(request.path[len("/v1/tasks/") :]))
        return None

    def authorized(self, request: Request) -> bool:
        return bearer_ok(request, self.api_key)

    def error(self, status: int, message: str) -> Response:
        code, kind = _TYPES.get(status, ("unknown_error", "api_error"))
        return Response.json(status, {"error": {"code": code, "message": message, "type": kind}})

    def new_task_id(self) -> str:
        return f"task-unified-{int(self.clock.now())}-{''.join(secrets.choice(_ID_CHARS) for _ in range(8))}"

    def prompt(self, body: dict) -> str:
        return body["prompt"]

    def shape(self, body: dict):
        return body.get("duration", 5), body.get("aspect_ratio"), body.get("generate_audio", True)

    def callback_target(self, body: dict):
        return body.get("callback_url") or None, ""

    def validate(self, body) -> Response | None:
        problem = self._problem(body)
        return self.error(400, problem) if problem else None

    def _problem(self, body) -> str | None:
        if not isinstance(body, dict) or body.get("model") not in MODELS:
            return f"Unsupported model: {body.get('model') if isinstance(body, dict) else None!r}"
        kind = MODELS[body["model"]]
        if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
            return "prompt is required"
        if "duration" in body and (not is_int(body["duration"]) or not 4 <= body["duration"] <= 15):
            return f"duration must be an integer from 4 to 15, got {body['duration']!r}"
        if body.get("quality", "720p") not in QUALITIES:
            return f"quality must be one of {', '.join(QUALITIES)}"
        if body.get("aspect_ratio", "16:9") not in ASPECT_RATIOS:
            return f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}"
        images, videos, audios = (str_list(body.get(k)) for k in ("image_urls", "video_urls", "audio_urls"))
        if images is None or videos is None or audios is None:
            return "image_urls, video_urls and audio_urls must be arrays of URLs"
        if kind == "text" and (images or videos or audios):
            return f"{body['model']} takes no image, video or audio references"
        if kind == "image" and (videos or audios or not 1 <= len(images) <= 2):
            return f"{body['model']} needs 1-2 image_urls and no video or audio"
        if kind == "reference":
            if len(images) > 9 or len(videos) > 3 or len(audios) > 3:
                return "at most 9 images, 3 videos and 3 audio clips"
            if audios and not (images or videos):
                return "audio cannot be provided alone: include at least 1 image or 1 video"
        callback = body.get("callback_url")
        if callback is not None:
            if not isinstance(callback, str) or len(callback) > 2048:
                return "callback_url must be a URL of at most 2048 characters"
            if self.insecure_callback(callback):
                return "callback_url must use HTTPS"
        return None

    def created(self, task: Task) -> Response:
        return Response.json(200, self.task_json(task))

    def credits_reserved(self, task: Task) -> int:
        speed = "fast" if "-fast-" in task.body["model"] else "standard"
        quality = task.body.get("quality", "720p")  # the default (004:48-50)
        return task.seconds * CREDITS_PER_SECOND[speed, quality]

    def task_json(self, task: Task) -> dict:
        state = self.state(task)
        status = {"queued": "pending", "running": "processing", "success": "completed"}.get(state, "failed")
        progress = {"queued": 0, "success": 100}.get(state, 0)
        if state == "running":
            progress = min(99, int(task.progress(self.clock.now()) * 100))
        obj = {
            "created": int(task.created_at),
            "id": task.id,
            "model": task.body["model"],
            "object": "video.generation.task",
            "progress": progress,
            "status": status,
            "task_info": {"can_cancel": state == "queued", "video_duration": task.seconds},
            "type": "video",
            "usage": {
                "billing_rule": "per_second",
                "credits_reserved": self.credits_reserved(task),
                "user_group": "default",
            },
        }
        if state in ("queued", "running"):
            obj["task_info"]["estimated_time"] = int(task.finished_at - self.clock.now())
        if state == "success":
            assert task.outputs is not None  # published when the task was first seen finished
            obj["results"] = [o["url"] for o in task.outputs]
        elif state == "moderation":
            obj["error"] = {
                "code": "content_policy_violation",
                "message": "Content policy violation. Your request "
                f"was blocked by safety filters: {task.reason or 'photorealistic people detected'}",
            }
        elif state == "fail":
            obj["error"] = {
                "code": "generation_failed_no_content",
                "message": task.reason or "Model failed to generate output",
            }
        return obj
