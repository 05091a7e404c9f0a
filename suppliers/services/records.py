"""Writing suppliers and contracts (audited, underpinning definitions kept in step), coverage, renewals."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.exceptions import DomainError, PermissionDenied
from itsm.core.roles import sees_everything
from itsm.notifications.services import notify_user
from suppliers.models import Contract, Supplier
from suppliers.services import audit
from suppliers.services.underpinning import sync_underpinning_definitions

SUPPLIER_FIELDS = frozenset(
    {"name", "status", "contacts", "escalation_portal", "escalation_phone", "escalation_email", "notes"}
)
#: What the contract audit trail compares (its fields and what it covers).
CONTRACT_AUDITED = ("services", "configuration_items")

CONTRACT_FIELDS = frozenset(
    {
        "supplier",
        "kind",
        "reference",
        "title",
        "start_date",
        "end_date",
        "notice_date",
        "value",
        "currency",
        "support_hours",
        "response_time",
        "resolution_time",
        "covers_service_cis",
        "owner",
    }
)


def _require_manager(actor: User) -> None:
    """Suppliers and contracts are commercial records: managers and administrators maintain them."""
    if not sees_everything(actor):
        raise PermissionDenied("Only managers and administrators maintain suppliers and contracts.")


def _apply(obj: Any, fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(obj, name, value)


def _validated_save(obj: Any) -> None:
    """full_clean turns every model rule into a DomainError the caller can show."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    obj.save()


@transaction.atomic
def create_supplier(*, actor: User, **fields: Any) -> Supplier:
    """A new supplier; the audit trail records its first values."""
    _require_manager(actor)
    supplier = Supplier()
    _apply(supplier, fields, SUPPLIER_FIELDS)
    _validated_save(supplier)
    after = audit.snapshot(supplier, SUPPLIER_FIELDS)
    audit.record("supplier.created", actor=actor, supplier=supplier, changes=audit.differences({}, after))
    return supplier


@transaction.atomic
def update_supplier(supplier: Supplier, *, actor: User, **fields: Any) -> Supplier:
    """Change a supplier; the audit trail records what changed (nothing when nothing did)."""
    _require_manager(actor)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    before = audit.snapshot(supplier, SUPPLIER_FIELDS)
    _apply(supplier, fields, SUPPLIER_FIELDS)
    _validated_save(supplier)
    changes = audit.differences(before, audit.snapshot(supplier, SUPPLIER_FIELDS))
    audit.record("supplier.updated", actor=actor, supplier=supplier, changes=changes)
    return supplier


@transaction.atomic
def create_contract(
    *,
    actor: User,
    services: Iterable[Service] = (),
    configuration_items: Iterable[ConfigurationItem] = (),
    **fields: Any,
) -> Contract:
    """Create a contract with what it covers, and the SLA definitions measuring its commitments."""
    _require_manager(actor)
    contract = Contract()
    _apply(contract, fields, CONTRACT_FIELDS)
    _validated_save(contract)
    contract.services.set(services)
    contract.configuration_items.set(configuration_items)
    sync_underpinning_definitions(contract)
    after = audit.snapshot(contract, CONTRACT_FIELDS | set(CONTRACT_AUDITED))
    audit.record(
        "contract.created",
        actor=actor,
        supplier=contract.supplier,
        contract=contract,
        changes=audit.differences({}, after),
    )
    return contract


@transaction.atomic
def update_contract(
    contract: Contract,
    *,
    actor: User,
    services: Iterable[Service] | None = None,
    configuration_items: Iterable[ConfigurationItem] | None = None,
    **fields: Any,
) -> Contract:
    """Change a contract (audited); a moved notice date re-arms the renewal reminder, changed
    commitments or support hours re-target the underpinning definitions."""
    _require_manager(actor)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    audited = CONTRACT_FIELDS | set(CONTRACT_AUDITED)
    before = audit.snapshot(contract, audited)
    _apply(contract, fields, CONTRACT_FIELDS)
    _validated_save(contract)
    if services is not None:
        contract.services.set(services)
    if configuration_items is not None:
        contract.configuration_items.set(configuration_items)
    sync_underpinning_definitions(contract)
    changes = audit.differences(before, audit.snapshot(contract, audited))
    audit.record(
        "contract.updated", actor=actor, supplier=contract.supplier, contract=contract, changes=changes
    )
    return contract


