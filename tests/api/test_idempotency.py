"""`Idempotency-Key` on POSTs under /api/v1/: replay, conflict, in flight, expiry, release on errors."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Incident
from itsm.api import idempotency
from itsm.api.models import ApiToken, IdempotencyKey
from itsm.api.tasks import purge_idempotency_keys

INCIDENT = {"title": "Disk full on mail01", "urgency": 2}


def token_client(user) -> APIClient:
    _, key = ApiToken.issue(user, "monitoring", scopes=["write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post(client, body=INCIDENT, key="alert-4711", path="/api/v1/incidents/"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status, error
    return error


@pytest.mark.django_db
class TestReplay:
    def test_the_same_key_and_body_replays_the_first_response(self, requester):
        client = token_client(requester)
        # when
        first = post(client)
        again = post(client)
        # then: one incident, the same answer twice, the second marked as a replay
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again["ETag"] == first["ETag"]
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
        assert Incident.objects.count() == 1

    def test_without_a_key_every_post_creates(self, requester):
        client = token_client(requester)
        client.post("/api/v1/incidents/", INCIDENT, format="json")
        client.post("/api/v1/incidents/", INCIDENT, format="json")
        assert Incident.objects.count() == 2

    def test_a_different_body_with_the_key_is_422(self, requester):
        client = token_client(requester)
        post(client)
        error = error_of(post(client, {**INCIDENT, "urgency": 1}), 422, "idempotency_key_reused")
        assert "different request" in error["message"]
        assert Incident.objects.count() == 1

    def test_the_key_on_another_endpoint_is_422(self, requester):
        client = token_client(requester)
        post(client)
        error_of(post(client, path="/api/v1/problems/"), 422, "idempotency_key_reused")

    def test_keys_are_per_user(self, requester, other_requester):
        post(token_client(requester))
        assert post(token_client(other_requester)).status_code == 201
        assert Incident.objects.count() == 2

    def test_a_transition_is_replayed_not_repeated(self, agent, requester):
        incident_id = post(token_client(requester)).json()["id"]
        client = token_client(agent)
        first = post(client, {}, key="start-1", path=f"/api/v1/incidents/{incident_id}/start/")
        again = post(client, {}, key="start-1", path=f"/api/v1/incidents/{incident_id}/start/")
        assert first.status_code == again.status_code == 200
        assert again["Idempotent-Replayed"] == "true" and again.json()["state"] == "in_progress"

    def test_a_signed_in_session_is_covered_too(self, client, requester):
        client.force_login(requester)
        for _ in range(2):
            response = client.post(
                "/api/v1/incidents/", INCIDENT, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
            )
            assert response.status_code == 201
        assert response["Idempotent-Replayed"] == "true" and Incident.objects.count() == 1

    def test_other_methods_ignore_the_header(self, requester):
        client = token_client(requester)
        incident_id = post(client).json()["id"]
        response = client.get(f"/api/v1/incidents/{incident_id}/", HTTP_IDEMPOTENCY_KEY="alert-4711")
        assert response.status_code == 200 and not response.has_header("Idempotent-Replayed")


@pytest.mark.django_db
class TestClaims:
    def test_a_key_in_flight_is_409(self, requester):
        client = token_client(requester)
        print_ = self._fingerprint_of(client)
        created = Incident.objects.count()
        now = timezone.now()
        record = IdempotencyKey.objects.create(
            user=requester,
            key="alert-4711",
            fingerprint="x",
            created_at=now,
            expires_at=now + timedelta(days=1),
        )
        # a different body gets 422 even while the first is in flight
        error_of(post(client), 422, "idempotency_key_reused")
        IdempotencyKey.objects.filter(pk=record.pk).update(fingerprint=print_)
        error = error_of(post(client), 409, "idempotency_key_in_flight")
        assert "still being processed" in error["message"]
        assert Incident.objects.count() == created

    def _fingerprint_of(self, client) -> str:
        """The fingerprint the middleware computes for `post(client)` (taken from a throw-away claim)."""
        post(client, key="probe")
        return IdempotencyKey.objects.get(key="probe").fingerprint

    def test_an_error_response_releases_the_key(self, requester):
        client = token_client(requester)
        error_of(post(client, {"urgency": 2}), 400, "invalid")
        assert not IdempotencyKey.objects.exists()
        assert post(client).status_code == 201

    def test_an_expired_key_is_a_new_key(self, requester):
        client = token_client(requester)
        post(client)
        IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = post(client)
        assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
        assert Incident.objects.count() == 2

    def test_a_claim_abandoned_in_flight_is_given_up(self, requester, settings):
        settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT = 60
        client = token_client(requester)
        print_ = self._fingerprint_of(client)
        long_ago = timezone.now() - timedelta(minutes=5)
        IdempotencyKey.objects.create(
            user=requester,
            key="alert-4711",
            fingerprint=print_,
            created_at=long_ago,
            expires_at=long_ago + timedelta(days=1),
        )
        assert post(client).status_code == 201

    def test_keys_live_24_hours_and_the_purge_removes_expired_ones(self, requester):
        client = token_client(requester)
        post(client)
        record = IdempotencyKey.objects.get()
        assert timedelta(hours=23, minutes=59) < record.expires_at - timezone.now() <= timedelta(hours=24)
        post(client, key="later")
        IdempotencyKey.objects.filter(key="alert-4711").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert purge_idempotency_keys() == 1
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["later"]

    @pytest.mark.parametrize("bad", ["", "x" * 256, "with space", "naïve"])
    def test_malformed_keys_are_400(self, requester, bad):
        response = token_client(requester).post(
            "/api/v1/incidents/", INCIDENT, format="json", HTTP_IDEMPOTENCY_KEY=bad.encode().decode("latin-1")
        )
        error_of(response, 400, "bad_idempotency_key")

    def test_anonymous_requests_are_left_to_the_api(self, api_client):
        error_of(post(api_client), 401, "not_authenticated")
        assert not IdempotencyKey.objects.exists()

    def test_a_revoked_token_is_not_replayed(self, requester):
        token, key = ApiToken.issue(requester, "bot")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        post(client)
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        error_of(post(client), 401, "authentication_failed")

    def test_the_stored_response_keeps_only_describing_headers(self, requester):
        post(token_client(requester))
        assert set(IdempotencyKey.objects.get().headers) <= set(idempotency.STORED_HEADERS)


@pytest.mark.django_db(transaction=True)
def test_the_record_and_its_stored_response_commit_together(requester, monkeypatch):
    # given: storing the response fails after the view created the incident
    def broken(record, response):
        raise RuntimeError("lost the database")

    monkeypatch.setattr(idempotency, "complete", broken)
    client = token_client(requester)
    client.raise_request_exception = False
    # when
    response = post(client)
    # then: no incident without its stored answer, and the key is free for the retry
    assert response.status_code == 500
    assert not Incident.objects.exists() and not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert post(client).status_code == 201 and Incident.objects.count() == 1


@pytest.mark.django_db
def test_a_token_without_the_scope_gets_no_stored_answer(requester):
    # given: the person created an incident with one token and a key
    post(token_client(requester))
    _, key = ApiToken.issue(requester, "read-only bot", scopes=["changes:read"])
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # when: another of their tokens, without incidents:write, sends the same key and body
    response = post(reader)
    # then: refused for its scope, not handed the stored incident
    error_of(response, 403, "insufficient_scope")
    assert not response.has_header("Idempotent-Replayed")
