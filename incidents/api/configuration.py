"""Incident configuration, read-only over the API (it is edited in the admin, which validates it)."""

from incidents.models import Category, PriorityRule, Rating, RoutingRule
from itsm.api.viewsets import configuration_viewset
from itsm.core.roles import OVERSIGHT_ROLES

CategoryViewSet = configuration_viewset(
    Category.objects.all(),
    name="IncidentCategory",
    doc="Incident categories and subcategories (`parent`); every signed-in user picks from them.",
    read_roles=None,
    filterset_fields=("parent", "is_active"),
    ordering="name",
    ordering_fields=("name", "id"),
)
PriorityRuleViewSet = configuration_viewset(
    PriorityRule.objects.all(),
    name="PriorityRule",
    doc="The priority matrix: the priority each impact × urgency pair gives.",
    filterset_fields=("impact", "urgency"),
)
RoutingRuleViewSet = configuration_viewset(
    RoutingRule.objects.all(),
    name="RoutingRule",
    doc="Assignment rules, first match by `order` wins (managers and admins).",
    read_roles=OVERSIGHT_ROLES,
    filterset_fields=("is_active", "assignment_group", "service"),
    ordering="order",
    ordering_fields=("order", "id"),
)
RatingViewSet = configuration_viewset(
    Rating.objects.all(),
    name="IncidentRating",
    doc="Requesters' ratings of resolutions (managers and admins); rate with POST incidents/{id}/rating/.",
    read_roles=OVERSIGHT_ROLES,
    filterset_fields=("incident", "score"),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
