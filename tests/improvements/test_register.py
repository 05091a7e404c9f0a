"""The continual-improvement register: workflow, permissions, links, pages, before/after figure."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from improvements import services
from improvements.measure import compare
from improvements.models import Initiative, InitiativeEvent
from itsm.core.choices import StateCategory
from itsm.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from tests.dashboards.practice_data import change, problem


@pytest.fixture
def initiative(db, agent):
    return services.create_initiative(
        actor=agent,
        title="Fewer failed database changes",
        motivation="Changes: Success rate was 50.0 on the dashboard.",
        expected_benefit="Success rate above 90 %.",
        owner=agent,
        metric="changes.success_rate",
        baseline_value=50.0,
    )


def test_create_records_number_timeline_and_metric(initiative, agent):
    assert initiative.number == f"IMP{initiative.pk:06d}"
    assert initiative.status == "identified"
    event = InitiativeEvent.objects.get(initiative=initiative)
    assert event.action == "created" and "Changes: Success rate = 50.0" in event.body


def test_create_refuses_bad_input(db, agent, requester):
    with pytest.raises(ValidationError):
        services.create_initiative(actor=agent, title=" ", motivation="x")
    with pytest.raises(ValidationError):
        services.create_initiative(actor=agent, title="t", motivation="m", metric="nope.figure")
    with pytest.raises(ValidationError):
        services.create_initiative(actor=agent, title="t", motivation="m", source_url="https://evil.example/")
    with pytest.raises(ValidationError):
        services.create_initiative(actor=agent, title="t", motivation="m", owner=requester)
    with pytest.raises(PermissionDenied):
        services.create_initiative(actor=requester, title="t", motivation="m")


def test_full_workflow_with_guards_and_roles(initiative, agent, manager):
    with pytest.raises(PermissionDenied):
        services.move_initiative(initiative, "approve", actor=agent)  # owners do not approve their own
    initiative = services.move_initiative(initiative, "approve", actor=manager)
    initiative = services.move_initiative(initiative, "start", actor=agent)
    assert initiative.started_at is not None
    with pytest.raises(TransitionNotAllowed):
        services.move_initiative(initiative, "realise", actor=agent)  # no measured outcome yet
    initiative = services.move_initiative(
        initiative,
        "realise",
        actor=agent,
        measured_outcome="Success rate 92 % over 30 days.",
        outcome_value=92.0,
    )
    assert (initiative.status, initiative.state_category, initiative.outcome_value) == (
        "realised",
        "closed",
        92.0,
    )
    assert initiative.closed_at is not None
    with pytest.raises(TransitionNotAllowed):
        services.move_initiative(initiative, "abandon", actor=manager, reason="late")
    actions = list(InitiativeEvent.objects.filter(initiative=initiative).values_list("action", flat=True))
    assert actions == ["moved:realise", "moved:start", "moved:approve", "created"]


def test_abandon_needs_a_reason_and_a_manager(initiative, agent, manager):
    with pytest.raises(PermissionDenied):
        services.move_initiative(initiative, "abandon", actor=agent, reason="no time")
    with pytest.raises(TransitionNotAllowed):
        services.move_initiative(initiative, "abandon", actor=manager)
    initiative = services.move_initiative(initiative, "abandon", actor=manager, reason="Superseded by IMP2.")
    assert initiative.status == "abandoned" and initiative.state_category == StateCategory.CANCELLED


def test_owner_hears_of_moves_by_others(initiative, agent, manager):
    services.move_initiative(initiative, "approve", actor=manager)
    assert Notification.objects.filter(recipient=agent, title__contains="approved").count() == 1


def test_only_owner_or_manager_edits_and_versions_are_checked(initiative, agent, change_manager, manager):
    with pytest.raises(PermissionDenied):
        services.update_initiative(initiative, actor=change_manager, changes={"title": "Mine now"})
    updated = services.update_initiative(
        initiative, actor=manager, changes={"title": "Better database changes"}, expected_version=1
    )
    assert updated.version == 2
    with pytest.raises(StaleVersion):
        services.update_initiative(initiative, actor=agent, changes={"title": "Old view"}, expected_version=1)


def test_links_problems_and_changes_the_actor_may_see(initiative, agent):
    p = problem(opened=timezone.now())
    c = change(opened=timezone.now())
    services.link_record(initiative, actor=agent, number=p.number.lower())
    services.link_record(initiative, actor=agent, number=c.number)
    assert sorted(initiative.links.values_list("kind", flat=True)) == ["pir", "problem"]
    with pytest.raises(ValidationError):
        services.link_record(initiative, actor=agent, number=p.number)  # once
    with pytest.raises(ValidationError):
        services.link_record(initiative, actor=agent, number="INC9999999")


def test_before_after_uses_the_dashboard_figure(initiative, manager, agent):
    initiative = services.move_initiative(initiative, "approve", actor=manager)
    initiative = services.move_initiative(initiative, "start", actor=agent)
    started = initiative.started_at
    ok = {"close_code": "successful", "state": "closed", "category": StateCategory.CLOSED}
    bad = {"close_code": "failed", "state": "closed", "category": StateCategory.CLOSED}
    before = [
        change(opened=started - timedelta(days=9), resolved_at=started - timedelta(days=d), **fields)
        for d, fields in ((5, ok), (4, bad), (3, bad), (2, bad))
    ]
    after = change(opened=started - timedelta(days=1), resolved_at=started + timedelta(seconds=1), **ok)
    assert before and after
    result = compare(initiative, manager, now=started + timedelta(days=2))
    assert (result.before, result.after) == (25.0, 100.0)
    assert result.chart["bars"][0]["title"].endswith("Before 25.0")


def test_pages_list_by_status_and_detail(initiative, client_for, agent, requester):
    client = client_for(agent)
    listed = client.get(reverse("improvements:list"))
    assert listed.status_code == 200 and initiative.number in listed.content.decode()
    assert client.get(reverse("improvements:list"), {"status": "bogus"}).status_code == 400
    detail = client.get(reverse("improvements:detail", args=[initiative.pk]))
    assert detail.status_code == 200 and "before and after" in detail.content.decode()
    assert client_for(requester).get(reverse("improvements:list")).status_code == 403
    assert client_for(requester).get(reverse("improvements:detail", args=[initiative.pk])).status_code == 403


def test_create_from_a_dashboard_figure(client_for, manager, team):
    client = client_for(manager)
    source = f"/dashboards/practices/changes/?period=30&team={team.pk}"
    form = client.get(
        reverse("improvements:create"),
        {"metric": "changes.emergency_share", "value": "20.0", "source": source},
    )
    assert form.status_code == 200
    html = form.content.decode()
    assert "Changes: Emergency share" in html and 'value="20.0"' in html
    response = client.post(
        reverse("improvements:create"),
        {
            "title": "Plan instead of rushing",
            "motivation": form.context["form"].initial["motivation"],
            "metric": "changes.emergency_share",
            "baseline_value": "20.0",
            "source_url": source,
            "owner": manager.pk,
        },
    )
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "improvements:detail", args=[initiative.pk]
    )
    assert initiative.metric_filters == {"team": str(team.pk)} and initiative.baseline_value == 20.0


def test_create_from_a_change_review_links_the_change(client_for, change_manager):
    c = change(opened=timezone.now(), state="review", category=StateCategory.RESOLVED)
    client = client_for(change_manager)
    form = client.get(reverse("improvements:create"), {"change": c.number})
    assert c.number in form.context["form"].initial["motivation"]
    client.post(
        reverse("improvements:create"),
        {"title": "Test backups before upgrades", "motivation": "PIR finding", "links": c.number},
    )
    assert Initiative.objects.get().links.get().task_id == c.pk


def test_move_page_refuses_clearly(initiative, client_for, agent):
    url = reverse("improvements:move", args=[initiative.pk, "approve"])
    response = client_for(agent).post(url, {"version": initiative.version})
    assert response.status_code == 403
    assert "Only a manager may approve" in response.content.decode()
    response = client_for(agent).post(url, {"version": "x"})
    assert response.status_code == 400


def test_user_text_is_escaped_on_pages(db, client_for, agent):
    item = services.create_initiative(
        actor=agent, title="<img src=x onerror=alert(1)>", motivation="<b>m</b>"
    )
    html = client_for(agent).get(reverse("improvements:detail", args=[item.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;b&gt;m&lt;/b&gt;" in html


def test_detail_query_count_is_bounded(initiative, client_for, agent, django_assert_max_num_queries):
    client = client_for(agent)
    url = reverse("improvements:detail", args=[initiative.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    for n in range(5):
        services.link_record(initiative, actor=agent, number=problem(opened=timezone.now()).number)
        services.update_initiative(initiative, actor=agent, changes={"expected_benefit": f"v{n}"})
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_a_change_review_offers_to_start_an_improvement(client_for, change_manager):
    from changes.models import PostImplementationReview

    c = change(opened=timezone.now(), state="review", category=StateCategory.RESOLVED)
    PostImplementationReview.objects.create(
        change=c, findings="Backups were not tested.", reviewed_by=change_manager, reviewed_at=timezone.now()
    )
    html = client_for(change_manager).get(reverse("change:detail", args=[c.pk])).content.decode()
    assert f"{reverse('improvements:create')}?change={c.number}" in html


def test_overview_figures_start_improvements_measured_by_the_overview_selectors(client_for, manager):
    from tests.dashboards.practice_data import incident

    html = client_for(manager).get(reverse("dashboards:home")).content.decode()
    assert "/improvements/new/?metric=incidents.opened&amp;value=0&amp;source=%2Fdashboards%2F" in html
    item = services.create_initiative(
        actor=manager, title="Fewer incidents", motivation="m", metric="incidents.opened"
    )
    item = services.move_initiative(item, "approve", actor=manager)
    item = services.move_initiative(item, "start", actor=manager)
    for days in (3, 2):
        incident(opened=item.started_at - timedelta(days=days))
    incident(opened=item.started_at + timedelta(seconds=1))
    result = compare(item, manager, now=item.started_at + timedelta(days=1))
    assert (result.label, result.before, result.after) == ("Service desk: Incidents opened", 2, 1)
