"""`/api/v1/notifications/`: the caller's own in-app notifications (the bell), read-only.

Lives with the API platform rather than `itsm.notifications.api` (webhooks) because it is only
a personal read view of the notification table.
"""

from itsm.api.viewsets import configuration_viewset
from itsm.notifications.models import Notification

NotificationViewSet = configuration_viewset(
    Notification.objects.all(),
    name="InAppNotification",
    doc="Your in-app notifications (newest first); `?unread=true` for the unread ones.",
    exclude=["dedupe_key"],
    read_roles=None,
    owner_field="recipient",
    filterset_fields=("task",),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
