"""Who may open which page: a permission matrix as data, one test per row."""

import pytest
from django.urls import reverse

ROLES = ["requester", "agent", "manager", "change_manager", "knowledge_manager", "admin"]

#: page → the roles that get 200; every other role gets 403.
ALLOWED = {
    "core:workspace": {"agent", "manager", "change_manager", "knowledge_manager", "admin"},
    "dashboards:home": {"manager", "admin"},
    "portal:home": set(ROLES),
    "core:system-status": {"admin"},
    "password_change": set(ROLES),
}

MATRIX = [
    (page, role, 200 if role in allowed else 403) for page, allowed in ALLOWED.items() for role in ROLES
]

LANDING = {
    "requester": "portal:home",
    "agent": "core:workspace",
    "manager": "dashboards:home",
    "change_manager": "core:workspace",
    "knowledge_manager": "core:workspace",
    "admin": "core:workspace",
}


@pytest.mark.parametrize(("page", "role", "status"), MATRIX)
def test_page_access_by_role(client_for, personas, page, role, status):
    # given
    client = client_for(personas[role])

    # when
    response = client.get(reverse(page))

    # then
    assert response.status_code == status


@pytest.mark.parametrize("page", [*ALLOWED, "home"])
def test_anonymous_is_sent_to_sign_in(client, db, page):
    # when
    response = client.get(reverse(page))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_surface(client_for, personas, role):
    # given
    client = client_for(personas[role])

    # when
    response = client.get(reverse("home"), follow=True)

    # then
    assert response.redirect_chain[-1][0] == reverse(LANDING[role])
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_record_page_is_open_to_staff_and_its_requester(client_for, personas, requester_task, role):
    # given
    client = client_for(personas[role])

    # when
    response = client.get(reverse("core:task-detail", args=[requester_task.pk]))

    # then
    assert response.status_code == 200
    assert requester_task.number in response.content.decode()


def test_requester_cannot_open_another_requesters_record(client_for, requester, other_task):
    # given
    client = client_for(requester)

    # when
    page = client.get(reverse("core:task-detail", args=[other_task.pk]))
    comment = client.post(
        reverse("core:task-comment", args=[other_task.pk]), {"body": "hi", "visibility": "public"}
    )

    # then
    assert page.status_code == 404
    assert comment.status_code == 404
    assert other_task.title not in page.content.decode()
    assert not other_task.timeline.exists()


def test_anonymous_cannot_open_a_record(client, requester_task):
    # when
    response = client.get(reverse("core:task-detail", args=[requester_task.pk]))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "path",
    [
        "/work/tasks/abc/",
        "/work/tasks/-1/",
        "/work/tasks/1.5/",
        "/work/tasks/99999999999999999999999/",
        "/work/tasks/99999999999999999999999/comment/",
        "/work/tasks/0/",
        "/work/tasks/%00/",
    ],
)
def test_malformed_record_ids_are_404(client_for, agent, path):
    # given
    client = client_for(agent)

    # when
    response = client.post(path, {"body": "x"}) if path.endswith("comment/") else client.get(path)

    # then
    assert response.status_code == 404
    assert b"Not found" in response.content


def test_error_pages_use_the_layout_and_say_what_happened(client_for, requester):
    # given
    client = client_for(requester)

    # when
    forbidden = client.get(reverse("core:workspace"))
    missing = client.get("/no/such/page/")

    # then
    assert forbidden.status_code == 403
    assert b"You do not have access to this page." in forbidden.content
    assert b'class="topbar"' in forbidden.content
    assert missing.status_code == 404
    assert b"There is nothing here, or you cannot see it." in missing.content
