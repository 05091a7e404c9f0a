"""Raising an incident: numbering, priority, routing, timeline, notifications — in one transaction."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.choices import ContactType
from incidents.models import Category, Incident
from incidents.priority import priority_for
from incidents.routing import route
from incidents.services.common import notify, notify_team
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core import roles
from itsm.core.choices import Impact, TaskKind, TimelineKind, Urgency
from itsm.core.models import Team
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event
from itsm.sla.services import attach_clocks


def create_incident(
    *,
    actor: User,
    title: str,
    description: str = "",
    requester: User | None = None,
    service: Service | None = None,
    configuration_item: ConfigurationItem | None = None,
    category: Category | None = None,
    subcategory: Category | None = None,
    impact: int = Impact.MEDIUM,
    urgency: int = Urgency.MEDIUM,
    contact_type: str = ContactType.PORTAL,
    assignment_group: Team | None = None,
    assignee: User | None = None,
) -> Incident:
    """Open an incident for `requester` (an end user always raises for themselves)."""
    staff = roles.is_staff_member(actor)
    if not staff:
        requester, assignment_group, assignee = actor, None, None
    requester = requester or actor
    incident = Incident(
        kind=TaskKind.INCIDENT,
        title=" ".join(title.split())[:250],
        description=description.strip(),
        requester=requester,
        service=service,
        configuration_item=configuration_item,
        category=category,
        subcategory=subcategory,
        impact=impact,
        urgency=urgency,
        contact_type=contact_type,
        assignment_group=assignment_group,
        assignee=assignee,
        state=INCIDENT_WORKFLOW.initial,
        state_category=INCIDENT_WORKFLOW.category_of(INCIDENT_WORKFLOW.initial),
    )
    _validate(incident)
    incident.priority = priority_for(impact, urgency)
    with transaction.atomic():
        routed_by = route(incident) if assignment_group is None else None
        incident.number = next_number(TaskKind.INCIDENT)
        incident.save()
        record_event(incident, "incident.created", actor=actor, kind=TimelineKind.SYSTEM, is_public=True)
        if routed_by:  # internal: requesters need not see the desk's routing rules
            record_event(incident, "incident.routed", actor=None, body=f"Routed by rule “{routed_by}”.")
        attach_clocks(incident)
        _notify_created(incident)
    return incident


def _validate(incident: Incident) -> None:
    errors = {}
    if not incident.title:
        errors["title"] = "Say in a few words what is wrong."
    if incident.subcategory and incident.subcategory.parent_id != incident.category_id:
        errors["subcategory"] = "This subcategory belongs to another category."
    if (
        incident.assignee
        and incident.assignment_group
        and not incident.assignment_group.members.filter(pk=incident.assignee.pk).exists()
    ):
        errors["assignee"] = f"{incident.assignee} is not a member of {incident.assignment_group}."
    if incident.requester and not incident.requester.is_active:
        errors["requester"] = "This person's account is inactive."
    if errors:
        raise ValidationError(errors)


def _notify_created(incident: Incident) -> None:
    notify(
        incident.requester,
        incident,
        f"We received your incident {incident.number}",
        "We will get back to you as soon as possible.",
        key="created",
    )
    if incident.assignee_id:
        notify(
            incident.assignee,
            incident,
            f"{incident.number} was assigned to you",
            key=f"assigned:v{incident.version}",
        )
    else:
        notify_team(
            incident, f"New incident waiting in {incident.assignment_group}: {incident.title}", key="created"
        )
