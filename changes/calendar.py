"""The change calendar: which changes a person sees in a month or a week, laid out by day,
with the blackout and maintenance windows of the period; its filters; the feed tokens.

Every list starts from `Change.objects.visible_to(user)`, so the page, the JSON and the
iCalendar feed show exactly what that person may see (requesters: nothing).

Feed links are signed tokens (`django.core.signing`, own salt) holding the user id and a
fingerprint of the user's password hash and active flag: changing the password or
deactivating the account revokes every link at once, and a token cannot be forged or
moved to another user without the secret key. The filters ride in the query string: they
can only narrow what the token's user sees.
"""

from __future__ import annotations

import calendar as calendar_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from changes.choices import ChangeType, RiskLevel
from changes.models import Change
from itsm.cmdb.models import Service
from itsm.core.choices import StateCategory
from itsm.core.models import Team
from itsm.maintenance.services import WindowOccurrence, occurrences_between

FEED_SALT = "changes.calendar-feed"
#: Changes listed on one day of the month grid; the rest are counted ("+ 3 more").
MONTH_DAY_LIMIT = 4
#: The most changes one page, JSON answer or feed carries (the busiest month of a large
#: estate has fewer; a wider range is a filter away).
MAX_EVENTS = 3000
#: What the feed covers: calendar apps poll it, so it is a sliding window around today.
FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=366)
#: The widest range the JSON endpoint answers for.
MAX_JSON_RANGE = timedelta(days=93)


class CalendarFilterForm(forms.Form):
    """The calendar's filters; the same form reads the page's, the JSON's and the feed's query."""

    service = forms.ModelChoiceField(Service.objects.all(), required=False, empty_label="Any service")
    ci = forms.CharField(required=False, max_length=200, label="Configuration item")
    group = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="Any group")
    type = forms.ChoiceField(choices=[("", "Any type"), *ChangeType.choices], required=False)
    risk = forms.ChoiceField(choices=[("", "Any risk"), *RiskLevel.choices], required=False)

    def apply(self, changes: QuerySet) -> QuerySet:
        """Narrow `changes` by the valid filters (EXISTS for the many-to-many ones: no duplicates)."""
        data = self.cleaned_data
        if data.get("service"):
            links = Change.affected_services.through.objects.filter(
                change_id=OuterRef("pk"), service_id=data["service"].pk
            )
            changes = changes.filter(Exists(links))
        if data.get("ci"):
            links = Change.affected_cis.through.objects.filter(
                change_id=OuterRef("pk"), configurationitem__name__iexact=data["ci"].strip()
            )
            changes = changes.filter(Exists(links))
        if data.get("group"):
            changes = changes.filter(assignment_group=data["group"])
        if data.get("type"):
            changes = changes.filter(change_type=data["type"])
        if data.get("risk"):
            changes = changes.filter(risk=data["risk"])
        return changes

    def query(self) -> str:
        """The valid filters as a query string (for links that keep them)."""
        from django.http import QueryDict

        params = QueryDict(mutable=True)
        for name, value in (self.cleaned_data if self.is_bound and self.is_valid() else {}).items():
            if value:
                params[name] = value.pk if hasattr(value, "pk") else value
        return params.urlencode()


def calendar_changes(
    user: User | AnonymousUser, start: datetime, end: datetime, form: CalendarFilterForm
) -> list:
    """Changes `user` may see whose planned window overlaps [start, end), by start; cancelled
    ones left out. One query (assignee and group joined)."""
    changes = (
        Change.objects.visible_to(user)
        .scheduled_between(start, end)
        .exclude(state_category=StateCategory.CANCELLED)
        .select_related("assignee", "assignment_group")
        .order_by("planned_start", "planned_end", "pk")
    )
    return list(form.apply(changes)[:MAX_EVENTS])


