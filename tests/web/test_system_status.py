"""The admin's system status page."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from itsm.core.models import SystemHeartbeat


def test_status_shows_heartbeats_database_and_broker(client_for, admin_user):
    # given
    SystemHeartbeat.objects.create(name="worker", seen_at=timezone.now(), detail="host pid 1")
    SystemHeartbeat.objects.create(name="beat", seen_at=timezone.now() - timedelta(hours=1))

    # when
    html = client_for(admin_user).get(reverse("core:system-status")).content.decode()

    # then
    assert "Alive" in html and "Not seen recently" in html
    assert "sqlite" in html or "postgresql" in html
    assert "Celery broker" in html


def test_status_without_heartbeats_tells_what_to_start(client_for, admin_user):
    # when
    html = client_for(admin_user).get(reverse("core:system-status")).content.decode()

    # then
    assert "No heartbeat received yet" in html
