"""The change calendar: month and week pages, a JSON feed for scripts, an iCalendar feed for
calendar apps (a signed link per person, no session needed).

The page costs a fixed handful of queries whatever the month holds: the session and user,
the filter choices (services, groups), the changes (assignee and group joined), the windows.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from changes import ical
from changes.calendar import (
    MAX_JSON_RANGE,
    CalendarFilterForm,
    Period,
    calendar_changes,
    feed_range,
    feed_token,
    layout,
    month_period,
    period_windows,
    user_for_feed_token,
    week_period,
)
from changes.views.workspace import QUEUES
from itsm.core import roles
from itsm.core.choices import StateCategory

#: Calendar-app status per state category: not yet authorized is tentative.
ICAL_STATUS = {
    StateCategory.NEW: "TENTATIVE",
    StateCategory.PENDING: "TENTATIVE",
    StateCategory.CANCELLED: "CANCELLED",
}


@require_GET
@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Month (default) or week view, filtered by service, CI, group, type and risk."""
    _require_staff(request)
    zone = timezone.get_current_timezone()
    period = _period_from(request, zone)
    form = CalendarFilterForm(request.GET)  # bound even when empty: every filter is optional
    valid = form.is_valid()
    changes = calendar_changes(request.user, period.start, period.end, form) if valid else []
    weeks = layout(period, changes, period_windows(period), zone, month_limit=period.view == "month")
    query = form.query()
    context = {
        "period": period,
        "weeks": weeks,
        "form": form,
        "query": query,
        "change_count": len(changes),
        "feed_url": request.build_absolute_uri(
            reverse("change:calendar-feed", args=[feed_token(request.user)]) + (f"?{query}" if query else "")
        ),
        "json_url": reverse("change:calendar-json") + (f"?{query}" if query else ""),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "today": timezone.localdate(),
        "queues": QUEUES,
        "slug": "calendar",
    }
    return render(request, "changes/calendar.html", context)


@require_GET
@login_required
def calendar_json(request: HttpRequest) -> JsonResponse:
    """Changes and windows overlapping [start, end) (ISO dates or datetimes, at most 93 days)."""
    _require_staff(request)
    try:
        start, end = _range_from(request)
    except ValueError as error:
        return JsonResponse({"detail": str(error), "code": "invalid"}, status=400)
    form = CalendarFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"detail": "Invalid filters.", "errors": form.errors.get_json_data()}, status=400)
    changes = calendar_changes(request.user, start, end, form)
    from itsm.maintenance.services import occurrences_between

    return JsonResponse(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "changes": [_change_json(request, change) for change in changes],
            "windows": [occurrence.as_dict() for occurrence in occurrences_between(start, end)],
        }
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of the token's user: the changes they may see, around today."""
    user = user_for_feed_token(token)
    if user is None:
        raise Http404("Unknown or revoked calendar link.")
    form = CalendarFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Invalid filters.", status=400, content_type="text/plain; charset=utf-8")
    now = timezone.now()
    start, end = feed_range(now)
    changes = calendar_changes(user, start, end, form)
    events = [_event(request, change) for change in changes]
    body = ical.calendar(events, name=f"Changes – {settings.SITE_NAME}", product=_product(), stamp=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="changes.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- helpers ---------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    """The calendar is internal work: requesters get 403 (they see no changes anywhere)."""
    if not roles.is_staff_member(request.user):
        raise PermissionDenied


def _period_from(request: HttpRequest, zone) -> Period:
    """`view=month&year=&month=` or `view=week&date=`; bad values fall back to today's period."""
    today = timezone.localdate()
    if request.GET.get("view") == "week":
        try:
            day = date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = today
        return week_period(_clamp(day), zone)
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
        first = _clamp(date(year, month, 1))
    except (TypeError, ValueError):
        first = today.replace(day=1)
    return month_period(first.year, first.month, zone)


def _clamp(day: date) -> date:
    """Keep pages inside years the grid can show (date.min/max have no neighbours)."""
    return min(max(day, date(1971, 1, 1)), date(9998, 12, 1))


def _range_from(request: HttpRequest) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    values = []
    for name in ("start", "end"):
        raw = request.GET.get(name, "")
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"`{name}` must be an ISO date or datetime, e.g. 2025-06-01.") from None
        values.append(value if timezone.is_aware(value) else value.replace(tzinfo=zone))
    start, end = values
    if end <= start:
        raise ValueError("`end` must be after `start`.")
    if end - start > MAX_JSON_RANGE:
        raise ValueError(f"Ask for at most {MAX_JSON_RANGE.days} days at a time.")
    return start, end


def _change_json(request: HttpRequest, change) -> dict:
    return {
        "id": change.pk,
        "number": change.number,
        "title": change.title,
        "url": request.build_absolute_uri(change.get_absolute_url()),
        "state": change.state,
        "state_category": change.state_category,
        "change_type": change.change_type,
        "risk": change.risk,
        "planned_start": change.planned_start.isoformat(),
        "planned_end": change.planned_end.isoformat(),
        "assignee": change.assignee.get_username() if change.assignee else None,
        "assignment_group": change.assignment_group.name if change.assignment_group else None,
    }


def _event(request: HttpRequest, change) -> ical.Event:
    url = request.build_absolute_uri(change.get_absolute_url())
    who = "Unassigned"
    if change.assignee:
        who = change.assignee.get_full_name() or change.assignee.get_username()
    description = (
        f"{change.get_change_type_display()} change, risk {change.get_risk_display().lower()}, "
        f"state {change.state}.\nAssigned to: {who}"
        + (f" ({change.assignment_group.name})" if change.assignment_group else "")
        + f"\n{url}"
    )
    return ical.Event(
        uid=f"change-{change.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}",
        start=change.planned_start,
        end=change.planned_end,
        summary=f"{change.number} {change.title}",
        description=description,
        url=url,
        status=ICAL_STATUS.get(change.state_category, "CONFIRMED"),
        categories=(change.get_change_type_display(), f"Risk {change.get_risk_display()}"),
        last_modified=change.updated_at,
        sequence=change.version,
    )


def _product() -> str:
    return f"-//{settings.SITE_NAME}//Change calendar//EN"
