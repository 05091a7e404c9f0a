"""The webhook API: `/api/v1/webhooks/` (subscriptions) and `/api/v1/webhook-deliveries/` (the log).

Same rules as the Webhooks page: admins manage every subscription, integrators with the
webhooks permission their own; everyone else gets 403. Writes call `webhooks.services`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from itsm.api.viewsets import VisibleViewSetMixin
from itsm.notifications.api.serializers import (
    SecretSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
)
from itsm.notifications.choices import Channel
from itsm.notifications.filtersets import WebhookDeliveryFilterSet, WebhookSubscriptionFilterSet
from itsm.notifications.models import OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks import services
from itsm.notifications.webhooks.access import may_use_webhooks


class WebhookPermission(BasePermission):
    message = "You may not manage webhooks."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and may_use_webhooks(request.user))


class WebhookViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook subscriptions. `secret` is generated; rotate it with `POST …/rotate-secret/`."""

    permission_classes = [WebhookPermission]
    queryset = WebhookSubscription.objects.select_related("owner").prefetch_related(
        "services", "assignment_groups"
    )
    serializer_class = WebhookSubscriptionSerializer
    filterset_class = WebhookSubscriptionFilterSet
    ordering = "name"
    ordering_fields = ("name", "created_at")

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_subscription(
            actor=self.request.user,
            name=data["name"],
            url=data["url"],
            event_types=data["event_types"],
            services=data.get("services", []),
            assignment_groups=data.get("assignment_groups", []),
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_subscription(
            serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.delete_subscription(instance, actor=self.request.user)

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret", filterset_class=None)
    def rotate_secret(self, request, pk=None):
        """A new signing secret; deliveries from now on are signed with it."""
        secret = services.rotate_secret(self.get_object(), actor=request.user)
        return Response(SecretSerializer({"secret": secret}).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def ping(self, request, pk=None):
        """Queue a `webhook.ping` delivery to the subscription's URL."""
        message = services.send_ping(self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(message).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(VisibleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The delivery log: every delivery of the subscriptions you manage, with its attempts
    (`?subscription=<id>`). `POST …/replay/` queues the same payload again."""

    permission_classes = [WebhookPermission]
    queryset = OutboxMessage.objects.filter(
        channel=Channel.WEBHOOK, subscription__isnull=False
    ).prefetch_related("delivery_attempts")
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    ordering = "-id"
    ordering_fields = ("created_at",)

    def get_queryset(self):
        visible = WebhookSubscription.objects.visible_to(self.request.user)
        return self.queryset.filter(subscription__in=visible.values("pk"))

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def replay(self, request, pk=None):
        """A new delivery (new delivery id) of the same payload (same event id)."""
        message = services.replay(self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(message).data, status=status.HTTP_202_ACCEPTED)
