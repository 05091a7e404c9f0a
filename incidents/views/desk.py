"""The service desk's form: an agent logs an incident for a caller (phone, walk-in, e-mail...).

The incident and its files are created in one transaction through `create_incident`, so a
refused file leaves no half-made incident, and routing applies when no group is chosen.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from incidents import services
from incidents.forms import ChoiceLists, NewIncidentForm, find_caller, person
from incidents.models import Incident
from incidents.views.common import add_service_errors, staff_required
from itsm.core.services import activity


@staff_required
def new_incident(request: HttpRequest) -> HttpResponse:
    """GET: the blank form (a caller may be named in `?caller=`). POST: log the incident."""
    lists = ChoiceLists.load()
    if request.method != "POST":
        initial = {"caller": request.GET.get("caller", "")[:254]}
        return _page(request, NewIncidentForm(lists=lists, initial=initial))
    form = NewIncidentForm(request.POST, request.FILES, lists=lists)
    incident = _create(request, form) if form.is_valid() else None
    if incident is None:
        return _page(request, form, status=400)
    caller = person(incident.requester)
    messages.success(request, f"{incident.number} was logged for {caller}. Quote this number to the caller.")
    return HttpResponseRedirect(incident.get_absolute_url())


def _create(request: HttpRequest, form: NewIncidentForm) -> Incident | None:
    try:
        with transaction.atomic():
            incident = services.create_incident(actor=request.user, **form.service_arguments())
            for upload in form.cleaned_data["attachments"]:
                activity.add_attachment(incident, upload, actor=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"attachments": error.error_dict["file"]})
        if hasattr(error, "error_dict") and "requester" in error.error_dict:
            error = ValidationError({"caller": error.error_dict["requester"]})
        add_service_errors(form, error)
        return None
    return incident


def _page(request: HttpRequest, form: NewIncidentForm, status: int = 200) -> HttpResponse:
    """The form, with the caller's card when the form already names a known person."""
    typed = form["caller"].value() or ""
    caller = find_caller(str(typed)) if typed else None
    context = {"form": form, "lists": form.lists, **caller_context(request, caller)}
    return render(request, "incidents/new.html", context, status=status)


#: The caller's open incidents shown beside the form (is this call about one of them?).
CALLER_OPEN_SHOWN = 5


def caller_context(request: HttpRequest, caller) -> dict:
    """What the caller card shows: who they are, VIP or not, and what they already have open."""
    if caller is None:
        return {"caller": None, "caller_open": []}
    visible = Incident.objects.visible_to(request.user)
    open_incidents = visible.filter(requester=caller).active().order_by("-opened_at")[:CALLER_OPEN_SHOWN]
    return {"caller": caller, "caller_open": list(open_incidents)}
