"""The agent workspace: my work across every kind of record, and a record page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from itsm.core import roles
from itsm.core.filtersets import TaskFilterSet
from itsm.core.models import Task


def _require_staff(request: HttpRequest) -> None:
    if not roles.is_staff_member(request.user):
        raise PermissionDenied


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """Assigned to me, and waiting unassigned in my teams' queues, then everything filtered."""
    _require_staff(request)
    visible = Task.objects.visible_to(request.user).with_list_relations().active()
    mine = visible.assigned_to_user(request.user).order_by("priority", "opened_at")[:25]
    queue = visible.queue_of(request.user).order_by("priority", "opened_at")[:25]
    filterset = TaskFilterSet(
        request.GET or None, queryset=Task.objects.visible_to(request.user).with_list_relations()
    )
    page = Paginator(
        filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset.none(),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "core/workspace.html",
        {"mine": mine, "queue": queue, "filterset": filterset, "page": page},
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.visible_to(request.user).with_list_relations(), pk=pk)
    staff = roles.is_staff_member(request.user)
    timeline = task.timeline.select_related("actor")
    attachments = task.attachments.all()
    if not staff:
        timeline = timeline.filter(is_public=True)
        attachments = attachments.filter(is_public=True)
    links = list(task.links_out.select_related("target")) + list(task.links_in.select_related("source"))
    return render(
        request,
        "core/task_detail.html",
        {
            "task": task,
            "timeline": timeline,
            "attachments": attachments,
            "links": links,
            "staff": staff,
        },
    )
