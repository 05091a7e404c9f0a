"""Webhook API representations; writes go through `webhooks.services`."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.cmdb.models import Service
from itsm.core.models import Team
from itsm.notifications.models import DeliveryAttempt, OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks.events import EVENT_TYPES


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """`secret` is read-only: generated on create, changed by `rotate-secret`; only the owner
    and admins can read a subscription at all."""

    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)), allow_empty=False
    )
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.all(), required=False)
    assignment_groups = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False
    )
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "services",
            "assignment_groups",
            "is_active",
            "owner",
            "secret",
            "consecutive_failures",
            "disabled_reason",
            "disabled_at",
            "last_success_at",
            "last_failure_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "secret",
            "consecutive_failures",
            "disabled_reason",
            "disabled_at",
            "last_success_at",
            "last_failure_at",
            "created_at",
            "updated_at",
        ]


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(read_only=True)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = [
            "number",
            "started_at",
            "finished_at",
            "succeeded",
            "status_code",
            "response_ms",
            "response_body",
            "error",
        ]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery: the event, where it stands, its payload and attempts."""

    event = serializers.CharField(source="subject", read_only=True)
    delivery_id = serializers.CharField(source="message_id", read_only=True)
    url = serializers.CharField(source="to_address", read_only=True)
    payload = serializers.SerializerMethodField()
    attempts_log = DeliveryAttemptSerializer(source="delivery_attempts", many=True, read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "subscription",
            "event",
            "delivery_id",
            "url",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
            "payload",
            "attempts_log",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_payload(self, message: OutboxMessage):
        try:
            return json.loads(message.body_text)
        except ValueError:
            return message.body_text
