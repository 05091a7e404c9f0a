"""Practice dashboard pages: permissions, filters, drill-downs, CSV exports and query counts."""

import csv
import io
import re

import pytest
from django.urls import reverse

from itsm.core.choices import Priority, StateCategory
from itsm.dashboards import registry
from tests.dashboards.practice_data import at, caused_by, change, incident, problem
from tests.factories import TeamFactory

PERIOD = {"period": "custom", "start": "2026-03-01", "end": "2026-03-07"}
BOARDS = ["problems", "changes", "requests", "knowledge"]


def board_url(key: str) -> str:
    return reverse("dashboards:practice", args=[key])


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def data(db, team):
    other = TeamFactory(name="Network")
    return {
        "mine": problem(
            opened=at(2),
            assignment_group=team,
            state="root_cause_analysis",
            category=StateCategory.OPEN,
            title="Disk fills up",
        ),
        "theirs": problem(opened=at(3), assignment_group=other, title="=cmd|' /C calc'!A0"),
        "change": change(opened=at(2), assignment_group=team),
        "team": team,
        "other": other,
    }


def test_every_practice_registers_a_board():
    assert [board.key for board in registry.boards()] == BOARDS
    assert registry.url_names() == [("dashboards:practice", {"practice": key}) for key in BOARDS]


@pytest.mark.parametrize("key", BOARDS)
def test_managers_and_admins_see_each_board_others_do_not(
    key, data, client_for, manager, admin_user, agent, requester
):
    assert client_for(manager).get(board_url(key), PERIOD).status_code == 200
    assert client_for(admin_user).get(board_url(key)).status_code == 200
    assert client_for(agent).get(board_url(key)).status_code == 403
    assert client_for(requester).get(board_url(key)).status_code == 403
    assert client_for(None).get(board_url(key)).status_code == 302


def test_unknown_board_table_or_figure_is_404(data, client_for, manager):
    client = client_for(manager)
    assert client.get(board_url("nope")).status_code == 404
    assert client.get(reverse("dashboards:practice_table", args=["problems", "nope"])).status_code == 404
    assert client.get(reverse("dashboards:practice_records", args=["problems", "nope"])).status_code == 404
    assert (
        client.get(reverse("dashboards:practice_records", args=["problems", "age"]), {"arg": "x"}).status_code
        == 404
    )


def test_bad_filters_are_shown_not_500(data, client_for, manager):
    response = client_for(manager).get(
        board_url("changes"), {"period": "custom", "start": "2026-03-09", "end": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_figures_link_to_drill_downs_that_list_exactly_their_records(data, client_for, manager):
    client = client_for(manager)
    html = client.get(board_url("problems"), PERIOD).content.decode()
    href = re.search(r'href="([^"]*records/opened/[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "period=custom" in href
    listed = client.get(href)
    assert listed.status_code == 200
    assert {row["cells"][0] for row in listed.context["lines"]} == {
        data["mine"].number,
        data["theirs"].number,
    }
    assert data["change"].number not in listed.content.decode()
    assert "Root cause analysis" in listed.content.decode()  # the state's label, not its code
    rows = list(
        csv.reader(io.StringIO(body(client.get(href.replace("/opened/", "/opened.csv").rstrip("/")))))
    )
    assert rows[0][:2] == ["Number", "Title"]
    assert "Root cause analysis" in {row[2] for row in rows[1:]}
    assert {row[0] for row in rows[1:]} == {data["mine"].number, data["theirs"].number}
    # user text that looks like a formula is neutralised in CSV
    assert any(row[1].startswith("'=") for row in rows[1:])


def test_start_an_improvement_link_carries_the_metric(data, client_for, manager):
    html = client_for(manager).get(board_url("problems"), PERIOD).content.decode()
    link = re.search(r'href="(/improvements/new/\?[^"]*metric=problems.opened[^"]*)"', html).group(1)
    assert "value=2" in link and "source=%2Fdashboards%2Fpractices%2Fproblems%2F" in link


def test_tables_export_as_csv_with_the_filters(data, client_for, manager):
    url = reverse("dashboards:practice_table", args=["changes", "volume_by_type"])
    response = client_for(manager).get(url, PERIOD)
    assert response.streaming
    assert body(response).splitlines() == [
        "Type,Opened in the period",
        "Standard,0",
        "Normal,1",
        "Emergency,0",
    ]


def test_team_lead_is_narrowed_to_their_teams(data, client_for, agent):
    data["team"].lead = agent
    data["team"].save()
    client = client_for(agent)
    response = client.get(board_url("problems"), PERIOD)
    assert response.status_code == 200
    opened = next(f for f in response.context["board"].figures if f.key == "opened")
    assert opened.value == 1  # only their team's problem
    # asking for another team is refused by the form; the figures stay on their teams
    response = client.get(board_url("problems"), {"team": data["other"].pk})
    assert next(f for f in response.context["board"].figures if f.key == "open").value == 1
    listed = client.get(reverse("dashboards:practice_records", args=["problems", "opened"]), PERIOD)
    assert [row["cells"][0] for row in listed.context["lines"]] == [data["mine"].number]
    exported = body(
        client.get(reverse("dashboards:practice_records_csv", args=["problems", "opened"]), PERIOD)
    )
    assert data["mine"].number in exported and data["theirs"].number not in exported


def test_user_text_is_escaped(data, client_for, manager):
    caused_by(incident(opened=at(2)), data["mine"])
    data["mine"].title = "<script>alert(1)</script>"
    data["mine"].save()
    html = client_for(manager).get(board_url("problems"), PERIOD).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("key", BOARDS)
def test_query_count_does_not_grow_with_the_data(
    key, data, client_for, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(board_url(key), PERIOD)  # warm caches (roles, sessions)
    with django_assert_max_num_queries(40) as first:
        client.get(board_url(key), PERIOD)
    for day in range(1, 7):
        team = TeamFactory()
        p = problem(opened=at(day), assignment_group=team, priority=Priority.HIGH)
        caused_by(incident(opened=at(day)), p)
        c = change(opened=at(day), assignment_group=team, resolved_at=at(day, 12), close_code="failed")
        caused_by(incident(opened=at(day)), c)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(board_url(key), PERIOD)


def test_drill_down_page_query_count_is_bounded(data, client_for, manager, django_assert_max_num_queries):
    client = client_for(manager)
    url = reverse("dashboards:practice_records", args=["problems", "opened"])
    client.get(url, PERIOD)
    with django_assert_max_num_queries(20) as first:
        client.get(url, PERIOD)
    for _ in range(30):
        problem(opened=at(4))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, PERIOD)


def test_tabs_link_every_dashboard_and_keep_the_filters(data, client_for, manager):
    html = client_for(manager).get(board_url("changes"), PERIOD).content.decode()
    nav = html[html.index('aria-label="Dashboards"') :]
    nav = nav[: nav.index("</nav>")]
    for key in BOARDS:
        assert f"/dashboards/practices/{key}/?period=custom" in nav
    assert reverse("dashboards:home") in nav and reverse("improvements:list") in nav
    assert 'aria-current="true">Changes' in nav
