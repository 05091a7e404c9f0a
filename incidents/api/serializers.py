"""Incident serializers. Workflow fields are read-only: transitions are POST actions."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from incidents.choices import HoldReason, ResolutionCode
from incidents.models import Category, Incident
from incidents.services.updates import EDITABLE_FIELDS
from itsm.api.serializers import FieldsBuiltOnce
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api.serializers import UserSummarySerializer
from itsm.core.choices import LinkKind
from itsm.core.models import Team

User = get_user_model()


class IncidentSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    requester = UserSummarySerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    assignment_group = serializers.PrimaryKeyRelatedField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Incident
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
            "category",
            "subcategory",
            "contact_type",
            "service",
            "configuration_item",
            "requester",
            "assignment_group",
            "assignee",
            "major_state",
            "parent",
            "hold_reason",
            "resolution_code",
            "resolution_notes",
            "opened_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "updated_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, incident) -> str:
        return incident.get_absolute_url()


class IncidentCreateSerializer(serializers.Serializer):
    """What a caller may give when raising an incident; the service decides the rest."""

    title = serializers.CharField(max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    configuration_item = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(parent__isnull=True, is_active=True), required=False, allow_null=True
    )
    subcategory = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(parent__isnull=False, is_active=True),
        required=False,
        allow_null=True,
    )
    impact = serializers.ChoiceField(choices=Incident._meta.get_field("impact").choices, default=2)
    urgency = serializers.ChoiceField(choices=Incident._meta.get_field("urgency").choices, default=2)
    contact_type = serializers.ChoiceField(
        choices=Incident._meta.get_field("contact_type").choices, default="api"
    )
    requester = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class IncidentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    configuration_item = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(parent__isnull=True), required=False, allow_null=True
    )
    subcategory = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(parent__isnull=False), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Incident._meta.get_field("impact").choices, required=False)
    urgency = serializers.ChoiceField(choices=Incident._meta.get_field("urgency").choices, required=False)
    contact_type = serializers.ChoiceField(
        choices=Incident._meta.get_field("contact_type").choices, required=False
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - EDITABLE_FIELDS - {"version"}
        if unknown:
            raise serializers.ValidationError(
                dict.fromkeys(
                    sorted(unknown), "This field cannot be changed here; use the transition actions."
                )
            )
        return attrs


class AssignSerializer(serializers.Serializer):
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class HoldSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices)


class ResolveSerializer(serializers.Serializer):
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices)
    notes = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    public = serializers.BooleanField(default=True)


class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MajorDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ParentSerializer(serializers.Serializer):
    """The parent incident's id; null clears it."""

    parent = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), allow_null=True)


class LinkSerializer(serializers.Serializer):
    """A link read from this incident's side: "caused by PRB0001001", or "PRB… is caused by this"."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    direction = serializers.SerializerMethodField()
    other = serializers.SerializerMethodField()

    def get_direction(self, link) -> str:
        return "outgoing" if link.source_id == self.context["incident"].pk else "incoming"

    def get_other(self, link) -> dict:
        other = link.target if link.source_id == self.context["incident"].pk else link.source
        return {"id": other.pk, "number": other.number, "kind": other.kind, "title": other.title}


class LinkCreateSerializer(serializers.Serializer):
    """Link this incident (the source) to another record, named by its number."""

    kind = serializers.ChoiceField(choices=LinkKind.choices)
    target = serializers.CharField(max_length=20, help_text="The other record's number, e.g. PRB0001001.")
