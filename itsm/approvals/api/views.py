"""`/api/v1/approvals/`: the approvals the caller may see; approve and reject as POST actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.viewsets import VisibleViewSetMixin
from itsm.approvals import services
from itsm.approvals.api import serializers as s
from itsm.approvals.filtersets import ApprovalFilterSet
from itsm.approvals.models import Approval


class ApprovalViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Approvers decide their own approvals; requesters read the approvals of their records."""

    queryset = Approval.objects.select_related("approver", "decided_by", "stage__plan__subject")
    serializer_class = s.ApprovalSerializer
    filterset_class = ApprovalFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at",)
    open_write_actions = ("approve", "reject")  # the service allows only the approver

    @extend_schema(request=s.ApprovalDecisionSerializer, responses=s.ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(s.ApprovalDecisionSerializer, approve=True)

    @extend_schema(request=s.ApprovalRejectionSerializer, responses=s.ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(s.ApprovalRejectionSerializer, approve=False)

    def _decide(self, serializer_class, *, approve: bool) -> Response:
        approval = self.get_object()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        services.decide(
            approval, actor=self.request.user, approve=approve, comment=data.validated_data["comment"]
        )
        fresh = self.get_queryset().get(pk=approval.pk)
        return Response(s.ApprovalSerializer(fresh).data)
