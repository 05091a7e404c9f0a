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
