"""Helpers shared by the change services: locking, permissions, notifications."""

from django.contrib.auth.models import User

from changes.models import Change, ChangeTask
from changes.workflow import CAB_PURPOSE
from itsm.approvals.choices import PlanOutcome
from itsm.approvals.models import ApprovalPlan
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import lock_for_update
from itsm.core.models import Task
from itsm.notifications.services import notify_user


def locked(change: Change, expected_version: int | None = None) -> Change:
    """The change's row, locked for this transaction, checked against the caller's version."""
    return lock_for_update(Change.objects.all(), change.pk, expected_version=expected_version)


def lock_pending_cab_plan(change: Change) -> None:
    """Lock the change's pending CAB plan rows, if any, before the change itself.

    An approval decision (`itsm.approvals.services.decide`) locks the plan first and then its
    handler locks the change; a change move that may withdraw the plan (cancel, rework) must
    take the two locks in that same order, or a cancel and a decision at the same instant
    deadlock on PostgreSQL. Call it inside the transaction, before `locked(change)`.
    """
    pending = ApprovalPlan.objects.filter(
        subject_id=change.pk, purpose=CAB_PURPOSE, outcome=PlanOutcome.PENDING
    )
    list(pending.order_by("pk").select_for_update().values_list("pk", flat=True))


def locked_task(task: ChangeTask, expected_version: int | None = None) -> ChangeTask:
    return lock_for_update(ChangeTask.objects.all(), task.pk, expected_version=expected_version)


def require_staff(actor: User, doing: str) -> None:
    """Changes are internal work: only agents and above work on them."""
    if not roles.is_staff_member(actor):
        raise PermissionDenied(f"Only agents can {doing}.")


def is_change_manager(user: User) -> bool:
    return roles.has_role(user, roles.Role.CHANGE_MANAGER, roles.Role.ADMIN)


def require_change_manager(actor: User, doing: str) -> None:
    if not is_change_manager(actor):
        raise PermissionDenied(f"Only a change manager can {doing}.")


def notify(user: User | None, task: Task, title: str, body: str = "", *, key: str) -> None:
    """In-app and e-mail notification about a change or change task, once per event key."""
    if user is None:
        return
    notify_user(
        user,
        title=title,
        body=body,
        url=task.get_absolute_url(),
        task=task,
        email_template="task_update",
        dedupe_key=f"change:{task.pk}:{key}:{user.pk}",
    )


def clean_text(value: str | None, limit: int = 20000) -> str:
    return (value or "").strip()[:limit]
