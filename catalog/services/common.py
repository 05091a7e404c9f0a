"""Helpers shared by the catalog services: locking in one order, permissions, notifications.

Locking rule: when a service locks several catalog rows it locks them top-down — the request,
then the item, then the task — so two services never wait on each other in opposite orders.
"""

from django.conf import settings
from django.contrib.auth.models import User

from catalog.models import FulfilmentTask, Request, RequestItem
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import lock_for_update
from itsm.core.models import Task, Team
from itsm.notifications.services import absolute_url, notify_user, queue_email, render_email

EMAIL_TEMPLATE = "catalog_update"


def lock_request(request: Request, expected_version: int | None = None) -> Request:
    return lock_for_update(Request.objects.all(), request.pk, expected_version=expected_version)


def lock_item(item: RequestItem, expected_version: int | None = None) -> RequestItem:
    return lock_for_update(
        RequestItem.objects.select_related("item_version"), item.pk, expected_version=expected_version
    )


def lock_task(task: FulfilmentTask, expected_version: int | None = None) -> FulfilmentTask:
    return lock_for_update(FulfilmentTask.objects.all(), task.pk, expected_version=expected_version)


def require_staff(actor: User, doing: str) -> None:
    if not roles.is_staff_member(actor):
        raise PermissionDenied(f"Only agents can {doing}.")


def require_visible(task: Task, actor: User) -> None:
    if not Task.objects.visible_to(actor).filter(pk=task.pk).exists():
        raise PermissionDenied("You cannot see this record.")


def people_of(request: Request) -> list[User]:
    """Who hears about a request: the person it is for, and whoever ordered it for them."""
    people = [request.requester]
    if request.opened_by_id != request.requester_id:
        people.append(request.opened_by)
    return [person for person in people if person is not None]


def notify_people(
    request: Request, title: str, body: str = "", *, key: str, task: Task | None = None
) -> None:
    """In-app and e-mail notification to the request's people, once per event key."""
    subject = task or request
    for person in people_of(request):
        notify_user(
            person,
            title=title,
            body=body,
            url=request.get_absolute_url(),
            task=subject,
            email_template=EMAIL_TEMPLATE,
            context={"request_record": request},
            dedupe_key=f"catalog:{subject.pk}:{key}:{person.pk}",
        )


def notify_team(team: Team | None, task: Task, title: str, *, key: str) -> None:
    """Mail a fulfilment group's shared address: new work is waiting in its queue."""
    if team is None or not team.email:
        return
    subject, text, html = render_email(
        EMAIL_TEMPLATE,
        {
            "user": None,
            "task": task,
            "title": title,
            "body": task.description[:1000],
            "link": absolute_url(task.get_absolute_url()),
            "site_name": settings.SITE_NAME,
        },
    )
    queue_email(
        to=team.email,
        subject=subject,
        text=text,
        html=html,
        task=task,
        dedupe_key=f"catalog:{task.pk}:{key}:team:{team.pk}",
    )
