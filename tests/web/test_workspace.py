"""The agent workspace: personal lists, the filtered list, htmx partials, query budget."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task
from itsm.core.views import workspace
from tests.factories import TaskFactory, TeamFactory

URL = reverse("core:workspace")


def section(html: str, heading_id: str) -> str:
    """The part of the page from a section heading to the next section."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


def test_lists_show_my_work_and_my_teams_queue(client_for, agent, team, requester):
    # given
    mine = TaskFactory(title="Mine to fix", assignee=agent, assignment_group=team, requester=requester)
    queued = TaskFactory(title="Waiting in the queue", assignment_group=team, requester=requester)
    elsewhere = TaskFactory(title="Work of another team", assignment_group=TeamFactory(), requester=requester)
    TaskFactory(title="Done already", assignee=agent, state="closed", state_category=StateCategory.CLOSED)

    # when
    html = client_for(agent).get(URL).content.decode()

    # then
    assigned, queue = section(html, "mine-heading"), section(html, "queue-heading")
    assert mine.title in assigned and queued.title not in assigned
    assert queued.title in queue and mine.title not in queue
    assert elsewhere.title not in assigned + queue
    assert "Done already" not in assigned
    assert elsewhere.title in section(html, "all-heading")


def test_empty_lists_say_what_will_appear(client_for, agent):
    # when
    html = client_for(agent).get(URL).content.decode()

    # then
    assert "Nothing assigned to you" in html
    assert "Unassigned records routed to a team you belong to appear here" in html
    assert "No records match these filters" in html


def test_filters_narrow_the_list(client_for, agent, requester):
    # given
    TaskFactory(title="Critical outage", priority=Priority.CRITICAL, requester=requester)
    TaskFactory(title="Low importance", priority=Priority.LOW, requester=requester)
    TaskFactory(
        kind=TaskKind.CHANGE, title="Patch the servers", priority=Priority.CRITICAL, requester=requester
    )

    # when
    html = client_for(agent).get(URL, {"priority": [1], "kind": ["incident"]}).content.decode()

    # then
    results = section(html, "all-heading")
    assert "Critical outage" in results
    assert "Low importance" not in results
    assert "Patch the servers" not in results
    assert 'value="1" id="id_priority_0" checked' in html


def test_search_finds_by_number_and_title(client_for, agent, requester):
    # given
    printer = TaskFactory(title="Printer jams", requester=requester)
    TaskFactory(title="VPN drops", requester=requester)

    # when
    by_number = client_for(agent).get(URL, {"q": printer.number}).content.decode()
    by_title = client_for(agent).get(URL, {"q": "vpn"}).content.decode()

    # then
    assert "Printer jams" in section(by_number, "all-heading")
    assert "VPN drops" not in section(by_number, "all-heading")
    assert "VPN drops" in section(by_title, "all-heading")


def test_htmx_filter_request_gets_only_the_results(client_for, agent, requester):
    # given
    TaskFactory(title="Printer jams", requester=requester)

    # when
    response = client_for(agent).get(URL, {"q": "printer"}, headers={"HX-Request": "true"})

    # then
    html = response.content.decode()
    assert "Printer jams" in html
    assert "<html" not in html and "Assigned to me" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client_for, agent):
    # when
    response = client_for(agent).get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    # then
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "9"},
        {"state_category": "bogus"},
        {"assignment_group": "not-a-number"},
        {"assignee": "abc"},
        {"assignee": "99999999999999999999999"},
        {"updated_after": "yesterday-ish"},
        {"page": "-3"},
        {"page": "abc"},
        {"after": "not-a-cursor"},
        {"before": "%%%"},
        {"unknown_filter": "x"},
    ],
)
def test_bad_filters_never_give_a_500(client_for, agent, params):
    # when
    response = client_for(agent).get(URL, params)

    # then
    assert response.status_code == 200


def test_an_invalid_filter_is_explained(client_for, agent):
    # when
    html = client_for(agent).get(URL, {"priority": "9"}).content.decode()

    # then
    assert "These filters cannot be used" in html
    assert "Select a valid choice" in html


