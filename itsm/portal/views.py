"""The self-service portal: what end users see first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from itsm.cmdb.models import Service
from itsm.core.models import Task


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My open and recent records, and the status of the services I use."""
    mine = Task.objects.visible_to(request.user).filter(requester=request.user).with_list_relations()
    services = Service.objects.visible_to(request.user).exclude(operational_status="retired")
    return render(
        request,
        "portal/home.html",
        {
            "open_records": mine.active().order_by("-opened_at")[:20],
            "recent_records": mine.exclude(state_category__in=["new", "open", "pending"]).order_by(
                "-updated_at"
            )[:10],
            "services": services.order_by("criticality", "name")[:30],
        },
    )
