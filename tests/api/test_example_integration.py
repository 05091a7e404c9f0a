"""The sample integration (examples/monitoring_integration.py) against a live server:
an alert opens one incident however often it is sent, polling with `updated_after` sees it
resolved, and a signed webhook for it is received and verified (a forged one is refused)."""

import hashlib
import hmac
import importlib.util
import json
import time
from pathlib import Path

import pytest
import requests
from django.test import override_settings

from incidents.models import Incident
from itsm.api.models import ApiToken

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "monitoring_integration.py"


def load_example():
    spec = importlib.util.spec_from_file_location("monitoring_integration", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example():
    return load_example()


@pytest.fixture(scope="session")
def _plain_http_for_the_example():
    """Before the (session-wide) live server builds its middleware: plain HTTP on loopback."""
    override = override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def live_server(_plain_http_for_the_example, live_server):
    return live_server


@pytest.fixture
def plain_http(settings):
    """The webhook goes to the receiver on loopback, which only an allowed host may reach."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class TestSignature:
    def test_a_correct_signature_is_accepted(self, example):
        now = str(int(time.time()))
        assert example.verify_signature("s3cret", now, b'{"a":1}', sign("s3cret", now, b'{"a":1}'))

    @pytest.mark.parametrize(
        ("secret", "body", "age"),
        [("other", b'{"a":1}', 0), ("s3cret", b'{"a":2}', 0), ("s3cret", b'{"a":1}', 3600)],
        ids=["wrong secret", "altered body", "replayed an hour later"],
    )
    def test_forged_altered_or_old_deliveries_are_refused(self, example, secret, body, age):
        then = str(int(time.time()) - age)
        assert not example.verify_signature("s3cret", then, body, sign(secret, then, b'{"a":1}'))

    def test_malformed_headers_are_refused(self, example):
        assert not example.verify_signature("s", "yesterday", b"", "sha256=00")
        assert not example.verify_signature("s", str(int(time.time())), b"", "md5=00")


@pytest.mark.django_db(transaction=True)
def test_alert_to_resolution_with_a_verified_webhook(
    example, plain_http, live_server, agent, admin_user, manager
):
    base_url = live_server.url
    _, monitoring_key = ApiToken.issue(agent, "monitoring")
    _, admin_key = ApiToken.issue(admin_user, "webhook setup")
    receiver = example.WebhookReceiver(secret="placeholder").start()
    try:
        created = requests.post(
            f"{base_url}/api/v1/webhooks/",
            json={
                "name": "monitoring",
                "url": receiver.url,
                "event_types": ["incident.created", "incident.resolved"],
            },
            headers={"Authorization": f"Token {admin_key}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]

        # An alert opens an incident; sending the same alert again opens nothing new.
        session = example.client(monitoring_key)
        alert = {"alert_id": "zbx-4711", "title": "web01: disk full", "severity": "high"}
        first = example.open_incident(session, base_url, **alert)
        again = example.open_incident(session, base_url, **alert)
        assert again["id"] == first["id"] and Incident.objects.filter(title="web01: disk full").count() == 1
        assert first["urgency"] == 1 and first["contact_type"] == "monitoring"

        # Someone resolves it while the integration polls with updated_after.
        polls = []

        def agent_resolves_during_the_first_wait(seconds):
            polls.append(seconds)
            if len(polls) == 1:
                staff = example.client(monitoring_key)
                moved = staff.post(
                    f"{base_url}/api/v1/incidents/{first['id']}/resolve/",
                    json={"resolution_code": "permanent", "notes": "Cleared /var/log."},
                    timeout=10,
                )
                assert moved.status_code == 200, moved.text
            assert len(polls) < 5, "still not resolved after several polls"

        seen = []
        resolved = example.follow_until_resolved(
            session,
            base_url,
            first["id"],
            since=first["updated_at"],
            poll_seconds=0,
            on_change=lambda incident: seen.append(incident["state"]),
            sleep=agent_resolves_during_the_first_wait,
        )
        assert resolved["state"] == "resolved" and seen[0] == "new" and seen[-1] == "resolved"

        # The webhooks arrived signed and were verified; a forged one is refused.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(receiver.events) < 2:
            time.sleep(0.1)
        assert [event["type"] for event in receiver.events] == ["incident.created", "incident.resolved"]
        assert receiver.events[1]["data"]["id"] == first["id"]
        forged = requests.post(
            receiver.url,
            data=json.dumps({"type": "incident.resolved"}),
            headers={"X-ITSM-Timestamp": str(int(time.time())), "X-ITSM-Signature": "sha256=" + "0" * 64},
            timeout=5,
        )
        assert forged.status_code == 401 and receiver.rejected == 1
    finally:
        receiver.stop()
