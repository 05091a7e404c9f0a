"""Form posts from the record page: moves, assign to me, replies, files, watching, links, major.

Each handler resolves the incident, validates its form, calls one service and redirects back
to the record (so a reload never posts twice). A refusal re-renders the page with the form
still filled in and the reason on it; a stale version also shows the newer values, and the
form now carries the current version, so sending it again is a decision, never an accident.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from incidents import services
from incidents.forms import (
    MOVE_FORMS,
    AttachmentForm,
    DecideMajorForm,
    LinkForm,
    ParentForm,
    ProposeMajorForm,
    ReplyForm,
    VersionedForm,
)
from incidents.models import Incident
from incidents.views.common import (
    Outcome,
    call_service,
    safe_next,
    staff_required,
    stale_summary,
    visible_incident,
)
from incidents.views.record import links_context, render_record
from itsm.core.filtersets import MAX_ID
from itsm.core.models import Task, TaskLink
from itsm.core.services import activity


def _start(incident: Incident, actor, data: dict) -> Incident:
    return services.start_incident(incident, actor=actor, expected_version=data["expected_version"])


def _hold(incident: Incident, actor, data: dict) -> Incident:
    return services.hold_incident(
        incident, actor=actor, reason=data["reason"], expected_version=data["expected_version"]
    )


def _resolve(incident: Incident, actor, data: dict) -> Incident:
    return services.resolve_incident(
        incident,
        actor=actor,
        resolution_code=data["resolution_code"],
        notes=data["notes"],
        expected_version=data["expected_version"],
    )


def _close(incident: Incident, actor, data: dict) -> Incident:
    return services.close_incident(incident, actor=actor, expected_version=data["expected_version"])


def _reopen(incident: Incident, actor, data: dict) -> Incident:
    return services.reopen_incident(
        incident, actor=actor, reason=data["reason"], expected_version=data["expected_version"]
    )


def _cancel(incident: Incident, actor, data: dict) -> Incident:
    return services.cancel_incident(
        incident, actor=actor, reason=data["reason"], expected_version=data["expected_version"]
    )


#: move → (the service call, given the record, the actor and the form's data; what to say when done)
MOVES: dict[str, tuple[Callable, str]] = {
    "start": (_start, "Work started."),
    "hold": (_hold, "The incident is on hold."),
    "resolve": (_resolve, "Resolved. The requester was told and can confirm or reopen it."),
    "close": (_close, "Closed."),
    "reopen": (_reopen, "Reopened."),
    "cancel": (_cancel, "Cancelled."),
}


def _done(request: HttpRequest, incident: Incident, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(incident.get_absolute_url() + anchor)


def _refused(request: HttpRequest, pk: int, key: str, form: forms.Form, outcome: Outcome) -> HttpResponse:
    """Back to the record with the form still filled in; a stale form also learns the current version."""
    fresh = visible_incident(request, pk)
    if outcome.stale:
        form.add_error(None, f"Your change was not saved. {stale_summary(fresh)}")
        _carry_version(form, fresh.version)
    return render_record(request, fresh, bound={key: form}, status=outcome.status)


def _carry_version(form: forms.Form, version: int) -> None:
    """Let a re-shown form send the version the person is now looking at."""
    data = form.data.copy()
    data["expected_version"] = str(version)
    form.data = data


def _invalid(request: HttpRequest, incident: Incident, key: str, form: forms.Form) -> HttpResponse:
    return render_record(request, incident, bound={key: form}, status=400)


@require_POST
@staff_required
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A workflow move (start, hold, resolve, close, reopen, cancel) with the inputs it needs."""
    if name not in MOVES:
        raise Http404
    incident = visible_incident(request, pk)
    form = MOVE_FORMS[name](request.POST)
    if not form.is_valid():
        return _invalid(request, incident, f"move:{name}", form)
    call, done = MOVES[name]
    outcome = call_service(form, call, incident, request.user, form.cleaned_data)
    if not outcome.ok:
        return _refused(request, pk, f"move:{name}", form, outcome)
    return _done(request, incident, done)


