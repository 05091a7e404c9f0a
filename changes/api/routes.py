"""Registers the change endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from changes.api.views import ChangeTaskViewSet, ChangeViewSet


def register(router: DefaultRouter) -> None:
    router.register("changes", ChangeViewSet, basename="change")
    router.register("change-tasks", ChangeTaskViewSet, basename="change-task")
