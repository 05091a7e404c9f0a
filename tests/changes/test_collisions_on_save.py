"""The collision check runs when a create or an edit touches the window, scope or assignee:
the page says what it found (and opens at the schedule panel), the API adds a summary."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changes.models import Change
from tests.changes.schedule_helpers import planned_change

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


@pytest.fixture
def window():
    """Whole minutes, as the form's datetime inputs send them (so an unchanged window is unchanged)."""
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    return start, start + timedelta(hours=2)


@pytest.fixture
def other(database_ci, window):
    """A scheduled change on the same CI, in the same window as `make_change`'s default."""
    return planned_change("Patch the database host", start=window[0], cis=[database_ci])


def local(moment) -> str:
    """A datetime as the form's datetime-local input sends it (the site's time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def edit_data(change, **overrides):
    data = {
        "title": change.title,
        "change_type": "normal",
        "reason": change.reason,
        "implementation_plan": change.implementation_plan,
        "backout_plan": change.backout_plan,
        "planned_start": local(change.planned_start),
        "planned_end": local(change.planned_end),
        "affected_cis": [c.pk for c in change.affected_cis.all()],
        "affected_services": [s.pk for s in change.affected_services.all()],
        "impact": change.impact,
        "urgency": change.urgency,
        "assignment_group": change.assignment_group_id,
        "expected_version": change.version,
    }
    return {**data, **overrides}


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_moving_a_change_onto_another_says_so_and_opens_the_schedule_panel(
    as_user, agent, make_change, other, window
):
    # given: a change three days later than the other one
    change = make_change(
        planned_start=window[0] + timedelta(days=3), planned_end=window[1] + timedelta(days=3)
    )
    client = as_user(agent)
    # when: it is moved onto the other change's window
    moved = edit_data(
        change,
        planned_start=local(window[0]),
        planned_end=local(window[1]),
    )
    response = client.post(reverse("change:edit", args=[change.pk]), moved)
    # then
    assert response.status_code == 302 and response["Location"].endswith("#schedule-panel")
    assert any("1 collision" in text and other.number in text for text in texts(response))
    page = client.get(response["Location"]).content.decode()
    assert other.number in page and 'id="schedule-panel"' in page


def test_a_title_edit_runs_no_check(as_user, agent, make_change, other):
    change = make_change()
    client = as_user(agent)
    response = client.post(reverse("change:edit", args=[change.pk]), edit_data(change, title="Renamed"))
    assert response.status_code == 302 and not response["Location"].endswith("#schedule-panel")
    assert not any("collision" in text for text in texts(response))


def test_a_new_change_in_a_free_window_says_no_collisions(as_user, agent, team, database_ci, window):
    client = as_user(agent)
    data = {
        "title": "Rotate certificates",
        "change_type": "normal",
        "reason": "Expiry",
        "planned_start": local(window[0]),
        "planned_end": local(window[1]),
        "affected_cis": [database_ci.pk],
        "impact": 2,
        "urgency": 2,
        "assignment_group": team.pk,
    }
    response = client.post(reverse("change:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith("#schedule-panel")
    assert texts(response) == ["No collisions with other changes in this window."]


def test_the_api_create_and_update_carry_a_collision_summary(api_as, agent, team, database_ci, other, window):
    client = api_as(agent)
    created = client.post(
        URL,
        {
            "title": "Upgrade the database",
            "reason": "Security fixes",
            "planned_start": window[0].isoformat(),
            "planned_end": window[1].isoformat(),
            "affected_cis": [database_ci.pk],
            "assignment_group": team.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    summary = created.json()["collisions"]
    assert summary["checked"] and summary["count"] == 1
    assert summary["items"][0]["change"]["number"] == other.number
    assert summary["items"][0]["kind"] == "same_ci"
    change_url = f"{URL}{created.json()['id']}/"

    # a title edit does not run the check
    renamed = client.patch(change_url, {"title": "Upgrade it"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert renamed.status_code == 200 and renamed.json()["collisions"] == {
        "checked": False,
        "has_window": True,
        "count": None,
        "items": [],
    }

    # moving it a day later clears the collision
    later = {
        "planned_start": (window[0] + timedelta(days=1)).isoformat(),
        "planned_end": (window[1] + timedelta(days=1)).isoformat(),
    }
    moved = client.patch(change_url, later, format="json", HTTP_IF_MATCH=renamed["ETag"])
    assert moved.status_code == 200 and moved.json()["collisions"]["count"] == 0
    # a plain read carries no summary
    assert "collisions" not in client.get(change_url).json()


def test_the_check_adds_a_fixed_number_of_queries_to_an_edit(
    as_user, agent, make_change, database_ci, window
):
    """However many changes collide, the check on save costs the same number of queries."""
    change = make_change(
        planned_start=window[0] + timedelta(days=3), planned_end=window[1] + timedelta(days=3)
    )
    client = as_user(agent)
    onto = {
        "planned_start": local(window[0]),
        "planned_end": local(window[1]),
    }

    def save_counting() -> int:
        fresh = Change.objects.get(pk=change.pk)
        with CaptureQueriesContext(connection) as queries:
            client.post(reverse("change:edit", args=[change.pk]), edit_data(fresh, **onto))
        return len(queries)

    planned_change("One", start=window[0], cis=[database_ci])
    few = save_counting()
    onto = {"planned_start": local(window[0] - timedelta(minutes=1)), "planned_end": local(window[1])}
    for number in range(8):
        planned_change(f"More {number}", start=window[0], cis=[database_ci])
    many = save_counting()
    assert many == few
