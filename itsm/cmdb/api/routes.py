"""Registers the CMDB's API endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from itsm.cmdb.api.views import CIRelationshipViewSet, ConfigurationItemViewSet, ServiceViewSet


def register(router: DefaultRouter) -> None:
    """Services, configuration items (with impact) and relationships."""
    router.register("services", ServiceViewSet, basename="service")
    router.register("cis", ConfigurationItemViewSet, basename="ci")
    router.register("ci-relationships", CIRelationshipViewSet, basename="ci-relationship")
