"""Serializers for the CMDB API.

Service and CI fields are plain configuration and are written here; the graph (relationships)
is written only through `itsm.cmdb.services`, so the serializers expose it read-only, except
`CIRelationshipSerializer`, whose viewset hands creation to `relate_cis`.
"""

import json

from rest_framework import serializers

from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service
from itsm.core import roles
from itsm.core.models import Team

#: Limits on free attributes, so one CI cannot carry a megabyte of JSON.
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTES_BYTES = 16_384


class TeamSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class OwnerTeamFields(serializers.ModelSerializer):
    """`owner_team` to read (id and name), `owner_team_id` to write."""

    owner_team = TeamSummarySerializer(read_only=True, allow_null=True)
    owner_team_id = serializers.PrimaryKeyRelatedField(
        source="owner_team",
        queryset=Team.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
    )


class ServiceSerializer(OwnerTeamFields):
    """A service; `components` (CI ids) only for staff, who are the ones who may see CIs."""

    depends_on = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    dependants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    components = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "owner_team",
            "owner_team_id",
            "criticality",
            "operational_status",
            "depends_on",
            "dependants",
            "components",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    #: Left out for callers who are not staff (the schema marks them optional).
    STAFF_ONLY = ("components",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not roles.is_staff_member(request.user):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        return data


class ConfigurationItemSerializer(OwnerTeamFields):
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "name",
            "ci_class",
            "status",
            "environment",
            "owner_team",
            "owner_team_id",
            "description",
            "attributes",
            "services",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_attributes(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('Send a JSON object, e.g. {"os": "Debian 12"}.')
        if len(value) > MAX_ATTRIBUTES:
            raise serializers.ValidationError(f"At most {MAX_ATTRIBUTES} attributes.")
        if len(json.dumps(value)) > MAX_ATTRIBUTES_BYTES:
            raise serializers.ValidationError(f"At most {MAX_ATTRIBUTES_BYTES:,} bytes of attributes.")
        return value


class CIRelationshipSerializer(serializers.ModelSerializer):
    """`source <kind> target`: the source needs the target. Created through `relate_cis`."""

    source = serializers.PrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all())
    source_name = serializers.CharField(source="source.name", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CIRelationship
        fields = ["id", "source", "source_name", "kind", "target", "target_name", "created_at", "created_by"]
        read_only_fields = ["created_at"]
        # Duplicates, self-links and cycles are refused by `relate_cis`, with one message each.
        validators: list = []


class ImpactServiceSerializer(serializers.ModelSerializer):
    """An affected service. (Without `kind`: a second component carrying the service-kind
    enum would collide in the schema with the `kind` enums of tasks and relationships.)"""

    depth = serializers.IntegerField(source="impact_depth", read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "criticality", "operational_status", "depth"]


class ImpactCISerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(source="impact_depth", read_only=True)

    class Meta:
        model = ConfigurationItem
        fields = ["id", "name", "ci_class", "status", "environment", "depth"]


class ImpactSerializer(serializers.Serializer):
    """What fails with a CI: every affected service, and the nearest `limit` affected CIs."""

    ci = serializers.IntegerField()
    services = ImpactServiceSerializer(many=True)
    cis = ImpactCISerializer(many=True)
    ci_total = serializers.IntegerField(help_text="Affected CIs in all; `cis` holds the nearest `limit`.")
    truncated = serializers.BooleanField()


class CIRelationshipsSerializer(serializers.Serializer):
    """A CI's direct relationships: `outgoing` to what it needs, `incoming` from what needs it."""

    outgoing = CIRelationshipSerializer(many=True)
    incoming = CIRelationshipSerializer(many=True)
    outgoing_total = serializers.IntegerField()
    incoming_total = serializers.IntegerField()
