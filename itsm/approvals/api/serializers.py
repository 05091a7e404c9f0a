"""Approval API serializers: everything read-only; decisions are POST actions through the service."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.approvals.choices import Decision, PlanOutcome, StageRule, StageState
from itsm.approvals.models import Approval
from itsm.approvals.services import COMMENT_MAX
from itsm.core.api.serializers import UserSummarySerializer
from itsm.core.choices import TaskKind


class ApprovalSubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices, read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, task) -> str:
        return task.get_absolute_url()


class ApprovalStageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    rule = serializers.ChoiceField(choices=StageRule.choices, read_only=True)
    required = serializers.IntegerField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=StageState.choices, read_only=True)


class ApprovalPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    purpose = serializers.CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=PlanOutcome.choices, read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ApprovalSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=Decision.choices, read_only=True)
    approver = UserSummarySerializer(read_only=True, allow_null=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField()
    stage = ApprovalStageSerializer(read_only=True)
    plan = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "number",
            "title",
            "state",
            "approver",
            "comment",
            "opened_at",
            "decided_at",
            "decided_by",
            "subject",
            "stage",
            "plan",
        ]
        read_only_fields = fields

    @extend_schema_field(ApprovalSubjectSerializer)
    def get_subject(self, approval) -> dict:
        return ApprovalSubjectSerializer(approval.stage.plan.subject).data

    @extend_schema_field(ApprovalPlanSerializer)
    def get_plan(self, approval) -> dict:
        return ApprovalPlanSerializer(approval.stage.plan).data


class ApprovalDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX, default="")


class ApprovalRejectionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=COMMENT_MAX, help_text="Why: the requester reads it.")
