"""Escalation steps: what a definition does when one of its clocks crosses a threshold or breaches.

Called by the sweep, in its transaction, only after the threshold's compare-and-set update
succeeded, so each step runs once per clock. Notifications and webhooks are outbox rows
with dedupe keys (delivered after commit); steps that change the task (reassign, raise
priority) write it under the row lock the sweep took, record the change on the timeline with
the system as actor, and bring the task's clocks in step.
"""

import json
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from itsm.core.choices import Priority, TimelineKind
from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_event, record_field_changes
from itsm.notifications.choices import Channel
from itsm.notifications.models import OutboxMessage
from itsm.notifications.services import notify_user
from itsm.sla.choices import EscalationAction
from itsm.sla.models import EscalationStep, SLAClock
from itsm.sla.services.clocks import clock_snapshot, sync_clocks
from itsm.sla.timing import Point

Handler = Callable[[EscalationStep, SLAClock, Point, datetime], None]


def run_escalation_steps(clock: SLAClock, point: Point, now: datetime) -> None:
    """Run the definition's steps that belong to this point (a threshold percent, or 100 = breach)."""
    for step in clock.definition.escalation_steps.all():
        if step.point == point.percent:
            HANDLERS[step.action](step, clock, point, now)


def _notify_assignee(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    _notify([clock.task.assignee] if clock.task.assignee_id else [], step, clock, point)


def _notify_group(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    group = clock.task.assignment_group
    _notify(group.members.filter(is_active=True).order_by("pk") if group else [], step, clock, point)


def _notify_group_lead(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    group = clock.task.assignment_group
    _notify([group.lead] if group and group.lead_id else [], step, clock, point)


def _notify_user(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    _notify([step.user], step, clock, point)


def _notify_watchers(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    _notify(clock.task.watchers.filter(is_active=True).order_by("pk"), step, clock, point)


def _reassign_group(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    if clock.task.assignment_group_id != step.team_id:
        _change_task(clock, now, "sla.escalation_reassigned", assignment_group=step.team, assignee=None)


def _raise_priority(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    if clock.task.priority > Priority.CRITICAL:
        _change_task(clock, now, "sla.escalation_priority_raised", priority=clock.task.priority - 1)


def _add_work_note(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    record_event(
        clock.task, "sla.escalation_note", actor=None, kind=TimelineKind.WORK_NOTE, body=step.note.strip()
    )


def _call_webhook(step: EscalationStep, clock: SLAClock, point: Point, now: datetime) -> None:
    """Queue the call as an outbox row of channel "webhook"; the outbox delivers it after commit."""
    task = clock.task
    payload = {
        "event": "sla.breached" if point.is_breach else "sla.warning",
        "percent": point.percent,
        "at": point.at.isoformat(),
        "due_at": clock.due_at.isoformat() if clock.due_at else None,
        "definition": {"id": clock.definition_id, "name": clock.definition.name, "target": clock.target},
        "task": {"id": task.pk, "number": task.number, "kind": task.kind, "priority": task.priority},
    }
    key = f"sla:{clock.pk}:{point.percent}:step{step.pk}"
    try:
        with transaction.atomic():
            OutboxMessage.objects.create(
                channel=Channel.WEBHOOK,
                dedupe_key=key,
                task_id=task.pk,
                to_address=step.webhook_url,
                subject=payload["event"],
                body_text=json.dumps(payload, sort_keys=True),
                headers={"Content-Type": "application/json"},
            )
    except IntegrityError:
        if not OutboxMessage.objects.filter(dedupe_key=key).exists():
            raise


HANDLERS: dict[str, Handler] = {
    EscalationAction.NOTIFY_ASSIGNEE: _notify_assignee,
    EscalationAction.NOTIFY_GROUP: _notify_group,
    EscalationAction.NOTIFY_GROUP_LEAD: _notify_group_lead,
    EscalationAction.NOTIFY_USER: _notify_user,
    EscalationAction.NOTIFY_WATCHERS: _notify_watchers,
    EscalationAction.REASSIGN_GROUP: _reassign_group,
    EscalationAction.RAISE_PRIORITY: _raise_priority,
    EscalationAction.ADD_WORK_NOTE: _add_work_note,
    EscalationAction.CALL_WEBHOOK: _call_webhook,
}


def _notify(users: Iterable[User], step: EscalationStep, clock: SLAClock, point: Point) -> None:
    task = clock.task
    what = "breached" if point.is_breach else f"reached {point.percent}% of"
    for user in users:
        notify_user(
            user,
            title=f"Escalation: {task.number} {what} “{clock.definition}”",
            body=describe(clock, point),
            url=task.get_absolute_url(),
            task=task,
            email_template="task_update",
            dedupe_key=f"sla:{clock.pk}:{point.percent}:step{step.pk}:{user.pk}",
        )


def _change_task(clock: SLAClock, now: datetime, action: str, **values) -> None:
    """Write task fields as an escalation: timeline entry, new version, clocks in step."""
    task = clock.task
    before_clocks = clock_snapshot(task)
    before = {name: getattr(task, name) for name in values}
    for name, value in values.items():
        setattr(task, name, value)
    record_field_changes(task, action, actor=None, before=before, after=values)
    save_locked(task, update_fields=list(values))
    sync_clocks(task, before=before_clocks, now=now)


def describe(clock: SLAClock, point: Point) -> str:
    """One sentence for the timeline and the notification, with the due time in the calendar's zone."""
    due = clock.due_at.astimezone(clock.definition.calendar.to_engine().zone) if clock.due_at else None
    due_text = f" (due {due:%Y-%m-%d %H:%M %Z})" if due else ""
    if point.is_breach:
        return f"The “{clock.definition}” target was breached{due_text}."
    return f"{point.percent}% of the “{clock.definition}” target is used{due_text}."