# --- periods and the grid ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What a page shows: `view` ("month" or "week"), the local dates [first, last], the
    instants [start, end), and the dates of the periods before and after."""

    view: str
    anchor: date
    first: date
    last: date
    start: datetime
    end: datetime
    previous: date
    following: date
    title: str


def month_period(year: int, month: int, zone: ZoneInfo) -> Period:
    """A month as whole weeks, Monday first (the grid shows the days around it too)."""
    first_of_month = date(year, month, 1)
    days = calendar_module.monthrange(year, month)[1]
    first = first_of_month - timedelta(days=first_of_month.weekday())
    last_of_month = date(year, month, days)
    last = last_of_month + timedelta(days=6 - last_of_month.weekday())
    previous = (first_of_month - timedelta(days=1)).replace(day=1)
    following = last_of_month + timedelta(days=1)
    return _period("month", first_of_month, first, last, previous, following, f"{first_of_month:%B %Y}", zone)


def week_period(day: date, zone: ZoneInfo) -> Period:
    first = day - timedelta(days=day.weekday())
    last = first + timedelta(days=6)
    title = f"Week {first.isocalendar().week}, {first:%d %b} – {last:%d %b %Y}"
    previous, following = first - timedelta(days=7), first + timedelta(days=7)
    return _period("week", first, first, last, previous, following, title, zone)


def _period(view, anchor, first, last, previous, following, title, zone) -> Period:
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    return Period(view, anchor, first, last, start, end, previous, following, title)


@dataclass
class Entry:
    """A change on one day: `starts_here`/`ends_here` say whether it begins/ends that day."""

    change: Change
    starts_here: bool
    ends_here: bool
    local_start: datetime
    local_end: datetime

    @property
    def type_colour(self) -> str:
        return ChangeType.colour(self.change.change_type)

    @property
    def risk_colour(self) -> str:
        return RiskLevel.colour(self.change.risk)


@dataclass
class Day:
    day: date
    in_period: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)
    windows: list[WindowOccurrence] = field(default_factory=list)
    limit: int | None = None

    @property
    def shown(self) -> list[Entry]:
        return self.entries if self.limit is None else self.entries[: self.limit]

    @property
    def more(self) -> int:
        return len(self.entries) - len(self.shown)

    @property
    def has_blackout(self) -> bool:
        return any(window.is_blackout for window in self.windows)


def layout(
    period: Period, changes: list, windows: list[WindowOccurrence], zone: ZoneInfo, *, month_limit: bool
) -> list[list[Day]]:
    """Weeks of days, each with the changes and windows that touch it (a change spanning
    midnight appears on each of its days)."""
    today = timezone.localdate(timezone=zone)
    days: dict[date, Day] = {}
    cursor = period.first
    while cursor <= period.last:
        in_period = period.view == "week" or cursor.month == period.anchor.month
        days[cursor] = Day(cursor, in_period, cursor == today, limit=MONTH_DAY_LIMIT if month_limit else None)
        cursor += timedelta(days=1)
    for change in changes:
        local_start, local_end = change.planned_start.astimezone(zone), change.planned_end.astimezone(zone)
        for day in _dates_touched(local_start, local_end, period):
            days[day].entries.append(
                Entry(change, day == local_start.date(), day == _last_date(local_end), local_start, local_end)
            )
    for occurrence in windows:
        for day in _dates_touched(occurrence.start.astimezone(zone), occurrence.end.astimezone(zone), period):
            days[day].windows.append(occurrence)
    ordered = list(days.values())
    return [ordered[index : index + 7] for index in range(0, len(ordered), 7)]


def _dates_touched(local_start: datetime, local_end: datetime, period: Period) -> list[date]:
    first = max(local_start.date(), period.first)
    last = min(_last_date(local_end), period.last)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _last_date(local_end: datetime) -> date:
    """The last local date an interval ending at `local_end` (exclusive) touches."""
    return (local_end - timedelta(microseconds=1)).date()


def period_windows(period: Period) -> list[WindowOccurrence]:
    """Every active window's occurrences in the period (all scopes: the calendar shows them all)."""
    return occurrences_between(period.start, period.end)


# --- feed tokens ------------------------------------------------------------------------------


def feed_token(user: User) -> str:
    """A signed, URL-safe token naming `user` for the iCalendar feed (see the module docstring)."""
    return signing.dumps({"u": user.pk, "k": _fingerprint(user)}, salt=FEED_SALT, compress=True)


def user_for_feed_token(token: str) -> User | None:
    """The active user a genuine, current token names; None for anything else."""
    max_age = settings.CHANGE_CALENDAR_FEED_MAX_AGE or None
    try:
        payload = signing.loads(token, salt=FEED_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=payload["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(payload.get("k", "")), _fingerprint(user)):
        return None
    return user


def _fingerprint(user: User) -> str:
    return salted_hmac(FEED_SALT, f"{user.pk}:{user.password}:{user.is_active}").hexdigest()[:24]


def feed_range(now: datetime) -> tuple[datetime, datetime]:
    return now - FEED_PAST, now + FEED_FUTURE
