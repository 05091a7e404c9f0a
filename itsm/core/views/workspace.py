"""The agent workspace: my work across every kind of record, a record page, and comments on it.

Each view resolves the record through `visible_to`, so a user who may not see a record gets the
same 404 as for a record that does not exist; writes go through `itsm.core.services`.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from itsm.core import roles
from itsm.core.exceptions import DomainError
from itsm.core.filtersets import MAX_ID, TaskFilterSet
from itsm.core.models import Task
from itsm.core.services import activity

#: Rows per page in the filtered list; the two personal lists show the most urgent this many.
PAGE_SIZE = 50
MY_LIST_SIZE = 25
#: The filtered list counts its matches only this far, then says "more than".
COUNT_CAP = 1000
#: The filters shown as toggle chips rather than drop-downs.
CHIP_FILTERS = ("state_category", "priority", "kind")


def _require_staff(request: HttpRequest) -> None:
    if not roles.is_staff_member(request.user):
        raise PermissionDenied


def _visible_task(request: HttpRequest, pk: int) -> Task:
    """The record if this user may see it; 404 otherwise (Django answers ids wider than bigint with none)."""
    tasks = Task.objects.visible_to(request.user).with_list_relations()
    return get_object_or_404(tasks.select_related("service", "configuration_item"), pk=pk)


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """Assigned to me, and waiting unassigned in my teams' queues, then everything filtered.

    An htmx request from the filter form gets only the results, so filtering does not
    re-run the two personal lists.
    """
    _require_staff(request)
    filterset = _filterset(request)
    context = {"filterset": filterset, "page": _filtered_page(request, filterset)}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "core/_task_results.html", context)
    else:
        visible = Task.objects.visible_to(request.user).with_list_relations().active()
        context["mine"] = visible.assigned_to_user(request.user).order_by("priority", "opened_at")[
            :MY_LIST_SIZE
        ]
        context["queue"] = visible.queue_of(request.user).order_by("priority", "opened_at")[:MY_LIST_SIZE]
        response = render(request, "core/workspace.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _filterset(request: HttpRequest) -> TaskFilterSet:
    """Always bound: no parameters means no filter, so the list starts with every visible record."""
    filterset = TaskFilterSet(
        request.GET, queryset=Task.objects.visible_to(request.user).with_list_relations()
    )
    for name in CHIP_FILTERS:
        filterset.form.fields[name].widget = forms.CheckboxSelectMultiple(
            choices=filterset.form.fields[name].choices
        )
    filterset.form.fields["assignment_group"].empty_label = "Any team"
    return filterset


def _filtered_page(request: HttpRequest, filterset: TaskFilterSet) -> "KeysetPage":
    """One page of the filtered list; an invalid filter or cursor shows its error and no rows, never a 500."""
    if not filterset.is_valid():
        return KeysetPage.empty()
    try:
        return keyset_page(filterset.qs, after=request.GET.get("after"), before=request.GET.get("before"))
    except InvalidCursor:
        filterset.form.add_error(None, "This page link is out of date or damaged. Start again from page one.")
    except OverflowError:
        # SQLite cannot compare with integers wider than 64 bits (an id typed into the URL).
        filterset.form.add_error(None, "A number in the filters is too large to match any record.")
    return KeysetPage.empty()


# --- keyset pages ---------------------------------------------------------------------------
#
# The list is newest first, on (opened_at, id): an index (`task_opened_idx`) serves both the
# order and the "rows after this one" condition, so page 2,000 costs what page 1 costs. There
# is no OFFSET and no COUNT over every match: pages go next/previous with an opaque cursor,
# and the total is counted only up to COUNT_CAP.


class InvalidCursor(ValueError):
    """A page link whose cursor was damaged or forged."""


@dataclass
class KeysetPage:
    """A page of rows, cursors to its neighbours (None at either end), and the capped total."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int = 0
    more: bool = False

    @classmethod
    def empty(cls) -> "KeysetPage":
        return cls([], None, None)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _ordering(*, newest_first: bool) -> list:
    return [F("opened_at").desc(), F("id").desc()] if newest_first else [F("opened_at").asc(), F("id").asc()]


def _beyond(key: tuple[datetime, int], *, older: bool) -> Q:
    lookup = TupleLessThan if older else TupleGreaterThan
    return Q(lookup(Tuple(F("opened_at"), F("id")), key))


