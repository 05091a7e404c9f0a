"""The change pages: queues, the record page and its forms, the CAB agenda; who may open them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from changes.models import Change
from tests.changes.conftest import answers_for

pytestmark = pytest.mark.django_db


def test_agents_see_the_queue_and_the_record(as_user, agent, make_change):
    change = make_change()
    client = as_user(agent)
    page = client.get(reverse("change:workspace"))
    assert page.status_code == 200 and change.number in page.content.decode()
    record = client.get(change.get_absolute_url())
    body = record.content.decode()
    assert record.status_code == 200
    assert "Submit for assessment" in body and "Back-out plan" in body and "Payroll" in body


@pytest.mark.parametrize("name", ["change:workspace", "change:create", "change:cab-agenda"])
def test_requesters_never_open_change_pages(as_user, requester, name):
    assert as_user(requester).get(reverse(name)).status_code == 403


def test_requesters_cannot_open_a_change_by_id(as_user, requester, make_change):
    change = make_change()
    assert as_user(requester).get(change.get_absolute_url()).status_code == 403


def test_raising_a_change_from_the_form(as_user, agent, team, database_ci):
    response = as_user(agent).post(
        reverse("change:create"),
        {
            "title": "Patch the payroll database",
            "change_type": "normal",
            "reason": "CVE fix",
            "implementation_plan": "Apply the patch",
            "backout_plan": "Restore",
            "planned_start": "2031-03-01T20:00",
            "planned_end": "2031-03-01T22:00",
            "affected_cis": [database_ci.pk],
            "impact": 2,
            "urgency": 2,
            "assignment_group": team.pk,
        },
    )
    change = Change.objects.get(title="Patch the payroll database")
    # it has a window, so the page opens at the schedule panel (the collision check ran on save)
    assert response.status_code == 302
    assert response["Location"] == change.get_absolute_url() + "#schedule-panel"
    assert list(change.affected_cis.all()) == [database_ci]


def test_a_bad_form_is_a_400_with_the_reason(as_user, agent):
    response = as_user(agent).post(
        reverse("change:create"),
        {
            "title": "x",
            "change_type": "normal",
            "planned_start": "2031-03-01T20:00",
            "planned_end": "2031-03-01T19:00",
            "impact": 2,
            "urgency": 2,
        },
    )
    assert response.status_code == 400 and "after the planned start" in response.content.decode()


def test_moves_from_the_page_and_refusals_shown(as_user, agent, make_change, questionnaire, normal_policy):
    change = make_change()
    client = as_user(agent)
    move = reverse("change:move", args=[change.pk, "assess"])
    assert client.post(move, {"expected_version": change.version}).status_code == 302
    # a refused move: no risk assessment yet
    refused = client.post(reverse("change:move", args=[change.pk, "request_authorization"]))
    assert refused.status_code == 409 and "Assess the risk" in refused.content.decode()
    # the questionnaire from the page
    answers = {f"q{q}": a for q, a in answers_for(questionnaire, 1).items()}
    assert client.post(reverse("change:risk", args=[change.pk]), answers).status_code == 302
    change.refresh_from_db()
    assert change.risk_assessed_at and change.risk_score == 45  # (5 + 10) of 20 → 75, × 0.6
    assert client.post(reverse("change:move", args=[change.pk, "request_authorization"])).status_code == 302
    change.refresh_from_db()
    assert change.state == "authorize"
    # a stale version is refused
    stale = client.post(
        reverse("change:move", args=[change.pk, "cancel"]), {"reason": "x", "expected_version": 1}
    )
    assert stale.status_code == 409


def test_unknown_moves_and_ids_are_404(as_user, agent, make_change):
    change = make_change()
    client = as_user(agent)
    assert client.post(reverse("change:move", args=[change.pk, "explode"])).status_code == 404
    assert client.get(reverse("change:detail", args=[2**63])).status_code == 404


def test_the_edit_form_swaps_in_and_saves(as_user, agent, make_change):
    change = make_change()
    client = as_user(agent)
    form = client.get(reverse("change:edit", args=[change.pk]), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'id="edit-form"' in form.content.decode()
    data = {
        "title": "Upgrade payroll DB (rescheduled)",
        "change_type": "normal",
        "reason": change.reason,
        "implementation_plan": change.implementation_plan,
        "backout_plan": change.backout_plan,
        "planned_start": "2031-04-01T20:00",
        "planned_end": "2031-04-01T23:00",
        "affected_cis": [c.pk for c in change.affected_cis.all()],
        "affected_services": [s.pk for s in change.affected_services.all()],
        "impact": 2,
        "urgency": 2,
        "assignment_group": change.assignment_group_id,
        "expected_version": change.version,
    }
    assert client.post(reverse("change:edit", args=[change.pk]), data).status_code == 302
    change.refresh_from_db()
    assert change.title.endswith("(rescheduled)") and change.planned_start.year == 2031


def test_user_text_is_escaped(as_user, agent, make_change):
    change = make_change(title="<script>alert(1)</script>", reason="<img src=x onerror=alert(1)>")
    body = as_user(agent).get(change.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;img src=x" in body


def test_the_cab_agenda_lists_changes_awaiting_authorization(
    as_user, agent, change_manager, make_change, questionnaire, normal_policy
):
    change = make_change()
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 2))
    services.request_authorization(change, actor=agent)
    client = as_user(change_manager)
    page = client.get(reverse("change:cab-agenda"), {"date": "2031-05-06"})
    assert page.status_code == 200 and "Awaiting authorization, on no agenda (1)" in page.content.decode()
    # the change manager puts it on the meeting's agenda
    post = client.post(
        reverse("change:cab-date", args=[change.pk]),
        {"cab_date": "2031-05-06", "next": "/changes/cab/?date=2031-05-06"},
    )
    assert post.status_code == 302 and post["Location"] == "/changes/cab/?date=2031-05-06"
    page = client.get(reverse("change:cab-agenda"), {"date": "2031-05-06"})
    assert "On the agenda (1)" in page.content.decode() and "score 60" in page.content.decode()
    assert client.get(reverse("change:cab-agenda"), {"date": "not-a-date"}).status_code == 400


def test_agents_cannot_plan_the_cab_agenda(as_user, agent, make_change):
    change = make_change()
    as_user(agent).post(reverse("change:cab-date", args=[change.pk]), {"cab_date": "2031-05-06"})
    change.refresh_from_db()
    assert change.cab_date is None


def test_the_record_page_costs_the_same_with_more_tasks(as_user, agent, make_change):
    change = make_change()
    client = as_user(agent)
    client.get(change.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(change.get_absolute_url())
    for n in range(5):
        services.create_change_task(change, actor=agent, title=f"Step {n}", order=n + 1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(change.get_absolute_url()).status_code == 200
    assert len(large) <= len(small) + 1, [q["sql"] for q in large.captured_queries]
    assert len(large) <= 40


def test_the_queue_costs_the_same_for_more_changes(as_user, agent, make_change):
    make_change()
    client = as_user(agent)
    client.get(reverse("change:workspace"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("change:workspace"))
    for _ in range(5):
        make_change()
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("change:workspace"))
    assert len(six) == len(one)


def test_a_standard_change_is_edited_without_its_type(as_user, agent, template, window):
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    client = as_user(agent)
    form = client.get(reverse("change:edit", args=[change.pk])).content.decode()
    assert 'name="change_type"' not in form
    data = {
        "title": "Restart the export (again)",
        "implementation_plan": change.implementation_plan,
        "backout_plan": change.backout_plan,
        "planned_start": "2031-04-01T20:00",
        "planned_end": "2031-04-01T20:30",
        "affected_cis": [c.pk for c in change.affected_cis.all()],
        "impact": 2,
        "urgency": 2,
        "expected_version": change.version,
    }
    assert client.post(reverse("change:edit", args=[change.pk]), data).status_code == 302
    change.refresh_from_db()
    assert change.change_type == "standard" and change.title.endswith("(again)")


@pytest.mark.parametrize("url_name", ["change:queue-open", "change:cab-agenda", "change:calendar"])
def test_every_change_page_links_the_queues_the_cab_agenda_and_the_calendar(client, agent, url_name):
    from django.urls import reverse

    client.force_login(agent)
    url = reverse("change:queue", args=["open"]) if url_name == "change:queue-open" else reverse(url_name)
    page = client.get(url).content.decode()
    assert f'href="{reverse("change:calendar")}"' in page
    assert f'href="{reverse("change:cab-agenda")}"' in page
    assert f'href="{reverse("change:queue", args=["open"])}"' in page
