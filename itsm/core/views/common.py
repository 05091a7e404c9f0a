"""What the practices' views share: who may enter the workspace, how service errors are shown."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse

from itsm.core import roles
from itsm.core.exceptions import DomainError


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in agents and above; anonymous users go to sign in, requesters get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def error_text(error: Exception) -> str:
    """One line for a refused service call, whatever kind of refusal it was."""
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
