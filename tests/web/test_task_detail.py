"""The record page: what each role sees, the timeline, links, attachments, and the comment form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.core.choices import LinkKind, TimelineKind
from itsm.core.models import TaskLink, TimelineEntry
from itsm.core.services import activity
from itsm.core.services.timeline import record_event, record_field_changes, record_state_change
from tests.factories import ServiceFactory, TaskFactory


def detail(client, task):
    return client.get(reverse("core:task-detail", args=[task.pk]))


def comment(client, task, body, visibility="public"):
    return client.post(reverse("core:task-comment", args=[task.pk]), {"body": body, "visibility": visibility})


def test_record_page_shows_the_record(client_for, agent, requester_task):
    # given
    requester_task.service = ServiceFactory(name="E-mail")
    requester_task.save()

    # when
    html = detail(client_for(agent), requester_task).content.decode()

    # then
    assert requester_task.number in html
    assert "Printer on floor 3 jams" in html
    assert '<div class="prose">It jams on every page.\nSecond line.</div>' in html
    assert '<span class="badge badge-teal">In progress</span>' in html
    assert "P3" in html
    assert "Service Desk" in html
    assert "E-mail" in html


def test_timeline_shows_comments_changes_and_states(client_for, agent, requester, requester_task):
    # given
    activity.add_comment(requester_task, actor=requester, body="Still jamming")
    record_state_change(requester_task, "incident.started", actor=agent, old="new", new="in_progress")
    record_field_changes(
        requester_task, "incident.updated", actor=agent, before={"priority": 3}, after={"priority": 2}
    )
    record_event(requester_task, "incident.major_declared", actor=None)

    # when
    html = detail(client_for(agent), requester_task).content.decode()

    # then
    assert "Still jamming" in html
    assert '<span class="old">New</span>' in html and "<strong>In progress</strong>" in html
    assert "Priority:" in html and "<strong>2</strong>" in html
    assert "System" in html and "Incident major declared" in html


def test_work_notes_are_for_staff_only(client_for, agent, requester, requester_task):
    # given
    activity.add_comment(
        requester_task, actor=agent, body="Internal: toner supplier is late", is_public=False
    )
    activity.add_comment(requester_task, actor=agent, body="We ordered a new part", is_public=True)

    # when
    as_agent = detail(client_for(agent), requester_task).content.decode()
    as_requester = detail(client_for(requester), requester_task).content.decode()

    # then
    assert "Internal: toner supplier is late" in as_agent
    assert "Internal: toner supplier is late" not in as_requester
    assert "We ordered a new part" in as_requester
    assert "Work note (staff only)" in as_agent
    assert "Work note" not in as_requester


def test_links_leave_out_records_the_requester_cannot_see(client_for, agent, requester, requester_task):
    # given
    own = TaskFactory(requester=requester, title="My related request")
    hidden = TaskFactory(title="Problem record the requester must not see")
    TaskLink.objects.create(source=requester_task, target=own, kind=LinkKind.RELATED_TO)
    TaskLink.objects.create(source=requester_task, target=hidden, kind=LinkKind.CAUSED_BY)

    # when
    as_requester = detail(client_for(requester), requester_task).content.decode()
    as_agent = detail(client_for(agent), requester_task).content.decode()

    # then
    assert "My related request" in as_requester
    assert hidden.title not in as_requester
    assert hidden.title in as_agent and "Caused by" in as_agent


def test_attachments_link_to_the_download_view(client_for, requester, agent, requester_task):
    # given
    public = activity.add_attachment(
        requester_task, SimpleUploadedFile("log.txt", b"hello", "text/plain"), actor=requester
    )
    private = activity.add_attachment(
        requester_task, SimpleUploadedFile("notes.txt", b"x", "text/plain"), actor=agent, is_public=False
    )

    # when
    as_requester = detail(client_for(requester), requester_task).content.decode()
    as_agent = detail(client_for(agent), requester_task).content.decode()

    # then
    assert reverse("core:attachment-download", args=[public.pk]) in as_requester
    assert "notes.txt" not in as_requester
    assert reverse("core:attachment-download", args=[private.pk]) in as_agent
    assert client_for(requester).get(reverse("core:attachment-download", args=[public.pk])).status_code == 200


def test_requester_adds_a_public_comment(client_for, requester, requester_task):
    # given
    client = client_for(requester)

    # when
    response = comment(client, requester_task, "Any news?")

    # then
    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
    entry = TimelineEntry.objects.get(task=requester_task)
    assert (entry.kind, entry.body, entry.is_public, entry.actor) == (
        TimelineKind.COMMENT,
        "Any news?",
        True,
        requester,
    )
    assert "Your comment was added." in client.get(response["Location"]).content.decode()


def test_agent_adds_a_work_note(client_for, agent, requester_task):
    # when
    response = comment(client_for(agent), requester_task, "Checked the fuser", visibility="work_note")

    # then
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(task=requester_task)
    assert (entry.kind, entry.is_public) == (TimelineKind.WORK_NOTE, False)


def test_requester_cannot_add_a_work_note(client_for, requester, requester_task):
    # when
    response = comment(client_for(requester), requester_task, "sneaky", visibility="work_note")

    # then
    assert response.status_code == 403
    assert "Only agents can add work notes." in response.content.decode()
    assert not TimelineEntry.objects.filter(task=requester_task).exists()


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_comment_is_a_form_error(client_for, requester, requester_task, body):
    # when
    response = comment(client_for(requester), requester_task, body)

    # then
    assert response.status_code == 400
    assert "Write something before sending." in response.content.decode()
    assert not TimelineEntry.objects.filter(task=requester_task).exists()


@pytest.mark.parametrize("data", [{}, {"body": "hello", "visibility": "shout"}, {"body": "x" * 20001}])
def test_malformed_comment_posts_are_400(client_for, agent, requester_task, data):
    # when
    response = client_for(agent).post(reverse("core:task-comment", args=[requester_task.pk]), data)

    # then
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_comment_url_refuses_get(client_for, agent, requester_task):
    # when
    response = client_for(agent).get(reverse("core:task-comment", args=[requester_task.pk]))

    # then
    assert response.status_code == 405


def test_comment_form_needs_csrf(requester, requester_task):
    # given
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)

    # when
    response = comment(client, requester_task, "no token")

    # then
    assert response.status_code == 403
    assert not TimelineEntry.objects.filter(task=requester_task).exists()


def test_record_page_query_count_does_not_grow_with_the_timeline(
    client_for, agent, requester, requester_task, django_assert_max_num_queries
):
    # given
    for number in range(20):
        activity.add_comment(
            requester_task, actor=requester if number % 2 else agent, body=f"Comment {number}"
        )
    client = client_for(agent)

    # when / then
    with django_assert_max_num_queries(10):
        response = detail(client, requester_task)
    assert response.content.decode().count('data-kind="comment"') == 20
