"""In-place edits on the record page (htmx), with a plain-page fallback when scripts are off.

"Edit" swaps a field's value for its form; "Save" sends the field and the version the page
was rendered with. On success the value comes back in place, with the header badges and the
timeline refreshed out of band and the page told the new version (`itsm:version`), so every
other form on the page carries it. A stale save comes back as the form, showing the newer
value, and carrying the current version: saving again is then a deliberate overwrite.
"""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from incidents import services
from incidents.forms import EDIT_FORMS, AssignForm, ChoiceLists, ListsForm
from incidents.models import Incident
from incidents.views.common import call_service, staff_required, visible_incident

#: Every in-place group: the field edits of `update_incident`, and the assignment.
FIELDS: dict[str, tuple[type[forms.Form], str]] = {**EDIT_FORMS, "assignment": (AssignForm, "Assignment")}


def _spec(field: str) -> tuple[type[forms.Form], str]:
    if field not in FIELDS:
        raise Http404
    return FIELDS[field]


def _initial(incident: Incident, field: str) -> dict:
    values = {
        "title": {"title": incident.title},
        "description": {"description": incident.description},
        "category": {"category": incident.category_id, "subcategory": incident.subcategory_id},
        "service": {"service": incident.service_id},
        "ci": {"configuration_item": incident.configuration_item.name if incident.configuration_item else ""},
        "impact": {"impact": incident.impact, "urgency": incident.urgency},
        "assignment": {"assignment_group": incident.assignment_group_id, "assignee": incident.assignee_id},
    }[field]
    return {**values, "expected_version": incident.version}


def _form(form_class: type[forms.Form], **kwargs) -> forms.Form:
    if issubclass(form_class, ListsForm):
        kwargs["lists"] = ChoiceLists.load()
    return form_class(**kwargs)


def _context(incident: Incident, field: str, form: forms.Form | None = None, **extra) -> dict:
    return {"incident": incident, "field": field, "label": FIELDS[field][1], "form": form, **extra}


@staff_required
def show_field(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """A field's value with its Edit button (what "Cancel" goes back to)."""
    _spec(field)
    incident = visible_incident(request, pk)
    return render(request, "incidents/_field.html", _context(incident, field))


@staff_required
def edit_field(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """GET: the field's form. POST: save it through the service."""
    form_class, _label = _spec(field)
    incident = visible_incident(request, pk)
    if request.method == "GET":
        return _edit_form(request, incident, field, _form(form_class, initial=_initial(incident, field)))
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = _form(form_class, data=request.POST)
    if not form.is_valid():
        return _edit_form(request, incident, field, form, status=400)
    outcome = call_service(form, _save, field, incident, request.user, form)
    if outcome.stale:
        return _stale(request, pk, field, form, outcome.status)
    if not outcome.ok:
        return _edit_form(request, incident, field, form, status=outcome.status)
    return _saved(request, outcome.value, field)


def _save(field: str, incident: Incident, actor, form: forms.Form) -> Incident:
    version = form.cleaned_data["expected_version"]
    if field == "assignment":
        return services.assign_incident(
            incident,
            actor=actor,
            group=form.cleaned_data["assignment_group"],
            assignee=form.cleaned_data["assignee"],
            expected_version=version,
        )
    return services.update_incident(incident, actor=actor, changes=form.changes(), expected_version=version)


def _edit_form(
    request: HttpRequest, incident: Incident, field: str, form: forms.Form, *, status: int = 200, **extra
) -> HttpResponse:
    """The form alone for htmx; a small page of its own without scripts."""
    template = "incidents/_edit_form.html" if request.htmx else "incidents/edit_field.html"
    return render(request, template, _context(incident, field, form, **extra), status=status)


def _stale(request: HttpRequest, pk: int, field: str, form: forms.Form, status: int) -> HttpResponse:
    """The form again, showing what the field holds now, and carrying the current version."""
    current = visible_incident(request, pk)
    data = form.data.copy()
    data["expected_version"] = str(current.version)
    form.data = data
    return _edit_form(request, current, field, form, status=status, current=current)


def _saved(request: HttpRequest, incident: Incident, field: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, f"{FIELDS[field][1]} saved.")
        return HttpResponseRedirect(incident.get_absolute_url())
    context = _context(incident, field, timeline=list(incident.timeline.select_related("actor")))
    response = render(request, "incidents/_edit_saved.html", context)
    response["HX-Trigger"] = json.dumps({"itsm:version": {"value": incident.version}})
    return response