def contracts_covering(
    service: Service | int | None = None, ci: ConfigurationItem | int | None = None, at: date | None = None
):
    """Contracts in force on `at` that cover the service or the CI.

    A CI is covered by a contract naming it, or by a contract on a service the CI delivers
    when that contract is configured to cover its service's CIs (read through the CMDB's
    service components).
    """
    at = at or timezone.localdate()
    ids = _covering_ids(service, ci)
    if ids is None:
        return Contract.objects.none()
    return (
        Contract.objects.in_force(at)
        .filter(pk__in=ids)
        .select_related("supplier", "support_hours")
        .order_by("supplier__name", "reference")
    )


def expired_contracts_covering(
    service: Service | int | None = None, ci: ConfigurationItem | int | None = None, at: date | None = None
):
    """Contracts that covered the service or CI but ended before `at`: flagged, computed when asked.

    A query-time flag rather than a stored one: it is right the day a contract ends, whatever
    its end date is changed to, with no beat task to keep in step (a few rows per CI).
    """
    at = at or timezone.localdate()
    ids = _covering_ids(service, ci)
    if ids is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(pk__in=ids, end_date__lt=at)
        .select_related("supplier")
        .order_by("-end_date", "reference")
    )


def _covering_ids(service, ci):
    service_id = getattr(service, "pk", service)
    ci_id = getattr(ci, "pk", ci)
    if service_id is None and ci_id is None:
        return None
    cover = Q()
    if service_id is not None:
        cover |= Q(services=service_id)
    if ci_id is not None:
        delivered = Service.objects.filter(servicecomponent__configuration_item=ci_id).values("pk")
        cover |= Q(configuration_items=ci_id) | Q(covers_service_cis=True, services__in=delivered)
    return Contract.objects.filter(cover).values("pk")


#: How many days before a contract's notice date its owner is reminded.
RENEWAL_LEAD_DAYS = 30


def contracts_due_for_renewal(today: date, lead_days: int = RENEWAL_LEAD_DAYS):
    """Contracts whose notice date falls within the next `lead_days` days (the renewals page)."""
    return (
        Contract.objects.filter(notice_date__gte=today, notice_date__lte=today + timedelta(days=lead_days))
        .select_related("supplier", "owner")
        .order_by("notice_date", "reference")
    )


def remind_renewals(*, today: date | None = None, lead_days: int = RENEWAL_LEAD_DAYS) -> int:
    """Remind each owner once per notice date (the contract row and the dedupe key both say so).

    A moved notice date is a new reminder; a reminder already sent is never sent again, even
    when two beat runs overlap (the row is locked and re-checked).
    """
    today = today or timezone.localdate()
    sent = 0
    due = contracts_due_for_renewal(today, lead_days).filter(owner__isnull=False)
    for pk in due.exclude(renewal_notified_for=F("notice_date")).values_list("pk", flat=True):
        with transaction.atomic():
            contract = (
                Contract.objects.select_for_update(of=("self",))
                .select_related("supplier", "owner")
                .get(pk=pk)
            )
            if contract.renewal_notified_for == contract.notice_date:
                continue
            notify_user(
                contract.owner,
                title=(
                    f"Contract {contract.reference} ({contract.supplier.name}): "
                    f"notice due {contract.notice_date}"
                ),
                body="Decide whether to renew, renegotiate or end the contract before its notice date.",
                url=reverse("suppliers:renewals"),
                dedupe_key=f"contract-renewal:{contract.pk}:{contract.notice_date.isoformat()}",
            )
            Contract.objects.filter(pk=pk).update(renewal_notified_for=contract.notice_date)
            sent += 1
    return sent
