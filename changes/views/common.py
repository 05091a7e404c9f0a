"""What every change view shares: staff only, records found through `visible_to`, service errors shown."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from changes.models import Change
from changes.scheduling import collision_sentence, collisions_on_save
from itsm.core import roles
from itsm.core.exceptions import DomainError
from itsm.core.filtersets import MAX_ID


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Changes are internal work: anonymous users sign in, requesters get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def visible_change(request: HttpRequest, pk: int) -> Change:
    if not 0 < pk <= MAX_ID:
        raise Http404
    queryset = Change.objects.visible_to(request.user).select_related(
        "requester", "assignee", "assignment_group", "change_manager", "template", "blackout_override_by"
    )
    return get_object_or_404(queryset, pk=pk)


def error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def attempt(request: HttpRequest, call: Callable[[], object], success: str) -> tuple[bool, int]:
    """Run a service call; put its outcome in the messages. Returns (ok, HTTP status for a failure)."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False, 400
    except DomainError as error:
        messages.error(request, error.message)
        return False, error.http_status
    if success:
        messages.success(request, success)
    return True, 200


def report_collisions(request: HttpRequest, change, changed: Iterable[str] | None = None) -> bool:
    """After a create or edit: check the change for collisions when the save touched its window,
    scope or assignee, and say what was found in the page's messages. True when it checked."""
    found = collisions_on_save(change, user=request.user, changed=changed)
    if found is None or not (change.planned_start and change.planned_end):
        return False
    level = messages.warning if found else messages.info
    level(request, collision_sentence(found))
    return True
