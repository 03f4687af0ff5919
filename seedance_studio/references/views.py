from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_safe

from seedance_studio.references.models import Reference
from seedance_studio.references.serving import serve_stored_file


@login_required
@require_GET
def reference_file(request, public_id):
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    return serve_stored_file(request, reference.file, reference.content_type)


@login_required
@require_GET
def reference_thumbnail(request, public_id):
    reference = get_object_or_404(Reference, public_id=public_id, owner=request.user)
    if not reference.thumbnail:
        raise Http404("This reference has no thumbnail.")
    return serve_stored_file(request, reference.thumbnail, "image/jpeg")


@require_safe  # HEAD too: some fetchers look before they download
def public_reference(request, token: str, extension: str):
    """The file behind a reference's public URL, for providers to fetch. The token is the only key."""
    reference = get_object_or_404(Reference, public_token=token, extension=extension)
    return serve_stored_file(request, reference.file, reference.content_type)
