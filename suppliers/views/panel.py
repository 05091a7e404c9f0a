"""The supplier panel on a record page (htmx fragment): covering contracts, expired ones, the
record's engagements with their underpinning clocks, and the forms to engage and record progress.

Without scripts the forms post and redirect back to the record; with htmx the panel is
swapped in place, and a move that changes the record itself (engaging puts an incident on
hold, ending the last engagement takes it off) reloads the page so its state is current.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from itsm.core.choices import StateCategory
from itsm.core.exceptions import DomainError
from itsm.core.models import Task
from itsm.core.views.common import staff_required
from itsm.sla.models import SLAClock
from itsm.sla.presentation import view_of
from suppliers import services
from suppliers.forms import EngageForm, MoveForm
from suppliers.models import Contract, SupplierEngagement
from suppliers.querysets import sees_contract_values
from suppliers.views.pages import in_range
from suppliers.workflow import ENGAGEMENT_WORKFLOW

#: At most this many engagements are listed on a record (newest first).
PANEL_ENGAGEMENTS = 20


def _task(request: HttpRequest, task_pk: int) -> Task:
    return get_object_or_404(
        Task.objects.visible_to(request.user).select_related("service", "configuration_item"),
        pk=in_range(task_pk),
    )


def panel_context(
    request: HttpRequest, task: Task, *, engage_form: EngageForm | None = None, **extra
) -> dict:
    """Everything the panel shows, in a fixed number of queries whatever the record holds."""
    covering = services.contracts_covering(service=task.service_id, ci=task.configuration_item_id)
    contracts = list(covering.select_related("supplier", "support_hours"))
    expired = list(
        services.expired_contracts_covering(service=task.service_id, ci=task.configuration_item_id)
    )
    engagements = list(
        SupplierEngagement.objects.filter(record=task)
        .select_related("supplier", "contract")
        .order_by("-opened_at", "-pk")[:PANEL_ENGAGEMENTS]
    )
    now = timezone.now()
    clocks = SLAClock.objects.filter(task__in=[e.pk for e in engagements]).select_related(
        "definition__calendar"
    )
    by_task: dict[int, list] = {}
    for clock in clocks.order_by("target", "pk"):
        by_task.setdefault(clock.task_id, []).append(view_of(clock, now))
    for engagement in engagements:
        engagement.clock_views = by_task.get(engagement.pk, [])
        engagement.moves = [
            t for t in ENGAGEMENT_WORKFLOW.available(engagement) if t.name not in ("close", "withdraw")
        ]
        engagement.is_open = engagement.state_category in ("new", "open", "pending", "resolved")
        engagement.state_text = ENGAGEMENT_WORKFLOW.label_of(engagement.state)
        engagement.state_colour = StateCategory.colour(engagement.state_category)
    open_record = task.state_category in ("new", "open", "pending") and task.kind != "supplier_engagement"
    form = engage_form or EngageForm(contracts=Contract.objects.filter(pk__in=[c.pk for c in contracts]))
    return {
        "task": task,
        "contracts": contracts,
        "expired": expired,
        "engagements": engagements,
        "show_values": sees_contract_values(request.user),
        "can_engage": open_record,
        "engage_form": form,
        **extra,
    }


@staff_required
@require_GET
def task_panel(request: HttpRequest, task_pk: int) -> HttpResponse:
    """The contracts covering a record's service and CI, with commitments, contacts and engagements."""
    task = _task(request, task_pk)
    return render(request, "suppliers/_task_panel.html", panel_context(request, task))


@staff_required
@require_POST
def engage(request: HttpRequest, task_pk: int) -> HttpResponse:
    """Engage a supplier on the record (a covering contract, or a supplier without one)."""
    task = _task(request, task_pk)
    covering = services.contracts_covering(service=task.service_id, ci=task.configuration_item_id)
    form = EngageForm(request.POST, contracts=Contract.objects.filter(pk__in=covering.values("pk")))
    if form.is_valid():
        try:
            engagement = services.engage_supplier(task, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.http_status
        else:
            return _done(request, task, f"{engagement.supplier.name} engaged ({engagement.number}).")
    else:
        status = 400
    if not request.htmx:
        for error in form.non_field_errors() or ["Check the engagement form."]:
            messages.error(request, error)
        return redirect(task.get_absolute_url())
    context = panel_context(request, task, engage_form=form, engage_open=form.cleaned_data.get("contract"))
    return render(request, "suppliers/_task_panel.html", context, status=status)


@staff_required
@require_POST
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Record the supplier's response or resolution, send it back, or end the engagement."""
    engagement = get_object_or_404(
        SupplierEngagement.objects.visible_to(request.user).select_related("supplier"), pk=in_range(pk)
    )
    task = _task(request, engagement.record_id)
    form = MoveForm(request.POST)
    if name not in (*ENGAGEMENT_WORKFLOW.transitions, "end") or not form.is_valid():
        return _refused(request, task, "That is not a move of a supplier engagement.", 400)
    data = form.cleaned_data
    fields = {"note": data["note"], "expected_version": data["expected_version"]}
    if data["external_reference"]:
        fields["external_reference"] = data["external_reference"]
    try:
        if name == "end":
            moved = services.end_engagement(engagement, actor=request.user, **fields)
        else:
            moved = services.move_engagement(engagement, name, actor=request.user, **fields)
    except DomainError as error:
        return _refused(request, task, error.message, error.http_status)
    label = ENGAGEMENT_WORKFLOW.label_of(moved.state)
    text = f"{moved.number}: {label.lower()}."
    if moved.state_category in ("closed", "cancelled"):
        return _done(request, task, text)
    if not request.htmx:
        messages.success(request, text)
        return redirect(task.get_absolute_url())
    return render(request, "suppliers/_task_panel.html", panel_context(request, task, notice=text))


def _done(request: HttpRequest, task: Task, text: str) -> HttpResponse:
    """The record itself changed: reload its page (htmx) or go back to it."""
    messages.success(request, text)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(task.get_absolute_url())


def _refused(request: HttpRequest, task: Task, text: str, status: int) -> HttpResponse:
    if not request.htmx:
        messages.error(request, text)
        return redirect(task.get_absolute_url())
    return render(
        request, "suppliers/_task_panel.html", panel_context(request, task, problem=text), status=status
    )


@staff_required
@require_GET
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An engagement lives on its record's page: go there, at the engagement."""
    engagement = get_object_or_404(
        SupplierEngagement.objects.visible_to(request.user).select_related("record"), pk=in_range(pk)
    )
    return redirect(f"{engagement.record.get_absolute_url()}#engagement-{engagement.pk}")
