"""Supplier, contract and engagement serializers. Contract values reach managers only; the
engagement's state is read-only (moves are POST actions)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api.serializers import UserSummarySerializer
from itsm.core.models import Task
from itsm.sla.models import Calendar, SLAClock
from suppliers.models import (
    MAX_COMMITMENT,
    AuditEntry,
    Contract,
    ContractDocument,
    Supplier,
    SupplierEngagement,
)
from suppliers.querysets import sees_contract_values
from suppliers.services.audit import MANAGER_ONLY_FIELDS
from suppliers.services.records import CONTRACT_FIELDS, SUPPLIER_FIELDS

User = get_user_model()

#: Contract fields only managers and administrators read or write.
VALUE_FIELDS = ("value", "currency")


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", *sorted(SUPPLIER_FIELDS), "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ContractSerializer(serializers.ModelSerializer):
    """`value` and `currency` are left out of the answer for callers who may not see them."""

    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    support_hours = serializers.PrimaryKeyRelatedField(
        queryset=Calendar.objects.all(), allow_null=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    configuration_items = serializers.PrimaryKeyRelatedField(
        queryset=ConfigurationItem.objects.all(), many=True, required=False
    )
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            *sorted(CONTRACT_FIELDS),
            "supplier_name",
            "services",
            "configuration_items",
            "expired",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "supplier_name", "expired", "created_at", "updated_at"]
        extra_kwargs = {
            "value": {"required": False, "allow_null": True},
            "response_time": {"min_value": timedelta(minutes=1), "max_value": MAX_COMMITMENT},
            "resolution_time": {"min_value": timedelta(minutes=1), "max_value": MAX_COMMITMENT},
        }

    def get_expired(self, contract: Contract) -> bool:
        return contract.end_date is not None and contract.end_date < self.context["today"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_values"):
            for name in VALUE_FIELDS:
                data.pop(name, None)
        return data


class ClockSummarySerializer(serializers.ModelSerializer):
    definition = serializers.CharField(source="definition.name")

    class Meta:
        model = SLAClock
        fields = ["target", "definition", "stage", "started_at", "due_at", "breached_at", "stopped_at"]
        read_only_fields = fields


class EngagementSerializer(serializers.ModelSerializer):
    assignee = UserSummarySerializer(read_only=True)
    record_number = serializers.CharField(source="record.number", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True, default=None)
    underpinning_clocks = ClockSummarySerializer(source="sla_clocks", many=True, read_only=True)

    class Meta:
        model = SupplierEngagement
        fields = [
            "id",
            "number",
            "title",
            "record",
            "record_number",
            "supplier",
            "supplier_name",
            "contract",
            "contract_reference",
            "external_reference",
            "reason",
            "state",
            "state_category",
            "assignee",
            "opened_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "underpinning_clocks",
            "version",
        ]
        read_only_fields = fields


class EngageSerializer(serializers.Serializer):
    """Engage a supplier on a record: a covering contract, or a supplier without one."""

    record = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True
    )
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(), required=False, allow_null=True
    )
    external_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=5000)


class EngagementMoveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    external_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PerformanceSerializer(serializers.Serializer):
    engagements = serializers.IntegerField()
    incidents_engaged = serializers.IntegerField()
    clocks_decided = serializers.IntegerField()
    clocks_met = serializers.IntegerField()
    compliance_percent = serializers.FloatField(allow_null=True)
    mean_response = serializers.DurationField(allow_null=True)
    mean_resolution = serializers.DurationField(allow_null=True)


def contract_context(request, view=None) -> dict:
    from django.utils import timezone

    return {
        "request": request,
        "view": view,
        "show_values": sees_contract_values(request.user),
        "today": timezone.localdate(),
    }


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ContractDocument
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document: ContractDocument) -> str:
        return reverse("suppliers:document", args=[document.contract_id, document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class AuditEntrySerializer(serializers.ModelSerializer):
    """One change: who, when, what (`changes`: {field: {old, new}}); values masked for non-managers."""

    actor = UserSummarySerializer(read_only=True, allow_null=True)
    contract_reference = serializers.CharField(
        source="contract.reference", read_only=True, default=None, allow_null=True
    )
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "action", "actor", "contract", "contract_reference", "changes", "created_at"]
        read_only_fields = fields

    def get_changes(self, entry: AuditEntry) -> dict:
        if self.context.get("show_values"):
            return entry.changes
        return {
            name: ({"old": "hidden", "new": "hidden"} if name in MANAGER_ONLY_FIELDS else change)
            for name, change in entry.changes.items()
        }
