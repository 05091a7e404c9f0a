"""Registers the supplier endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from suppliers.api.views import ContractViewSet, EngagementViewSet, SupplierViewSet


def register(router: DefaultRouter) -> None:
    router.register("suppliers", SupplierViewSet, basename="supplier")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("supplier-engagements", EngagementViewSet, basename="supplier-engagement")
