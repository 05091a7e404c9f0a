"""The schedule panel of a change: collisions with their graph paths, blackout conflicts,
time outside maintenance windows. Fetched by htmx into the record page (and again with the
"Check now" button); without JavaScript the same URL is a page of its own."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from changes.models import Change
from changes.scheduling import schedule_report
from itsm.core import roles


@require_http_methods(["GET", "POST"])
@login_required
def collisions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET or POST (the button): check the change's window now. Nothing is written."""
    if not roles.is_staff_member(request.user):
        raise PermissionDenied
    change = get_object_or_404(
        Change.objects.visible_to(request.user).prefetch_related("affected_cis", "affected_services"), pk=pk
    )
    context = {
        "change": change,
        "report": schedule_report(change, user=request.user),
        "checked_at": timezone.now(),
    }
    template = "changes/_collisions.html" if request.htmx else "changes/collisions_page.html"
    return render(request, template, context)
