"""The weekly e-mail summary of the dashboards, for managers who opted in.

Sent through the outbox (multipart text + HTML), at most once per manager and ISO week: the
outbox dedupe key `digest:weekly-summary:<user>:<week>` refuses a second row even if two beat
runs overlap, and the subscription row is locked while its week is recorded. The beat task runs
hourly, so a week's summary goes out on the first run of the week (Monday just after midnight
UTC) and a beat that was down catches up at its next run.

Figures are the previous seven whole days (local time), computed by the same selectors as the
pages (the overview's incident totals and every registered practice board), with the manager's
own visibility; the links open the dashboards on the same days.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvements.models import Initiative, SummarySubscription
from improvements.workflow import OPEN
from itsm.core import roles
from itsm.dashboards import registry, selectors
from itsm.notifications.services import absolute_url, queue_email

PERIOD = timedelta(days=7)


@dataclass(frozen=True)
class Section:
    title: str
    url: str
    figures: list[tuple[str, object, str]]


def iso_week(moment: datetime) -> str:
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime) -> tuple[datetime, datetime]:
    """The seven whole local days before today: [today − 7 days 00:00, today 00:00)."""
    today = timezone.localdate(now)
    end = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
    return end - PERIOD, end


def _with_period(url: str, start: datetime, end: datetime) -> str:
    """The dashboard link with the same from–to period as the e-mail (the end day is inclusive there)."""
    last_day = timezone.localdate(end - timedelta(microseconds=1))
    query = urlencode({"period": "custom", "start": timezone.localdate(start).isoformat(), "end": last_day})
    return absolute_url(f"{url}?{query}")


def sections_for(user, start: datetime, end: datetime) -> list[Section]:
    scope = selectors.Scope(user=user, start=start, end=end)
    totals = selectors.period_totals(scope)
    sections = [
        Section(
            "Incidents",
            _with_period(reverse("dashboards:home"), start, end),
            [
                ("Opened", totals["opened"], "In the seven days"),
                ("Resolved", totals["resolved"], "In the seven days"),
                ("Open now", totals["open_now"], "New, open and pending"),
            ],
        )
    ]
    for board in registry.boards():
        built = board.build(scope)
        sections.append(
            Section(
                board.title,
                _with_period(reverse("dashboards:practice", args=[board.key]), start, end),
                [(figure.label, figure.value, figure.note) for figure in built.figures],
            )
        )
    return sections


def send_summary(subscription: SummarySubscription, now: datetime) -> bool:
    """Queue one manager's summary for the week of `now`; False when already sent or not allowed."""
    week = iso_week(now)
    with transaction.atomic():
        locked = (
            SummarySubscription.objects.select_for_update().select_related("user").get(pk=subscription.pk)
        )
        user = locked.user
        if (
            locked.last_sent_week == week
            or not user.is_active
            or not user.email
            or not roles.sees_everything(user)
        ):
            return False
        start, end = last_week(now)
        context = {
            "user": user,
            "week": week,
            "start": start,
            "end": end,
            "last_day": end - timedelta(microseconds=1),
            "sections": sections_for(user, start, end),
            "open_initiatives": Initiative.objects.filter(status__in=OPEN).count(),
            "register_url": absolute_url(reverse("improvements:list")),
            "site_name": settings.SITE_NAME,
        }
        subject = " ".join(render_to_string("improvements/email/weekly_summary.subject.txt", context).split())
        message = queue_email(
            to=user.email,
            subject=subject,
            text=render_to_string("improvements/email/weekly_summary.txt", context),
            html=render_to_string("improvements/email/weekly_summary.html", context),
            recipient=user,
            dedupe_key=f"digest:weekly-summary:{user.pk}:{week}",
        )
        locked.last_sent_week = week
        locked.save(update_fields=["last_sent_week"])
    return message is not None


def send_weekly_summaries(now: datetime | None = None) -> int:
    """Every subscribed manager's summary for this week (each at most once); returns how many were queued."""
    now = now or timezone.now()
    week = iso_week(now)
    due = SummarySubscription.objects.exclude(last_sent_week=week).order_by("pk")
    return sum(send_summary(subscription, now) for subscription in due.iterator())
