"""Problem serializers. Workflow fields and the known-error flag are read-only: moves are POST actions."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api.serializers import UserSummarySerializer
from itsm.core.choices import Impact, Urgency
from itsm.core.models import Team
from problems.choices import FixResolution, ProblemTaskType
from problems.models import Candidate, Problem, ProblemTask
from problems.services.creation import EDITABLE_FIELDS
from problems.services.rca import RCA_FIELDS

User = get_user_model()


class ProblemTaskSerializer(serializers.ModelSerializer):
    assignee = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProblemTask
        fields = [
            "id",
            "number",
            "title",
            "description",
            "task_type",
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


class ProblemSerializer(serializers.ModelSerializer):
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    requester = UserSummarySerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "id",
            "number",
            "title",
            "description",
            "state",
            "state_category",
            "priority",
            "impact",
            "urgency",
            "service",
            "configuration_item",
            "affected_cis",
            "assignment_group",
            "assignee",
            "requester",
            "symptoms",
            "root_cause",
            "contributing_factors",
            "five_whys",
            "workaround",
            "workaround_published_at",
            "known_error",
            "known_error_at",
            "resolution_code",
            "resolution_notes",
            "close_reason",
            "opened_at",
            "resolved_at",
            "closed_at",
            "updated_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, problem) -> str:
        return problem.get_absolute_url()


class ProblemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    configuration_item = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MEDIUM)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ProblemUpdateSerializer(ProblemCreateSerializer):
    title = serializers.CharField(max_length=250, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)

    def validate(self, attrs):
        unknown = set(self.initial_data) - EDITABLE_FIELDS - {"version"}
        if unknown:
            raise serializers.ValidationError(
                dict.fromkeys(sorted(unknown), "This field cannot be changed here; use the actions.")
            )
        return attrs


class RCASerializer(serializers.Serializer):
    symptoms = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    root_cause = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    contributing_factors = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    five_whys = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False, max_length=5
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(RCA_FIELDS) - {"version"}
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(sorted(unknown), "Not part of the analysis."))
        return attrs


class WorkaroundSerializer(serializers.Serializer):
    workaround = serializers.CharField(max_length=20_000)


class ProblemResolveSerializer(serializers.Serializer):
    resolution_code = serializers.ChoiceField(choices=FixResolution.choices)
    notes = serializers.CharField(max_length=20_000)


class ProblemReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class IncidentNumbersSerializer(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        max_length=500,
        help_text="Incident numbers.",
    )


class LinkOutcomeSerializer(serializers.Serializer):
    number = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


class ResolveIncidentsSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class FixChangeSerializer(serializers.Serializer):
    change = serializers.CharField(max_length=20, help_text="The change's number, e.g. CHG0001001.")


class ProblemTaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    task_type = serializers.ChoiceField(
        choices=ProblemTaskType.choices, default=ProblemTaskType.INVESTIGATION
    )
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ProblemTaskMoveSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class CandidateSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "title",
            "terms",
            "service",
            "configuration_item",
            "size",
            "confidence",
            "status",
            "problem",
            "members",
            "first_seen_at",
            "last_seen_at",
            "decided_at",
            "dismiss_reason",
        ]
        read_only_fields = fields


class AcceptSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=250)
