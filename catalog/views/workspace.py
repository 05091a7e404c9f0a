"""Fulfilment tasks in the agent workspace: queues with the shared FilterSet, keyset pages,
and the task page with its moves (start, hold, complete, skip), assignment and work notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from catalog import queues, services
from catalog.filtersets import FulfilmentTaskFilterSet
from catalog.forms_engine import readable_answers
from catalog.models import FulfilmentTask
from catalog.views.common import field_errors, visible_task
from catalog.workflow import TASK_WORKFLOW
from itsm.core import roles
from itsm.core.exceptions import DomainError
from itsm.core.models import TimelineEntry

MOVES = {
    "start": services.start_task,
    "hold": services.hold_task,
    "complete": services.complete_task,
    "skip": services.skip_task,
}


def _staff(request: HttpRequest) -> None:
    if not roles.is_staff_member(request.user):
        raise PermissionDenied


@login_required
def task_queue(request: HttpRequest, slug: str = "mine") -> HttpResponse:
    _staff(request)
    queue = queues.QUEUES.get(slug)
    if queue is None:
        raise Http404
    base = queue.select(FulfilmentTask.objects.visible_to(request.user), request.user)
    filters = FulfilmentTaskFilterSet(request.GET or None, queryset=base)
    status = 200
    if filters.is_bound and not filters.is_valid():
        page, status = queues.Page([], None), 400
    else:
        rows = filters.qs.select_related("assignment_group", "assignee", "requester")
        try:
            page = queues.paginate(rows, after=request.GET.get("after"))
        except queues.InvalidCursor:
            messages.error(request, "That page link is out of date. Here is the first page.")
            page, status = queues.paginate(rows, after=None), 400
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "queue": queue,
        "queues": queues.QUEUES.values(),
        "filters": filters,
        "page": page,
        "query": params.urlencode(),
        "label_of": TASK_WORKFLOW.label_of,
    }
    return render(request, "catalog/task_queue.html", context, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = visible_task(request, pk)
    item = task.request_item
    context = {
        "task": task,
        "item": item,
        "answers": readable_answers(item.item_version.variables, item.values),
        "moves": TASK_WORKFLOW.available(task),
        "state_label": TASK_WORKFLOW.label_of(task.state),
        "timeline": TimelineEntry.objects.filter(task=task)
        .select_related("actor")
        .order_by("created_at", "id"),
        "siblings": item.tasks.exclude(pk=task.pk)
        .select_related("assignment_group")
        .order_by("stage", "task_ptr_id"),
        "members": task.assignment_group.members.filter(is_active=True) if task.assignment_group else [],
    }
    return render(request, "catalog/task.html", context)


@login_required
@require_POST
def task_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    _staff(request)
    task = visible_task(request, pk)
    if name not in MOVES:
        raise Http404
    kwargs = {}
    note = request.POST.get("note", "")[:5000]
    if name == "skip":
        kwargs["reason"] = note
    elif name == "complete":
        kwargs["notes"] = note
    elif name == "hold":
        kwargs["reason"] = note
    _call(request, MOVES[name], task, expected_version=_version(request), **kwargs)
    return HttpResponseRedirect(task.get_absolute_url())


@login_required
@require_POST
def task_assign_me(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = visible_task(request, pk)
    _call(request, services.assign_task, task, group=task.assignment_group, assignee=request.user)
    return HttpResponseRedirect(task.get_absolute_url())


@login_required
@require_POST
def task_note(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = visible_task(request, pk)
    _call(request, services.add_task_note, task, body=request.POST.get("body", "")[:10000])
    return HttpResponseRedirect(task.get_absolute_url() + "#timeline")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _call(request: HttpRequest, service, task, **kwargs) -> None:
    try:
        service(task, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(field_errors(error).values()))
