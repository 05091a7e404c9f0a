"""Celery tasks of the core, and the helper every app uses to dispatch after commit."""

import logging
import os
import socket

from celery import Task as CeleryTask
from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction
from django.utils import timezone

from itsm.core.models import SystemHeartbeat

logger = logging.getLogger(__name__)


def dispatch_on_commit(task: CeleryTask, *args, **kwargs) -> None:
    """Enqueue `task` once the current transaction commits (at once outside one).

    Pass ids, never model instances: the worker loads fresh rows.
    """
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat(name: str = "worker") -> str:
    """Beat sends this every minute; the worker records that it ran.

    Admins see the time on the system status page; a stale time means beat or the
    worker is down.
    """
    detail = f"{socket.gethostname()} pid {os.getpid()}"
    SystemHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now(), "detail": detail}
    )
    logger.info("heartbeat %s from %s", name, detail)
    return detail


@worker_ready.connect(dispatch_uid="core.heartbeat_on_start")
def _heartbeat_on_start(**kwargs) -> None:
    """Report in as soon as a worker starts, not only at beat's first minute."""
    heartbeat.delay()
