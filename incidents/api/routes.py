"""Registers the incident endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from incidents.api.views import IncidentViewSet


def register(router: DefaultRouter) -> None:
    router.register("incidents", IncidentViewSet, basename="incident")