def cursor_link(html: str, rel: str) -> str | None:
    """The query string of the results' next or previous link (None when there is none)."""
    found = re.search(rf'rel="{rel}" href="\?([^"#]*)', html)
    return found.group(1).replace("&amp;", "&") if found else None


def titles(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="/[^"]*">(Row \d+)</a>', section(html, "all-heading"))


def test_pages_walk_every_record_once_and_keep_the_filters(client_for, agent, requester):
    # given: 120 matching records, 60 of them opened at the same instant (ties on the sort key)
    made = [TaskFactory(title=f"Row {n}", priority=Priority.HIGH, requester=requester) for n in range(120)]
    TaskFactory(title="Row 999", priority=Priority.LOW, requester=requester)
    Task.objects.filter(pk__in=[task.pk for task in made[:60]]).update(opened_at=made[0].opened_at)
    client = client_for(agent)

    # when: next, next, then back
    first = client.get(URL, {"priority": "2"}).content.decode()
    second = client.get(f"{URL}?{cursor_link(first, 'next')}").content.decode()
    third = client.get(f"{URL}?{cursor_link(second, 'next')}").content.decode()
    back = client.get(f"{URL}?{cursor_link(third, 'prev')}").content.decode()

    # then
    seen = titles(first) + titles(second) + titles(third)
    assert len(seen) == 120 and set(seen) == {task.title for task in made}
    assert "priority=2" in cursor_link(first, "next") and cursor_link(first, "prev") is None
    assert cursor_link(third, "next") is None
    assert titles(back) == titles(second)
    assert "120 records" in first and "page 1 of" not in first


def test_the_total_is_capped(client_for, agent, requester, monkeypatch):
    monkeypatch.setattr(workspace, "COUNT_CAP", 5)
    TaskFactory.create_batch(7, requester=requester)
    html = client_for(agent).get(URL).content.decode()
    assert "More than 5 records" in html


@pytest.mark.parametrize(
    "cursor", ["abc", "W10", "WyJ4IiwxXQ", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwtMV0", "x" * 300]
)
def test_a_damaged_cursor_is_explained_not_a_500(client_for, agent, requester, cursor):
    TaskFactory(requester=requester)
    for name in ("after", "before"):
        html = client_for(agent).get(URL, {name: cursor}).content.decode()
        assert "This page link is out of date or damaged" in html


#: Session, user, profile, roles, the two personal lists, team choices, the page of the list and its
#: capped count (9), and one for the navigation.
QUERY_BUDGET = 10


def make_work(agent, team, count):
    """`count` records assigned to the agent and `count` waiting in the team queue."""
    for _ in range(count):
        TaskFactory(assignee=agent, assignment_group=team)
        TaskFactory(assignment_group=team)


def queries_for_workspace(client, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [1, 30])
def test_workspace_stays_within_its_query_budget(
    client_for, agent, team, count, django_assert_max_num_queries
):
    # given
    make_work(agent, team, count)
    client = client_for(agent)

    # when / then
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(URL)
    assert response.content.decode().count('class="num"') == min(count, 25) * 2 + min(count * 2, 50)


def test_workspace_query_count_does_not_grow_with_rows(client_for, agent, team):
    # given: one warm-up request (per-session caches), then one record of each list
    client = client_for(agent)
    make_work(agent, team, 1)
    queries_for_workspace(client)
    with_one = queries_for_workspace(client)

    # when: 150 more of each, read on the first page and on a deep page
    make_work(agent, team, 150)
    with_many = queries_for_workspace(client)
    html = client.get(URL).content.decode()
    deep = client.get(f"{URL}?{cursor_link(html, 'next')}").content.decode()
    deeper_query = cursor_link(deep, "next")
    with_many_deep = queries_for_workspace(
        client, dict(pair.split("=", 1) for pair in deeper_query.split("&"))
    )

    # then
    assert with_one == with_many == with_many_deep <= QUERY_BUDGET
