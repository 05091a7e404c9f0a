"""Catalog API serializers. Record state is read-only: transitions are POST actions."""

from rest_framework import serializers

from catalog.models import CatalogItem, Category, FulfilmentTask, Request, RequestItem
from catalog.workflow import WORKFLOWS
from itsm.core import markdown
from itsm.core.api.serializers import UserSummarySerializer


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "icon", "description", "order"]
        read_only_fields = fields


class CatalogItemSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="current_version.number", read_only=True, default=None)
    delivery_seconds = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = CatalogItem
        fields = [
            "id", "name", "slug", "category", "service", "short_description", "icon",
            "delivery_seconds", "allow_quantity", "max_quantity", "allow_on_behalf",
            "standard_change", "is_active", "version", "url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_delivery_seconds(self, item) -> int:
        return int(item.delivery_time.total_seconds())

    def get_url(self, item) -> str:
        return item.get_absolute_url()


class CatalogItemDetailSerializer(CatalogItemSerializer):
    """The item with its description as safe HTML and its form schema (the current version's)."""

    description_html = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()

    class Meta(CatalogItemSerializer.Meta):
        fields = [*CatalogItemSerializer.Meta.fields, "description", "description_html", "form", "approvals"]
        read_only_fields = fields

    def get_description_html(self, item) -> str:
        return markdown.render(item.description)

    def get_form(self, item) -> list[dict]:
        return item.current_version.variables if item.current_version else []

    def get_approvals(self, item) -> list[str]:
        return (
            [step["name"] for step in item.current_version.snapshot["approvals"]]
            if item.current_version
            else []
        )


class LineSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    values = serializers.DictField(child=serializers.JSONField(), default=dict)


class SubmitSerializer(serializers.Serializer):
    items = LineSerializer(many=True, allow_empty=False)
    requested_for = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class SubmitWithFilesSerializer(serializers.Serializer):
    """The multipart form of a submission: the JSON order in `data`, and one part per file
    named `items.<n>.<variable>` (attachment variables of line n)."""

    data = serializers.CharField(help_text="The order as JSON, shaped like the application/json body.")


class _TaskFields(serializers.ModelSerializer):
    requester = UserSummarySerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    state_label = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    COMMON = [
        "id", "number", "title", "state", "state_label", "state_category", "priority", "requester",
        "assignment_group", "assignee", "opened_at", "resolved_at", "closed_at", "updated_at", "version",
        "url",
    ]  # fmt: skip

    def get_state_label(self, task) -> str:
        return WORKFLOWS[task.kind].label_of(task.state)

    def get_url(self, task) -> str:
        return task.get_absolute_url()


class RequestItemSerializer(_TaskFields):
    item_version = serializers.IntegerField(source="item_version.number", read_only=True)

    class Meta:
        model = RequestItem
        fields = [*_TaskFields.COMMON, "parent_request", "catalog_item", "item_version", "quantity", "values",
                  "stage", "close_reason"]  # fmt: skip
        read_only_fields = fields


class RequestSerializer(_TaskFields):
    opened_by = UserSummarySerializer(read_only=True, allow_null=True)
    items = RequestItemSerializer(many=True, read_only=True)

    class Meta:
        model = Request
        fields = [*_TaskFields.COMMON, "description", "opened_by", "items"]
        read_only_fields = fields


class FulfilmentTaskSerializer(_TaskFields):
    class Meta:
        model = FulfilmentTask
        fields = [*_TaskFields.COMMON, "request_item", "stage", "instructions"]
        read_only_fields = fields


class CatalogNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class RequestReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)
    public = serializers.BooleanField(default=True)


class FulfilmentAssignSerializer(serializers.Serializer):
    assignment_group = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    assignee = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