@require_POST
@staff_required
def assign_to_me(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the incident: keep its group when I am in it, else my first group."""
    incident = visible_incident(request, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _invalid(request, incident, "assign-me", form)
    group = incident.assignment_group
    if group is not None and not group.members.filter(pk=request.user.pk).exists():
        group = None
    outcome = call_service(
        form,
        services.assign_incident,
        incident,
        actor=request.user,
        group=group,
        assignee=request.user,
        expected_version=form.cleaned_data["expected_version"],
    )
    if not outcome.ok:
        return _refused(request, pk, "assign-me", form, outcome)
    messages.success(request, f"{incident.number} is assigned to you.")
    return HttpResponseRedirect(safe_next(request, incident.get_absolute_url()))


@require_POST
@staff_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A public reply or an internal work note."""
    incident = visible_incident(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, incident, "reply", form)
    outcome = call_service(
        form,
        services.add_reply,
        incident,
        actor=request.user,
        body=form.cleaned_data["body"],
        public=form.is_public,
    )
    if not outcome.ok:
        return _refused(request, pk, "reply", form, outcome)
    done = "Your reply was sent to the requester." if form.is_public else "Your work note was added."
    return _done(request, incident, done, "#timeline")


@require_POST
@staff_required
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file; the attachment service checks its size and type."""
    incident = visible_incident(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, incident, "attach", form)
    outcome = call_service(
        form,
        activity.add_attachment,
        incident,
        form.cleaned_data["file"],
        actor=request.user,
        is_public=form.cleaned_data["is_public"],
    )
    if not outcome.ok:
        return _refused(request, pk, "attach", form, outcome)
    return _done(request, incident, f"{outcome.value.filename} was attached.", "#attachments")


@require_POST
@staff_required
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    """Start or stop watching (watchers hear about public replies), through the core service."""
    incident = visible_incident(request, pk)
    watching = request.POST.get("watch") == "1"
    activity.set_watching(incident, actor=request.user, watching=watching)
    message = "You are watching this incident." if watching else "You no longer watch this incident."
    return _done(request, incident, message)


@require_POST
@staff_required
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link another record (problem, change, incident...) by its number."""
    incident = visible_incident(request, pk)
    form = LinkForm(request.POST, visible=Task.objects.visible_to(request.user))
    if not form.is_valid():
        return _invalid(request, incident, "link", form)
    target, kind = form.cleaned_data["number"], form.cleaned_data["kind"]
    outcome = call_service(form, activity.link_tasks, incident, target, kind, actor=request.user)
    if not outcome.ok:
        return _refused(request, pk, "link", form, outcome)
    return _done(request, incident, f"Linked to {target.number}.", "#links")


@require_POST
@staff_required
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Remove one link of the record; htmx gets the refreshed panel and timeline in place."""
    incident = visible_incident(request, pk)
    if not 0 < link_pk <= MAX_ID:
        raise Http404
    links = TaskLink.objects.select_related("source", "target").filter(
        Q(source=incident.pk) | Q(target=incident.pk)
    )
    link = get_object_or_404(links, pk=link_pk)
    other = link.target if link.source_id == incident.pk else link.source
    services.unlink_record(incident, link, actor=request.user)
    message = f"The link to {other.number} was removed."
    if not request.htmx:
        return _done(request, incident, message, "#links")
    context = {
        **links_context(incident, {}),
        "incident": incident,
        "unlinked": message,
        "timeline": list(incident.timeline.select_related("actor")),
    }
    return render(request, "incidents/_links_saved.html", context)


@require_POST
@staff_required
def set_parent(request: HttpRequest, pk: int) -> HttpResponse:
    """Set, change or (with an empty number) clear the parent incident."""
    incident = visible_incident(request, pk)
    form = ParentForm(request.POST, visible=Incident.objects.visible_to(request.user))
    if not form.is_valid():
        return _invalid(request, incident, "parent", form)
    parent = form.cleaned_data["parent"]
    outcome = call_service(
        form,
        services.set_parent,
        incident,
        parent,
        actor=request.user,
        expected_version=form.cleaned_data["expected_version"],
    )
    if not outcome.ok:
        return _refused(request, pk, "parent", form, outcome)
    message = f"Now a child of {parent.number}." if parent else "The parent incident was cleared."
    return _done(request, incident, message, "#links")


@require_POST
@staff_required
def propose_major(request: HttpRequest, pk: int) -> HttpResponse:
    incident = visible_incident(request, pk)
    form = ProposeMajorForm(request.POST)
    if not form.is_valid():
        return _invalid(request, incident, "propose", form)
    outcome = call_service(
        form,
        services.propose_major,
        incident,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["expected_version"],
    )
    if not outcome.ok:
        return _refused(request, pk, "propose", form, outcome)
    return _done(request, incident, "Proposed as a major incident. A manager decides.")


@require_POST
@staff_required
def decide_major(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager accepts (the portal shows a banner for the service) or rejects the proposal."""
    incident = visible_incident(request, pk)
    form = DecideMajorForm(request.POST)
    if not form.is_valid():
        return _invalid(request, incident, "decide", form)
    accept = form.cleaned_data["decision"] == "accept"
    outcome = call_service(
        form,
        services.decide_major,
        incident,
        actor=request.user,
        accept=accept,
        note=form.cleaned_data["note"],
        expected_version=form.cleaned_data["expected_version"],
    )
    if not outcome.ok:
        return _refused(request, pk, "decide", form, outcome)
    return _done(request, incident, "Accepted as a major incident." if accept else "Major incident rejected.")
