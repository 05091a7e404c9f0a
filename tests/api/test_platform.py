"""The API platform: one error format, strict filters, capped cursor pages, tokens, schema."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from itsm.api.models import ApiToken
from tests.factories import TaskFactory


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


@pytest.mark.django_db
class TestErrors:
    def test_anonymous_gets_401_in_the_error_format(self, api_client):
        assert_error(api_client.get("/api/v1/tasks/"), 401, "not_authenticated")

    def test_unknown_filter_is_400_naming_the_valid_ones(self, api_as, agent):
        error = assert_error(api_as(agent).get("/api/v1/tasks/?priorty=1"), 400, "bad_query")
        assert "priorty" in error["message"] and "priority" in error["message"]

    def test_malformed_filter_value_gives_field_errors(self, api_as, agent):
        error = assert_error(api_as(agent).get("/api/v1/tasks/?priority=urgent"), 400, "invalid")
        assert "priority" in error["fields"]

    def test_bad_datetime_filter_gives_field_errors(self, api_as, agent):
        error = assert_error(api_as(agent).get("/api/v1/tasks/?updated_after=yesterday"), 400, "invalid")
        assert "updated_after" in error["fields"]

    @pytest.mark.parametrize("path", ["/api/v1/tasks/abc/", "/api/v1/tasks/99999999/", "/api/v1/tasks/1.5/"])
    def test_malformed_or_unknown_ids_are_404(self, api_as, agent, path):
        assert_error(api_as(agent).get(path), 404, "not_found")

    def test_unknown_endpoint_is_json_404(self, api_as, agent):
        response = api_as(agent).get("/api/v1/nothing-here/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_field_errors_on_create(self, api_as, admin_user):
        error = assert_error(api_as(admin_user).post("/api/v1/teams/", {}, format="json"), 400, "invalid")
        assert error["fields"]["name"] == ["This field is required."]

    def test_bodies_over_the_limit_are_refused_before_parsing(self, api_as, agent, settings):
        settings.MAX_REQUEST_BYTES = 1000
        response = api_as(agent).post("/api/v1/teams/", {"name": "x" * 2000}, format="json")
        assert_error(response, 413, "too_large")

    def test_session_writes_need_the_csrf_token(self, admin_user, password):
        client = APIClient(enforce_csrf_checks=True)
        client.login(username=admin_user.username, password=password)
        response = client.post("/api/v1/teams/", {"name": "Sneaky"}, format="json")
        assert_error(response, 403, "permission_denied")


@pytest.mark.django_db
class TestPagination:
    def test_page_size_is_capped(self, api_as, agent, settings):
        settings.API_MAX_PAGE_SIZE = 5
        TaskFactory.create_batch(7)
        body = api_as(agent).get("/api/v1/tasks/?page_size=1000").json()
        assert len(body["results"]) == 5 and body["next"]

    def test_cursor_pages_walk_every_record_once(self, api_as, agent):
        tasks = TaskFactory.create_batch(7)
        client, seen, url = api_as(agent), [], "/api/v1/tasks/?page_size=3&ordering=number"
        while url:
            body = client.get(url).json()
            seen += [row["number"] for row in body["results"]]
            url = body["next"]
        assert seen == sorted(task.number for task in tasks)

    def test_ordering_outside_the_allowed_list_is_400(self, api_as, agent):
        error = assert_error(api_as(agent).get("/api/v1/tasks/?ordering=description"), 400, "bad_query")
        assert "opened_at" in error["message"]


@pytest.mark.django_db
class TestTokens:
    def test_a_valid_token_authenticates_and_records_use(self, api_client, agent):
        token, key = ApiToken.issue(agent, "monitoring")
        response = api_client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None
        assert key not in (token.key_hash, token.lookup)

    def test_bearer_keyword_works_too(self, api_client, agent):
        _, key = ApiToken.issue(agent, "bot")
        assert api_client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

    @pytest.mark.parametrize("state", ["revoked", "expired", "tampered", "garbage"])
    def test_unusable_tokens_are_401(self, api_client, agent, state):
        token, key = ApiToken.issue(agent, "x")
        if state == "revoked":
            token.revoked_at = timezone.now()
            token.save()
        elif state == "expired":
            token.expires_at = timezone.now() - timedelta(seconds=1)
            token.save()
        elif state == "tampered":
            key = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
        else:
            key = "not-a-token"
        response = api_client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {key}")
        assert_error(response, 401, "authentication_failed")

    def test_management_command_prints_a_working_key(self, api_client, agent, capsys):
        from django.core.management import call_command

        call_command("create_api_token", agent.username, "--name", "cli", "--days", "30")
        key = capsys.readouterr().out.strip()
        assert api_client.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


@pytest.mark.django_db
class TestTasksEndpoint:
    def test_requesters_list_only_their_records(self, api_as, requester, other_requester):
        own = TaskFactory(requester=requester)
        TaskFactory(requester=other_requester)
        body = api_as(requester).get("/api/v1/tasks/").json()
        assert [row["number"] for row in body["results"]] == [own.number]

    def test_requesters_cannot_load_others_records_by_id(self, api_as, requester, other_requester):
        other = TaskFactory(requester=other_requester)
        assert_error(api_as(requester).get(f"/api/v1/tasks/{other.pk}/"), 404, "not_found")
        assert_error(api_as(requester).get(f"/api/v1/tasks/{other.pk}/timeline/"), 404, "not_found")

    def test_tasks_are_read_only(self, api_as, admin_user):
        task = TaskFactory()
        response = api_as(admin_user).patch(f"/api/v1/tasks/{task.pk}/", {"state": "closed"}, format="json")
        assert response.status_code == 405
        task.refresh_from_db()
        assert task.state == "new"

    def test_timeline_hides_work_notes_from_requesters(self, api_as, requester, agent):
        from itsm.core.services.activity import add_comment

        task = TaskFactory(requester=requester)
        add_comment(task, actor=agent, body="internal", is_public=False)
        add_comment(task, actor=agent, body="public reply")
        bodies = [e["body"] for e in api_as(requester).get(f"/api/v1/tasks/{task.pk}/timeline/").json()]
        assert bodies == ["public reply"]

    def test_list_query_count_is_constant(self, api_as, agent, django_assert_max_num_queries):
        client = api_as(agent)
        TaskFactory.create_batch(2)
        with django_assert_max_num_queries(6) as small:
            client.get("/api/v1/tasks/")
        TaskFactory.create_batch(30)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get("/api/v1/tasks/")


@pytest.mark.django_db
class TestAttachmentUpload:
    def test_upload_and_list(self, api_as, requester):
        task = TaskFactory(requester=requester)
        client = api_as(requester)
        response = client.post(
            f"/api/v1/tasks/{task.pk}/attachments/",
            {"file": SimpleUploadedFile("log.txt", b"hello")},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["sha256"].startswith("2cf24dba")
        assert [a["filename"] for a in client.get(f"/api/v1/tasks/{task.pk}/attachments/").json()] == [
            "log.txt"
        ]

    def test_oversized_and_forbidden_types_are_400_with_field_message(self, api_as, requester, settings):
        settings.ATTACHMENT_MAX_BYTES = 3
        task = TaskFactory(requester=requester)
        client = api_as(requester)
        for name in ("big.txt", "page.html"):
            response = client.post(
                f"/api/v1/tasks/{task.pk}/attachments/",
                {"file": SimpleUploadedFile(name, b"hello")},
                format="multipart",
            )
            assert "file" in assert_error(response, 400, "invalid")["fields"]

    def test_missing_file_is_400(self, api_as, requester):
        task = TaskFactory(requester=requester)
        response = api_as(requester).post(f"/api/v1/tasks/{task.pk}/attachments/", {}, format="multipart")
        assert "file" in assert_error(response, 400, "invalid")["fields"]

    def test_cannot_attach_to_records_one_cannot_see(self, api_as, requester, other_requester):
        task = TaskFactory(requester=other_requester)
        response = api_as(requester).post(
            f"/api/v1/tasks/{task.pk}/attachments/",
            {"file": SimpleUploadedFile("a.txt", b"x")},
            format="multipart",
        )
        assert_error(response, 404, "not_found")


@pytest.mark.django_db
class TestTeamsAndDirectory:
    def test_only_admins_change_teams(self, api_as, agent, admin_user):
        assert_error(
            api_as(agent).post("/api/v1/teams/", {"name": "Ops"}, format="json"), 403, "permission_denied"
        )
        response = api_as(admin_user).post(
            "/api/v1/teams/", {"name": "Ops", "members": [agent.pk]}, format="json"
        )
        assert response.status_code == 201 and response.json()["slug"] == "ops"

    def test_directory_shows_contact_details_to_staff_only(self, api_as, requester, agent):
        staff_view = api_as(agent).get(f"/api/v1/users/?q={requester.username}").json()["results"][0]
        assert staff_view["email"] == requester.email
        own_view = api_as(requester).get(f"/api/v1/users/?q={agent.username}").json()["results"][0]
        assert set(own_view) == {"id", "username", "full_name"}


@pytest.mark.django_db
class TestSchema:
    def test_schema_and_offline_docs(self, client, agent):
        client.force_login(agent)
        schema = client.get("/api/schema/")
        assert schema.status_code == 200 and b"/api/v1/tasks/" in schema.content
        docs = client.get("/api/docs/").content.decode()
        assert "swagger-ui" in docs
        assert "cdn" not in docs.lower() and "https://" not in docs.replace("https://swagger.io", "")

    def test_schema_validates_without_warnings(self, tmp_path):
        from django.core.management import call_command

        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
