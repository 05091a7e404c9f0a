"""The incident queues: who may open them, what each shows, filters, sorting, pages, bulk actions."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import queues
from incidents.choices import HoldReason, ResolutionCode
from incidents.models import Incident
from incidents.services import assign_incident, start_incident
from incidents.views.workspace import BULK_RESULTS_KEY
from itsm.core.choices import Priority
from itsm.core.models import Task, TimelineEntry
from tests.factories import ConfigurationItemFactory, ServiceFactory, UserFactory

QUERY_BUDGET = 15
QUEUE_SLUGS = list(queues.QUEUES)


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def queue_url(slug="mine", **params) -> str:
    url = reverse("incident:queue", args=[slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def link(href: str, slug: str = "open") -> str:
    """A page link as the browser follows it: the query string is relative to the queue's URL."""
    return reverse("incident:queue", args=[slug]) + href.replace("&amp;", "&")


def numbers_on(response) -> list[str]:
    return re.findall(r'<td class="num" data-label="Number">(INC\d+)</td>', response.content.decode())


@pytest.fixture
def queue_world(make_incident, agent, team):
    """A few incidents in every queue of the agent."""
    mine = make_incident(title="Mine to fix")
    assign_incident(mine, actor=agent, group=team, assignee=agent)
    waiting = make_incident(title="Waiting in my team", assignment_group=team, actor=agent)
    other = make_incident(title="Someone else's")
    return {"mine": mine, "waiting": waiting, "other": other}


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("slug", QUEUE_SLUGS)
    def test_requesters_are_refused(self, requester, slug):
        assert client_as(requester).get(queue_url(slug)).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = client_as(None).get(queue_url())
        assert response.status_code == 302 and reverse("login") in response["Location"]

    @pytest.mark.parametrize("role", ["agent", "manager", "admin", "change_manager", "knowledge_manager"])
    def test_staff_may_open_every_queue(self, personas, role):
        client = client_as(personas[role])
        assert {client.get(queue_url(slug)).status_code for slug in QUEUE_SLUGS} == {200}

    def test_unknown_queue_is_404(self, agent):
        assert client_as(agent).get(queue_url("everything")).status_code == 404

    def test_requesters_cannot_post_bulk_actions(self, requester, queue_world):
        response = client_as(requester).post(
            reverse("incident:bulk"), {"action": "start", "rows": [f"{queue_world['mine'].pk}:1"]}
        )
        assert response.status_code == 403

    def test_the_navigation_offers_incidents_to_staff_only(self, agent, requester):
        assert ">Incidents</a>" in client_as(agent).get(reverse("portal:home")).content.decode()
        assert ">Incidents</a>" not in client_as(requester).get(reverse("portal:home")).content.decode()


