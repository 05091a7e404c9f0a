"""The ITSM platform: everything the practice apps stand on."""

from itsm.celery import app as celery_app

__all__ = ["celery_app"]
