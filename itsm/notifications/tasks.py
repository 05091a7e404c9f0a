"""Celery tasks of the outbox: deliver one message; sweep for due and stale ones."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from itsm.notifications import delivery


@shared_task(name="notifications.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    """Deliver one outbox row; failures are recorded on the row and retried by the sweep."""
    delivery.deliver(message_id)


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Re-dispatch rows that are due (retries, or rows whose dispatch was lost with the broker).

    Takes a fixed batch with a fixed cutoff, and re-enqueues itself while a full batch came back.
    """
    batch = settings.OUTBOX_SWEEP_BATCH
    ids = delivery.due_message_ids(timezone.now(), batch)
    for message_id in ids:
        deliver_message.delay(message_id)
    if len(ids) == batch:
        sweep_outbox.apply_async(countdown=1)
    return len(ids)
