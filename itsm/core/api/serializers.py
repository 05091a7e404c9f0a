"""Serializers for the core's API. Workflow fields are read-only: services change them."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from itsm.api.serializers import FieldsBuiltOnce
from itsm.core import roles
from itsm.core.models import Attachment, Task, Team, TimelineEntry


class UserSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name"]

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


class DirectoryUserSerializer(UserSummarySerializer):
    """The limited user directory: contact details only for staff callers."""

    email = serializers.EmailField(read_only=True)
    phone = serializers.CharField(source="profile.phone", read_only=True)
    location = serializers.CharField(source="profile.location", read_only=True)
    organisation = serializers.CharField(source="profile.organisation.name", read_only=True, default=None)
    vip = serializers.BooleanField(source="profile.vip", read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    STAFF_ONLY = ("email", "phone", "location", "organisation", "vip", "teams")

    class Meta(UserSummarySerializer.Meta):
        fields = [
            *UserSummarySerializer.Meta.fields,
            *("email", "phone", "location", "organisation", "vip", "teams"),
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not roles.is_staff_member(request.user):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        return data


class TeamSerializer(serializers.ModelSerializer):
    lead = UserSummarySerializer(read_only=True, allow_null=True)
    lead_id = serializers.PrimaryKeyRelatedField(
        source="lead",
        queryset=get_user_model().objects.filter(is_active=True),
        write_only=True,
        required=False,
        allow_null=True,
    )
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.filter(is_active=True), required=False
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "slug",
            "email",
            "description",
            "lead",
            "lead_id",
            "members",
            "is_active",
        ]
        read_only_fields = ["slug"]


class TaskSerializer(serializers.ModelSerializer):
    """Any workable record, as it appears in the unified queue. Read-only."""

    requester = UserSummarySerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    assignment_group = serializers.StringRelatedField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "number",
            "kind",
            "title",
            "state",
            "state_category",
            "priority",
            "impact",
            "urgency",
            "requester",
            "assignment_group",
            "assignee",
            "service",
            "configuration_item",
            "opened_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "updated_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, task) -> str:
        return task.get_absolute_url()


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = TimelineEntry
        fields = ["id", "kind", "action", "actor", "body", "changes", "is_public", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "file",
            "filename",
            "content_type",
            "size",
            "sha256",
            "is_public",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = ["filename", "content_type", "size", "sha256", "uploaded_at"]

    def get_download_url(self, attachment) -> str:
        from django.urls import reverse

        return reverse("core:attachment-download", args=[attachment.pk])
