"""Catalog item configuration, read-only over the API (designed in the admin, which versions it).
An item's variables are also in its detail as `form`; these endpoints add the workflow steps."""

from catalog.models import ApprovalStep, FulfilmentStep, ItemVersion, Variable
from itsm.api.viewsets import configuration_viewset

VariableViewSet = configuration_viewset(
    Variable.objects.all(),
    name="CatalogVariable",
    doc="The variables (form fields) of the items you may order.",
    read_roles=None,
    visible_through="item",
    filterset_fields=("item",),
    ordering="order",
    ordering_fields=("order", "id"),
)
ApprovalStepViewSet = configuration_viewset(
    ApprovalStep.objects.all(),
    name="CatalogApprovalStep",
    doc="The approval steps an item's requests go through, for staff.",
    filterset_fields=("item",),
    ordering="order",
    ordering_fields=("order", "id"),
)
FulfilmentStepViewSet = configuration_viewset(
    FulfilmentStep.objects.all(),
    name="CatalogFulfilmentStep",
    doc="The fulfilment tasks an item's requests create, in stages by `order`, for staff.",
    filterset_fields=("item",),
    ordering="order",
    ordering_fields=("order", "id"),
)
ItemVersionViewSet = configuration_viewset(
    ItemVersion.objects.all(),
    name="CatalogItemVersion",
    doc="Published versions of items (the snapshot each request item was ordered against), for staff.",
    filterset_fields=("item",),
    ordering="-id",
    ordering_fields=("id", "number"),
)
