"""Routing rules and assignment within a group."""

import copy

from django.db.models import Count, F, Max, Q

from incidents.choices import AssignmentMethod
from incidents.models import Incident, RoutingRule
from itsm.core import configcache
from itsm.core.choices import StateCategory

#: The process's copy of the active rules (see `itsm.core.configcache`); forgotten when a rule changes.
RULES_CACHE = "incidents.routing-rules"


def route(incident: Incident) -> RoutingRule | None:
    """Apply the first matching active rule to an unsaved incident; returns the rule used."""
    for rule in active_rules():
        if rule.matches(incident):
            # A copy: the cached rule's team instance is shared by every request of the process.
            incident.assignment_group = copy.copy(rule.assignment_group)
            if rule.priority:
                incident.priority = rule.priority
            incident.assignee = pick_assignee(rule.assignment_group, rule.assignment_method)
            return rule
    return None


def active_rules() -> list[RoutingRule]:
    """The active rules in their order, with their teams: the process's copy."""
    rules = RoutingRule.objects.filter(is_active=True).select_related("assignment_group")
    return configcache.cached(RULES_CACHE, lambda: list(rules))


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
