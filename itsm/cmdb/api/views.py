"""CMDB API: services, configuration items (with impact), and the relationships between CIs.

Reads start from `visible_to` (every signed-in user sees services; only staff see CIs and
relationships). Writes need the administrator role (the platform's default write roles),
and relationships are created and deleted only through `itsm.cmdb.services`.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from itsm.api.errors import BadQuery
from itsm.api.viewsets import VisibleModelViewSet, VisibleViewSetMixin
from itsm.cmdb.api.serializers import (
    CIRelationshipSerializer,
    CIRelationshipsSerializer,
    ConfigurationItemSerializer,
    ImpactSerializer,
    ServiceSerializer,
)
from itsm.cmdb.filtersets import CIRelationshipFilterSet, ConfigurationItemFilterSet, ServiceFilterSet
from itsm.cmdb.impact import impact_of
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service
from itsm.cmdb.services import EDITOR_ROLES, relate_cis, unrelate_cis

DEFAULT_LIMIT, MAX_LIMIT = 200, 1000

LIMIT_PARAMETER = OpenApiParameter(
    "limit",
    int,
    description=f"How many CIs (or relationships per direction) to return, 1-{MAX_LIMIT}; "
    f"default {DEFAULT_LIMIT}.",
)


class ServiceViewSet(VisibleModelViewSet):
    """Services, for everyone signed in; created and edited by administrators."""

    queryset = Service.objects.select_related("owner_team").prefetch_related(
        Prefetch("depends_on", queryset=Service.objects.only("id")),
        Prefetch("dependants", queryset=Service.objects.only("id")),
        Prefetch("components", queryset=ConfigurationItem.objects.only("id")),
    )
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    write_roles = EDITOR_ROLES
    ordering = "name"
    ordering_fields = ("name", "criticality", "operational_status", "updated_at")


class ConfigurationItemViewSet(VisibleModelViewSet):
    """Configuration items, for staff; created and edited by administrators."""

    queryset = ConfigurationItem.objects.select_related("owner_team").prefetch_related(
        Prefetch("services", queryset=Service.objects.only("id"))
    )
    serializer_class = ConfigurationItemSerializer
    filterset_class = ConfigurationItemFilterSet
    write_roles = EDITOR_ROLES
    ordering = "name"
    ordering_fields = ("name", "ci_class", "status", "environment", "updated_at")
    #: Query parameters allowed besides the filters; the detail actions set their own.
    extra_query_params: tuple[str, ...] = ()

    @extend_schema(parameters=[LIMIT_PARAMETER], responses=ImpactSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, extra_query_params=("limit",))
    def impact(self, request: Request, pk=None) -> Response:
        """Every service that fails with this CI, and the nearest affected CIs, with depths."""
        ci = self.get_object()
        result = impact_of(ci, ci_limit=_limit(request))
        data = {
            "ci": ci.pk,
            "services": result.services,
            "cis": result.cis,
            "ci_total": result.ci_total,
            "truncated": result.truncated,
        }
        return Response(ImpactSerializer(data).data)

    @extend_schema(parameters=[LIMIT_PARAMETER], responses=CIRelationshipsSerializer)
    @action(detail=True, methods=["get"], filterset_class=None, extra_query_params=("limit",))
    def relationships(self, request: Request, pk=None) -> Response:
        """Direct relationships both ways; page through all of them at /ci-relationships/?ci=<id>."""
        ci = self.get_object()
        limit = _limit(request)
        related = CIRelationship.objects.select_related("source", "target", "created_by")
        outgoing = related.filter(source=ci).order_by("target__name", "id")
        incoming = related.filter(target=ci).order_by("source__name", "id")
        data = {
            "outgoing": outgoing[:limit],
            "incoming": incoming[:limit],
            "outgoing_total": outgoing.count(),
            "incoming_total": incoming.count(),
        }
        return Response(CIRelationshipsSerializer(data).data)


class CIRelationshipViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """`source <kind> target` edges. Created through `relate_cis` (a cycle is a 400 naming
    the field), never edited (delete and create instead), deleted through `unrelate_cis`."""

    queryset = CIRelationship.objects.select_related("source", "target", "created_by")
    serializer_class = CIRelationshipSerializer
    filterset_class = CIRelationshipFilterSet
    write_roles = EDITOR_ROLES
    ordering = "id"
    ordering_fields = ("id", "created_at")

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        relationship = relate_cis(**serializer.validated_data, actor=request.user)
        return Response(self.get_serializer(relationship).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CIRelationship) -> None:
        unrelate_cis(instance, actor=self.request.user)


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}.") from None
    if not 1 <= value <= MAX_LIMIT:
        raise BadQuery(f"limit must be from 1 to {MAX_LIMIT}.")
    return value
