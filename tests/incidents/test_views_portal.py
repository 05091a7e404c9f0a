"""The self-service side: report, confirmation, my incidents, replies and files, confirm, reopen, rate.

A requester never sees another person's incident (by page, by number, by attachment) nor any
work note or agent-only file.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.choices import MajorIncidentState, ResolutionCode
from incidents.models import Incident, Rating
from incidents.services import add_reply, close_incident, resolve_incident, start_incident
from itsm.core.choices import Urgency
from itsm.core.models import Attachment, TimelineEntry
from itsm.core.services.activity import add_attachment
from tests.factories import ServiceFactory

QUERY_BUDGET = 15


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(incident) -> str:
    return reverse("incident:portal-detail", args=[incident.pk])


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def payroll(db):
    return ServiceFactory(name="Payroll")


@pytest.fixture
def resolved(make_incident, agent):
    incident = make_incident(title="VPN drops")
    resolve_incident(
        incident, actor=agent, resolution_code=ResolutionCode.SOLVED_REMOTELY, notes="New profile"
    )
    return fresh(incident)


@pytest.mark.django_db
class TestReport:
    def test_the_form_offers_the_services(self, requester, payroll):
        html = client_as(requester).get(reverse("incident:report")).content.decode()
        assert '<option value="Payroll">' in html and 'list="service-options"' in html

    def test_reporting_gives_a_number(self, requester, payroll):
        # when
        response = client_as(requester).post(
            reverse("incident:report"),
            {
                "title": "Payroll shows last month",
                "service": "payroll",
                "urgency": str(Urgency.HIGH.value),
                "description": "Since this morning.",
                "attachments": [
                    SimpleUploadedFile("screen.png", b"png"),
                    SimpleUploadedFile("log.txt", b"x"),
                ],
            },
            follow=True,
        )

        # then
        incident = Incident.objects.get()
        assert response.redirect_chain[-1][0] == reverse("incident:reported", args=[incident.pk])
        assert incident.number in response.content.decode()
        assert (incident.requester, incident.service, incident.urgency) == (requester, payroll, Urgency.HIGH)
        assert incident.contact_type == "portal"
        assert sorted(a.filename for a in Attachment.objects.filter(task=incident)) == [
            "log.txt",
            "screen.png",
        ]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"title": "", "urgency": "2"}, "Say in a few words what is wrong."),
            ({"title": "   ", "urgency": "2"}, "Say in a few words what is wrong."),
            ({"title": "Broken", "urgency": "9"}, "Select a valid choice"),
            (
                {"title": "Broken", "urgency": "2", "service": "Nonexistent"},
                "We do not know a service called",
            ),
            ({"title": "x" * 251, "urgency": "2"}, "at most 250 characters"),
        ],
    )
    def test_bad_input_is_shown_on_the_form(self, requester, payroll, data, message):
        response = client_as(requester).post(reverse("incident:report"), data)
        assert response.status_code == 400 and message in response.content.decode()
        assert not Incident.objects.exists()

    def test_a_huge_attachment_leaves_no_half_made_incident(self, requester, settings):
        settings.ATTACHMENT_MAX_BYTES = 100
        response = client_as(requester).post(
            reverse("incident:report"),
            {"title": "Broken", "urgency": "2", "attachments": [SimpleUploadedFile("big.txt", b"x" * 101)]},
        )
        assert response.status_code == 400 and "the limit is 100 bytes" in response.content.decode()
        assert not Incident.objects.exists() and not Attachment.objects.exists()

    def test_the_portal_home_calls_to_report(self, requester):
        html = client_as(requester).get(reverse("portal:home")).content.decode()
        assert f'href="{reverse("incident:report")}"><strong>Report a problem' in html
        assert reverse("incident:my-list") in html


@pytest.mark.django_db
class TestIsolation:
    def test_another_requesters_incident_is_404_everywhere(self, requester, other_requester, make_incident):
        theirs = make_incident(actor=other_requester, title="Not yours")
        client = client_as(requester)
        for url in (
            page(theirs),
            reverse("incident:reported", args=[theirs.pk]),
            reverse("incident:detail", args=[theirs.pk]),
        ):
            assert client.get(url).status_code == 404, url
        for name in ("portal-reply", "portal-attach", "portal-close", "portal-reopen", "portal-rate"):
            response = client.post(
                reverse(f"incident:{name}", args=[theirs.pk]), {"body": "x", "reason": "x"}
            )
            assert response.status_code == 404, name

    def test_guessing_numbers_finds_nothing(self, requester, other_requester, make_incident):
        theirs = make_incident(actor=other_requester, title="Secret project")
        html = client_as(requester).get(reverse("incident:my-list")).content.decode()
        assert "Secret project" not in html
        for pk in range(theirs.pk - 2, theirs.pk + 3):
            assert client_as(requester).get(f"/incidents/my/{pk}/").status_code == 404

    def test_attachments_of_other_incidents_cannot_be_downloaded(
        self, requester, other_requester, make_incident
    ):
        theirs = make_incident(actor=other_requester)
        file = add_attachment(theirs, SimpleUploadedFile("payslip.pdf", b"%PDF"), actor=other_requester)
        response = client_as(requester).get(reverse("core:attachment-download", args=[file.pk]))
        assert response.status_code == 404

    def test_work_notes_and_agent_files_never_reach_the_requester(self, requester, agent, make_incident):
        incident = make_incident(title="Mine")
        add_reply(incident, actor=agent, body="Vendor says it is our fault", public=False)
        add_reply(incident, actor=agent, body="We are looking at it", public=True)
        secret = add_attachment(incident, SimpleUploadedFile("trace.log", b"x"), actor=agent, is_public=False)
        client = client_as(requester)
        html = client.get(page(incident)).content.decode()
        assert "We are looking at it" in html
        assert "Vendor says it is our fault" not in html and "trace.log" not in html
        assert client.get(reverse("core:attachment-download", args=[secret.pk])).status_code == 404

    def test_my_list_shows_only_mine(self, requester, other_requester, make_incident):
        make_incident(title="Printer jams")
        make_incident(actor=other_requester, title="Their laptop")
        html = client_as(requester).get(reverse("incident:my-list")).content.decode()
        assert "Printer jams" in html and "Their laptop" not in html


@pytest.mark.django_db
class TestFollowingUp:
    def test_reply_and_attach(self, requester, make_incident):
        incident = make_incident()
        client = client_as(requester)
        client.post(reverse("incident:portal-reply", args=[incident.pk]), {"body": "It happened again"})
        client.post(
            reverse("incident:portal-attach", args=[incident.pk]),
            {"file": SimpleUploadedFile("photo.jpg", b"jpg")},
        )
        assert TimelineEntry.objects.get(body="It happened again").is_public
        assert Attachment.objects.get(task=incident).is_public
        html = client.get(page(incident)).content.decode()
        assert "It happened again" in html and "photo.jpg" in html

    def test_an_empty_reply_is_a_field_error(self, requester, make_incident):
        incident = make_incident()
        response = client_as(requester).post(
            reverse("incident:portal-reply", args=[incident.pk]), {"body": ""}
        )
        assert response.status_code == 400 and "Write something before sending." in response.content.decode()

    def test_confirming_the_resolution_closes_it(self, requester, resolved):
        client = client_as(requester)
        html = client.get(page(resolved)).content.decode()
        assert "We think this is solved" in html and "New profile" in html
        response = client.post(
            reverse("incident:portal-close", args=[resolved.pk]), {"expected_version": resolved.version}
        )
        assert response.status_code == 302 and fresh(resolved).state == "closed"

    def test_a_stale_confirmation_is_refused_with_the_newer_state(self, requester, agent, resolved):
        client_version = resolved.version
        add_reply(resolved, actor=agent, body="One more thing")  # does not change the version
        close_incident(resolved, actor=agent)
        response = client_as(requester).post(
            reverse("incident:portal-close", args=[resolved.pk]), {"expected_version": client_version}
        )
        assert response.status_code == 409 and "It is now closed" in response.content.decode()

    def test_reopening_needs_a_reason(self, requester, resolved):
        client = client_as(requester)
        url = reverse("incident:portal-reopen", args=[resolved.pk])
        refused = client.post(url, {"expected_version": resolved.version})
        assert refused.status_code == 400 and "Say why it is not solved." in refused.content.decode()
        client.post(url, {"expected_version": resolved.version, "reason": "Still drops at 5 pm"})
        assert fresh(resolved).state == "in_progress"
        assert TimelineEntry.objects.filter(body="Still drops at 5 pm", is_public=True).exists()

    def test_reopening_after_the_window_is_refused(self, requester, resolved, settings):
        with time_machine.travel(timezone.now() + timedelta(days=settings.INCIDENT_REOPEN_DAYS + 1)):
            client = client_as(requester)
            assert "still does not work" not in client.get(page(resolved)).content.decode()
            response = client.post(
                reverse("incident:portal-reopen", args=[resolved.pk]),
                {"expected_version": resolved.version, "reason": "Again"},
            )
        assert response.status_code == 409 and "raise a new incident instead" in response.content.decode()

    def test_rate_once(self, requester, resolved):
        client = client_as(requester)
        url = reverse("incident:portal-rate", args=[resolved.pk])
        assert "How did we do?" in client.get(page(resolved)).content.decode()
        client.post(url, {"score": "4", "comment": "Quick"})
        assert Rating.objects.get().score == 4
        assert "How did we do?" not in client.get(page(resolved)).content.decode()
        again = client.post(url, {"score": "5"})
        assert again.status_code == 400 and "already rated" in again.content.decode()

    @pytest.mark.parametrize("score", ["0", "6", "five", ""])
    def test_ratings_are_one_to_five(self, requester, resolved, score):
        response = client_as(requester).post(
            reverse("incident:portal-rate", args=[resolved.pk]), {"score": score}
        )
        assert response.status_code == 400 and not Rating.objects.exists()

    def test_open_incidents_cannot_be_rated(self, requester, make_incident):
        incident = make_incident()
        assert "How did we do?" not in client_as(requester).get(page(incident)).content.decode()
        response = client_as(requester).post(
            reverse("incident:portal-rate", args=[incident.pk]), {"score": "5"}
        )
        assert response.status_code == 400 and "once it is resolved" in response.content.decode()


@pytest.mark.django_db
class TestMajorIncidentBanner:
    def test_an_accepted_major_incident_shows_a_banner_for_its_service(
        self, requester, other_requester, agent, payroll, make_incident
    ):
        incident = make_incident(actor=other_requester, title="Payroll totally down", service=payroll)
        Incident.objects.filter(pk=incident.pk).update(major_state=MajorIncidentState.ACCEPTED)
        html = client_as(requester).get(reverse("portal:home")).content.decode()
        assert "Major incident affecting Payroll" in html
        assert "Payroll totally down" not in html  # another person's incident stays private

    def test_no_banner_while_only_proposed_or_once_resolved(self, requester, agent, payroll, make_incident):
        incident = make_incident(service=payroll)
        Incident.objects.filter(pk=incident.pk).update(major_state=MajorIncidentState.PROPOSED)
        assert "Major incident" not in client_as(requester).get(reverse("portal:home")).content.decode()
        Incident.objects.filter(pk=incident.pk).update(major_state=MajorIncidentState.ACCEPTED)
        start_incident(incident, actor=agent)
        resolve_incident(
            fresh(incident), actor=agent, resolution_code=ResolutionCode.SOLVED_PERMANENTLY, notes="x"
        )
        assert "Major incident" not in client_as(requester).get(reverse("portal:home")).content.decode()


@pytest.mark.django_db
class TestPortalQueryBudget:
    def queries(self, client, url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def test_detail_and_list_cost_the_same_with_1_and_30_incidents(self, requester, agent, make_incident):
        client = client_as(requester)
        first = make_incident(title="First")
        resolve_incident(first, actor=agent, resolution_code=ResolutionCode.SOLVED_REMOTELY, notes="x")
        urls = [page(first), reverse("incident:my-list"), reverse("portal:home")]
        before = [self.queries(client, url) for url in urls]
        for n in range(30):
            other = make_incident(title=f"Another {n}")
            add_reply(other, actor=requester, body="More")
            add_reply(first, actor=agent, body=f"Reply {n}")
        after = [self.queries(client, url) for url in urls]
        assert before == after and max(after) <= QUERY_BUDGET

    def test_my_list_pages(self, requester, make_incident, monkeypatch):
        monkeypatch.setattr("incidents.views.portal.MY_PAGE_SIZE", 2)
        for n in range(3):
            make_incident(title=f"Incident {n}")
        client = client_as(requester)
        first = client.get(reverse("incident:my-list")).content.decode()
        older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
        second = client.get(reverse("incident:my-list") + older).content.decode()
        assert "Incident 2" in first and "Incident 1" in first and "Incident 0" in second
        bad = client.get(reverse("incident:my-list") + "?after=nonsense")
        assert bad.status_code == 400
