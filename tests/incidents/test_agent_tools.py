"""The desk's tools: logging a call for a caller, the parent incident, unlinking records."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Incident, RoutingRule
from incidents.services import resolve_incident, set_parent, unlink_record
from itsm.core.choices import LinkKind
from itsm.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed
from itsm.core.models import Attachment, TaskLink, TimelineEntry
from itsm.core.roles import Role
from itsm.core.services.activity import link_tasks
from tests.factories import ServiceFactory, TaskFactory, TeamFactory, UserFactory

NEW = reverse("incident:new")


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


#: What the desk form needs at least; each test changes what it is about.
CALL = {"caller": "vera.vip", "contact_type": "phone", "title": "Broken", "impact": "2", "urgency": "2"}


def log_call(client: Client, **changes):
    return client.post(NEW, {**CALL, **changes})


def actions_on(task) -> list[str]:
    return list(TimelineEntry.objects.filter(task_id=task.pk).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def caller(db):
    user = UserFactory(username="vera.vip", first_name="Vera", last_name="Vip", roles=[Role.REQUESTER])
    user.email = "vera@example.org"
    user.save()
    user.profile.vip = True
    user.profile.phone = "+44 20 7946 0000"
    user.profile.save()
    return user


@pytest.fixture
def parent(make_incident):
    return make_incident(title="Mail is down for everyone")


@pytest.fixture
def child(make_incident):
    return make_incident(title="I cannot send mail")


# --- service: set_parent ------------------------------------------------------------------


@pytest.mark.django_db
class TestSetParent:
    def test_sets_changes_and_clears_with_timeline_entries_on_both_sides(
        self, agent, parent, child, make_incident
    ):
        # when
        set_parent(child, parent, actor=agent, expected_version=child.version)
        other = make_incident(title="Mail outage, second report")
        set_parent(fresh(child), other, actor=agent)
        set_parent(fresh(child), None, actor=agent)

        # then
        assert fresh(child).parent is None
        assert actions_on(child).count("incident.parent_changed") == 3
        assert "incident.child_added" in actions_on(parent) and "incident.child_removed" in actions_on(parent)
        assert actions_on(other)[-2:] == ["incident.child_added", "incident.child_removed"]
        entry = TimelineEntry.objects.filter(task_id=child.pk, action="incident.parent_changed").first()
        assert entry.changes["parent"]["new"]["id"] == parent.pk

    def test_setting_the_same_parent_again_changes_nothing(self, agent, parent, child):
        set_parent(child, parent, actor=agent)
        version = fresh(child).version
        set_parent(fresh(child), parent, actor=agent)
        assert fresh(child).version == version

    def test_a_child_follows_its_parents_resolution(self, agent, parent, child):
        set_parent(child, parent, actor=agent)
        resolve_incident(
            fresh(parent), actor=agent, resolution_code="permanent", notes="Mail server restarted."
        )
        assert fresh(child).state == "resolved"

    def test_refuses_self_parenting(self, agent, child):
        with pytest.raises(ValidationError, match="its own parent"):
            set_parent(child, child, actor=agent)

    def test_refuses_a_cycle(self, agent, parent, child):
        set_parent(child, parent, actor=agent)
        with pytest.raises(ValidationError, match="already a child of"):
            set_parent(fresh(parent), fresh(child), actor=agent)

    def test_refuses_a_second_level(self, agent, parent, child, make_incident):
        # given: child is under parent
        set_parent(child, parent, actor=agent)
        grandchild = make_incident(title="Third level")

        # then: neither under the child, nor the parent under something else
        with pytest.raises(ValidationError, match="itself a child"):
            set_parent(grandchild, fresh(child), actor=agent)
        with pytest.raises(ValidationError, match="has child incidents"):
            set_parent(fresh(parent), grandchild, actor=agent)

    @pytest.mark.parametrize("state", ["resolved", "closed", "cancelled"])
    def test_refuses_a_parent_that_is_no_longer_open(self, agent, parent, child, state):
        Incident.objects.filter(pk=parent.pk).update(state=state, state_category=state)
        with pytest.raises(ValidationError, match="no longer open"):
            set_parent(child, fresh(parent), actor=agent)

    def test_a_closed_incident_cannot_get_a_parent(self, agent, parent, child):
        Incident.objects.filter(pk=child.pk).update(state="closed", state_category="closed")
        with pytest.raises(TransitionNotAllowed):
            set_parent(fresh(child), parent, actor=agent)

    def test_a_stale_version_is_refused(self, agent, parent, child):
        with pytest.raises(StaleVersion):
            set_parent(child, parent, actor=agent, expected_version=child.version + 1)
        assert fresh(child).parent is None

    def test_requesters_never(self, requester, parent, child):
        with pytest.raises(PermissionDenied):
            set_parent(child, parent, actor=requester)


# --- service: unlink_record ---------------------------------------------------------------


@pytest.mark.django_db
class TestUnlink:
    def test_removes_the_link_and_notes_it_on_both_timelines(self, agent, parent, child):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        unlink_record(parent, link, actor=agent)
        assert not TaskLink.objects.exists()
        assert actions_on(child)[-1] == "task.unlinked" and actions_on(parent)[-1] == "task.unlinked"

    def test_only_links_of_the_incident(self, agent, parent, child, make_incident):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        with pytest.raises(ValidationError):
            unlink_record(make_incident(title="Unrelated"), link, actor=agent)
        assert TaskLink.objects.count() == 1

    def test_requesters_never(self, agent, requester, parent, child):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        with pytest.raises(PermissionDenied):
            unlink_record(child, link, actor=requester)
        assert TaskLink.objects.count() == 1


# --- page: log an incident for a caller --------------------------------------------------------


@pytest.mark.django_db
class TestNewIncidentPage:
    def test_the_form_is_linked_from_the_queue_and_the_nav(self, agent):
        html = client_as(agent).get(reverse("incident:workspace")).content.decode()
        assert html.count(f'href="{NEW}"') == 2 and "data-new-incident" in html

    def test_logs_an_incident_for_the_caller_and_opens_it(self, agent, caller, team):
        # given
        service = ServiceFactory(name="E-mail")

        # when
        client = client_as(agent)
        response = client.post(
            NEW,
            {
                "caller": "VERA@example.org",
                "contact_type": "phone",
                "title": "Outlook keeps asking for the password",
                "description": "Since this morning.",
                "service": "e-mail",
                "impact": "3",
                "urgency": "1",
                "assignment_group": str(team.pk),
                "attachments": [SimpleUploadedFile("screen.png", b"\x89PNG")],
            },
        )

        # then
        incident = Incident.objects.get()
        assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
        assert (incident.requester, incident.contact_type, incident.service) == (caller, "phone", service)
        assert (incident.impact, incident.urgency, incident.assignment_group) == (3, 1, team)
        assert Attachment.objects.get().task_id == incident.pk
        page = client.get(response["Location"]).content.decode()
        assert f"{incident.number} was logged for Vera Vip" in page and "VIP" in page

    def test_routing_applies_when_no_group_is_chosen(self, agent, caller):
        desk = TeamFactory(name="Phone desk")
        RoutingRule.objects.create(name="Calls", contact_type="phone", assignment_group=desk)
        client_as(agent).post(
            NEW,
            {
                "caller": "vera.vip",
                "contact_type": "phone",
                "title": "Printer",
                "impact": "2",
                "urgency": "2",
            },
        )
        assert Incident.objects.get().assignment_group == desk

    def test_an_assignee_without_a_group_keeps_the_assignees_group(self, agent, caller, team):
        client_as(agent).post(
            NEW,
            {
                "caller": "vera.vip",
                "contact_type": "walk_in",
                "title": "Screen flickers",
                "impact": "2",
                "urgency": "2",
                "assignee": str(agent.pk),
            },
        )
        incident = Incident.objects.get()
        assert (incident.assignee, incident.assignment_group) == (agent, team)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"caller": ""}, "Who is calling?"),
            ({"caller": "nobody.here"}, "There is no active person called"),
            ({"title": ""}, "Say in a few words what is wrong."),
            ({"service": "Teleportation"}, "There is no service called"),
            ({"configuration_item": "ghost-01"}, "There is no configuration item called"),
            ({"impact": "9"}, "Select a valid choice"),
            ({"contact_type": "portal"}, "Select a valid choice"),
            ({"assignment_group": "99999"}, "Select a valid choice"),
        ],
    )
    def test_bad_input_is_a_field_error_and_nothing_is_saved(self, agent, caller, data, message):
        base = {
            "caller": "vera.vip",
            "contact_type": "phone",
            "title": "Broken",
            "impact": "2",
            "urgency": "2",
        }
        response = client_as(agent).post(NEW, {**base, **data})
        assert response.status_code == 400 and message in response.content.decode()
        assert not Incident.objects.exists()

    def test_a_refused_file_leaves_no_incident(self, agent, caller):
        response = client_as(agent).post(
            NEW,
            {
                "caller": "vera.vip",
                "contact_type": "phone",
                "title": "Broken",
                "impact": "2",
                "urgency": "2",
                "attachments": [SimpleUploadedFile("run.exe", b"MZ")],
            },
        )
        assert response.status_code == 400 and "are not accepted" in response.content.decode()
        assert not Incident.objects.exists()

    def test_an_inactive_caller_is_refused(self, agent, caller):
        caller.is_active = False
        caller.save()
        response = client_as(agent).post(
            NEW, {"caller": "vera.vip", "contact_type": "phone", "title": "x", "impact": "2", "urgency": "2"}
        )
        assert response.status_code == 400 and not Incident.objects.exists()

    def test_script_in_the_title_is_escaped(self, agent, caller):
        client_as(agent).post(
            NEW,
            {
                "caller": "vera.vip",
                "contact_type": "phone",
                "title": "<script>alert(1)</script>",
                "impact": "2",
                "urgency": "2",
            },
        )
        html = client_as(agent).get(Incident.objects.get().get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_caller_lookup_and_card(self, agent, caller, make_incident):
        make_incident(actor=caller, title="VPN drops hourly")
        options = (
            client_as(agent).get(reverse("incident:caller-options"), {"caller": "vera"}).content.decode()
        )
        card = client_as(agent).get(reverse("incident:caller-card"), {"caller": "vera.vip"}).content.decode()
        assert 'value="vera.vip"' in options and "VIP" in options
        assert "Vera Vip" in card and "VIP" in card and "VPN drops hourly" in card

    @pytest.mark.parametrize(
        "url", [NEW, reverse("incident:caller-options"), reverse("incident:caller-card")]
    )
    def test_requesters_never(self, requester, caller, url):
        assert client_as(requester).get(url, {"caller": "vera"}).status_code == 403
        assert client_as(requester).post(NEW, {"caller": "vera.vip", "title": "x"}).status_code == 403
        assert not Incident.objects.exists()


# --- page: parent and unlinking on the record page --------------------------------------------


@pytest.mark.django_db
class TestRecordPageRelations:
    def test_set_then_clear_the_parent(self, agent, parent, child):
        url = reverse("incident:set-parent", args=[child.pk])
        response = client_as(agent).post(
            url, {"parent": parent.number.lower(), "expected_version": child.version}
        )
        assert response.status_code == 302 and fresh(child).parent == parent
        html = client_as(agent).get(parent.get_absolute_url()).content.decode()
        assert "Child incidents" in html and child.number in html
        assert "Parent incident</h3>" not in html  # a parent cannot become a child: nothing to offer
        client_as(agent).post(url, {"parent": "", "expected_version": fresh(child).version})
        assert fresh(child).parent is None

    @pytest.mark.parametrize(
        ("number", "message"), [("INC9999999", "There is no incident INC9999999"), ("self", "its own parent")]
    )
    def test_bad_parent_is_a_field_error(self, agent, child, number, message):
        number = child.number if number == "self" else number
        url = reverse("incident:set-parent", args=[child.pk])
        response = client_as(agent).post(url, {"parent": number, "expected_version": child.version})
        assert response.status_code == 400 and message in response.content.decode()

    def test_a_non_incident_number_is_not_a_parent(self, agent, child):
        task = TaskFactory(kind="problem")
        url = reverse("incident:set-parent", args=[child.pk])
        response = client_as(agent).post(url, {"parent": task.number, "expected_version": child.version})
        assert response.status_code == 400 and fresh(child).parent is None

    def test_a_stale_parent_form_is_a_409(self, agent, parent, child):
        url = reverse("incident:set-parent", args=[child.pk])
        response = client_as(agent).post(
            url, {"parent": parent.number, "expected_version": child.version + 5}
        )
        assert response.status_code == 409 and "was not saved" in response.content.decode()

    def test_unlink_with_htmx_returns_the_panel_and_the_timeline(self, agent, parent, child):
        link = link_tasks(child, parent, LinkKind.CAUSED_BY, actor=agent)
        url = reverse("incident:unlink", args=[parent.pk, link.pk])
        response = client_as(agent).post(url, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and not TaskLink.objects.exists()
        assert 'id="links"' in html and f"The link to {child.number} was removed." in html
        assert 'id="timeline-list" hx-swap-oob="true"' in html and "Link removed" in html

    def test_unlink_without_scripts_redirects(self, agent, parent, child):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        response = client_as(agent).post(reverse("incident:unlink", args=[child.pk, link.pk]))
        assert response.status_code == 302 and not TaskLink.objects.exists()

    def test_a_link_of_another_record_is_404(self, agent, parent, child, make_incident):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        other = make_incident(title="Unrelated")
        for link_pk in (link.pk, 2**63, 2**70):
            response = client_as(agent).post(f"/incidents/{other.pk}/links/{link_pk}/unlink/")
            assert response.status_code == 404
        assert TaskLink.objects.count() == 1

    def test_record_page_shows_an_unlink_control_per_link(self, agent, parent, child, make_incident):
        link_tasks(parent, child, LinkKind.RELATED_TO, actor=agent)
        link_tasks(parent, make_incident(title="Third"), LinkKind.RELATED_TO, actor=agent)
        html = client_as(agent).get(parent.get_absolute_url()).content.decode()
        assert html.count("data-unlink") == 2

    def test_requesters_never(self, agent, requester, parent, child):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        client = client_as(requester)
        assert client.post(reverse("incident:unlink", args=[child.pk, link.pk])).status_code == 403
        response = client.post(
            reverse("incident:set-parent", args=[child.pk]), {"parent": parent.number, "expected_version": 1}
        )
        assert response.status_code == 403
        assert TaskLink.objects.count() == 1 and fresh(child).parent is None


# --- API ------------------------------------------------------------------------------------------


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.mark.django_db
class TestApi:
    def test_set_and_clear_the_parent(self, api_as, agent, parent, child):
        client = api_as(agent)
        url = f"/api/v1/incidents/{child.pk}/parent/"
        response = client.post(url, {"parent": parent.pk}, format="json", HTTP_IF_MATCH=f'"{child.version}"')
        assert response.status_code == 200 and response.json()["parent"] == parent.pk
        assert response["ETag"] == f'"{fresh(child).version}"'
        assert client.post(url, {"parent": None}, format="json").json()["parent"] is None

    @pytest.mark.parametrize(
        ("body", "field"), [({"parent": "abc"}, "parent"), ({"parent": 999999}, "parent"), ({}, "parent")]
    )
    def test_bad_parent_input_is_a_400(self, api_as, agent, child, body, field):
        error = error_of(
            api_as(agent).post(f"/api/v1/incidents/{child.pk}/parent/", body, format="json"), 400
        )
        assert field in error["fields"]

    def test_self_parent_and_stale_versions(self, api_as, agent, parent, child):
        client = api_as(agent)
        url = f"/api/v1/incidents/{child.pk}/parent/"
        assert "its own parent" in str(error_of(client.post(url, {"parent": child.pk}, format="json"), 400))
        stale = client.post(url, {"parent": parent.pk}, format="json", HTTP_IF_MATCH='"99"')
        assert error_of(stale, 412)["code"] == "stale_version"

    def test_links_list_create_and_delete(self, api_as, agent, parent, child):
        client = api_as(agent)
        created = client.post(
            f"/api/v1/incidents/{child.pk}/links/",
            {"kind": "caused_by", "target": parent.number},
            format="json",
        )
        assert created.status_code == 201
        assert (
            created.json()["other"]["number"] == parent.number and created.json()["direction"] == "outgoing"
        )
        listed = client.get(f"/api/v1/incidents/{parent.pk}/links/").json()
        assert [(row["direction"], row["other"]["number"]) for row in listed] == [("incoming", child.number)]
        deleted = client.delete(f"/api/v1/incidents/{parent.pk}/links/{created.json()['id']}/")
        assert deleted.status_code == 204 and not TaskLink.objects.exists()
        error_of(client.delete(f"/api/v1/incidents/{parent.pk}/links/{created.json()['id']}/"), 404)

    @pytest.mark.parametrize(
        "body", [{"kind": "caused_by", "target": "PRB404"}, {"kind": "nonsense", "target": "X"}, {}]
    )
    def test_bad_link_input_is_a_400(self, api_as, agent, child, body):
        error_of(api_as(agent).post(f"/api/v1/incidents/{child.pk}/links/", body, format="json"), 400)

    def test_requesters_never(self, api_as, agent, requester, other_requester, parent, child, make_incident):
        link = link_tasks(child, parent, LinkKind.RELATED_TO, actor=agent)
        client = api_as(requester)
        error_of(client.get(f"/api/v1/incidents/{child.pk}/links/"), 403)
        error_of(
            client.post(f"/api/v1/incidents/{child.pk}/parent/", {"parent": parent.pk}, format="json"), 403
        )
        error_of(client.delete(f"/api/v1/incidents/{child.pk}/links/{link.pk}/"), 403)
        theirs = make_incident(actor=other_requester, title="Not yours")
        error_of(client.get(f"/api/v1/incidents/{theirs.pk}/links/"), 404)
        assert TaskLink.objects.count() == 1 and fresh(child).parent is None


@pytest.mark.django_db
def test_the_record_page_costs_the_same_with_a_parent_links_and_a_vip_requester(
    agent, caller, parent, child, make_incident
):
    # given: a plain incident, and a child of a VIP caller with links both ways
    client = client_as(agent)
    plain = make_incident(title="Plain")
    busy = make_incident(actor=caller, title="Busy")
    set_parent(busy, parent, actor=agent)
    for n in range(4):
        link_tasks(busy, make_incident(title=f"Out {n}"), LinkKind.RELATED_TO, actor=agent)
        link_tasks(make_incident(title=f"In {n}"), busy, LinkKind.CAUSED_BY, actor=agent)

    # when
    counts = []
    for incident in (plain, busy):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(incident.get_absolute_url()).status_code == 200
        counts.append(len(captured))

    # then
    assert counts[0] == counts[1]
