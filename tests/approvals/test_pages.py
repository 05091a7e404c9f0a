"""The pages: My approvals (workspace and portal), the record page, deciding, the e-mailed link."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from itsm.approvals.choices import Decision, PlanOutcome
from itsm.approvals.models import Approval
from itsm.approvals.services import StageSpec, decide
from itsm.approvals.tokens import SALT, approval_link, make_token
from itsm.core.roles import Role
from tests.approvals.conftest import approval_of
from tests.factories import UserFactory


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture
def plan(start, approvers):
    return start(StageSpec("Manager approval", approvers[:2]), StageSpec("Finance", approvers[2:3]))


@pytest.fixture
def approval(plan, approvers):
    return approval_of(plan, approvers[0])


class TestMyApprovals:
    @pytest.mark.parametrize("url_name", ["approval:queue", "approval:portal-queue"])
    def test_pending_first_then_recent_decisions(self, plan, approvers, subject, url_name):
        html = client_as(approvers[0]).get(reverse(url_name)).content.decode()
        assert "Waiting for you" in html and f"{subject.number}: New laptop" in html
        assert "Decide here" in html

    def test_someone_with_nothing_to_approve_sees_an_empty_list(self, plan, make_approver):
        html = client_as(make_approver("nobody")).get(reverse("approval:portal-queue")).content.decode()
        assert "Nothing is waiting for you" in html

    def test_a_bad_page_cursor_is_a_400_not_a_500(self, plan, approvers):
        response = client_as(approvers[0]).get(reverse("approval:queue"), {"after": "x" * 30})
        assert response.status_code == 400

    def test_anonymous_users_are_sent_to_sign_in(self, client):
        response = client.get(reverse("approval:queue"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_list_costs_the_same_queries_with_more_approvals(
        self, subject, requester, approvers, handler, django_assert_max_num_queries
    ):
        from itsm.approvals.services import start_approval
        from tests.factories import TaskFactory

        client = client_as(approvers[0])
        start_approval(subject, [StageSpec("Manager", approvers[:1])], actor=requester)
        with django_assert_max_num_queries(20) as one:
            client.get(reverse("approval:queue"))
        for n in range(8):
            other = TaskFactory(kind="request_item", requester=requester, title=f"Thing {n}")
            plan = start_approval(other, [StageSpec("Manager", approvers[:1])], actor=requester)
            if n % 2:
                decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        with django_assert_max_num_queries(len(one.captured_queries)):
            client.get(reverse("approval:queue"))

    def test_the_nav_links_my_approvals_only_for_approvers(self, plan, approvers, make_approver):
        assert "My approvals" in client_as(approvers[0]).get(reverse("portal:home")).content.decode()
        assert (
            "My approvals"
            not in client_as(make_approver("nobody")).get(reverse("portal:home")).content.decode()
        )


class TestRecordPage:
    def test_the_approver_sees_subject_stages_and_buttons(self, approval, subject, approvers):
        html = client_as(approvers[0]).get(reverse("approval:detail", args=[approval.pk])).content.decode()
        assert subject.number in html and "My laptop is five years old." in html
        assert "Manager approval" in html and "Finance" in html and "Not asked yet" in html
        assert 'value="approve"' in html and 'value="reject"' in html
        assert "Laptop 14in" in html  # the subject summary hook
        assert subject.get_absolute_url() in html

    def test_the_requester_sees_status_but_no_buttons(self, approval, requester):
        response = client_as(requester).get(reverse("approval:detail", args=[approval.pk]))
        assert response.status_code == 200 and 'value="approve"' not in response.content.decode()

    @pytest.mark.parametrize("role", [Role.REQUESTER, Role.AGENT])
    def test_others_get_404(self, approval, role):
        stranger = UserFactory(username=f"stranger-{role}", roles=[role])
        assert client_as(stranger).get(reverse("approval:detail", args=[approval.pk])).status_code == 404
        response = client_as(stranger).post(
            reverse("approval:decide", args=[approval.pk]), {"decision": "approve"}
        )
        assert response.status_code == 404

    def test_a_huge_id_is_404(self, approvers):
        assert client_as(approvers[0]).get(f"/approvals/{2**64}/").status_code == 404

    def test_the_record_page_costs_a_fixed_number_of_queries(
        self, approval, approvers, django_assert_max_num_queries
    ):
        client = client_as(approvers[0])
        with django_assert_max_num_queries(14):
            client.get(reverse("approval:detail", args=[approval.pk]))

    def test_user_text_is_escaped(self, approval, approvers, subject):
        subject.description = "<img src=x onerror=alert(1)>"
        subject.save()
        html = client_as(approvers[0]).get(reverse("approval:detail", args=[approval.pk])).content.decode()
        assert "<img src=x" not in html and "&lt;img src=x" in html


class TestDeciding:
    def test_approving_moves_the_plan_and_redirects(self, approval, approvers, plan):
        response = client_as(approvers[0]).post(
            reverse("approval:decide", args=[approval.pk]), {"decision": "approve"}
        )
        assert response.status_code == 302
        approval.refresh_from_db()
        assert approval.state == Decision.APPROVED
        assert approval_of(plan, approvers[2]).state == Decision.REQUESTED  # stage 2 started

    def test_rejecting_without_a_comment_is_explained(self, approval, approvers):
        response = client_as(approvers[0]).post(
            reverse("approval:decide", args=[approval.pk]), {"decision": "reject"}
        )
        assert response.status_code == 400 and "Say why you reject it" in response.content.decode()
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_the_requester_cannot_decide(self, approval, requester):
        response = client_as(requester).post(
            reverse("approval:decide", args=[approval.pk]), {"decision": "approve"}
        )
        assert response.status_code == 403
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_deciding_twice_is_a_409_on_the_page(self, approval, approvers):
        client = client_as(approvers[0])
        client.post(reverse("approval:decide", args=[approval.pk]), {"decision": "reject", "comment": "No"})
        response = client.post(reverse("approval:decide", args=[approval.pk]), {"decision": "approve"})
        assert response.status_code == 409 and "already decided" in response.content.decode()

    def test_a_bad_decision_value_is_a_400(self, approval, approvers):
        response = client_as(approvers[0]).post(
            reverse("approval:decide", args=[approval.pk]), {"decision": "maybe"}
        )
        assert response.status_code == 400

    def test_next_must_stay_on_this_site(self, approval, approvers):
        response = client_as(approvers[0]).post(
            reverse("approval:decide", args=[approval.pk]),
            {"decision": "approve", "next": "https://evil.example/"},
        )
        assert response["Location"] == approval.get_absolute_url()


class TestEmailLink:
    def test_get_shows_a_confirmation_and_never_decides(self, approval, approvers, subject):
        response = client_as(approvers[0]).get(path_of(approval_link(approval)))
        assert response.status_code == 200
        html = response.content.decode()
        assert subject.number in html and 'value="approve"' in html
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_post_decides_and_the_link_then_stops_working(self, approval, approvers):
        url = path_of(approval_link(approval))
        client = client_as(approvers[0])
        assert client.post(url, {"decision": "approve"}).status_code == 302
        approval.refresh_from_db()
        assert approval.state == Decision.APPROVED and approval.link_nonce == ""
        for response in (client.get(url), client.post(url, {"decision": "reject", "comment": "x"})):
            assert response.status_code == 410 and "already used" in response.content.decode()
        approval.refresh_from_db()
        assert approval.state == Decision.APPROVED

    def test_a_link_dies_when_the_approval_is_decided_elsewhere(self, approval, approvers):
        url = path_of(approval_link(approval))
        decide(approval, actor=approvers[0], approve=True)
        assert client_as(approvers[0]).get(url).status_code == 410

    def test_an_expired_link_is_refused(self, approval, approvers, settings):
        url = path_of(approval_link(approval))
        settings.APPROVAL_LINK_MAX_AGE = -1
        response = client_as(approvers[0]).post(url, {"decision": "approve"})
        assert response.status_code == 410 and "expired" in response.content.decode()
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    @pytest.mark.parametrize(
        "token",
        [
            "nonsense",
            "a:b:c",
            signing.dumps({"a": 1, "n": "x"}, salt="another-salt"),
            signing.dumps(["not", "a", "dict"], salt=SALT),
        ],
    )
    def test_forged_or_damaged_tokens_are_a_400(self, approval, approvers, token):
        response = client_as(approvers[0]).get(reverse("approval:decide-link", args=[token]))
        assert response.status_code == 400 and "damaged or not valid" in response.content.decode()

    def test_a_wrong_nonce_is_refused(self, approval, approvers):
        url = reverse("approval:decide-link", args=[make_token(approval.pk, "guessed")])
        assert client_as(approvers[0]).post(url, {"decision": "approve"}).status_code == 410
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_someone_elses_link_is_a_403(self, approval, approvers, requester):
        url = path_of(approval_link(approval))
        for user in (approvers[1], requester):
            assert client_as(user).post(url, {"decision": "approve"}).status_code == 403
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_signing_in_first_comes_back_to_the_link(self, approval, client):
        url = path_of(approval_link(approval))
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]

    def test_rejecting_through_the_link_needs_a_comment(self, approval, approvers, plan):
        url = path_of(approval_link(approval))
        client = client_as(approvers[0])
        assert client.post(url, {"decision": "reject"}).status_code == 400
        assert client.post(url, {"decision": "reject", "comment": "Not now"}).status_code == 302
        decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=False, comment="Nor me")
        plan.refresh_from_db()
        assert plan.outcome == PlanOutcome.REJECTED

    def test_the_confirmation_page_costs_a_fixed_number_of_queries(
        self, approval, approvers, django_assert_max_num_queries
    ):
        client, url = client_as(approvers[0]), path_of(approval_link(approval))
        with django_assert_max_num_queries(10):
            client.get(url)


def test_approval_rows_are_in_my_work_of_a_staff_approver(start, make_approver):
    agent = make_approver("agnes.agent", Role.AGENT)
    plan = start(StageSpec("Manager", [agent]))
    html = client_as(agent).get(reverse("core:workspace")).content.decode()
    assert Approval.objects.get(stage__plan=plan).number in html
