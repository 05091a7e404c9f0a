"""Registers the webhook endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from itsm.notifications.api.views import WebhookDeliveryViewSet, WebhookViewSet


def register(router: DefaultRouter) -> None:
    router.register("webhooks", WebhookViewSet, basename="webhook")
    router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
