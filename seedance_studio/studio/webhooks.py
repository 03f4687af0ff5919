"""Provider callbacks. Fast and side-effect free toward providers: verify, then bring the next status read
forward. What the studio believes always comes from the provider's API (read by the worker), so a duplicate,
late or out-of-order callback changes nothing."""

import dataclasses
import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from seedance_studio.provider_api import CallbackRejected, ProviderError, client_for
from seedance_studio.studio.callbacks import callback_secret
from seedance_studio.studio.models import Job
from seedance_studio.tokens import hash_token

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def provider_callback(request, provider: str, token: str):
    job = Job.objects.filter(provider=provider, callback_token_hash=hash_token(token)).first()
    config = settings.PROVIDERS.get(provider)
    if job is None or config is None:
        return HttpResponse("unknown callback", status=404, content_type="text/plain")
    config = dataclasses.replace(config, webhook_secret=callback_secret(job))
    try:
        hint = client_for(provider, config).callback(request.headers, request.body)
    except CallbackRejected:
        log.warning("job %s: %s callback failed verification", job.public_id, provider)
        return HttpResponse("signature or secret does not match", status=403, content_type="text/plain")
    except ProviderError as error:
        return HttpResponse(f"unreadable callback: {error.message}", status=400, content_type="text/plain")
    if not job.is_in_flight:
        return HttpResponse("ok (job already ended)", content_type="text/plain")
    if not job.provider_task_id:
        # The create's answer was lost, but the provider made the task. Only a verified callback may say which
        # task is ours: an unsigned one could come from anyone who saw the URL and bind someone else's video.
        if not hint.trusted or not job.adopt_task(hint.task_id):
            return HttpResponse("ok (not adopted: unverified or unusable task id)", content_type="text/plain")
    elif hint.task_id != job.provider_task_id:
        return HttpResponse("ok (another task)", content_type="text/plain")
    job.hurry()
    return HttpResponse("ok", content_type="text/plain")
