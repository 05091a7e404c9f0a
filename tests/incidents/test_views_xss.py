"""Every payload of the shared XSS corpus, typed into every incident field a person can fill in,
comes back as text on every incident page: queue, record, edit form, portal list and detail.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from incidents.models import Incident
from incidents.services import add_reply, resolve_incident
from itsm.core.services.activity import add_attachment

CORPUS = Path("/work/shared/testdata/xss/payloads.json")
PAYLOADS = json.loads(CORPUS.read_text()) if CORPUS.exists() else []

pytestmark = pytest.mark.skipif(not PAYLOADS, reason=f"XSS corpus not found at {CORPUS}")


def pytest_generate_tests(metafunc):
    if "entry" in metafunc.fixturenames:
        metafunc.parametrize("entry", PAYLOADS, ids=[f"xss{entry['id']}" for entry in PAYLOADS])


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_inert(html: str, text: str) -> None:
    """`text` appears, but only escaped: its markup never reaches the page as markup."""
    assert escape(text) in html
    if escape(text) != text:
        assert text not in html


def assert_not_evaluated(html: str) -> None:
    assert "ih0vr1097d121r" not in html
    assert settings.SECRET_KEY not in html


@pytest.fixture
def hostile(entry, requester, agent, team, make_incident):
    """An incident whose every typed field carries the payload, with replies, a note, a file."""
    payload = entry["payload"]
    incident = make_incident(title=payload, description=payload, assignment_group=team)
    add_reply(incident, actor=requester, body=payload)
    add_reply(incident, actor=agent, body=payload, public=False)
    if "file_name" in entry["contexts"]:
        add_attachment(incident, SimpleUploadedFile(f"{payload}-file.txt", b"x"), actor=requester)
    resolve_incident(incident, actor=agent, resolution_code="permanent", notes=payload)
    return Incident.objects.get(pk=incident.pk)


def test_agent_pages_escape_user_text(agent, hostile, entry):
    client = client_as(agent)
    pages = [
        client.get(reverse("incident:detail", args=[hostile.pk])),
        client.get(reverse("incident:queue", args=["mine"]), {"q": entry["payload"][:200]}),
        client.get(reverse("incident:queue", args=["all"]), {"state": "resolved"}),
        client.get(reverse("incident:edit-field", args=[hostile.pk, "title"]), HTTP_HX_REQUEST="true"),
        client.get(reverse("incident:edit-field", args=[hostile.pk, "description"]), HTTP_HX_REQUEST="true"),
    ]
    for response in pages:
        assert response.status_code in (200, 400)
        assert_not_evaluated(response.content.decode())
    record, _search, listed, title_form, description_form = (r.content.decode() for r in pages)
    for html in (record, listed, title_form):
        assert_inert(html, hostile.title)
    for html in (record, description_form):
        assert_inert(html, hostile.description)
    for attachment in hostile.attachments.all():
        assert_inert(record, attachment.filename)


def test_portal_pages_escape_user_text(requester, hostile, entry):
    client = client_as(requester)
    detail = client.get(reverse("incident:portal-detail", args=[hostile.pk])).content.decode()
    listed = client.get(reverse("incident:my-list")).content.decode()
    home = client.get(reverse("portal:home")).content.decode()
    for html in (detail, listed, home):
        assert_inert(html, hostile.title)
        assert_not_evaluated(html)
    assert_inert(detail, hostile.description)
    assert_inert(detail, hostile.resolution_notes)


def test_a_report_with_script_in_it_is_escaped_when_refused(requester, entry):
    # The service list is empty, so naming a service sends the form back with the text in it.
    response = client_as(requester).post(
        reverse("incident:report"),
        {"title": entry["payload"][:250], "service": entry["payload"][:150], "urgency": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert_not_evaluated(html)
    assert_inert(html, entry["payload"][:250])
