"""Celery beat work of the API platform."""

from celery import shared_task
from django.utils import timezone

from itsm.api.models import IdempotencyKey

#: Rows deleted per statement, so one purge never holds a long lock or a huge transaction.
PURGE_BATCH = 5000


@shared_task(name="api.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Hourly: delete idempotency keys past their 24 h; returns how many went."""
    cutoff = timezone.now()
    removed = 0
    while True:
        batch = list(
            IdempotencyKey.objects.filter(expires_at__lte=cutoff).values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not batch:
            return removed
        removed += IdempotencyKey.objects.filter(pk__in=batch).delete()[0]
