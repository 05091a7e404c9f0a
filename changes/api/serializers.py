"""Change serializers, named apart from other apps' (the OpenAPI schema has one namespace).

Workflow, risk and override fields are read-only: transitions and assessments are POST actions.
"""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from changes.choices import ChangeTaskType, CloseCode, RaisableChangeType
from changes.models import Change, ChangeTask, FollowUpAction, PostImplementationReview
from itsm.api.serializers import FieldsBuiltOnce
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api.serializers import UserSummarySerializer
from itsm.core.models import Team

User = get_user_model()


class ChangeSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    requester = UserSummarySerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    change_manager = UserSummarySerializer(read_only=True, allow_null=True)
    assignment_group = serializers.PrimaryKeyRelatedField(read_only=True)
    affected_services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    affected_cis = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    pir_required = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Change
        fields = [
            "id",
            "number",
            "title",
            "description",
            "change_type",
            "state",
            "state_category",
            "priority",
            "impact",
            "urgency",
            "reason",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "risk",
            "risk_score",
            "risk_evidence",
            "risk_assessed_at",
            "service",
            "configuration_item",
            "affected_services",
            "affected_cis",
            "requester",
            "assignment_group",
            "assignee",
            "change_manager",
            "template",
            "cab_date",
            "close_code",
            "close_notes",
            "cancel_reason",
            "blackout_override_reason",
            "blackout_override_by",
            "blackout_override_at",
            "pir_required",
            "opened_at",
            "resolved_at",
            "closed_at",
            "updated_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, change) -> str:
        return change.get_absolute_url()


class ChangeFieldsSerializer(serializers.Serializer):
    """The fields a caller may set on a change (create and update); the services check the rest."""

    title = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    implementation_plan = serializers.CharField(required=False, allow_blank=True)
    backout_plan = serializers.CharField(required=False, allow_blank=True)
    test_plan = serializers.CharField(required=False, allow_blank=True)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    impact = serializers.IntegerField(required=False, min_value=1, max_value=3)
    urgency = serializers.IntegerField(required=False, min_value=1, max_value=3)
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    change_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    configuration_item = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    affected_services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False
    )
    affected_cis = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), many=True, required=False
    )


class ChangeCreateSerializer(ChangeFieldsSerializer):
    change_type = serializers.ChoiceField(
        choices=RaisableChangeType.choices,
        default=RaisableChangeType.NORMAL,
        help_text="Standard changes are raised from a template (POST /changes/from-template/).",
    )


class ChangeUpdateSerializer(ChangeFieldsSerializer):
    title = serializers.CharField(max_length=250, required=False)
    change_type = serializers.ChoiceField(choices=RaisableChangeType.choices, required=False)


class ChangeFromTemplateSerializer(serializers.Serializer):
    template = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    title = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ChangeRiskAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        help_text="{question id: answer id} for every active question.",
    )


class ChangeScheduleSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A change manager's reason to schedule into a blackout.",
    )


class ChangeCompleteSerializer(serializers.Serializer):
    close_code = serializers.ChoiceField(choices=CloseCode.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ChangeCabDateSerializer(serializers.Serializer):
    cab_date = serializers.DateField(allow_null=True)


class ChangeLinkNumberSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)


class ChangeTaskSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    assignment_group = serializers.PrimaryKeyRelatedField(read_only=True)
    change = serializers.PrimaryKeyRelatedField(source="parent_change", read_only=True)

    class Meta:
        model = ChangeTask
        fields = [
            "id",
            "number",
            "change",
            "title",
            "description",
            "task_type",
            "order",
            "state",
            "state_category",
            "assignment_group",
            "assignee",
            "outcome",
            "opened_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class ChangeTaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    task_type = serializers.ChoiceField(choices=ChangeTaskType.choices, default=ChangeTaskType.IMPLEMENTATION)
    order = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999)
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ChangeTaskOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeFollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpAction
        fields = ["id", "description", "owner", "due_on", "done_at"]
        read_only_fields = fields


class ChangeFollowUpInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class ChangeReviewSerializer(serializers.ModelSerializer):
    actions = ChangeFollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = PostImplementationReview
        fields = ["findings", "lessons_learned", "objectives_met", "reviewed_by", "reviewed_at", "actions"]
        read_only_fields = fields


class ChangeReviewInputSerializer(serializers.Serializer):
    findings = serializers.CharField()
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="")
    objectives_met = serializers.BooleanField(default=True)
    actions = ChangeFollowUpInputSerializer(many=True, required=False, default=list)
