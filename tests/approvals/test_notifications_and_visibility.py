"""Outbox rows for approvers and requesters; who may see which approvals."""

import re

import pytest

from itsm.approvals.models import Approval
from itsm.approvals.services import StageSpec, decide
from itsm.core.roles import Role
from itsm.notifications.models import Notification, OutboxMessage
from tests.approvals.conftest import approval_of
from tests.factories import UserFactory


class TestNotifications:
    def test_each_approver_gets_a_mail_with_a_decision_link(self, start, approvers, subject):
        plan = start(StageSpec("Managers", approvers[:2]))
        for approver in approvers[:2]:
            mail = OutboxMessage.objects.get(recipient=approver)
            approval = approval_of(plan, approver)
            assert mail.subject == f"[{approval.number}] Approval needed: {subject.number} New laptop"
            link = re.search(r"http://\S+/approvals/decide/\S+/", mail.body_text).group(0)
            assert link in mail.body_html
            assert Notification.objects.get(recipient=approver).url == f"/approvals/{approval.pk}/"

    def test_later_stages_are_asked_only_when_they_start(self, start, approvers):
        plan = start(StageSpec("Manager", approvers[:1]), StageSpec("Finance", approvers[1:2]))
        assert not OutboxMessage.objects.filter(recipient=approvers[1]).exists()
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        assert OutboxMessage.objects.filter(recipient=approvers[1]).count() == 1

    @pytest.mark.parametrize(("approve", "words"), [(True, "was approved"), (False, "was not approved")])
    def test_the_requester_hears_the_outcome(self, start, approvers, requester, subject, approve, words):
        plan = start(StageSpec("Manager", approvers[:1]))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=approve, comment="Budget is gone")
        mail = OutboxMessage.objects.get(recipient=requester)
        assert words in mail.subject and subject.number in mail.subject
        if not approve:
            assert "Budget is gone" in mail.body_text

    def test_user_text_is_escaped_in_the_html_mail(self, start, approvers, subject):
        subject.title = "<script>alert(1)</script>"
        subject.save()
        start(StageSpec("Manager", approvers[:1]))
        mail = OutboxMessage.objects.get(recipient=approvers[0])
        assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html


class TestVisibility:
    @pytest.fixture
    def plan(self, start, approvers):
        return start(StageSpec("Managers", approvers[:2]))

    def test_approvers_see_their_own_only(self, plan, approvers):
        assert list(Approval.objects.visible_to(approvers[0])) == [approval_of(plan, approvers[0])]

    def test_the_requester_sees_the_approvals_of_their_subject(self, plan, requester):
        assert Approval.objects.visible_to(requester).count() == 2

    @pytest.mark.parametrize("role", [Role.REQUESTER, Role.AGENT, Role.CHANGE_MANAGER])
    def test_nobody_else_sees_them(self, plan, role):
        assert not Approval.objects.visible_to(UserFactory(username=f"x-{role}", roles=[role])).exists()

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
    def test_managers_and_admins_see_all(self, plan, role):
        assert Approval.objects.visible_to(UserFactory(username=f"x-{role}", roles=[role])).count() == 2

    def test_anonymous_and_inactive_see_nothing(self, plan, approvers):
        from django.contrib.auth.models import AnonymousUser

        assert not Approval.objects.visible_to(AnonymousUser()).exists()
        approvers[0].is_active = False
        assert not Approval.objects.visible_to(approvers[0]).exists()


def test_practices_can_let_approvers_see_the_subject(start, approvers, subject):
    from itsm.approvals.models import subjects_approved_by
    from itsm.core.models import Task

    start(StageSpec("Manager", approvers[:1]))
    assert list(Task.objects.filter(subjects_approved_by(approvers[0]))) == [subject]
    assert not Task.objects.filter(subjects_approved_by(approvers[1])).exists()


class TestOneRuleForPagesAndApis:
    """The approval page, `/api/v1/approvals/` and `/api/v1/tasks/` agree on who sees an approval."""

    @pytest.fixture
    def plan(self, start, approvers, subject, team):
        subject.assignment_group = team
        subject.save()
        return start(StageSpec("Managers", approvers[:1]))

    def seen(self, client, api_as, user, approval) -> dict:
        from django.urls import reverse

        client.force_login(user)
        page = client.get(reverse("approval:detail", args=[approval.pk])).status_code
        api = api_as(user)
        in_approvals = api.get(f"/api/v1/approvals/{approval.pk}/").status_code
        tasks = api.get("/api/v1/tasks/", {"page_size": 100}).json()["results"]
        in_tasks = any(row["id"] == approval.pk for row in tasks)
        return {"page": page, "approvals_api": in_approvals, "tasks_api": in_tasks}

    def test_an_agent_of_the_subjects_team_reads_it_everywhere(self, plan, approvers, agent, client, api_as):
        # given: the agent is in the team working the subject (the `team` fixture)
        approval = approval_of(plan, approvers[0])

        # then
        assert self.seen(client, api_as, agent, approval) == {
            "page": 200,
            "approvals_api": 200,
            "tasks_api": True,
        }

    def test_an_agent_of_another_team_sees_it_nowhere(self, plan, approvers, client, api_as):
        # given
        outsider = UserFactory(username="olga.other", roles=[Role.AGENT])
        approval = approval_of(plan, approvers[0])

        # then
        assert self.seen(client, api_as, outsider, approval) == {
            "page": 404,
            "approvals_api": 404,
            "tasks_api": False,
        }

    def test_the_approver_and_the_requester_see_it_everywhere(
        self, plan, approvers, requester, client, api_as
    ):
        approval = approval_of(plan, approvers[0])
        for user in (approvers[0], requester):
            assert self.seen(client, api_as, user, approval) == {
                "page": 200,
                "approvals_api": 200,
                "tasks_api": True,
            }, user

    def test_an_agent_cannot_decide_an_approval_they_may_read(self, plan, approvers, agent, api_as):
        approval = approval_of(plan, approvers[0])
        response = api_as(agent).post(
            f"/api/v1/approvals/{approval.pk}/approve/", {"comment": "ok"}, format="json"
        )
        assert response.status_code in (403, 409, 400)
        approval.refresh_from_db()
        assert approval.state == "requested"
