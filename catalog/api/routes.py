"""Registers the catalog endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from catalog.api import configuration as config
from catalog.api.views import (
    CatalogItemViewSet,
    CategoryViewSet,
    FulfilmentTaskViewSet,
    RequestItemViewSet,
    RequestViewSet,
)


def register(router: DefaultRouter) -> None:
    router.register("catalog/categories", CategoryViewSet, basename="catalog-category")
    router.register("catalog/items", CatalogItemViewSet, basename="catalog-item")
    router.register("requests", RequestViewSet, basename="request")
    router.register("request-items", RequestItemViewSet, basename="request-item")
    router.register("fulfilment-tasks", FulfilmentTaskViewSet, basename="fulfilment-task")
    router.register("catalog/variables", config.VariableViewSet, basename="catalog-variable")
    router.register("catalog/approval-steps", config.ApprovalStepViewSet, basename="catalog-approval-step")
    router.register(
        "catalog/fulfilment-steps", config.FulfilmentStepViewSet, basename="catalog-fulfilment-step"
    )
    router.register("catalog/item-versions", config.ItemVersionViewSet, basename="catalog-item-version")
