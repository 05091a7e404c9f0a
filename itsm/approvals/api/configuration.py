"""Approval plans and their stages (the policy a record's approvals follow), read-only."""

from itsm.api.viewsets import configuration_viewset
from itsm.approvals.models import ApprovalPlan, ApprovalStage

ApprovalPlanViewSet = configuration_viewset(
    ApprovalPlan.objects.all(),
    name="ApprovalPlanDetail",
    doc="The approval plan of each record you may see (`?subject=` task id), for staff.",
    visible_through="subject",
    filterset_fields=("subject", "outcome"),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
ApprovalStageViewSet = configuration_viewset(
    ApprovalStage.objects.all(),
    name="ApprovalStageDetail",
    doc="The stages of an approval plan (rule: all, any, or a quorum), in `position` order.",
    visible_through="plan__subject",
    filterset_fields=("plan", "state"),
    ordering="position",
    ordering_fields=("position", "id"),
)
