"""Attachment downloads: only for users who may see the task, never rendered inline."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from itsm.core import roles
from itsm.core.models import Attachment, Task


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        Attachment.objects.filter(task__in=Task.objects.visible_to(request.user)), pk=pk
    )
    if not attachment.is_public and not roles.is_staff_member(request.user):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    # Even if a browser sniffs, nothing in the file may run in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
