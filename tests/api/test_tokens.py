"""API tokens: scopes per area, expiry, revocation, last use, keys shown once and stored hashed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from itsm.api import scopes
from itsm.api.models import ApiToken
from itsm.api.urls import router
from tests.factories import ServiceFactory


def token_client(user, token_scopes, **issue) -> tuple[APIClient, ApiToken]:
    token, key = ApiToken.issue(user, "test token", scopes=token_scopes, **issue)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


INCIDENT = {"title": "Disk full on mail01", "urgency": 2}


@pytest.mark.django_db
class TestScopes:
    def test_an_area_read_scope_reads_that_area_only(self, agent):
        client, _ = token_client(agent, ["incidents:read"])
        assert client.get("/api/v1/incidents/").status_code == 200
        error = error_of(client.get("/api/v1/changes/"), 403, "insufficient_scope")
        assert "'changes:read'" in error["message"] and "incidents:read" in error["message"]

    def test_read_does_not_write(self, requester):
        client, _ = token_client(requester, ["incidents:read"])
        error = error_of(
            client.post("/api/v1/incidents/", INCIDENT, format="json"), 403, "insufficient_scope"
        )
        assert "'incidents:write'" in error["message"]

    def test_an_area_write_scope_writes_and_reads_that_area(self, requester):
        client, _ = token_client(requester, ["incidents:write"])
        assert client.post("/api/v1/incidents/", INCIDENT, format="json").status_code == 201
        assert client.get("/api/v1/incidents/").status_code == 200
        error_of(client.get("/api/v1/problems/"), 403, "insufficient_scope")

    def test_global_read_reads_every_area_but_writes_none(self, agent):
        client, _ = token_client(agent, ["read"])
        for path in (
            "/api/v1/incidents/",
            "/api/v1/changes/",
            "/api/v1/cis/",
            "/api/v1/tasks/",
            "/api/v1/users/",
        ):
            assert client.get(path).status_code == 200, path
        error = error_of(
            client.post("/api/v1/incidents/", INCIDENT, format="json"), 403, "insufficient_scope"
        )
        assert "'incidents:write'" in error["message"]

    def test_global_write_writes_everywhere(self, requester):
        client, _ = token_client(requester, ["write"])
        assert client.post("/api/v1/incidents/", INCIDENT, format="json").status_code == 201

    def test_a_token_never_grants_more_than_its_users_roles(self, requester):
        # given: a requester's token with every scope
        client, _ = token_client(requester, ["read", "write"])
        # when: it writes configuration only administrators may write
        response = client.post("/api/v1/services/", {"name": "Payroll"}, format="json")
        # then: the role check refuses it, as it would in the browser
        error_of(response, 403, "permission_denied")

    def test_visibility_is_the_users(self, requester, other_requester):
        theirs, _ = token_client(other_requester, ["incidents:write"])
        assert theirs.post("/api/v1/incidents/", INCIDENT, format="json").status_code == 201
        client, _ = token_client(requester, ["read"])
        assert client.get("/api/v1/incidents/").json()["results"] == []

    def test_the_api_root_is_open_to_any_valid_token(self, agent):
        client, _ = token_client(agent, ["incidents:read"])
        assert client.get("/api/v1/").status_code == 200

    def test_sessions_are_not_scoped(self, client, agent):
        client.force_login(agent)
        assert client.get("/api/v1/changes/").status_code == 200

    def test_schema_is_not_scoped(self, agent):
        client, _ = token_client(agent, ["incidents:read"])
        assert client.get("/api/schema/").status_code == 200

    def test_every_api_route_belongs_to_an_area(self):
        """Contract: a new endpoint must map to an area (else only global scopes reach it)."""
        missing = [
            prefix
            for prefix, viewset, basename in router.registry
            if scopes.area_of(viewset(basename=basename)) not in scopes.AREAS
        ]
        assert missing == []

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            (["incidents:write", "read", "incidents:write"], ["read", "incidents:write"]),
            ([" Changes:Read "], ["changes:read"]),
        ],
    )
    def test_scopes_are_normalised(self, given, expected):
        assert scopes.normalise(given) == expected

    @pytest.mark.parametrize("bad", [[], ["admin"], ["incidents:delete"], ["nowhere:read"]])
    def test_unknown_scopes_are_refused(self, bad):
        with pytest.raises(ValueError):
            scopes.normalise(bad)


@pytest.mark.django_db
class TestTokenLifecycle:
    def test_an_expired_token_is_refused(self, agent):
        client, token = token_client(agent, ["read"], expires_at=timezone.now() + timedelta(days=1))
        assert client.get("/api/v1/incidents/").status_code == 200
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        error_of(client.get("/api/v1/incidents/"), 401, "authentication_failed")

    def test_revocation_in_the_ui_is_immediate(self, client, agent):
        api, token = token_client(agent, ["read"])
        assert api.get("/api/v1/incidents/").status_code == 200
        client.force_login(agent)
        assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
        error_of(api.get("/api/v1/incidents/"), 401, "authentication_failed")

    def test_last_use_is_recorded_at_most_once_a_minute(self, agent, django_assert_num_queries):
        api, token = token_client(agent, ["read"])
        api.get("/api/v1/incidents/")
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        api.get("/api/v1/incidents/")
        token.refresh_from_db()
        assert token.last_used_at == first
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
        api.get("/api/v1/incidents/")
        token.refresh_from_db()
        assert token.last_used_at > first

    def test_the_key_is_stored_only_as_a_hash(self, agent):
        token, key = ApiToken.issue(agent, "x")
        stored = ApiToken.objects.filter(pk=token.pk).values().get()
        assert key not in {str(value) for value in stored.values()}
        assert stored["key_hash"] == ApiToken.hash_key(key)

    def test_an_inactive_user_s_token_is_refused(self, agent):
        api, _ = token_client(agent, ["read"])
        agent.is_active = False
        agent.save()
        error_of(api.get("/api/v1/incidents/"), 401, "authentication_failed")

    def test_the_command_issues_a_scoped_token(self, agent, capsys):
        call_command(
            "create_api_token", agent.username, "--name", "cron", "--scope", "incidents:read", "--days", "30"
        )
        key = capsys.readouterr().out.strip()
        token = ApiToken.objects.get(name="cron")
        assert token.scopes == ["incidents:read"] and token.key_hash == ApiToken.hash_key(key)


@pytest.mark.django_db
class TestTokenPages:
    def create(self, client, **data):
        form = {"name": "Monitoring", "expires": "90", "all_areas": "", "area_incidents": "write"}
        form.update(data)
        return client.post("/account/api-tokens/", form)

    def test_the_key_is_shown_once(self, client, agent):
        client.force_login(agent)
        response = self.create(client)
        assert response.status_code == 200
        token = ApiToken.objects.get(user=agent)
        key = response.context["key"]
        assert token.key_hash == ApiToken.hash_key(key) and key.encode() in response.content
        assert "no-store" in response["Cache-Control"]
        assert token.scopes == ["incidents:write"] and token.created_by == agent
        assert 89 <= (token.expires_at - timezone.now()).days <= 90
        listed = client.get("/account/api-tokens/")
        assert b"Monitoring" in listed.content and key.encode() not in listed.content

    def test_the_link_is_in_the_user_menu(self, client, requester):
        client.force_login(requester)
        assert b'href="/account/api-tokens/"' in client.get("/account/api-tokens/").content

    def test_a_person_sees_only_their_own_tokens(self, client, agent, requester):
        ApiToken.issue(requester, "Rita's secret bot")
        client.force_login(agent)
        assert b"Rita&#x27;s secret bot" not in client.get("/account/api-tokens/").content

    def test_nobody_revokes_another_person_s_token(self, client, agent, requester, admin_user):
        token, _ = ApiToken.issue(requester, "bot")
        for actor in (agent, admin_user):
            client.force_login(actor)
            assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_revoke_needs_post(self, client, agent):
        token, _ = ApiToken.issue(agent, "bot")
        client.force_login(agent)
        assert client.get(f"/account/api-tokens/{token.pk}/revoke/").status_code == 405

    def test_never_expiring_is_for_administrators(self, client, agent, admin_user):
        client.force_login(agent)
        response = self.create(client, expires="never")
        assert response.status_code == 400 and not ApiToken.objects.exists()
        client.force_login(admin_user)
        assert self.create(client, expires="never").status_code == 200
        assert ApiToken.objects.get().expires_at is None

    def test_a_token_needs_some_access(self, client, agent):
        client.force_login(agent)
        response = self.create(client, area_incidents="")
        assert response.status_code == 400 and b"Choose the access" in response.content

    def test_names_are_escaped(self, client, agent):
        ApiToken.issue(agent, "<script>alert(1)</script>")
        client.force_login(agent)
        content = client.get("/account/api-tokens/").content
        assert b"<script>alert(1)" not in content and b"&lt;script&gt;" in content

    def test_the_list_costs_the_same_for_many_tokens(self, client, agent, django_assert_max_num_queries):
        client.force_login(agent)
        client.get("/account/api-tokens/")
        for n in range(15):
            ApiToken.issue(agent, f"bot {n}", created_by=agent)
        with django_assert_max_num_queries(8):
            assert client.get("/account/api-tokens/").status_code == 200

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        assert client.get("/account/api-tokens/").status_code == 302


@pytest.mark.django_db
class TestServiceAccounts:
    def add(self, client, **data):
        form = {"username": "monitoring-bot", "display_name": "Zabbix", "role_names": ["agent"]}
        form.update(data)
        return client.post("/account/api-tokens/service-accounts/", form)

    def test_an_admin_adds_one_and_issues_and_revokes_its_tokens(self, client, admin_user):
        client.force_login(admin_user)
        response = self.add(client)
        assert response.status_code == 302
        account_page = response["Location"]
        bot = ApiToken._meta.get_field("user").related_model.objects.get(username="monitoring-bot")
        assert not bot.has_usable_password() and bot.groups.filter(name="agent").exists()
        created = client.post(account_page, {"name": "Zabbix", "expires": "365", "area_incidents": "write"})
        assert created.status_code == 200
        token = ApiToken.objects.get(user=bot)
        assert token.created_by == admin_user
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {created.context['key']}")
        assert api.post("/api/v1/incidents/", INCIDENT, format="json").status_code == 201
        assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
        assert api.get("/api/v1/incidents/").status_code == 401
        assert b"monitoring-bot" in client.get("/account/api-tokens/service-accounts/").content

    def test_nobody_signs_in_as_a_service_account(self, client, admin_user):
        client.force_login(admin_user)
        self.add(client)
        client.logout()
        assert not client.login(username="monitoring-bot", password="")

    def test_only_administrators_manage_service_accounts(self, client, agent, manager, admin_user):
        client.force_login(admin_user)
        account_page = self.add(client)["Location"]
        for person in (agent, manager):
            client.force_login(person)
            assert self.add(client, username="sneaky").status_code == 403
            assert client.get("/account/api-tokens/service-accounts/").status_code == 403
            assert client.get(account_page).status_code == 403

    def test_a_taken_name_and_no_role_are_explained(self, client, admin_user, agent):
        client.force_login(admin_user)
        response = self.add(client, username=agent.username)
        assert response.status_code == 400 and b"already a user" in response.content
        assert self.add(client, username="other-bot", role_names=[]).status_code == 400

    def test_a_service_account_token_acts_within_its_roles(self, client, admin_user):
        ServiceFactory(name="Mail")
        client.force_login(admin_user)
        account_page = self.add(client, role_names=["requester"])["Location"]
        created = client.post(account_page, {"name": "HR", "expires": "30", "all_areas": "write"})
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {created.context['key']}")
        error_of(api.post("/api/v1/services/", {"name": "HR"}, format="json"), 403, "permission_denied")


@pytest.mark.django_db
class TestAdmin:
    def test_an_administrator_issues_a_scoped_token_and_sees_the_key_once(self, client, admin_user, agent):
        client.force_login(admin_user)
        response = client.post(
            "/admin/api/apitoken/add/",
            {"user": agent.pk, "name": "Leaver cleanup", "scopes": ["incidents:read"]},
            follow=True,
        )
        token = ApiToken.objects.get(name="Leaver cleanup")
        shown = [str(message) for message in response.context["messages"]]
        assert token.scopes == ["incidents:read"] and token.created_by == admin_user
        assert any(message.startswith("Copy this key now") for message in shown)
        assert client.get("/admin/api/apitoken/").status_code == 200
        assert client.get(f"/admin/api/apitoken/{token.pk}/change/").status_code == 200
        assert client.get("/admin/api/serviceaccount/").status_code == 200
