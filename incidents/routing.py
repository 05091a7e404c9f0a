"""Routing rules and assignment within a group."""

from django.db.models import Count, F, Max, Q

from incidents.choices import AssignmentMethod
from incidents.models import Incident, RoutingRule
from itsm.core.choices import StateCategory


def route(incident: Incident) -> RoutingRule | None:
    """Apply the first matching active rule to an unsaved incident; returns the rule used."""
    for rule in RoutingRule.objects.filter(is_active=True).select_related("assignment_group"):
        if rule.matches(incident):
            incident.assignment_group = rule.assignment_group
            if rule.priority:
                incident.priority = rule.priority
            incident.assignee = pick_assignee(rule.assignment_group, rule.assignment_method)
            return rule
    return None


def pick_assignee(team, method: str):
    """The member who gets the next incident: none (manual), round-robin or least loaded."""
    if method == AssignmentMethod.MANUAL:
        return None
    members = team.members.filter(is_active=True)
    if method == AssignmentMethod.LEAST_LOADED:
        active = Q(assigned_tasks__state_category__in=StateCategory.active())
        return members.annotate(load=Count("assigned_tasks", filter=active)).order_by("load", "pk").first()
    # round robin: whoever was given work least recently (never first)
    last = Max("assigned_tasks__opened_at", filter=Q(assigned_tasks__assignment_group=team))
    return members.annotate(last_given=last).order_by(F("last_given").asc(nulls_first=True), "pk").first()
