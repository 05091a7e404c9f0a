"""The self-service portal home."""

from django.urls import reverse

from itsm.cmdb.choices import OperationalStatus
from itsm.core.choices import StateCategory, TaskKind
from itsm.portal import views as portal_views
from tests.factories import ServiceFactory, TaskFactory

URL = reverse("portal:home")


def test_portal_greets_and_lists_my_records(client_for, requester, other_requester):
    # given
    requester.first_name = "Rita"
    requester.save()
    TaskFactory(requester=requester, title="My broken screen")
    TaskFactory(requester=requester, kind=TaskKind.REQUEST, title="New keyboard please")
    TaskFactory(
        requester=requester, title="Old VPN issue", state="resolved", state_category=StateCategory.RESOLVED
    )
    TaskFactory(requester=other_requester, title="Not mine")

    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert "Hello, Rita" in html
    open_part = html[html.index("open-heading") : html.index("recent-heading")]
    assert "My broken screen" in open_part and "New keyboard please" in open_part
    assert "Old VPN issue" not in open_part
    assert "Old VPN issue" in html[html.index("recent-heading") :]
    assert "Not mine" not in html


def test_portal_lists_only_my_incidents_and_requests(client_for, requester):
    # given: a request's item, fulfilment task and approval carry the requester of the request
    TaskFactory(requester=requester, title="Printer jams")
    TaskFactory(requester=requester, kind=TaskKind.REQUEST, title="A new laptop")
    TaskFactory(requester=requester, kind=TaskKind.REQUEST_ITEM, title="Item of the laptop")
    TaskFactory(requester=requester, kind=TaskKind.FULFILMENT_TASK, title="Prepare the laptop")
    TaskFactory(requester=requester, kind=TaskKind.APPROVAL, title="Approve the laptop")
    TaskFactory(
        requester=requester,
        kind=TaskKind.APPROVAL,
        title="Approved long ago",
        state="approved",
        state_category=StateCategory.CLOSED,
    )

    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert "Printer jams" in html and "A new laptop" in html
    for other in ("Item of the laptop", "Prepare the laptop", "Approve the laptop", "Approved long ago"):
        assert other not in html
    assert '<span class="count">2</span>' in html


def test_portal_empty_states_explain_what_will_appear(client_for, requester):
    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert "You have nothing open with us" in html
    assert "Nothing finished yet" in html
    assert "No services listed yet" in html


def test_portal_shows_service_status_without_retired_services(client_for, requester):
    # given
    ServiceFactory(name="E-mail", operational_status=OperationalStatus.OPERATIONAL)
    ServiceFactory(name="Payroll", operational_status=OperationalStatus.MAJOR_OUTAGE)
    ServiceFactory(name="Old intranet", operational_status=OperationalStatus.RETIRED)

    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert '<span class="badge badge-green">Operational</span>' in html
    assert '<span class="badge badge-red">Major outage</span>' in html
    assert "Old intranet" not in html
    assert "1 affected" in html


def test_calls_to_action_only_link_to_pages_that_exist(client_for, requester, monkeypatch):
    # given: one real page and one that no app provides
    monkeypatch.setattr(
        portal_views,
        "ACTIONS",
        (
            portal_views.Action("password_change", "Change your password", "Keep your account safe."),
            portal_views.Action("nowhere:page", "Dead end", "Must not be shown."),
        ),
    )

    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert f'href="{reverse("password_change")}"><strong>Change your password' in html
    assert "Dead end" not in html


def test_portal_links_point_only_to_existing_pages(client_for, requester):
    # given: none of the practice pages exist yet in this build
    actions = portal_views.available_actions()

    # when
    html = client_for(requester).get(URL).content.decode()

    # then
    assert all(action["url"] in html for action in actions)
    assert ("actions-grid" in html) == bool(actions)
