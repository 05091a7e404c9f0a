"""What every change view shares: staff only, records found through `visible_to`, service errors shown."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from changes.models import Change
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
