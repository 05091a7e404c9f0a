"""Initiative serializers: status is read-only (moves are POST actions), numbers are given."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from improvements.models import Initiative, InitiativeEvent, InitiativeLink
from itsm.core.api.serializers import UserSummarySerializer

User = get_user_model()


class InitiativeLinkSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="task.number", read_only=True)
    task_kind = serializers.CharField(source="task.kind", read_only=True)

    class Meta:
        model = InitiativeLink
        fields = ["id", "number", "task_kind", "kind", "created_at"]


class InitiativeSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    links = InitiativeLinkSerializer(many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "number",
            "title",
            "motivation",
            "expected_benefit",
            "metric",
            "baseline_value",
            "metric_filters",
            "source_url",
            "owner",
            "status",
            "measured_outcome",
            "outcome_value",
            "close_reason",
            "links",
            "created_at",
            "updated_at",
            "started_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class InitiativeCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    motivation = serializers.CharField(max_length=5000)
    expected_benefit = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    metric = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    baseline_value = serializers.FloatField(required=False, allow_null=True, default=None)
    metric_filters = serializers.DictField(
        child=serializers.IntegerField(min_value=1), required=False, default=dict
    )
    source_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    links = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=20
    )


class InitiativeUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    motivation = serializers.CharField(max_length=5000, required=False)
    expected_benefit = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class MoveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RealiseSerializer(MoveSerializer):
    measured_outcome = serializers.CharField(max_length=5000)
    outcome_value = serializers.FloatField(required=False, allow_null=True, default=None)


class AbandonSerializer(MoveSerializer):
    reason = serializers.CharField(max_length=5000)


class InitiativeLinkCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)


class InitiativeEventSerializer(serializers.ModelSerializer):
    """One entry of an initiative's history (who did what, when)."""

    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = InitiativeEvent
        fields = ["id", "action", "actor", "body", "created_at"]
        read_only_fields = fields


class SummarySubscriptionSerializer(serializers.Serializer):
    """The caller's own opt-in to the weekly dashboard summary by e-mail."""

    subscribed = serializers.BooleanField()
