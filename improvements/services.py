"""The only write path of the continual-improvement register.

Each function is one transaction: lock the initiative (and check the version where edits race),
check the move against `workflow.py`, mutate, write the timeline entry, and queue the owner's
notification in the outbox (delivered after commit).

Who may do what: staff (agents and above) propose initiatives and link records; the owner or a
manager edits and moves them; approving and abandoning are for managers and administrators.
"""

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from improvements.choices import LinkKind
from improvements.models import Initiative, InitiativeEvent, InitiativeLink, SummarySubscription
from improvements.workflow import INITIATIVE_WORKFLOW, MANAGER_MOVES, REALISED
from itsm.core import roles
from itsm.core.choices import TaskKind
from itsm.core.exceptions import DomainError, PermissionDenied, StaleVersion
from itsm.core.models import Task
from itsm.dashboards import registry
from itsm.notifications.services import notify_user

EDITABLE_FIELDS = frozenset(
    {"title", "motivation", "expected_benefit", "owner", "measured_outcome", "outcome_value"}
)
#: Linkable kinds: the problems behind an initiative and the changes whose review found it.
LINKABLE = {TaskKind.PROBLEM: LinkKind.PROBLEM, TaskKind.CHANGE: LinkKind.PIR}
MAX_TEXT = 5000
FILTER_KEYS = ("team", "service", "priority")


def require_staff(actor: User) -> None:
    if not roles.is_staff_member(actor):
        raise PermissionDenied("Only service staff work on improvement initiatives.")


def may_edit(actor: User, initiative: Initiative) -> bool:
    return roles.sees_everything(actor) or (
        initiative.owner_id is not None and initiative.owner_id == actor.pk
    )


def _clean(text: str, limit: int = MAX_TEXT) -> str:
    return (text or "").strip()[:limit]


def _check_owner(owner: User | None) -> None:
    if owner is not None and (not owner.is_active or not roles.is_staff_member(owner)):
        raise ValidationError({"owner": "The owner must be an active member of staff."})


def _check_metric(metric: str) -> str:
    metric = (metric or "").strip()
    if metric and registry.metric_label(metric) is None:
        raise ValidationError({"metric": f"Unknown dashboard figure {metric!r}."})
    return metric


def _check_source(source_url: str) -> str:
    """Only a dashboard page of this site may be remembered as the figure's source."""
    source_url = (source_url or "").strip()[:500]
    if source_url and not source_url.startswith("/dashboards/"):
        raise ValidationError({"source_url": "The source must be one of the dashboards."})
    return source_url


def _event(initiative: Initiative, action: str, actor: User | None, body: str = "") -> InitiativeEvent:
    return InitiativeEvent.objects.create(initiative=initiative, action=action, actor=actor, body=body)


def _tell_owner(initiative: Initiative, actor: User, title: str, event: str) -> None:
    """The owner hears of what others do to their initiative (in-app and e-mail, via the outbox)."""
    owner = initiative.owner
    if owner is None or owner.pk == actor.pk:
        return
    notify_user(
        owner,
        title=title,
        body=initiative.title,
        url=initiative.get_absolute_url(),
        dedupe_key=f"improvement:{initiative.pk}:{event}:v{initiative.version}",
    )


def create_initiative(
    *,
    actor: User,
    title: str,
    motivation: str,
    expected_benefit: str = "",
    owner: User | None = None,
    metric: str = "",
    baseline_value: float | None = None,
    metric_filters: Mapping[str, Any] | None = None,
    source_url: str = "",
    links: list[str] | None = None,
) -> Initiative:
    """Record a new initiative (status identified), with the figure and records that motivated it."""
    require_staff(actor)
    title, motivation = _clean(title, 200), _clean(motivation)
    if not title:
        raise ValidationError({"title": "Give the initiative a title."})
    if not motivation:
        raise ValidationError({"motivation": "Say what motivated it (a figure, a problem, a review)."})
    _check_owner(owner)
    filters = {key: value for key, value in (metric_filters or {}).items() if key in FILTER_KEYS and value}
    with transaction.atomic():
        initiative = Initiative.objects.create(
            number=f"tmp-{uuid4().hex[:14]}",
            title=title,
            motivation=motivation,
            expected_benefit=_clean(expected_benefit),
            owner=owner,
            metric=_check_metric(metric),
            baseline_value=baseline_value,
            metric_filters=filters,
            source_url=_check_source(source_url),
            created_by=actor,
        )
        initiative.number = f"IMP{initiative.pk:06d}"
        initiative.save(update_fields=["number"])
        body = motivation
        if initiative.metric:
            shown = "—" if baseline_value is None else baseline_value
            body += f"\n\nFigure: {registry.metric_label(initiative.metric)} = {shown}"
        _event(initiative, "created", actor, body)
        for number in links or []:
            _link(initiative, actor=actor, number=number)
        _tell_owner(initiative, actor, f"You own improvement {initiative.number}", "owner")
    return initiative


def _locked(initiative: Initiative, expected_version: int | None) -> Initiative:
    record = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if expected_version is not None and record.version != expected_version:
        raise StaleVersion(expected=expected_version, current=record.version)
    return record


