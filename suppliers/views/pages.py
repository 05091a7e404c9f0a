"""Supplier pages for agents: the supplier list, a supplier, a contract, the renewals page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from itsm.core.filtersets import MAX_ID
from itsm.core.views.common import staff_required
from suppliers import selectors, services
from suppliers.filtersets import SupplierFilterSet
from suppliers.forms import DocumentForm
from suppliers.models import AuditEntry, Contract, Supplier, SupplierEngagement
from suppliers.querysets import sees_contract_values
from suppliers.services.audit import action_label, readable_changes

#: Audit entries shown on a page (newest first).
AUDIT_ROWS = 30


def in_range(pk: int) -> int:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


@staff_required
@require_GET
def supplier_list(request: HttpRequest) -> HttpResponse:
    filters = SupplierFilterSet(request.GET, queryset=Supplier.objects.visible_to(request.user))
    suppliers = filters.qs if filters.is_valid() else Supplier.objects.none()
    context = {"suppliers": suppliers, "filters": filters, "may_import": sees_contract_values(request.user)}
    return render(request, "suppliers/supplier_list.html", context)


@staff_required
@require_GET
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A supplier: its contracts, how it performs (overall and per contract), its audit trail."""
    supplier = get_object_or_404(Supplier.objects.visible_to(request.user), pk=in_range(pk))
    contracts = list(
        Contract.objects.visible_to(request.user)
        .filter(supplier=supplier)
        .select_related("support_hours", "owner")
        .prefetch_related("services", "configuration_items")
    )
    engagements = SupplierEngagement.objects.filter(supplier=supplier)
    per_contract = selectors.supplier_performance(by="contract", engagements=engagements)
    today = timezone.localdate()
    for contract in contracts:
        contract.performance = per_contract.get(contract.pk, selectors.Performance())
        contract.expired = contract.end_date is not None and contract.end_date < today
    show_values = sees_contract_values(request.user)
    context = {
        "supplier": supplier,
        "contracts": contracts,
        "show_values": show_values,
        "performance": selectors.supplier_performance(engagements=engagements).get(
            supplier.pk, selectors.Performance()
        ),
        "audit": _audit(AuditEntry.objects.filter(supplier=supplier), show_values),
    }
    return render(request, "suppliers/supplier_detail.html", context)


@staff_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract: terms, what it covers, performance, documents (managers), audit trail."""
    return contract_page(request, pk)


def contract_page(request: HttpRequest, pk: int, *, status: int = 200, **extra) -> HttpResponse:
    """The contract page, also answered (with `status` and a message) by a refused upload."""
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user)
        .select_related("supplier", "support_hours", "owner")
        .prefetch_related("services", "configuration_items"),
        pk=in_range(pk),
    )
    show_values = sees_contract_values(request.user)
    engagements = SupplierEngagement.objects.filter(contract=contract)
    context = {
        "contract": contract,
        "supplier": contract.supplier,
        "show_values": show_values,
        "expired": contract.end_date is not None and contract.end_date < timezone.localdate(),
        "performance": selectors.supplier_performance(by="contract", engagements=engagements).get(
            contract.pk, selectors.Performance()
        ),
        "recent": engagements.select_related("record").order_by("-opened_at", "-pk")[:10],
        "documents": contract.documents.select_related("uploaded_by") if show_values else None,
        "audit": _audit(AuditEntry.objects.filter(contract=contract), show_values),
        "document_form": DocumentForm(),
        **extra,
    }
    return render(request, "suppliers/contract_detail.html", context, status=status)


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


def _audit(entries, show_values: bool) -> list[tuple[AuditEntry, list]]:
    rows = entries.select_related("actor", "contract").order_by("-created_at", "-pk")[:AUDIT_ROWS]
    return [
        (entry, action_label(entry.action), readable_changes(entry, show_values=show_values))
        for entry in rows
    ]
