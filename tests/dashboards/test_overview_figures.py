"""The overview page: each new figure links to exactly the records behind it; who may see it; query budget."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from itsm.core.choices import Priority
from itsm.dashboards import rollups
from itsm.sla.choices import Target
from tests.dashboards.test_rollups import NOW, PERIOD, URL, at, data_fixture, incident, paris_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("paris")


@pytest.fixture
def page(data, client_for, manager):
    rollups.rebuild(now=NOW)
    client = client_for(manager)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    return client, response.context["overview"], response.content.decode()


def listed(client, url: str) -> set[str]:
    """The record numbers of a workspace drill-down, through its CSV export (same filters, every row)."""
    query = url.split("?", 1)[1].split("#")[0]
    body = b"".join(client.get(reverse("dashboards:export_records") + "?" + query).streaming_content).decode()
    return {row[0] for row in list(csv.reader(io.StringIO(body)))[1:]}


def numbers(data, keys: str) -> set[str]:
    return {data[key].number for key in keys}


def test_rate_tiles_drill_into_their_records(page, data):
    client, overview, html = page
    tiles = {tile["label"]: tile for tile in overview["quality"]}
    assert tiles["First-contact resolution"]["value"] == "50.0 %"
    assert tiles["Reopen rate"]["value"] == "25.0 %"
    assert tiles["Satisfaction (CSAT)"]["value"] == "3.67 / 5"
    assert listed(client, tiles["First-contact resolution"]["url"]) == numbers(data, "ah")
    assert listed(client, tiles["Reopen rate"]["url"]) == numbers(data, "b")
    assert listed(client, tiles["Satisfaction (CSAT)"]["url"]) == numbers(data, "ab")
    assert "never reopened and never passed from one team to another" in html


def test_times_flow_and_top_lists_drill_down(page, data):
    client, overview, _html = page
    p1 = next(row for row in overview["times"] if row["label"] == Priority(Priority.CRITICAL).label)
    assert (p1["resolved"], p1["median_resolve"], p1["mean_resolve"]) == (
        3,
        timedelta(hours=4),
        timedelta(hours=4, minutes=20),
    )
    assert listed(client, p1["url"]) == numbers(data, "abh")
    days = {row["key"].day: row for row in overview["flow"]}
    assert listed(client, days[6]["resolved_url"]) == numbers(data, "f")  # 23:15 UTC on the 5th
    assert listed(client, days[7]["opened_url"]) == numbers(data, "cg")
    services = {row["label"]: row for row in overview["top_services"]}
    assert services["Mail"]["total"] == 3 and listed(client, services["Mail"]["url"]) == numbers(data, "abh")


def test_sla_breach_counts_drill_into_the_missed_records(page, data):
    client, overview, _html = page
    tables = {table["slug"]: table for table in overview["sla"]}
    by_definition = {row["label"]: row for row in tables["sla-definition"]["rows"]}
    response = by_definition["Response 1h"]["cells"][0]
    assert (response["total"], response["breached"], response["percent"]) == (5, 2, 60.0)
    assert listed(client, response["url"]) == numbers(data, "bd")
    by_priority = {row["label"]: row for row in tables["sla-priority"]["rows"]}
    p1 = by_priority[Priority(Priority.CRITICAL).label]["cells"][0]
    assert listed(client, p1["url"]) == numbers(data, "b")
    resolution = by_definition["Resolution 8h"]["cells"][1]
    assert (resolution["percent"], resolution["url"]) == (100.0, None)
    assert Target.RESOLUTION == "resolution"


def test_now_tiles_link_to_the_sla_and_major_queues(page, data):
    client, overview, _html = page
    assert overview["now"] == {"breached": 1, "at_risk": 1, "major_open": 0}
    assert "/incidents/queues/breached/" in overview["links"]["breached"]
    breached = client.get(overview["links"]["breached"]).content.decode()
    assert data["d"].number in breached and data["c"].number not in breached
    at_risk = client.get(overview["links"]["at_risk"]).content.decode()
    assert data["c"].number in at_risk and data["d"].number not in at_risk
    majors = client.get(overview["links"]["major_opened"]).content.decode()
    assert data["f"].number in majors and data["b"].number not in majors


def test_freshness_is_shown(page):
    _client, _overview, html = page
    assert "Period figures up to 7 Mar 2026, 13:00, refreshed every 5 min; days in Europe/Paris." in html


def test_page_before_the_first_rollup_says_so(data, client_for, manager):
    html = client_for(manager).get(URL, PERIOD).content.decode()
    assert "Period figures are not computed yet" in html


def test_team_lead_gets_only_their_team(data, client_for, agent):
    rollups.rebuild(now=NOW)
    data["other"].lead = agent
    data["other"].save()
    overview = client_for(agent).get(URL, PERIOD).context["overview"]
    assert overview["totals"] == {"opened": 2, "resolved": 2, "open_now": 0}  # e and f only
    assert [row["label"] for row in overview["top_services"]] == ["Web"]
    assert [table["rows"] for table in overview["sla"] if table["slug"] == "sla-team"][0][0][
        "label"
    ] == "Other"
    refused = client_for(agent).get(URL, {**PERIOD, "team": data["desk"].pk})
    assert "Select a valid choice" in refused.content.decode()
    assert refused.context["overview"]["totals"]["open_now"] == 0  # still only the lead's team


def test_csv_of_the_sla_and_times_tables(page, data):
    client, _overview, _html = page
    body = b"".join(client.get(reverse("dashboards:export_table", args=["sla"]), PERIOD).streaming_content)
    lines = body.decode().splitlines()
    assert lines[0].startswith("Grouped by,Name,Response clocks")
    assert "Definition,Response 1h,5,60.0,2,0,,0" in lines
    times = b"".join(client.get(reverse("dashboards:export_table", args=["times"]), PERIOD).streaming_content)
    assert "P1 - Critical,3,3600,3600,15600,14400" in times.decode()


def test_query_count_does_not_grow_with_the_data(data, client_for, manager, django_assert_max_num_queries):
    rollups.rebuild(now=NOW)
    client = client_for(manager)
    client.get(URL, PERIOD)
    with django_assert_max_num_queries(29):
        client.get(URL, PERIOD)
    for day in range(1, 8):
        incident(data["a"].requester, opened=at(day), resolved=at(day, 12), priority=Priority.LOW,
                 state="resolved", state_category="resolved")  # fmt: skip
    rollups.rebuild(now=NOW)
    with django_assert_max_num_queries(29):
        client.get(URL, {**PERIOD, "period": "90"})


@pytest.mark.parametrize("persona", ["agent", "requester"])
def test_agents_and_requesters_are_refused(data, client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 403
    assert client_for(user).get(reverse("dashboards:export_table", args=["sla"])).status_code == 403


def test_period_figures_are_cached_until_the_next_refresh(
    data, client_for, manager, django_assert_max_num_queries
):
    rollups.rebuild(now=NOW)
    client = client_for(manager)
    first = client.get(URL, PERIOD).context["overview"]
    p1 = Priority(Priority.CRITICAL).label
    assert next(row for row in first["times"] if row["label"] == p1)["median_resolve"] == timedelta(hours=4)
    # a fourth P1 resolved in the period: medians are live reads, but cached with the rollup figures
    incident(data["a"].requester, opened=at(5), resolved=at(5, 20), priority=Priority.CRITICAL,
             state="resolved", state_category="resolved")  # fmt: skip
    with django_assert_max_num_queries(17):  # the period queries are not run again
        cached = client.get(URL, PERIOD).context["overview"]
    assert next(row for row in cached["times"] if row["label"] == p1)["resolved"] == 3
    rollups.refresh(now=NOW + timedelta(minutes=5))
    fresh = client.get(URL, PERIOD).context["overview"]
    row = next(row for row in fresh["times"] if row["label"] == p1)
    assert row["resolved"] == 4 and row["median_resolve"] == timedelta(hours=6)  # 1, 4, 8, 10 h


def test_the_refresh_task_warms_the_preset_periods(data, client_for, manager, django_assert_max_num_queries):
    from django.utils import timezone as tz

    from itsm.dashboards import tasks

    rollups.rebuild(now=NOW)
    assert tasks.refresh_rollups() >= 1  # refreshes (real now) and warms 7, 30 and 90 days
    client = client_for(manager)
    client.get(reverse("core:workspace"))  # sign-in and role lookups out of the way
    with django_assert_max_num_queries(17):  # no period query: the figures were computed by the task
        response = client.get(URL, {"period": "30"})
    assert response.context["overview"]["freshness"].refreshed_at.date() == tz.now().date()
