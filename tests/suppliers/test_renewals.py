"""Renewal reminders: the owner is told once per notice date; the renewals page lists what is due."""

from datetime import date
from unittest import mock

from django.urls import reverse

from itsm.notifications.models import Notification
from suppliers import services, tasks


def test_reminder_fires_once(manager, contract):
    assert services.remind_renewals(today=date(2026, 8, 1)) == 0  # two months ahead: not yet
    assert services.remind_renewals(today=date(2026, 9, 15)) == 1
    assert services.remind_renewals(today=date(2026, 9, 16)) == 0
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert "ACME-001" in Notification.objects.get().title


def test_moved_notice_date_reminds_again(manager, contract):
    services.remind_renewals(today=date(2026, 9, 15))
    services.update_contract(contract, actor=manager, notice_date=date(2026, 10, 10))
    assert services.remind_renewals(today=date(2026, 9, 20)) == 1
    assert Notification.objects.filter(recipient=manager).count() == 2


def test_beat_task_runs_the_service(contract):
    with mock.patch("suppliers.services.timezone.localdate", return_value=date(2026, 9, 15)):
        assert tasks.remind_renewals.delay().get() == 1
        assert tasks.remind_renewals.delay().get() == 0


def test_renewals_page(client, agent, contract):
    client.force_login(agent)
    with mock.patch("suppliers.views.pages.timezone.localdate", return_value=date(2026, 9, 15)):
        due = client.get(reverse("suppliers:renewals")).content.decode()
    with mock.patch("suppliers.views.pages.timezone.localdate", return_value=date(2026, 6, 1)):
        later = client.get(reverse("suppliers:renewals")).content.decode()
    assert "ACME-001" in due and "12000" not in due
    assert "ACME-001" not in later and "Nothing to renew" in later
