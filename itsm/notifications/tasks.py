"""Celery tasks of the outbox: deliver one message (e-mail, or webhook on its own queue); sweep."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from itsm.notifications import delivery
from itsm.notifications.choices import Channel
from itsm.notifications.webhooks import delivery as webhook_delivery


@shared_task(name="notifications.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    """Deliver one outbox row; failures are recorded on the row and retried by the sweep."""
    delivery.deliver(message_id)


@shared_task(name="notifications.deliver_webhook", ignore_result=True)
def deliver_webhook(message_id: int) -> None:
    """POST one webhook row (routed to the WEBHOOK_QUEUE: slow receivers never hold up e-mail)."""
    webhook_delivery.deliver(message_id)


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Re-dispatch rows that are due (retries, or rows whose dispatch was lost with the broker).

    Takes a fixed batch with a fixed cutoff, and re-enqueues itself while a full batch came back.
    """
    batch = settings.OUTBOX_SWEEP_BATCH
    ids = delivery.due_messages(timezone.now(), batch)
    for message_id, channel in ids:
        (deliver_webhook if channel == Channel.WEBHOOK else deliver_message).delay(message_id)
    if len(ids) == batch:
        sweep_outbox.apply_async(countdown=1)
    return len(ids)
