"""The incident record page for agents: everything about one incident, and every way to work it.

The page itself runs a fixed number of queries whatever the incident's history: the record
with its related rows, then one query each for the timeline, attachments, watchers, links,
child incidents and ratings. Selects that need long choice lists (reassigning, changing the
service) are loaded only when an agent opens that edit, so reading a record stays cheap.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from incidents.choices import MajorIncidentState
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
from incidents.presence import INTERVAL
from incidents.views.common import visible_incident
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.core import roles
from itsm.core.models import Task, TaskLink
from itsm.core.views.workspace import task_detail as generic_task_page
from itsm.core.workflow import Transition
from itsm.sla.presentation import clock_views

#: Child incidents listed on a parent's page (a major incident may have hundreds).
CHILDREN_SHOWN = 50


#: Stand-ins for the inputs a move's form asks for. The workflow's guards check fields such
#: as the hold reason, which the form fills in; to decide which buttons to offer, the page
#: asks the workflow about a copy of the record with these filled in.
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Agents get the record page; requesters are sent to the portal's view of their incident."""
    incident = _incident_or_redirect(request, pk)
    if isinstance(incident, HttpResponse):
        return incident
    if not roles.is_staff_member(request.user):
        return HttpResponseRedirect(reverse("incident:portal-detail", args=[incident.pk]))
    return render_record(request, incident)


def _incident_or_redirect(request: HttpRequest, pk: int) -> Incident | HttpResponse:
    """The incident, or — for a bare task of kind "incident" made before this app — the generic page."""
    try:
        return visible_incident(request, pk)
    except Http404:
        if Task.objects.visible_to(request.user).filter(pk=pk, incident__isnull=True).exists():
            return generic_task_page(request, pk)
        raise


def available_moves(incident: Incident) -> list[Transition]:
    """The workflow moves to offer as buttons; moves that need input (a hold reason) come with a form."""
    return INCIDENT_WORKFLOW.available(incident)


def render_record(
    request: HttpRequest, incident: Incident, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    """The record page; `bound` replaces blank forms with submitted ones that carry errors."""
    context = record_context(request, incident, bound or {})
    return render(request, "incidents/detail.html", context, status=status)


def record_context(request: HttpRequest, incident: Incident, bound: dict) -> dict:
    user = request.user
    version = {"expected_version": incident.version}
    watchers = list(incident.watchers.order_by("first_name", "last_name", "username"))
    return {
        **links_context(incident, bound),
        "incident": incident,
        "moves": _moves(incident, bound, version),
        "open_move": next((key[5:] for key in bound if key.startswith("move:")), ""),
        "timeline": list(incident.timeline.select_related("actor")),
        "attachments": list(incident.attachments.select_related("uploaded_by")),
        "watchers": watchers,
        "watching": any(watcher.pk == user.pk for watcher in watchers),
        "ratings": list(incident.ratings.select_related("rated_by").order_by("-created_at")),
        "reply_form": bound.get("reply") or ReplyForm(),
        "attach_form": bound.get("attach") or AttachmentForm(),
        "assign_me_form": bound.get("assign-me") or VersionedForm(initial=version),
        "major": _major_context(user, incident, bound, version),
        "presence_interval": INTERVAL,
        "sla_clocks": clock_views(incident.pk),
        "is_assignee": incident.assignee_id == user.pk,
    }


def links_context(incident: Incident, bound: dict) -> dict:
    """The related-records panel: parent form, child incidents, links with their unlink controls."""
    children = list(incident.children.select_related("assignee").order_by("opened_at")[: CHILDREN_SHOWN + 1])
    parent_initial = {"expected_version": incident.version, "parent": getattr(incident.parent, "number", "")}
    return {
        "links": _links(incident),
        "children": children[:CHILDREN_SHOWN],
        "more_children": len(children) > CHILDREN_SHOWN,
        "link_form": bound.get("link") or LinkForm(),
        "parent_form": bound.get("parent") or ParentForm(initial=parent_initial),
    }


def _moves(incident: Incident, bound: dict, version: dict) -> list[tuple[Transition, object]]:
    """Each offered move with its form; a refused move stays on the page with the reason on its form."""
    moves = available_moves(incident)
    refused = [
        INCIDENT_WORKFLOW.transitions[key[5:]]
        for key in bound
        if key.startswith("move:") and INCIDENT_WORKFLOW.transitions[key[5:]] not in moves
    ]
    return [
        (move, bound.get(f"move:{move.name}") or MOVE_FORMS[move.name](initial=version))
        for move in [*moves, *refused]
    ]


def _links(incident: Incident) -> list[dict]:
    """Links to and from the record in one query, each read from this record's side."""
    rows = TaskLink.objects.filter(Q(source=incident.pk) | Q(target=incident.pk)).select_related(
        "source", "target"
    )
    links = []
    for link in rows.order_by("created_at", "pk"):
        outgoing = link.source_id == incident.pk
        links.append(
            {
                "pk": link.pk,
                "label": link.get_kind_display() if outgoing else f"{link.get_kind_display()} this",
                "other": link.target if outgoing else link.source,
            }
        )
    return links


def _major_context(user, incident: Incident, bound: dict, version: dict) -> dict:
    """Which major-incident form to offer: propose (agents), decide (managers), or none."""
    state = incident.major_state
    can_propose = incident.is_active and state not in (
        MajorIncidentState.PROPOSED,
        MajorIncidentState.ACCEPTED,
    )
    can_decide = state == MajorIncidentState.PROPOSED and roles.has_role(
        user, roles.Role.MANAGER, roles.Role.ADMIN
    )
    return {
        "badge_colour": MajorIncidentState.colour(state),
        "propose_form": bound.get("propose") or (ProposeMajorForm(initial=version) if can_propose else None),
        "decide_form": bound.get("decide") or (DecideMajorForm(initial=version) if can_decide else None),
    }
