"""Registers the incident endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from incidents.api import configuration as config
from incidents.api.views import IncidentViewSet


def register(router: DefaultRouter) -> None:
    router.register("incidents", IncidentViewSet, basename="incident")
    router.register("incident-categories", config.CategoryViewSet, basename="incident-category")
    router.register("priority-rules", config.PriorityRuleViewSet, basename="priority-rule")
    router.register("routing-rules", config.RoutingRuleViewSet, basename="routing-rule")
    router.register("incident-ratings", config.RatingViewSet, basename="incident-rating")
