"""Engaging a supplier on a record and recording the supplier's side, one transaction per step.

Engaging puts an incident on hold awaiting supplier (through the incident services, so the
incident's own SLA rules pause its clocks); ending the last open engagement takes it off
hold again. The engagement's underpinning clocks (see `underpinning.py`) follow its state.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incidents.services import hold_for_supplier, release_from_supplier
from itsm.core import roles
from itsm.core.choices import StateCategory, TaskKind, TimelineKind
from itsm.core.exceptions import DomainError, PermissionDenied
from itsm.core.locking import lock_for_update, save_locked
from itsm.core.models import Task
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_state_change
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks
from suppliers.choices import SupplierStatus
from suppliers.models import Contract, Supplier, SupplierEngagement
from suppliers.services.records import contracts_covering
from suppliers.workflow import ENGAGEMENT_WORKFLOW, OPEN_STATES, RESOLVED

#: Fields an engagement move may touch, saved with the state.
MOVE_FIELDS = ["state", "state_category", "external_reference", "responded_at", "resolved_at", "closed_at"]


def require_agent(actor: User) -> None:
    if not roles.is_staff_member(actor):
        raise PermissionDenied("Only agents engage suppliers.")


def engage_supplier(
    record: Task,
    *,
    actor: User,
    reason: str,
    contract: Contract | None = None,
    supplier: Supplier | None = None,
    external_reference: str = "",
) -> SupplierEngagement:
    """Hand the record to a supplier under a covering contract (or to a supplier without one)."""
    require_agent(actor)
    if not Task.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise PermissionDenied("You cannot see this record.")
    supplier = _check_engagement(record, contract, supplier, reason)
    with transaction.atomic():
        # The record's row is locked first (an incident through its own service, which also puts
        # it on hold), so two agents engaging the same supplier at once cannot both succeed.
        if record.kind == TaskKind.INCIDENT:
            hold_for_supplier(record, actor=actor)
        else:
            lock_for_update(Task.objects.all(), record.pk)
        _refuse_duplicate(record, supplier)
        engagement = SupplierEngagement(
            kind=TaskKind.SUPPLIER_ENGAGEMENT,
            number=next_number(TaskKind.SUPPLIER_ENGAGEMENT),
            title=f"{supplier.name}: {record.number} {record.title}"[:250],
            description=reason.strip(),
            reason=reason.strip(),
            record=record,
            record_kind=record.kind,
            supplier=supplier,
            contract=contract,
            external_reference=external_reference.strip(),
            state=ENGAGEMENT_WORKFLOW.initial,
            state_category=ENGAGEMENT_WORKFLOW.category_of(ENGAGEMENT_WORKFLOW.initial),
            priority=record.priority,
            impact=record.impact,
            urgency=record.urgency,
            assignee=actor,
            assignment_group_id=record.assignment_group_id,
            service_id=record.service_id,
            configuration_item_id=record.configuration_item_id,
        )
        engagement.save()
        changes = {"external_reference": {"old": None, "new": engagement.external_reference or None}}
        record_event(
            engagement, "supplier_engagement.opened", actor=actor, body=engagement.reason, changes=changes
        )
        attach_clocks(engagement)
        record_event(
            record,
            "supplier.engaged",
            actor=actor,
            kind=TimelineKind.WORK_NOTE,
            body=_summary(engagement, engagement.reason),
        )
    return engagement


def move_engagement(
    engagement: SupplierEngagement,
    name: str,
    *,
    actor: User,
    note: str = "",
    external_reference: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SupplierEngagement:
    """Record the supplier's response or resolution, send it back, or end the engagement.

    `close` and `withdraw` end it; when no other engagement on the record is still open,
    an incident waiting on suppliers goes back in progress.
    """
    require_agent(actor)
    now = now or timezone.now()
    with transaction.atomic():
        # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of the contract join.
        current = lock_for_update(
            SupplierEngagement.objects.all(), engagement.pk, expected_version=expected_version
        )
        before = clock_snapshot(current)
        old, new = ENGAGEMENT_WORKFLOW.apply(current, name)
        if external_reference is not None:
            current.external_reference = external_reference.strip()[:100]
        _stamp(current, name, now)
        save_locked(current, update_fields=MOVE_FIELDS)
        sync_clocks(current, before=before, now=now)
        record_state_change(current, f"supplier_engagement.{name}", actor=actor, old=old, new=new, body=note)
        label = ENGAGEMENT_WORKFLOW.label_of(new)
        record_event(
            Task(pk=current.record_id),
            f"supplier.{name}",
            actor=actor,
            kind=TimelineKind.WORK_NOTE,
            body=_summary(current, f"{label}. {note}".strip()),
        )
        if current.state_category in (StateCategory.CLOSED, StateCategory.CANCELLED):
            _release_record(current, actor)
    return current


def end_engagement(
    engagement: SupplierEngagement, *, actor: User, note: str = "", **kwargs
) -> SupplierEngagement:
    """End it whatever the supplier did: closed once resolved, withdrawn before."""
    name = "close" if engagement.state == RESOLVED else "withdraw"
    return move_engagement(engagement, name, actor=actor, note=note, **kwargs)


def _check_engagement(
    record: Task, contract: Contract | None, supplier: Supplier | None, reason: str
) -> Supplier:
    if record.kind == TaskKind.SUPPLIER_ENGAGEMENT:
        raise DomainError("Engage suppliers on the incident, problem or change itself.")
    if record.state_category not in StateCategory.active():
        raise DomainError("Suppliers are engaged on records still being worked on.")
    if not reason.strip():
        raise DomainError("Say why the supplier is engaged: what they are asked to do.")
    if contract is not None:
        covering = contracts_covering(service=record.service_id, ci=record.configuration_item_id)
        if not covering.filter(pk=contract.pk).exists():
            raise DomainError(
                f"Contract {contract.reference} is not in force for this record's service or CI."
            )
        if supplier is not None and supplier.pk != contract.supplier_id:
            raise DomainError("The contract belongs to another supplier.")
        supplier = contract.supplier
    if supplier is None:
        raise DomainError("Choose a covering contract or a supplier.")
    if supplier.status == SupplierStatus.INACTIVE:
        raise DomainError(f"{supplier.name} is inactive.")
    _refuse_duplicate(record, supplier)
    return supplier


def _refuse_duplicate(record: Task, supplier: Supplier) -> None:
    open_one = SupplierEngagement.objects.filter(record=record, supplier=supplier, state__in=OPEN_STATES)
    if open_one.exists():
        raise DomainError(f"{supplier.name} is already engaged on this record.")


def _stamp(engagement: SupplierEngagement, name: str, now: datetime) -> None:
    if name in ("respond", "resolve") and engagement.responded_at is None:
        engagement.responded_at = now  # a resolution is also an answer
    if name == "resolve":
        engagement.resolved_at = now
    elif name == "reopen":
        engagement.resolved_at = None
    elif name in ("close", "withdraw"):
        engagement.closed_at = now


def _release_record(engagement: SupplierEngagement, actor: User) -> None:
    still_open = SupplierEngagement.objects.filter(record_id=engagement.record_id, state__in=OPEN_STATES)
    record = Task.objects.only("kind").get(pk=engagement.record_id)
    if record.kind == TaskKind.INCIDENT and not still_open.exists():
        release_from_supplier(record, actor=actor, note=f"{engagement.supplier.name} engagement ended.")


def _summary(engagement: SupplierEngagement, text: str) -> str:
    reference = f" (their reference {engagement.external_reference})" if engagement.external_reference else ""
    contract = f" under {engagement.contract.reference}" if engagement.contract_id else ""
    return f"{engagement.number} · {engagement.supplier.name}{contract}{reference}: {text}"
