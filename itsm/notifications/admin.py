"""The delivery log in the admin: every outbox message with its attempts; retry from here."""

from django.contrib import admin, messages
from django.utils import timezone

from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import DeliveryAttempt, Notification, OutboxMessage, WebhookSubscription


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "started_at",
        "finished_at",
        "succeeded",
        "status_code",
        "response_ms",
        "response_body",
        "error",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "to_address", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["to_address", "subject", "message_id", "dedupe_key"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry delivery now")
    def retry_now(self, request, queryset) -> None:
        count = queryset.exclude(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        messages.info(request, f"{count} message(s) will be retried by the next sweep.")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient", "task"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Read-mostly: subscriptions are managed on the Webhooks page (/webhooks/), which checks the
    URL against the SSRF guard and keeps the secret out of sight; here admins find and remove them."""

    list_display = ["name", "url", "owner", "is_active", "consecutive_failures", "last_success_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url", "owner__username"]
    readonly_fields = [f.name for f in WebhookSubscription._meta.fields if f.name not in ("id", "secret")]
    exclude = ["secret", "services", "assignment_groups"]

    def has_add_permission(self, request) -> bool:
        return False
