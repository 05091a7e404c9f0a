"""Supplier pages for agents, and the supplier panel on a record page (an htmx fragment)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from itsm.core import roles
from itsm.core.filtersets import MAX_ID
from itsm.core.models import Task
from suppliers import services
from suppliers.models import Contract, Supplier
from suppliers.querysets import sees_contract_values


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Supplier pages are for agents and above; requesters never see suppliers."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _in_range(pk: int) -> int:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


@staff_required
@require_GET
def supplier_list(request: HttpRequest) -> HttpResponse:
    suppliers = Supplier.objects.visible_to(request.user)
    return render(request, "suppliers/supplier_list.html", {"suppliers": suppliers})


@staff_required
@require_GET
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier.objects.visible_to(request.user), pk=_in_range(pk))
    contracts = (
        Contract.objects.visible_to(request.user)
        .filter(supplier=supplier)
        .select_related("support_hours", "owner")
        .prefetch_related("services", "configuration_items")
    )
    show_values = sees_contract_values(request.user)
    context = {"supplier": supplier, "contracts": contracts, "show_values": show_values}
    return render(request, "suppliers/supplier_detail.html", context)


@staff_required
@require_GET
def task_panel(request: HttpRequest, task_pk: int) -> HttpResponse:
    """The contracts covering a record's service and CI, with commitments and escalation contacts."""
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("service", "configuration_item"),
        pk=_in_range(task_pk),
    )
    contracts = services.contracts_covering(service=task.service_id, ci=task.configuration_item_id).filter(
        pk__in=Contract.objects.visible_to(request.user).values("pk")
    )
    context = {"task": task, "contracts": contracts, "show_values": sees_contract_values(request.user)}
    return render(request, "suppliers/_task_panel.html", context)


@staff_required
@require_GET
def renewals(request: HttpRequest) -> HttpResponse:
    """Contracts whose notice date is within the reminder window, soonest first."""
    today = timezone.localdate()
    visible = Contract.objects.visible_to(request.user).values("pk")
    due = services.contracts_due_for_renewal(today).filter(pk__in=visible)
    show_values = sees_contract_values(request.user)
    context = {"contracts": due, "lead_days": services.RENEWAL_LEAD_DAYS, "show_values": show_values}
    return render(request, "suppliers/renewals.html", context)
