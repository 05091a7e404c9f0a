"""FilterSets of the webhook API (subscriptions and their deliveries)."""

import django_filters

from itsm.core.filtersets import IdFilter
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import OutboxMessage, WebhookSubscription


class WebhookSubscriptionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = WebhookSubscription
        fields = ["q", "is_active"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    subscription = IdFilter(field_name="subscription_id")
    status = django_filters.MultipleChoiceFilter(choices=DeliveryStatus.choices)
    event = django_filters.CharFilter(field_name="subject", label="Event type")

    class Meta:
        model = OutboxMessage
        fields = ["subscription", "status", "event"]