@pytest.mark.django_db
class TestQueues:
    def test_each_queue_lists_its_incidents(self, agent, queue_world):
        client = client_as(agent)
        mine = numbers_on(client.get(queue_url("mine")))
        unassigned = numbers_on(client.get(queue_url("unassigned")))
        everything = numbers_on(client.get(queue_url("open")))
        assert mine == [queue_world["mine"].number]
        assert unassigned == [queue_world["waiting"].number]
        assert set(everything) == {incident.number for incident in queue_world.values()}

    def test_the_default_page_is_my_incidents(self, agent, queue_world):
        response = client_as(agent).get(reverse("incident:workspace"))
        assert numbers_on(response) == [queue_world["mine"].number]
        assert 'aria-current="page">My incidents</a>' in response.content.decode()

    def test_htmx_requests_get_only_the_results(self, agent, queue_world):
        response = client_as(agent).get(queue_url("open"), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "<html" not in html and "data-queue" in html
        assert "HX-Request" in response["Vary"]

    def test_count_says_more_than_when_capped(self, agent, queue_world, monkeypatch):
        monkeypatch.setattr("incidents.views.workspace.capped_count", lambda qs: (2, True))
        assert "More than 2 incidents" in client_as(agent).get(queue_url("open")).content.decode()

    def test_sort_by_priority_then_flip(self, agent, make_incident):
        urgent = make_incident(title="urgent", impact=1, urgency=1)
        calm = make_incident(title="calm", impact=3, urgency=3)
        client = client_as(agent)
        assert numbers_on(client.get(queue_url("open", sort="priority"))) == [urgent.number, calm.number]
        assert numbers_on(client.get(queue_url("open", sort="-priority"))) == [calm.number, urgent.number]
        html = client.get(queue_url("open", sort="priority")).content.decode()
        assert 'aria-sort="ascending"' in html and "sort=-priority" in html

    def test_next_and_previous_pages(self, agent, make_incident, monkeypatch):
        # given
        monkeypatch.setattr(queues, "PAGE_SIZE", 2)
        made = [make_incident(title=f"Incident {n}") for n in range(5)]
        client = client_as(agent)

        # when: follow "Next" to the end, then "Previous" back
        seen, url = [], queue_url("open", sort="number")
        while url:
            response = client.get(url)
            seen.append(numbers_on(response))
            found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
            url = link(found.group(1)) if found else None
        previous = link(re.search(r'rel="prev" href="([^"]+)"', response.content.decode()).group(1))

        # then
        assert seen == [[made[0].number, made[1].number], [made[2].number, made[3].number], [made[4].number]]
        assert numbers_on(client.get(previous)) == seen[1]

    def test_a_damaged_page_link_is_a_clear_400(self, agent, queue_world):
        response = client_as(agent).get(queue_url("open", after="garbage"))
        assert response.status_code == 400
        assert "This page link is out of date or damaged" in response.content.decode()

    def test_an_exact_number_opens_the_record(self, agent, queue_world):
        number = queue_world["other"].number
        response = client_as(agent).get(queue_url("mine", q=number.lower()))
        assert response.status_code == 302 and response["Location"] == queue_world["other"].get_absolute_url()


@pytest.mark.django_db
class TestFilters:
    def test_state_priority_group_assignee_and_unassigned(self, agent, team, queue_world):
        client = client_as(agent)
        start_incident(queue_world["mine"], actor=agent)
        assert numbers_on(client.get(queue_url("open", state="in_progress"))) == [queue_world["mine"].number]
        assert numbers_on(client.get(queue_url("open", assignment_group=team.pk, unassigned="true"))) == [
            queue_world["waiting"].number
        ]
        assert numbers_on(client.get(queue_url("open", assignee=agent.pk))) == [queue_world["mine"].number]
        Task.objects.filter(pk=queue_world["other"].pk).update(priority=Priority.CRITICAL)
        assert numbers_on(client.get(queue_url("open", priority=1))) == [queue_world["other"].number]

    def test_service_ci_category_and_text(self, agent, make_incident, hardware):
        payroll = ServiceFactory(name="Payroll")
        server = ConfigurationItemFactory(name="pay-db-01")
        hit = make_incident(
            title="Payroll is down", service=payroll, configuration_item=server, category=hardware
        )
        make_incident(title="Unrelated")
        client = client_as(agent)
        for params in (
            {"service": payroll.pk},
            {"ci": "PAY-DB-01"},
            {"category": hardware.pk},
            {"q": "payroll"},
        ):
            assert numbers_on(client.get(queue_url("open", **params))) == [hit.number], params

    def test_date_ranges(self, agent, queue_world):
        client = client_as(agent)
        assert len(numbers_on(client.get(queue_url("open", opened_after="2000-01-01")))) == 3
        assert numbers_on(client.get(queue_url("open", opened_before="2000-01-01"))) == []
        assert numbers_on(client.get(queue_url("open", updated_before="2000-01-01"))) == []

    @pytest.mark.parametrize(
        "params",
        [
            {"state": "exploded"},
            {"priority": "9"},
            {"assignee": "abc"},
            {"assignee": str(2**70)},
            {"service": "-1"},
            {"opened_after": "last tuesday"},
            {"category": "999999"},
        ],
    )
    def test_bad_filters_are_a_clear_400(self, agent, queue_world, params):
        response = client_as(agent).get(queue_url("open", **params))
        assert response.status_code == 400
        assert "These filters cannot be used" in response.content.decode()

    def test_the_ci_picker_suggests_names(self, agent):
        ConfigurationItemFactory(name="mail-gw-01")
        ConfigurationItemFactory(name="db-01")
        html = client_as(agent).get(reverse("incident:ci-options"), {"ci": "mail"}).content.decode()
        assert '<option value="mail-gw-01">' in html and "db-01" not in html


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
class TestQueryBudget:
    def make(self, make_incident, agent, team, count):
        for n in range(count):
            incident = make_incident(title=f"Incident {n}", assignment_group=team, actor=agent)
            if n % 2:
                assign_incident(incident, actor=agent, group=team, assignee=agent)

    @pytest.mark.parametrize("slug", QUEUE_SLUGS)
    def test_queue_pages_cost_the_same_with_1_and_30_incidents(self, agent, team, make_incident, slug):
        client = client_as(agent)
        self.make(make_incident, agent, team, 2)
        with_few = queries_for(client, queue_url(slug))
        self.make(make_incident, agent, team, 30)
        with_many = queries_for(client, queue_url(slug))
        assert with_few == with_many <= QUERY_BUDGET

    def test_a_filtered_second_page_costs_the_same(self, agent, team, make_incident, monkeypatch):
        monkeypatch.setattr(queues, "PAGE_SIZE", 5)
        self.make(make_incident, agent, team, 12)
        client = client_as(agent)
        first = client.get(queue_url("open", assignment_group=team.pk, sort="priority"))
        after = link(re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1))
        assert queries_for(client, after) <= QUERY_BUDGET