def encode_cursor(task: Task) -> str:
    raw = json.dumps([task.opened_at.isoformat(), task.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, int]:
    """(opened_at, id) from a token made by `encode_cursor`; InvalidCursor for anything else."""
    if len(token) > 200:
        raise InvalidCursor("too long")
    try:
        opened, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        when = parse_datetime(opened)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise InvalidCursor("unreadable") from error
    if when is None or when.tzinfo is None or isinstance(pk, bool) or not isinstance(pk, int):
        raise InvalidCursor("not a page position")
    if not 0 < pk <= MAX_ID:
        raise InvalidCursor("id out of range")
    return when, pk


def keyset_page(
    tasks: QuerySet, *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE
) -> KeysetPage:
    """The page after `after`, or before `before`, or the first: one query for the rows (one
    more than the page, to know whether another page follows) and one capped count."""
    if before:
        window = tasks.filter(_beyond(decode_cursor(before), older=False))
        rows = list(window.order_by(*_ordering(newest_first=False))[: size + 1])
        has_previous, has_next, rows = len(rows) > size, True, rows[:size][::-1]
    else:
        window = tasks.filter(_beyond(decode_cursor(after), older=True)) if after else tasks
        rows = list(window.order_by(*_ordering(newest_first=True))[: size + 1])
        has_previous, has_next, rows = bool(after), len(rows) > size, rows[:size]
    if not rows:
        return KeysetPage.empty()
    counted = tasks.order_by().values("pk")[: COUNT_CAP + 1].count()
    return KeysetPage(
        rows,
        encode_cursor(rows[-1]) if has_next else None,
        encode_cursor(rows[0]) if has_previous else None,
        count=min(counted, COUNT_CAP),
        more=counted > COUNT_CAP,
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    return _render_detail(request, task, CommentForm(staff=roles.is_staff_member(request.user)))


def _render_detail(request: HttpRequest, task: Task, form: "CommentForm", status: int = 200) -> HttpResponse:
    staff = roles.is_staff_member(request.user)
    timeline = task.timeline.select_related("actor")
    attachments = task.attachments.select_related("uploaded_by")
    if not staff:
        timeline = timeline.filter(is_public=True)
        attachments = attachments.filter(is_public=True)
    context = {
        "task": task,
        "timeline": timeline,
        "attachments": attachments,
        "links": _visible_links(request, task),
        "staff": staff,
        "form": form,
    }
    return render(request, "core/task_detail.html", context, status=status)


def _visible_links(request: HttpRequest, task: Task) -> list[dict]:
    """Links to and from the record, leaving out records this user may not see.

    Each item reads as a sentence from this record's side: "Caused by PRB0001001".
    """
    visible = Task.objects.visible_to(request.user)
    outgoing = task.links_out.filter(target__in=visible).select_related("target")
    incoming = task.links_in.filter(source__in=visible).select_related("source")
    return [
        *({"label": link.get_kind_display(), "other": link.target} for link in outgoing),
        *({"label": f"{link.get_kind_display()} this", "other": link.source} for link in incoming),
    ]


class CommentForm(forms.Form):
    """A public comment or, for staff, a work note. The service decides who may write which."""

    PUBLIC, WORK_NOTE = "public", "work_note"

    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": "Write something before sending."},
    )
    visibility = forms.ChoiceField(
        choices=[(PUBLIC, "Public comment (the requester sees it)"), (WORK_NOTE, "Work note (staff only)")],
        initial=PUBLIC,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        if not staff:
            self.fields["body"].label = "Your comment"
            self.fields["visibility"].widget = forms.HiddenInput()


@require_POST
@login_required
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a comment from the record page; errors come back on the page, never as a 500."""
    task = _visible_task(request, pk)
    form = CommentForm(request.POST, staff=roles.is_staff_member(request.user))
    if not form.is_valid():
        return _render_detail(request, task, form, status=400)
    is_public = form.cleaned_data["visibility"] == CommentForm.PUBLIC
    try:
        activity.add_comment(task, actor=request.user, body=form.cleaned_data["body"], is_public=is_public)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_detail(request, task, form, status=400)
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_detail(request, task, form, status=error.http_status)
    messages.success(request, "Your comment was added." if is_public else "Your work note was added.")
    return HttpResponseRedirect(f"{task.get_absolute_url()}#timeline")


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields, or above the form when no field matches."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)
