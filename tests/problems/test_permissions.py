"""Requesters never see problems or problem tasks, anywhere: problem pages, the API, the generic
task page and attachments — even when named as the record's requester or watcher, or when their
organisation shares records."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.core.models import Task
from itsm.core.services.activity import add_attachment
from problems import services
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exposed(make_problem, agent, requester, other_requester):
    """A problem and its task naming a requester (from a sharing organisation) as requester and watcher."""
    finance = OrganisationFactory(name="Finance", share_records=True)
    for user in (requester, other_requester):
        user.profile.organisation = finance
        user.profile.save()
    problem = make_problem()
    task = services.create_problem_task(
        problem, actor=agent, title="Collect logs", assignment_group=problem.assignment_group
    )
    Task.objects.filter(pk__in=[problem.pk, task.pk]).update(requester=other_requester)
    problem.watchers.add(requester)
    upload = SimpleUploadedFile("trace.txt", b"stack trace", content_type="text/plain")
    attachment = add_attachment(problem, upload, actor=agent)
    return problem, task, attachment


def test_requesters_get_404_on_every_surface(client, requester, exposed):
    problem, task, attachment = exposed
    client.force_login(requester)
    urls = [
        reverse("problem:detail", args=[problem.pk]),
        reverse("core:task-detail", args=[problem.pk]),
        reverse("core:task-detail", args=[task.pk]),
        reverse("core:attachment-download", args=[attachment.pk]),
        f"/api/v1/problems/{problem.pk}/",
        f"/api/v1/problem-tasks/{task.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
    assert client.get("/api/v1/problems/").status_code in (200, 403)
    if client.get("/api/v1/problems/").status_code == 200:
        assert client.get("/api/v1/problems/").json()["results"] == []
    assert not Task.objects.visible_to(requester).filter(pk__in=[problem.pk, task.pk]).exists()


def test_agents_still_open_them(client, agent, exposed):
    problem, task, attachment = exposed
    client.force_login(agent)
    assert client.get(reverse("core:task-detail", args=[problem.pk])).status_code == 200
    assert client.get(reverse("core:attachment-download", args=[attachment.pk])).status_code == 200
    assert client.get(f"/api/v1/problem-tasks/{task.pk}/").status_code == 200