@pytest.mark.django_db
class TestBulk:
    def post(self, user, rows, **data):
        return client_as(user).post(
            reverse("incident:bulk"), {"rows": rows, "next": queue_url("open"), **data}, follow=True
        )

    def rows(self, *incidents) -> list[str]:
        return [f"{incident.pk}:{Incident.objects.get(pk=incident.pk).version}" for incident in incidents]

    def test_assign_to_me_reports_each_row(self, agent, team, queue_world):
        # given: one row changed by someone else after the list was shown
        rows = self.rows(queue_world["waiting"], queue_world["other"])
        start_incident(queue_world["other"], actor=agent)

        # when
        response = self.post(agent, rows, action="assign_me")

        # then
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == queue_url("open")
        assert Incident.objects.get(pk=queue_world["waiting"].pk).assignee == agent
        assert Incident.objects.get(pk=queue_world["other"].pk).assignee is None
        assert "Assigned to you." in html
        assert "changed by someone else" in html
        assert html.count('class="result-ok"') == 1 and html.count('class="result-failed"') == 1

    def test_results_are_shown_once(self, agent, queue_world):
        client = client_as(agent)
        shown = client.post(
            reverse("incident:bulk"),
            {"rows": self.rows(queue_world["waiting"]), "action": "start"},
            follow=True,
        )
        again = client.get(queue_url("mine"))
        assert "Work started." in shown.content.decode()
        assert "Work started." not in again.content.decode() and BULK_RESULTS_KEY not in client.session

    def test_hold_and_resolve_and_note(self, agent, queue_world):
        targets = (queue_world["mine"], queue_world["waiting"])
        self.post(agent, self.rows(*targets), action="hold", hold_reason=HoldReason.AWAITING_SUPPLIER)
        assert {Incident.objects.get(pk=i.pk).state for i in targets} == {"on_hold"}
        self.post(
            agent,
            self.rows(*targets),
            action="resolve",
            resolution_code=ResolutionCode.DUPLICATE,
            notes="Dup",
        )
        assert {Incident.objects.get(pk=i.pk).state for i in targets} == {"resolved"}
        self.post(agent, self.rows(*targets), action="note", note="Checked by the night shift")
        notes = TimelineEntry.objects.filter(kind="work_note", body="Checked by the night shift")
        assert notes.count() == 2 and not notes.filter(is_public=True).exists()

    def test_refused_moves_are_reported_per_row(self, agent, queue_world):
        self.post(agent, self.rows(queue_world["waiting"]), action="cancel")
        response = self.post(agent, self.rows(queue_world["waiting"]), action="start")
        assert "“Start work” is not possible while the record is cancelled." in response.content.decode()

    def test_assign_to_a_group_and_person(self, agent, team, queue_world):
        colleague = UserFactory(username="cora.colleague", roles=["agent"])
        team.members.add(colleague)
        self.post(
            agent, self.rows(queue_world["other"]), action="assign", group=team.pk, assignee=colleague.pk
        )
        incident = Incident.objects.get(pk=queue_world["other"].pk)
        assert (incident.assignment_group, incident.assignee) == (team, colleague)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"action": "hold"}, "Hold reason is needed"),
            ({"action": "resolve", "resolution_code": "permanent"}, "Resolution notes is needed"),
            ({"action": "assign"}, "Choose a group, a person or both."),
            ({"action": "explode"}, "Select a valid choice"),
        ],
    )
    def test_missing_inputs_change_nothing(self, agent, queue_world, data, message):
        response = self.post(agent, self.rows(queue_world["waiting"]), **data)
        html = response.content.decode()
        assert "Nothing was changed." in html and message in html
        assert Incident.objects.get(pk=queue_world["waiting"].pk).version == queue_world["waiting"].version

    @pytest.mark.parametrize("rows", [[], ["abc"], ["1:2:3"], [f"{2**70}:1"], ["5:0"]])
    def test_tampered_rows_change_nothing(self, agent, queue_world, rows):
        response = self.post(agent, rows, action="start")
        assert "Nothing was changed." in response.content.decode()

    def test_rows_not_visible_or_missing_are_reported(self, agent, queue_world):
        response = self.post(agent, ["987654:1"], action="start")
        assert "Not found, or not visible to you." in response.content.decode()

    def test_at_most_a_hundred_rows(self, agent, queue_world):
        response = self.post(agent, [f"{n}:1" for n in range(1, 102)], action="start")
        assert "Select at most 100 incidents at a time." in response.content.decode()

    def test_next_must_stay_on_this_site(self, agent, queue_world):
        response = client_as(agent).post(
            reverse("incident:bulk"),
            {"rows": self.rows(queue_world["waiting"]), "action": "start", "next": "https://evil.example/"},
        )
        assert response["Location"] == queue_url("mine")
