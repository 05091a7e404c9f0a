"""What the change practice adds to the portal home: a "planned maintenance" notice per service
an approved change will work on soon. Discovered by `itsm.portal` when it starts (see
`itsm/portal/banners.py`).

A notice appears for a scheduled or implementing change whose planned window includes now or
starts within `LOOKAHEAD`. It names the service and the window, never the change itself
(its number, title, plans and CIs are internal work written for agents).
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from changes.models import Change
from changes.workflow import IMPLEMENT, SCHEDULED
from itsm.portal import banners

#: Windows starting within this time from now are announced.
LOOKAHEAD = timedelta(hours=24)
#: At most this many services get a notice (the portal home stays readable).
LIMIT = 10
MESSAGE = "The service may be slow or unavailable during this planned work."


def planned_maintenance_banners(user: User) -> list[dict]:
    """One notice per service: its earliest approved window that is under way or starts soon.

    Overlapping windows on one service are merged into one notice (start of the first, end of
    the latest that overlaps it), so a requester sees one time range per service.
    """
    now = timezone.now()
    rows = (
        Change.affected_services.through.objects.filter(
            change__state__in=[SCHEDULED, IMPLEMENT],
            change__planned_start__lt=now + LOOKAHEAD,
            change__planned_end__gt=now,
        )
        .order_by("service__name", "change__planned_start")
        .values_list("service_id", "service__name", "change__planned_start", "change__planned_end")
    )
    notices: dict[int, dict] = {}
    for service_id, name, start, end in rows[: LIMIT * 20]:
        notice = notices.get(service_id)
        if notice is None:
            if len(notices) < LIMIT:
                notices[service_id] = _notice(name, start, end)
        elif start <= notice["until"]:
            notice["until"] = max(notice["until"], end)
    return list(notices.values())


def _notice(service: str, start, end) -> dict:
    return {
        "kind": banners.PLANNED_MAINTENANCE,
        "service": service,
        "since": start,
        "until": end,
        "message": MESSAGE,
    }


banners.register(planned_maintenance_banners)
