"""Registers the improvement register's endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from improvements.api.views import InitiativeViewSet


def register(router: DefaultRouter) -> None:
    router.register("improvements", InitiativeViewSet, basename="improvement")
