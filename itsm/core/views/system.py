"""System status for admins: are the worker and beat alive, which broker and database."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from itsm.core import roles
from itsm.core.models import SystemHeartbeat

#: Beat sends a heartbeat every minute; older than this means something is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


@login_required
def status(request: HttpRequest) -> HttpResponse:
    if not roles.has_role(request.user, roles.Role.ADMIN):
        raise PermissionDenied
    now = timezone.now()
    beats = [
        {"beat": beat, "healthy": now - beat.seen_at <= HEARTBEAT_STALE_AFTER}
        for beat in SystemHeartbeat.objects.order_by("name")
    ]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return render(
        request,
        "core/system_status.html",
        {"beats": beats, "database": connection.vendor, "broker": broker, "now": now},
    )
