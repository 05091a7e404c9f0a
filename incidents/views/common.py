"""What every incident view shares: who may enter, how a record is found, how service errors show.

Records are always looked up through `visible_to`, so a record someone may not see answers
404 exactly like one that does not exist (guessing numbers or ids reveals nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from incidents.forms import person
from incidents.models import Incident
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.core.exceptions import DomainError, StaleVersion
from itsm.core.filtersets import MAX_ID
from itsm.core.views.common import staff_required  # noqa: F401 (used by the views)


def record_queryset(request: HttpRequest):
    """Incidents this user may see, with what the record page and the portal show of each."""
    return Incident.objects.visible_to(request.user).select_related(
        "requester__profile",
        "assignee",
        "assignment_group",
        "service",
        "configuration_item",
        "category",
        "subcategory",
        "parent",
    )


def visible_incident(request: HttpRequest, pk: int) -> Incident:
    """The incident if this user may see it; 404 otherwise (including ids beyond the key range)."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(record_queryset(request), pk=pk)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields, or above the form when no field matches."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


@dataclass
class Outcome:
    """What a service call through `call_service` came to."""

    value: object | None = None
    status: int = 200
    stale: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200


def call_service(form: forms.Form, service: Callable, *args, **kwargs) -> Outcome:
    """Run a service for a valid form; on failure the error is put on the form.

    Field errors land on their fields (400); domain errors — a refused move, a stale version,
    a missing permission — above the form with their own status (409, 409, 403).
    """
    try:
        return Outcome(service(*args, **kwargs))
    except ValidationError as error:
        add_service_errors(form, error)
        return Outcome(status=400)
    except DomainError as error:
        form.add_error(None, error.message)
        return Outcome(status=error.http_status, stale=isinstance(error, StaleVersion))


def stale_summary(incident: Incident) -> str:
    """The newer values a stale save collided with, in one sentence."""
    assigned = person(incident.assignee) or "nobody"
    group = incident.assignment_group.name if incident.assignment_group_id else "no group"
    return (
        f"It is now {INCIDENT_WORKFLOW.label_of(incident.state).lower()}, {incident.get_priority_display()}, "
        f"assigned to {assigned} ({group}), titled “{incident.title}” (version {incident.version})."
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The local page a form says to return to (`next`), or `default`: never another site."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
