"""User text is rendered inertly: every payload of the shared XSS corpus, in every place a user types.

The corpus (/work/shared/testdata/xss/payloads.json, see its SOURCES.md) holds script tags,
event handlers, attribute breaks, template-injection strings and more. Each is put into a
record's title, description, a comment and (for file-name vectors) an attachment's name; the
record page, the workspace list and the portal must show it as text.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from itsm.core.services import activity
from tests.factories import TaskFactory

CORPUS = Path("/work/shared/testdata/xss/payloads.json")
PAYLOADS = json.loads(CORPUS.read_text()) if CORPUS.exists() else []
TITLE_LENGTH = 250


def pytest_generate_tests(metafunc):
    if "entry" in metafunc.fixturenames:
        metafunc.parametrize("entry", PAYLOADS, ids=[f"xss{entry['id']}" for entry in PAYLOADS])


@pytest.fixture
def hostile_task(entry, requester, agent, team):
    """A record whose every user-typed field carries the payload."""
    payload = entry["payload"]
    task = TaskFactory(
        requester=requester,
        assignment_group=team,
        title=payload[:TITLE_LENGTH],
        description=payload,
    )
    activity.add_comment(task, actor=requester, body=payload)
    if "file_name" in entry["contexts"]:
        activity.add_attachment(
            task, SimpleUploadedFile(f"{payload}-file.txt", b"x", "text/plain"), actor=requester
        )
    return task


def assert_inert(html: str, text: str) -> None:
    """`text` appears only escaped: its markup never reaches the page as markup."""
    assert escape(text) in html
    if escape(text) != text:
        assert text not in html


def assert_not_evaluated_as_template(html: str) -> None:
    assert "ih0vr1097d121r" not in html
    assert settings.SECRET_KEY not in html
    assert html.count("csrfmiddlewaretoken") <= 2  # the sign-out and comment forms


@pytest.mark.skipif(not PAYLOADS, reason=f"XSS corpus not found at {CORPUS}")
def test_record_page_escapes_user_text(client_for, agent, requester, hostile_task, entry):
    # when
    as_agent = client_for(agent).get(reverse("core:task-detail", args=[hostile_task.pk])).content.decode()
    as_requester = (
        client_for(requester).get(reverse("core:task-detail", args=[hostile_task.pk])).content.decode()
    )

    # then
    for html in (as_agent, as_requester):
        assert_inert(html, entry["payload"])
        assert_inert(html, hostile_task.title)
        for attachment in hostile_task.attachments.all():
            assert_inert(html, attachment.filename)
        assert_not_evaluated_as_template(html)


@pytest.mark.skipif(not PAYLOADS, reason=f"XSS corpus not found at {CORPUS}")
def test_lists_escape_user_text(client_for, agent, requester, hostile_task, entry):
    # when
    workspace = client_for(agent).get(reverse("core:workspace")).content.decode()
    portal = client_for(requester).get(reverse("portal:home")).content.decode()

    # then
    for html in (workspace, portal):
        assert_inert(html, hostile_task.title)
        assert_not_evaluated_as_template(html)
