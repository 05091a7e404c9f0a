import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.core.choices import LinkKind, TimelineKind
from itsm.core.exceptions import PermissionDenied
from itsm.core.services.activity import add_attachment, add_comment, link_tasks, unlink_tasks
from tests.factories import TaskFactory


@pytest.mark.django_db
class TestComments:
    def test_requester_comments_publicly_on_own_record(self, requester):
        task = TaskFactory(requester=requester)
        entry = add_comment(task, actor=requester, body="  It is still broken.  ")
        assert (entry.kind, entry.body, entry.is_public) == (
            TimelineKind.COMMENT,
            "It is still broken.",
            True,
        )

    def test_requester_cannot_write_work_notes(self, requester):
        task = TaskFactory(requester=requester)
        with pytest.raises(PermissionDenied):
            add_comment(task, actor=requester, body="secret", is_public=False)

    def test_requester_cannot_comment_on_someone_elses_record(self, requester, other_requester):
        task = TaskFactory(requester=other_requester)
        with pytest.raises(PermissionDenied):
            add_comment(task, actor=requester, body="hello")

    def test_empty_comment_is_a_field_error(self, agent):
        with pytest.raises(ValidationError) as excinfo:
            add_comment(TaskFactory(), actor=agent, body="   ")
        assert "body" in excinfo.value.message_dict

    def test_agent_work_note_is_private(self, agent):
        entry = add_comment(TaskFactory(), actor=agent, body="Checked the logs", is_public=False)
        assert entry.kind == TimelineKind.WORK_NOTE and not entry.is_public


@pytest.mark.django_db
class TestLinks:
    def test_link_is_recorded_on_both_timelines(self, agent):
        # given
        incident, problem = TaskFactory(), TaskFactory(kind="problem")
        # when
        link_tasks(incident, problem, LinkKind.CAUSED_BY, actor=agent)
        # then
        assert incident.links_out.get().target == problem
        assert incident.timeline.filter(action="task.linked").exists()
        assert problem.timeline.filter(action="task.linked").exists()

    def test_duplicate_and_self_links_are_refused_clearly(self, agent):
        a, b = TaskFactory(), TaskFactory()
        link_tasks(a, b, LinkKind.RELATED_TO, actor=agent)
        with pytest.raises(ValidationError, match="already related to"):
            link_tasks(a, b, LinkKind.RELATED_TO, actor=agent)
        with pytest.raises(ValidationError, match="itself"):
            link_tasks(a, a, LinkKind.RELATED_TO, actor=agent)

    def test_unlink_is_recorded_on_both_timelines_in_words(self, agent, requester):
        # given
        incident, problem = TaskFactory(), TaskFactory(kind="problem")
        link = link_tasks(incident, problem, LinkKind.CAUSED_BY, actor=agent)
        # when: a requester may not, an agent may
        with pytest.raises(PermissionDenied):
            unlink_tasks(link, actor=requester)
        unlink_tasks(link, actor=agent)
        # then
        assert not incident.links_out.exists()
        assert incident.timeline.get(action="task.unlinked").body == f"no longer caused by {problem.number}"
        expected = f"{incident.number} is no longer caused by this"
        assert problem.timeline.get(action="task.unlinked").body == expected

    def test_unknown_link_type_and_requesters_are_refused(self, agent, requester):
        a, b = TaskFactory(requester=requester), TaskFactory(requester=requester)
        with pytest.raises(ValidationError):
            link_tasks(a, b, "married_to", actor=agent)
        with pytest.raises(PermissionDenied):
            link_tasks(a, b, LinkKind.RELATED_TO, actor=requester)


def upload(name="report.pdf", content=b"%PDF-1.4 hello", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.django_db
class TestAttachments:
    def test_stored_with_hash_size_and_a_random_path(self, requester):
        # given
        task = TaskFactory(requester=requester)
        # when
        attachment = add_attachment(task, upload(), actor=requester)
        # then
        assert attachment.sha256 == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()
        assert attachment.size == 14 and attachment.filename == "report.pdf"
        assert "report" not in attachment.file.name
        assert task.timeline.filter(action="task.attachment_added").exists()

    def test_oversized_file_is_refused(self, requester, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        with pytest.raises(ValidationError, match="limit is 10 bytes"):
            add_attachment(TaskFactory(requester=requester), upload(), actor=requester)

    @pytest.mark.parametrize("name", ["evil.html", "run.exe", "x.svg", "noextension"])
    def test_types_outside_the_allow_list_are_refused(self, requester, name):
        with pytest.raises(ValidationError, match="not accepted"):
            add_attachment(TaskFactory(requester=requester), upload(name=name), actor=requester)

    def test_path_parts_in_the_name_are_dropped(self, requester):
        attachment = add_attachment(
            TaskFactory(requester=requester), upload(name="../../etc/passwd.txt"), actor=requester
        )
        assert attachment.filename == "passwd.txt"

    def test_only_users_who_see_the_task_may_attach(self, requester, other_requester):
        with pytest.raises(PermissionDenied):
            add_attachment(TaskFactory(requester=other_requester), upload(), actor=requester)


@pytest.mark.django_db
class TestAttachmentDownload:
    def test_owner_downloads_as_attachment_never_inline(self, client, requester):
        # given
        attachment = add_attachment(
            TaskFactory(requester=requester),
            upload(name="notes.txt", content=b"<script>x</script>"),
            actor=requester,
        )
        client.force_login(requester)
        # when
        response = client.get(reverse("core:attachment-download", args=[attachment.pk]))
        # then
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == b"<script>x</script>"

    def test_other_requesters_get_404(self, client, requester, other_requester):
        attachment = add_attachment(TaskFactory(requester=requester), upload(), actor=requester)
        client.force_login(other_requester)
        assert client.get(reverse("core:attachment-download", args=[attachment.pk])).status_code == 404

    def test_private_attachments_are_hidden_from_the_requester(self, client, requester, agent):
        attachment = add_attachment(TaskFactory(requester=requester), upload(), actor=agent, is_public=False)
        client.force_login(requester)
        assert client.get(reverse("core:attachment-download", args=[attachment.pk])).status_code == 404
        client.force_login(agent)
        assert client.get(reverse("core:attachment-download", args=[attachment.pk])).status_code == 200

    def test_anonymous_is_sent_to_login(self, client, requester):
        attachment = add_attachment(TaskFactory(requester=requester), upload(), actor=requester)
        response = client.get(reverse("core:attachment-download", args=[attachment.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_watching_is_recorded_once_and_needs_visibility(requester, other_requester, agent):
    from itsm.core.services.activity import set_watching

    task = TaskFactory(requester=requester)
    assert set_watching(task, actor=agent, watching=True) is True
    assert set_watching(task, actor=agent, watching=True) is False
    assert task.timeline.filter(action="task.watch_started").count() == 1
    assert set_watching(task, actor=agent, watching=False) is True
    with pytest.raises(PermissionDenied):
        set_watching(task, actor=other_requester, watching=True)
