"""Registers the SLA app's API endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from itsm.sla.api.views import CalendarViewSet, SLAClockViewSet, SLADefinitionViewSet


def register(router: DefaultRouter) -> None:
    """Calendars and definitions (configuration), and the clocks of tasks."""
    router.register("sla-calendars", CalendarViewSet, basename="sla-calendar")
    router.register("sla-definitions", SLADefinitionViewSet, basename="sla-definition")
    router.register("sla-clocks", SLAClockViewSet, basename="sla-clock")
