from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "itsm.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """Webhooks hear every record event; their subscriptions live in the config cache."""
        from itsm.core import configcache, events
        from itsm.notifications.models import WebhookSubscription
        from itsm.notifications.webhooks import emit

        events.listen(emit.on_record_event)
        configcache.forget_on_change(emit.CACHE_NAME, WebhookSubscription)
