"""`/api/v1/improvements/` and the weekly e-mail summary."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from improvements import summary
from improvements.models import SummarySubscription
from itsm.notifications.models import OutboxMessage


def test_api_create_move_and_refuse(api_as, agent, manager, requester):
    client = api_as(agent)
    created = client.post(
        "/api/v1/improvements/",
        {
            "title": "Faster approvals",
            "motivation": "Requests: Mean approval time was 30.0",
            "metric": "requests.approval_time",
            "baseline_value": 30.0,
            "owner": agent.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "identified" and created["ETag"] == '"1"'
    assert client.post(f"/api/v1/improvements/{pk}/approve/", {}, format="json").status_code == 403
    boss = APIClient()
    boss.force_authenticate(manager)
    assert boss.post(f"/api/v1/improvements/{pk}/approve/", {}, format="json").status_code == 200
    assert (
        client.post(f"/api/v1/improvements/{pk}/start/", {}, HTTP_IF_MATCH='"1"', format="json").status_code
        == 412
    )
    assert client.post(f"/api/v1/improvements/{pk}/start/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/improvements/{pk}/realise/", {}, format="json").status_code == 400
    done = client.post(f"/api/v1/improvements/{pk}/realise/", {"measured_outcome": "12 h now"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "realised"
    assert client.get("/api/v1/improvements/", {"status": "realised"}).json()["results"][0]["id"] == pk
    assert (
        client.post(
            "/api/v1/improvements/", {"title": "x", "motivation": "y", "metric": "bad.metric"}, format="json"
        ).status_code
        == 400
    )
    outsider = APIClient()
    outsider.force_authenticate(requester)
    assert outsider.get("/api/v1/improvements/").status_code == 403


@pytest.fixture
def subscribed(db, manager):
    SummarySubscription.objects.create(user=manager)
    return manager


def test_weekly_summary_is_sent_once_per_week(subscribed, settings):
    monday = datetime(2026, 3, 9, 0, 30, tzinfo=UTC)
    assert summary.send_weekly_summaries(now=monday) == 1
    assert summary.send_weekly_summaries(now=monday + timedelta(hours=1)) == 0  # same ISO week
    messages = OutboxMessage.objects.filter(recipient=subscribed)
    assert messages.count() == 1
    message = messages.get()
    assert message.subject.endswith("service summary for 2026-W11")
    assert "Changes" in message.body_text and "Success rate" in message.body_text
    assert (
        "/dashboards/practices/changes/?period=custom&amp;start=2026-03-02&amp;end=2026-03-08"
        in message.body_html
    )
    assert "<table" in message.body_html and "from Mon 2 Mar 2026 to Sun 8 Mar 2026" in message.body_text
    # a second outbox row for the same week is refused even if the subscription forgot it was sent
    SummarySubscription.objects.update(last_sent_week="")
    assert summary.send_weekly_summaries(now=monday + timedelta(days=1)) == 0
    assert messages.count() == 1
    assert summary.send_weekly_summaries(now=monday + timedelta(days=7)) == 1  # next week


def test_weekly_summary_skips_who_may_no_longer_see_dashboards(db, agent):
    SummarySubscription.objects.create(user=agent)
    assert summary.send_weekly_summaries() == 0
    assert not OutboxMessage.objects.filter(recipient=agent).exists()


def test_beat_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["improvements.send_weekly_summaries"]
    assert entry["task"] == "improvements.send_weekly_summaries"


def test_managers_opt_in_and_out_on_the_register_page(client_for, manager, agent):
    client = client_for(manager)
    assert "Send me the weekly summary" in client.get(reverse("improvements:list")).content.decode()
    client.post(reverse("improvements:summary"), {"subscribed": "1"})
    assert SummarySubscription.objects.filter(user=manager).exists()
    assert "Stop the weekly summary" in client.get(reverse("improvements:list")).content.decode()
    client.post(reverse("improvements:summary"), {"subscribed": "0"})
    assert not SummarySubscription.objects.filter(user=manager).exists()
    assert client_for(agent).post(reverse("improvements:summary"), {"subscribed": "1"}).status_code == 403
    assert len(mail.outbox) == 0


def test_api_history_lists_who_did_what_newest_first(api_as, agent, manager, requester):
    client = api_as(agent)
    pk = client.post(
        "/api/v1/improvements/", {"title": "Fewer reopens", "motivation": "Reopen rate 9 %"}, format="json"
    ).json()["id"]
    boss = APIClient()
    boss.force_authenticate(manager)
    assert boss.post(f"/api/v1/improvements/{pk}/approve/", {"note": "Go"}, format="json").status_code == 200

    history = client.get(f"/api/v1/improvements/{pk}/history/")

    assert history.status_code == 200
    entries = history.json()
    assert [entry["actor"]["id"] for entry in entries][:2] == [manager.pk, agent.pk]
    assert entries[0]["created_at"] >= entries[-1]["created_at"]
    outsider = APIClient()
    outsider.force_authenticate(requester)
    assert outsider.get(f"/api/v1/improvements/{pk}/history/").status_code == 403


def test_api_weekly_summary_opt_in_is_the_callers_own(api_as, manager, agent):
    client = api_as(manager)
    assert client.get("/api/v1/improvements/weekly-summary/").json() == {"subscribed": False}

    answer = client.post("/api/v1/improvements/weekly-summary/", {"subscribed": True}, format="json")

    assert answer.status_code == 200 and answer.json() == {"subscribed": True}
    assert SummarySubscription.objects.filter(user=manager).exists()
    assert (
        client.post(
            "/api/v1/improvements/weekly-summary/", {"subscribed": "maybe"}, format="json"
        ).status_code
        == 400
    )
    assert client.post(
        "/api/v1/improvements/weekly-summary/", {"subscribed": False}, format="json"
    ).json() == {"subscribed": False}
    assert not SummarySubscription.objects.filter(user=manager).exists()
    staff = APIClient()
    staff.force_authenticate(agent)
    refused = staff.post("/api/v1/improvements/weekly-summary/", {"subscribed": True}, format="json")
    assert refused.status_code == 403 and "managers" in refused.json()["error"]["message"]
    assert not SummarySubscription.objects.filter(user=agent).exists()
