"""`/api/v1/suppliers/`, `/api/v1/contracts/`, `/api/v1/supplier-engagements/`.

Agents and above read; managers and administrators maintain suppliers and contracts (the
services check it again) and alone see contract values. Every write calls
`suppliers.services`; engagement moves are POST actions.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import VisibleViewSetMixin
from itsm.core.models import Task
from itsm.core.roles import OVERSIGHT_ROLES, STAFF_ROLES
from suppliers import selectors, services
from suppliers.api import serializers as s
from suppliers.filtersets import ContractFilterSet, EngagementFilterSet, SupplierFilterSet
from suppliers.models import AuditEntry, Contract, Supplier, SupplierEngagement
from suppliers.querysets import sees_contract_values
from suppliers.services.documents import require_document_access

#: Change history entries an API answer carries.
HISTORY_ROWS = 200


def _history(entries, request) -> list:
    rows = entries.select_related("actor", "contract").order_by("-created_at", "-pk")[:HISTORY_ROWS]
    context = {"show_values": sees_contract_values(request.user)}
    return s.AuditEntrySerializer(rows, many=True, context=context).data


class _Writes:
    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class SupplierViewSet(
    _Writes,
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Supplier.objects.all()
    serializer_class = s.SupplierSerializer
    filterset_class = SupplierFilterSet
    ordering = "name"
    ordering_fields = ("name", "updated_at")
    read_roles = STAFF_ROLES
    write_roles = OVERSIGHT_ROLES

    @extend_schema(request=s.SupplierSerializer, responses={201: s.SupplierSerializer})
    def create(self, request):
        supplier = services.create_supplier(actor=request.user, **self._valid(s.SupplierSerializer))
        return Response(s.SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SupplierSerializer, responses=s.SupplierSerializer)
    def partial_update(self, request, pk=None):
        supplier = self.get_object()
        changes = self._valid(s.SupplierSerializer, instance=supplier, partial=True)
        supplier = services.update_supplier(supplier, actor=request.user, **changes)
        return Response(s.SupplierSerializer(supplier).data)

    @extend_schema(request=None, responses=s.AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a bounded list, not a page
    def history(self, request, pk=None):
        """The supplier's change history (its contracts' too), newest first, at most 200 entries."""
        entries = AuditEntry.objects.filter(supplier=self.get_object())
        return Response(_history(entries, request))

    @extend_schema(request=None, responses=s.PerformanceSerializer)
    @action(detail=True, methods=["get"])
    def performance(self, request, pk=None):
        """Engagements, underpinning SLA compliance and mean times to response and resolution."""
        supplier = self.get_object()
        figures = selectors.supplier_performance(
            engagements=SupplierEngagement.objects.filter(supplier=supplier)
        )
        return Response(s.PerformanceSerializer(figures.get(supplier.pk, selectors.Performance())).data)


class ContractViewSet(
    _Writes,
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Contract.objects.select_related("supplier").prefetch_related("services", "configuration_items")
    serializer_class = s.ContractSerializer
    filterset_class = ContractFilterSet
    ordering = "reference"
    ordering_fields = ("reference", "end_date", "notice_date", "start_date", "updated_at")
    read_roles = STAFF_ROLES
    write_roles = OVERSIGHT_ROLES

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **s.contract_context(self.request, self)}

    @extend_schema(request=s.ContractSerializer, responses={201: s.ContractSerializer})
    def create(self, request):
        fields = self._valid(s.ContractSerializer)
        contract = services.create_contract(actor=request.user, **fields)
        return self._respond(contract, status.HTTP_201_CREATED)

    @extend_schema(request=s.ContractSerializer, responses=s.ContractSerializer)
    def partial_update(self, request, pk=None):
        contract = self.get_object()
        fields = self._valid(s.ContractSerializer, instance=contract, partial=True)
        contract = services.update_contract(contract, actor=request.user, **fields)
        return self._respond(contract)

    @extend_schema(request=None, responses=s.PerformanceSerializer)
    @action(detail=True, methods=["get"])
    def performance(self, request, pk=None):
        contract = self.get_object()
        figures = selectors.supplier_performance(
            by="contract", engagements=SupplierEngagement.objects.filter(contract=contract)
        )
        return Response(s.PerformanceSerializer(figures.get(contract.pk, selectors.Performance())).data)

    @extend_schema(request=None, responses=s.AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a bounded list, not a page
    def history(self, request, pk=None):
        """The contract's change history, newest first, at most 200 entries."""
        return Response(_history(AuditEntry.objects.filter(contract=self.get_object()), request))

    @extend_schema(request=None, responses=s.DocumentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a bounded list, not a page
    def documents(self, request, pk=None):
        """The contract's documents: managers and administrators only (they carry the terms)."""
        contract = self.get_object()
        require_document_access(request.user)
        rows = contract.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")
        return Response(s.DocumentSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.DocumentUploadSerializer}, responses={201: s.DocumentSerializer}
    )
    @documents.mapping.post
    def add_document(self, request, pk=None):
        contract = self.get_object()
        upload = self._valid(s.DocumentUploadSerializer)["file"]
        document = services.add_document(contract, upload, actor=request.user)
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def _respond(self, contract: Contract, code: int = status.HTTP_200_OK) -> Response:
        contract = self.get_queryset().get(pk=contract.pk)
        return Response(
            s.ContractSerializer(contract, context=self.get_serializer_context()).data, status=code
        )


class EngagementViewSet(
    _Writes,
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Supplier engagements; `respond`, `resolve`, `reopen`, `close`, `withdraw` and `end` are the moves."""

    queryset = SupplierEngagement.objects.select_related(
        "record", "supplier", "contract", "assignee"
    ).prefetch_related("sla_clocks__definition")
    serializer_class = s.EngagementSerializer
    filterset_class = EngagementFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "priority", "number")
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=s.EngageSerializer, responses={201: s.EngagementSerializer})
    def create(self, request):
        data = self._valid(s.EngageSerializer)
        record = get_object_or_404(Task.objects.visible_to(request.user), pk=data.pop("record").pk)
        engagement = services.engage_supplier(record, actor=request.user, **data)
        return self._respond(engagement, status.HTTP_201_CREATED)

    def _move(self, name: str) -> Response:
        data = self._valid(s.EngagementMoveSerializer)
        engagement = self.get_object()
        mover = services.end_engagement if name == "end" else services.move_engagement
        args = (engagement,) if name == "end" else (engagement, name)
        moved = mover(*args, actor=self.request.user, expected_version=expected_version(self.request), **data)
        return self._respond(moved)

    def _respond(self, engagement: SupplierEngagement, code: int = status.HTTP_200_OK) -> Response:
        engagement = self.get_queryset().get(pk=engagement.pk)
        response = Response(s.EngagementSerializer(engagement).data, status=code)
        response["ETag"] = etag_for(engagement)
        return response

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The supplier responded (stops the underpinning response clock)."""
        return self._move("respond")

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The supplier resolved their part (stops the underpinning resolution clock)."""
        return self._move("resolve")

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The supplier's fix did not hold: back to the supplier (the resolution clock resumes)."""
        return self._move("reopen")

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move("close")

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move("withdraw")

    @extend_schema(request=s.EngagementMoveSerializer, responses=s.EngagementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the engagement whatever its state: closed once resolved, withdrawn before."""
        return self._move("end")
