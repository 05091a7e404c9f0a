"""Change queues, the new-change forms and the CAB agenda."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from changes import services
from changes.filtersets import ChangeFilterSet
from changes.forms import CabDateForm, ChangeForm, TemplateChangeForm
from changes.models import Change
from changes.services.common import is_change_manager
from changes.views.common import attempt, error_text, report_collisions, staff_required, visible_change
from itsm.core.exceptions import DomainError

PAGE_SIZE = 50
QUEUES = {
    "open": ("Open changes", {"state_category__in": ["new", "open", "pending"]}),
    "mine": ("Assigned to me", None),
    "authorize": ("Awaiting authorization", {"state": "authorize"}),
    "scheduled": ("Scheduled", {"state": "scheduled"}),
    "review": ("In review", {"state": "review"}),
    "all": ("All changes", {}),
}


@staff_required
def queue(request: HttpRequest, slug: str = "open") -> HttpResponse:
    if slug not in QUEUES:
        raise Http404
    title, condition = QUEUES[slug]
    rows = Change.objects.visible_to(request.user)
    rows = rows.filter(assignee=request.user) if condition is None else rows.filter(**condition)
    filterset = ChangeFilterSet(request.GET, queryset=rows.select_related("assignee", "assignment_group"))
    context = {"queues": QUEUES, "slug": slug, "title": title, "q": request.GET.get("q", "")}
    if not filterset.is_valid():
        return render(request, "changes/queue.html", {**context, "errors": filterset.errors}, status=400)
    ordered = filterset.qs.order_by("planned_start", "-opened_at", "-pk")
    context["page"] = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "changes/queue.html", context)


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    """Raise a normal or emergency change (POST), or show both forms (the template one too)."""
    form = ChangeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            change = services.create_change(actor=request.user, **form.values())
        except (ValidationError, DomainError) as error:
            _errors_to_form(form, error)
            status = 400
        else:
            return _to_record(request, change)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "template_form": TemplateChangeForm()}
    return render(request, "changes/create.html", context, status=status)


def _to_record(request: HttpRequest, change: Change) -> HttpResponse:
    """The new change's page; when it has a window, at its schedule panel with what the
    collision check found in the messages."""
    checked = report_collisions(request, change)
    return redirect(change.get_absolute_url() + ("#schedule-panel" if checked else ""))


@staff_required
@require_POST
def create_from_template(request: HttpRequest) -> HttpResponse:
    form = TemplateChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.create_from_template(
                data["template"], actor=request.user, planned_start=data["planned_start"]
            )
        except (ValidationError, DomainError) as error:
            form.add_error(None, error_text(error))
        else:
            return _to_record(request, change)
    context = {"form": ChangeForm(), "template_form": form}
    return render(request, "changes/create.html", context, status=400)


@staff_required
def cab_agenda(request: HttpRequest) -> HttpResponse:
    """The changes awaiting authorization for a CAB meeting, with their risk and evidence."""
    meeting = _meeting_date(request.GET.get("date"))
    if meeting is None:
        context = {"bad_date": True, "queues": QUEUES, "slug": "cab"}
        return render(request, "changes/cab_agenda.html", context, status=400)
    on_agenda, unplanned = services.agenda(meeting)
    context = {
        "meeting": meeting,
        "on_agenda": on_agenda,
        "unplanned": unplanned,
        "can_plan": is_change_manager(request.user),
        "queues": QUEUES,
        "slug": "cab",
    }
    return render(request, "changes/cab_agenda.html", context)


@staff_required
@require_POST
def plan_cab(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_change(request, pk)
    form = CabDateForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Give a valid meeting date.", status=400)
    cab_date, version = form.cleaned_data["cab_date"], form.cleaned_data["expected_version"]
    done = f"on the agenda of {cab_date:%d %b %Y}" if cab_date else "taken off the agenda"
    ok, status = attempt(
        request,
        lambda: services.set_cab_date(
            change, actor=request.user, cab_date=cab_date, expected_version=version
        ),
        f"{change.number} is {done}.",
    )
    target = request.POST.get("next") or ""
    if not ok or not target.startswith("/") or target.startswith("//"):
        target = change.get_absolute_url()
    return redirect(target)


def _meeting_date(value: str | None) -> date | None:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _errors_to_form(form, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error_text(error))
