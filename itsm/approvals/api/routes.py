"""Registers the approval endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from itsm.approvals.api.views import ApprovalViewSet


def register(router: DefaultRouter) -> None:
    router.register("approvals", ApprovalViewSet, basename="approval")
