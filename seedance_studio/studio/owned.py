"""The signed-in creative's own job, looked up by its public id for a view: anyone else's is a 404, the same as
one that does not exist, so a link never tells a stranger that a job is there."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from seedance_studio.studio.models import Job


def own_job(request, public_id) -> Job:
    """The job with its composition (every page that shows a job shows its recipe)."""
    return get_object_or_404(Job.objects.select_related("composition"), public_id=public_id, owner=request.user)
