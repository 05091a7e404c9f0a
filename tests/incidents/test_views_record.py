"""The agent's record page: access, in-place edits with versions, moves, replies, files, presence."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.choices import HoldReason, MajorIncidentState, ResolutionCode
from incidents.models import Incident
from incidents.services import (
    add_reply,
    assign_incident,
    propose_major,
    resolve_incident,
    update_incident,
)
from itsm.core.choices import LinkKind, TaskKind
from itsm.core.models import Attachment, TaskLink, TimelineEntry
from itsm.core.services.activity import add_attachment, link_tasks
from tests.factories import ConfigurationItemFactory, ServiceFactory, TaskFactory, UserFactory

QUERY_BUDGET = 15


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def detail(incident) -> str:
    return reverse("incident:detail", args=[incident.pk])


def edit(incident, field) -> str:
    return reverse("incident:edit-field", args=[incident.pk, field])


def move(incident, name) -> str:
    return reverse("incident:move", args=[incident.pk, name])


@pytest.fixture
def incident(make_incident, team):
    return make_incident(
        title="Payroll shows last month", description="Since the upgrade.", assignment_group=team
    )


@pytest.mark.django_db
class TestAccess:
    def test_agents_see_the_record(self, agent, incident):
        response = client_as(agent).get(detail(incident))
        html = response.content.decode()
        assert response.status_code == 200
        assert incident.number in html and "Payroll shows last month" in html
        assert 'id="sla"' in html and "No service level targets" in html

    def test_requesters_are_sent_to_the_portal_page_of_their_own_incident(self, requester, incident):
        response = client_as(requester).get(detail(incident))
        assert response.status_code == 302
        assert response["Location"] == reverse("incident:portal-detail", args=[incident.pk])

    def test_other_requesters_get_404(self, other_requester, incident):
        assert client_as(other_requester).get(detail(incident)).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, incident):
        assert client_as(None).get(detail(incident)).status_code == 302

    @pytest.mark.parametrize("pk", [987654, 2**63 - 1, 2**63, 2**70])
    def test_unknown_ids_are_404(self, agent, pk):
        assert client_as(agent).get(f"/incidents/{pk}/").status_code == 404

    def test_a_bare_task_of_kind_incident_opens_the_generic_page(self, agent):
        task = TaskFactory(kind=TaskKind.INCIDENT)
        response = client_as(agent).get(task.get_absolute_url())
        assert response.status_code == 200 and task.title in response.content.decode()

    @pytest.mark.parametrize(
        ("name", "args"),
        [
            ("incident:edit-field", ["title"]),
            ("incident:field", ["title"]),
            ("incident:impact", []),
        ],
    )
    def test_requesters_cannot_open_agent_fragments(self, requester, incident, name, args):
        assert client_as(requester).get(reverse(name, args=[incident.pk, *args])).status_code == 403

    @pytest.mark.parametrize(
        "name",
        [
            "incident:assign-me",
            "incident:reply",
            "incident:attach",
            "incident:watch",
            "incident:link",
            "incident:propose-major",
            "incident:decide-major",
            "incident:presence",
        ],
    )
    def test_requesters_cannot_post_agent_actions(self, requester, incident, name):
        response = client_as(requester).post(reverse(name, args=[incident.pk]), {"expected_version": 1})
        assert response.status_code == 403

    def test_requesters_cannot_move_their_incident_from_the_agent_page(self, requester, incident):
        response = client_as(requester).post(move(incident, "cancel"), {"expected_version": 1})
        assert response.status_code == 403 and fresh(incident).state == "new"


@pytest.mark.django_db
class TestQueryBudget:
    def queries(self, client, url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def test_the_record_page_costs_the_same_however_much_happened(
        self, agent, requester, team, make_incident
    ):
        # given
        client = client_as(agent)
        incident = make_incident(title="Watched", assignment_group=team)
        quiet = self.queries(client, detail(incident))

        # when: 30 more incidents, replies, notes, files, links, watchers, children and a rating
        others = [make_incident(title=f"Other {n}") for n in range(30)]
        for n in range(10):
            add_reply(incident, actor=agent, body=f"Reply {n}", public=n % 2 == 0)
            add_attachment(incident, SimpleUploadedFile(f"log{n}.txt", b"x"), actor=agent)
        for other in others[:5]:
            link_tasks(incident, other, LinkKind.RELATED_TO, actor=agent)
        Incident.objects.filter(pk__in=[o.pk for o in others[5:15]]).update(parent=incident)
        incident.watchers.add(agent, requester)
        busy = self.queries(client, detail(incident))

        # then
        assert quiet == busy <= QUERY_BUDGET


@pytest.mark.django_db
class TestInPlaceEditing:
    def test_the_edit_form_comes_in_place(self, agent, incident):
        response = client_as(agent).get(edit(incident, "title"), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "<html" not in html and 'id="field-title"' in html
        assert f'name="expected_version" value="{incident.version}"' in html

    def test_saving_a_title_returns_the_value_and_the_new_version(self, agent, incident):
        # when
        response = client_as(agent).post(
            edit(incident, "title"),
            {"title": "Payroll shows March", "expected_version": incident.version},
            HTTP_HX_REQUEST="true",
        )

        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert fresh(incident).title == "Payroll shows March"
        assert json.loads(response["HX-Trigger"]) == {"itsm:version": {"value": incident.version + 1}}
        assert 'id="timeline-list" hx-swap-oob="true"' in html and 'id="record-badges"' in html

    def test_impact_and_urgency_recompute_the_priority(self, agent, incident):
        client_as(agent).post(
            edit(incident, "impact"), {"impact": 1, "urgency": 1, "expected_version": incident.version}
        )
        assert fresh(incident).priority == 1

    def test_category_service_ci_and_assignment(self, agent, team, incident, hardware, printer):
        service = ServiceFactory(name="Printing")
        ConfigurationItemFactory(name="prn-floor-3")
        client = client_as(agent)
        for field, data in [
            ("category", {"category": hardware.pk, "subcategory": printer.pk}),
            ("service", {"service": service.pk}),
            ("ci", {"configuration_item": "PRN-floor-3"}),
            ("assignment", {"assignment_group": team.pk, "assignee": agent.pk}),
        ]:
            response = client.post(
                edit(incident, field), {**data, "expected_version": fresh(incident).version}
            )
            assert response.status_code == 302, (field, response.content.decode()[:500])
        saved = fresh(incident)
        assert (saved.category, saved.subcategory, saved.service) == (hardware, printer, service)
        assert saved.configuration_item.name == "prn-floor-3"
        assert (saved.assignment_group, saved.assignee) == (team, agent)

    def test_a_stale_save_shows_the_newer_value_and_overwrites_nothing(self, agent, manager, incident):
        # given: someone else renames the incident after the agent opened the form
        rendered_version = incident.version
        update_incident(incident, actor=manager, changes={"title": "Renamed by Mona"})

        # when
        response = client_as(agent).post(
            edit(incident, "title"),
            {"title": "Agent's title", "expected_version": rendered_version},
            HTTP_HX_REQUEST="true",
        )

        # then
        html = response.content.decode()
        assert response.status_code == 409
        assert fresh(incident).title == "Renamed by Mona"
        assert "Not saved: someone else changed this incident" in html
        assert "It now says:" in html and "Renamed by Mona" in html
        assert f'name="expected_version" value="{rendered_version + 1}"' in html
        assert 'value="Agent&#x27;s title"' in html

    @pytest.mark.parametrize(
        ("field", "data", "message"),
        [
            ("title", {"title": ""}, "The title cannot be empty."),
            ("title", {"title": "x" * 251}, "at most 250 characters"),
            ("ci", {"configuration_item": "no-such-box"}, "There is no configuration item called"),
            ("impact", {"impact": 7, "urgency": 1}, "Select a valid choice"),
            ("service", {"service": 999999}, "Select a valid choice"),
        ],
    )
    def test_bad_input_is_a_field_error(self, agent, incident, field, data, message):
        response = client_as(agent).post(
            edit(incident, field), {**data, "expected_version": incident.version}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400 and message in response.content.decode()

    def test_a_subcategory_of_another_category_is_refused_by_the_service(self, agent, incident, hardware):
        other = hardware.__class__.objects.create(name="Software")
        wrong = hardware.__class__.objects.create(name="Excel", parent=other)
        response = client_as(agent).post(
            edit(incident, "category"),
            {"category": hardware.pk, "subcategory": wrong.pk, "expected_version": incident.version},
        )
        assert response.status_code == 400 and "belongs to another category" in response.content.decode()

    @pytest.mark.parametrize("version", ["", "abc", "0", str(2**40)])
    def test_a_missing_or_tampered_version_is_refused(self, agent, incident, version):
        response = client_as(agent).post(
            edit(incident, "title"), {"title": "New", "expected_version": version}
        )
        assert response.status_code == 400 and fresh(incident).title == "Payroll shows last month"

    def test_unknown_fields_are_404(self, agent, incident):
        assert client_as(agent).get(edit(incident, "state")).status_code == 404

    def test_cancel_shows_the_value_again(self, agent, incident):
        html = client_as(agent).get(reverse("incident:field", args=[incident.pk, "title"])).content.decode()
        assert "<h1" in html and "Edit" in html


@pytest.mark.django_db
class TestMoves:
    def post(self, user, incident, name, **data):
        return client_as(user).post(
            move(incident, name), {"expected_version": fresh(incident).version, **data}
        )

    def test_buttons_follow_the_workflow(self, agent, incident):
        html = client_as(agent).get(detail(incident)).content.decode()
        offered = set(re.findall(r"/moves/([a-z]+)/", html))
        assert offered == {"start", "hold", "resolve", "cancel"}

    def test_resolved_incidents_offer_close_and_reopen(self, agent, incident):
        resolve_incident(incident, actor=agent, resolution_code=ResolutionCode.SOLVED_REMOTELY, notes="Done")
        html = client_as(agent).get(detail(incident)).content.decode()
        assert set(re.findall(r"/moves/([a-z]+)/", html)) == {"close", "reopen"}

    def test_the_whole_lifecycle(self, agent, incident):
        assert self.post(agent, incident, "start").status_code == 302
        assert self.post(agent, incident, "hold", reason=HoldReason.AWAITING_CALLER).status_code == 302
        assert fresh(incident).hold_reason == HoldReason.AWAITING_CALLER
        self.post(
            agent, incident, "resolve", resolution_code=ResolutionCode.SOLVED_PERMANENTLY, notes="Fixed"
        )
        assert fresh(incident).state == "resolved"
        self.post(agent, incident, "reopen", reason="Broke again")
        assert fresh(incident).state == "in_progress"
        self.post(agent, incident, "cancel", reason="Duplicate")
        assert fresh(incident).state == "cancelled"

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("hold", {}, "This field is required."),
            ("hold", {"reason": "bored"}, "Select a valid choice"),
            ("resolve", {"resolution_code": "permanent"}, "Write resolution notes"),
            ("reopen", {}, "Say why it is not solved."),
        ],
    )
    def test_missing_inputs_are_field_errors(self, agent, incident, name, data, message):
        response = self.post(agent, incident, name, **data)
        html = response.content.decode()
        assert response.status_code == 400 and message in html
        assert '<details class="move" open>' in html

    def test_a_move_the_workflow_refuses_is_a_clear_409(self, agent, incident):
        response = self.post(agent, incident, "close")
        assert response.status_code == 409
        assert "“Close” is not possible while the record is new." in response.content.decode()
        assert fresh(incident).state == "new"

    def test_unknown_moves_are_404(self, agent, incident):
        assert self.post(agent, incident, "explode").status_code == 404

    def test_a_stale_move_shows_the_newer_values(self, agent, manager, team, incident):
        # given
        rendered_version = incident.version
        assign_incident(incident, actor=manager, group=team, assignee=agent)

        # when
        response = client_as(agent).post(
            move(incident, "resolve"),
            {"expected_version": rendered_version, "resolution_code": "permanent", "notes": "Rebooted"},
        )

        # then
        html = response.content.decode()
        assert response.status_code == 409
        assert "changed by someone else" in html and "Your change was not saved." in html
        assert "assigned to" in html and f"(version {rendered_version + 1})" in html
        assert "Rebooted" in html  # what the agent typed is kept
        assert fresh(incident).state == "new"

    def test_assign_to_me(self, agent, team, incident):
        response = client_as(agent).post(
            reverse("incident:assign-me", args=[incident.pk]), {"expected_version": incident.version}
        )
        assert response.status_code == 302
        assert (fresh(incident).assignee, fresh(incident).assignment_group) == (agent, team)

    def test_assign_to_me_from_the_queue_returns_to_it(self, agent, incident):
        queue = reverse("incident:queue", args=["open"])
        response = client_as(agent).post(
            reverse("incident:assign-me", args=[incident.pk]),
            {"expected_version": incident.version, "next": queue},
        )
        assert response["Location"] == queue


@pytest.mark.django_db
class TestConversationAndFiles:
    def test_public_reply_and_internal_note_are_distinct(self, agent, incident):
        client = client_as(agent)
        client.post(
            reverse("incident:reply", args=[incident.pk]), {"body": "We are on it", "visibility": "public"}
        )
        client.post(
            reverse("incident:reply", args=[incident.pk]),
            {"body": "Vendor ticket 42", "visibility": "internal"},
        )
        html = client.get(detail(incident)).content.decode()
        assert TimelineEntry.objects.get(body="We are on it").is_public
        assert not TimelineEntry.objects.get(body="Vendor ticket 42").is_public
        assert '<span class="badge badge-blue">Public reply</span>' in html
        assert '<span class="badge badge-amber">Internal work note</span>' in html

    def test_an_empty_reply_is_a_field_error(self, agent, incident):
        response = client_as(agent).post(reverse("incident:reply", args=[incident.pk]), {"body": "  "})
        assert response.status_code == 400 and "Write something before sending." in response.content.decode()

    def test_upload_a_file_for_agents_only(self, agent, incident):
        response = client_as(agent).post(
            reverse("incident:attach", args=[incident.pk]),
            {"file": SimpleUploadedFile("trace.log", b"stack")},
        )
        assert response.status_code == 302
        assert not Attachment.objects.get(task=incident).is_public

    def test_a_huge_file_is_refused_with_the_limit(self, agent, incident, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        response = client_as(agent).post(
            reverse("incident:attach", args=[incident.pk]), {"file": SimpleUploadedFile("big.txt", b"x" * 11)}
        )
        assert response.status_code == 400 and "the limit is 10 bytes" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_a_forbidden_file_type_is_refused(self, agent, incident):
        response = client_as(agent).post(
            reverse("incident:attach", args=[incident.pk]), {"file": SimpleUploadedFile("run.exe", b"MZ")}
        )
        assert response.status_code == 400 and "are not accepted" in response.content.decode()

    def test_watch_and_stop_watching(self, agent, incident):
        client = client_as(agent)
        client.post(reverse("incident:watch", args=[incident.pk]), {"watch": "1"})
        assert list(incident.watchers.all()) == [agent]
        assert "Stop watching" in client.get(detail(incident)).content.decode()
        client.post(reverse("incident:watch", args=[incident.pk]), {"watch": "0"})
        assert not incident.watchers.exists()

    def test_link_a_record_by_number(self, agent, incident, make_incident):
        other = make_incident(title="Same root cause")
        client = client_as(agent)
        response = client.post(
            reverse("incident:link", args=[incident.pk]),
            {"kind": LinkKind.RELATED_TO, "number": other.number.lower()},
        )
        assert response.status_code == 302 and TaskLink.objects.filter(source=incident, target=other).exists()
        assert other.number in client.get(detail(incident)).content.decode()
        again = client.post(
            reverse("incident:link", args=[incident.pk]),
            {"kind": LinkKind.RELATED_TO, "number": other.number},
        )
        assert again.status_code == 400 and "is already" in again.content.decode()

    def test_linking_an_unknown_number_is_a_field_error(self, agent, incident):
        response = client_as(agent).post(
            reverse("incident:link", args=[incident.pk]),
            {"kind": LinkKind.RELATED_TO, "number": "INC9999999"},
        )
        assert response.status_code == 400 and "There is no record INC9999999" in response.content.decode()

    def test_the_ci_impact_lists_affected_services(self, agent, make_incident):
        server = ConfigurationItemFactory(name="pay-db-01")
        payroll = ServiceFactory(name="Payroll")
        payroll.components.add(server)
        incident = make_incident(configuration_item=server)
        html = client_as(agent).get(reverse("incident:impact", args=[incident.pk]), HTTP_HX_REQUEST="true")
        assert "Payroll" in html.content.decode() and "directly" in html.content.decode()


@pytest.mark.django_db
class TestMajorIncidents:
    def test_an_agent_proposes_and_a_manager_accepts(self, agent, manager, incident):
        client_as(agent).post(
            reverse("incident:propose-major", args=[incident.pk]),
            {"reason": "Payroll down for everyone", "expected_version": incident.version},
        )
        assert fresh(incident).major_state == MajorIncidentState.PROPOSED
        assert "Decide: major incident?" not in client_as(agent).get(detail(incident)).content.decode()
        assert "Decide: major incident?" in client_as(manager).get(detail(incident)).content.decode()
        client_as(manager).post(
            reverse("incident:decide-major", args=[incident.pk]),
            {"decision": "accept", "expected_version": fresh(incident).version},
        )
        assert fresh(incident).major_state == MajorIncidentState.ACCEPTED

    def test_agents_cannot_decide(self, agent, incident):
        propose_major(incident, actor=agent, reason="Everyone")
        response = client_as(agent).post(
            reverse("incident:decide-major", args=[incident.pk]),
            {"decision": "accept", "expected_version": fresh(incident).version},
        )
        assert response.status_code == 403 and "Only managers decide" in response.content.decode()

    def test_proposing_needs_a_reason(self, agent, incident):
        response = client_as(agent).post(
            reverse("incident:propose-major", args=[incident.pk]), {"expected_version": incident.version}
        )
        assert (
            response.status_code == 400 and "Say why this is a major incident." in response.content.decode()
        )


@pytest.mark.django_db
class TestPresence:
    def test_each_viewer_sees_the_others(self, agent, manager, incident):
        url = reverse("incident:presence", args=[incident.pk])
        manager.first_name, manager.last_name = "Mona", "Manager"
        manager.save()
        first = client_as(agent).post(url).content.decode()
        second = client_as(manager).post(url, {"editing": "1"}).content.decode()
        third = client_as(agent).post(url).content.decode()
        assert "Also here" not in first
        assert "andy.agent" in second or agent.get_full_name() in second
        assert "Mona Manager</strong> (editing)" in third

    def test_leaving_drops_the_viewer(self, agent, manager, incident):
        url = reverse("incident:presence", args=[incident.pk])
        client_as(manager).post(url)
        assert client_as(manager).post(url, {"leave": "1"}).status_code == 204
        assert "Also here" not in client_as(agent).post(url).content.decode()

    def test_presence_needs_a_post(self, agent, incident):
        assert client_as(agent).get(reverse("incident:presence", args=[incident.pk])).status_code == 405

    def test_the_record_page_polls_presence(self, agent, incident):
        html = client_as(agent).get(detail(incident)).content.decode()
        assert 'hx-trigger="load, every 15s"' in html


@pytest.mark.django_db
def test_only_team_members_can_be_picked_as_assignee(agent, team, incident):
    outsider = UserFactory(username="olga.outsider", roles=["agent"])
    response = client_as(agent).post(
        edit(incident, "assignment"),
        {"assignment_group": team.pk, "assignee": outsider.pk, "expected_version": incident.version},
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_starting_work_from_the_page_records_the_first_response(agent, incident):
    client_as(agent).post(move(incident, "start"), {"expected_version": incident.version})
    assert fresh(incident).responded_at is not None
