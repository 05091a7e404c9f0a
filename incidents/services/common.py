"""Helpers shared by the incident services: locking, permissions, notifications."""

from django.conf import settings
from django.contrib.auth.models import User

from incidents.models import Incident
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import lock_for_update
from itsm.core.models import Task
from itsm.notifications.services import absolute_url, notify_user, queue_email, render_email


def locked(incident: Incident, expected_version: int | None) -> Incident:
    """The incident's row, locked for this transaction, checked against the caller's version."""
    return lock_for_update(Incident.objects.all(), incident.pk, expected_version=expected_version)


def require_staff(actor: User, doing: str) -> None:
    if not roles.is_staff_member(actor):
        raise PermissionDenied(f"Only agents can {doing}.")


def require_visible(incident: Incident, actor: User) -> None:
    if not Task.objects.visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied("You cannot see this incident.")


def is_requester(incident: Incident, actor: User) -> bool:
    return incident.requester_id == actor.pk


def notify(user: User | None, incident: Incident, title: str, body: str = "", *, key: str) -> None:
    """In-app and e-mail notification about this incident, once per event key."""
    if user is None:
        return
    notify_user(
        user,
        title=title,
        body=body,
        url=incident.get_absolute_url(),
        task=incident,
        email_template="task_update",
        dedupe_key=f"incident:{incident.pk}:{key}:{user.pk}",
    )


def notify_team(incident: Incident, title: str, *, key: str) -> None:
    """Mail the assignment group's shared address (new work waiting in its queue)."""
    team = incident.assignment_group
    if team is None or not team.email:
        return
    subject, text, html = render_email(
        "task_update",
        {
            "user": None,
            "task": incident,
            "title": title,
            "body": incident.description[:1000],
            "link": absolute_url(incident.get_absolute_url()),
            "site_name": settings.SITE_NAME,
        },
    )
    queue_email(
        to=team.email,
        subject=subject,
        text=text,
        html=html,
        task=incident,
        dedupe_key=f"incident:{incident.pk}:{key}:team:{team.pk}",
    )