def update_initiative(
    initiative: Initiative, *, actor: User, changes: Mapping[str, Any], expected_version: int | None = None
) -> Initiative:
    """Edit the description, owner or outcome (the owner or a manager)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        record = _locked(initiative, expected_version)
        if not may_edit(actor, record):
            raise PermissionDenied("Only the owner or a manager may edit this initiative.")
        if "owner" in changes:
            _check_owner(changes["owner"])
        before = {name: getattr(record, name) for name in changes}
        for name, value in changes.items():
            if isinstance(value, str):
                value = _clean(value, 200 if name == "title" else MAX_TEXT)
            setattr(record, name, value)
        if not record.title or not record.motivation:
            raise ValidationError({"title": "The title and the motivation cannot be empty."})
        changed = [name for name in changes if before[name] != getattr(record, name)]
        if not changed:
            return record
        record.version += 1
        record.save(update_fields=[*changed, "version", "updated_at"])
        _event(record, "updated", actor, "Changed: " + ", ".join(name.replace("_", " ") for name in changed))
        if "owner" in changed:
            _tell_owner(record, actor, f"You own improvement {record.number}", "owner")
    return record


def move_initiative(
    initiative: Initiative,
    name: str,
    *,
    actor: User,
    note: str = "",
    measured_outcome: str | None = None,
    outcome_value: float | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Initiative:
    """Approve, start, realise or abandon; realising records the measured outcome."""
    require_staff(actor)
    with transaction.atomic():
        record = _locked(initiative, expected_version)
        if name in MANAGER_MOVES and not roles.sees_everything(actor):
            raise PermissionDenied("Only a manager may approve or abandon an initiative.")
        if name not in MANAGER_MOVES and not may_edit(actor, record):
            raise PermissionDenied("Only the owner or a manager may move this initiative.")
        if measured_outcome is not None:
            record.measured_outcome = _clean(measured_outcome)
        if outcome_value is not None:
            record.outcome_value = outcome_value
        if reason:
            record.close_reason = _clean(reason)
        old, new = INITIATIVE_WORKFLOW.apply(record, name)
        now = timezone.now()
        if name == "start":
            record.started_at = now
        if new in (REALISED, "abandoned"):
            record.closed_at = now
        record.version += 1
        record.save()
        label = INITIATIVE_WORKFLOW.transitions[name].label
        body = "\n\n".join(
            part
            for part in (
                _clean(note),
                record.measured_outcome if name == "realise" else "",
                record.close_reason if name == "abandon" else "",
            )
            if part
        )
        _event(
            record,
            f"moved:{name}",
            actor,
            f"{label}: {INITIATIVE_WORKFLOW.label_of(old)} → "
            f"{INITIATIVE_WORKFLOW.label_of(new)}" + (f"\n\n{body}" if body else ""),
        )
        _tell_owner(
            record, actor, f"{record.number} is now {INITIATIVE_WORKFLOW.label_of(new).lower()}", name
        )
    return record


def _link(initiative: Initiative, *, actor: User, number: str) -> InitiativeLink:
    number = (number or "").strip().upper()
    task = Task.objects.visible_to(actor).filter(number=number, kind__in=list(LINKABLE)).first()
    if task is None:
        raise ValidationError({"number": f"No problem or change {number or '(empty)'} that you may see."})
    try:
        with transaction.atomic():
            link = InitiativeLink.objects.create(
                initiative=initiative, task=task, kind=LINKABLE[task.kind], created_by=actor
            )
    except IntegrityError:
        raise ValidationError({"number": f"{number} is already linked."}) from None
    _event(initiative, "linked", actor, f"Linked {task.number}: {task.title}")
    return link


def link_record(initiative: Initiative, *, actor: User, number: str) -> InitiativeLink:
    """Link a problem or a change (its post-implementation review) the actor may see."""
    require_staff(actor)
    with transaction.atomic():
        record = _locked(initiative, None)
        return _link(record, actor=actor, number=number)


def unlink_record(initiative: Initiative, *, actor: User, link_id: int) -> None:
    with transaction.atomic():
        record = _locked(initiative, None)
        if not may_edit(actor, record):
            raise PermissionDenied("Only the owner or a manager may remove links.")
        link = record.links.select_related("task").filter(pk=link_id).first()
        if link is None:
            raise DomainError("That link does not exist.")
        link.delete()
        _event(record, "unlinked", actor, f"Removed the link to {link.task.number}")


def set_summary_subscription(user: User, *, actor: User, subscribed: bool) -> bool:
    """Opt in to (or out of) the weekly e-mail summary; only managers and admins receive it."""
    if actor.pk != user.pk:
        raise PermissionDenied("You can only change your own subscription.")
    if subscribed and not roles.sees_everything(user):
        raise PermissionDenied("The weekly summary is for managers.")
    if subscribed:
        SummarySubscription.objects.get_or_create(user=user)
    else:
        SummarySubscription.objects.filter(user=user).delete()
    return subscribed
