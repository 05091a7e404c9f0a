"""Manager dashboards: read-only figures from the Task table."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from itsm.cmdb.models import Service
from itsm.core import roles
from itsm.core.models import Task


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The manager's landing page: open backlog by kind and priority, services not operational."""
    if not roles.sees_everything(request.user):
        raise PermissionDenied
    tasks = Task.objects.visible_to(request.user)
    backlog = tasks.active()
    return render(
        request,
        "dashboards/home.html",
        {
            "open_total": backlog.count(),
            "by_kind": backlog.values("kind").annotate(total=Count("id")).order_by("kind"),
            "by_priority": backlog.values("priority").annotate(total=Count("id")).order_by("priority"),
            "unassigned": backlog.filter(assignee__isnull=True).count(),
            "degraded_services": Service.objects.exclude(operational_status__in=["operational", "retired"]),
        },
    )
