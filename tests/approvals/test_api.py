"""/api/v1/approvals/: list what the caller may see, filters, approve and reject through decide."""

import pytest

from itsm.approvals.choices import Decision, PlanOutcome
from itsm.approvals.services import StageSpec
from itsm.core.roles import Role
from tests.approvals.conftest import approval_of
from tests.factories import UserFactory

URL = "/api/v1/approvals/"


@pytest.fixture
def plan(start, approvers):
    return start(StageSpec("Managers", approvers[:2], rule="all"))


@pytest.fixture
def approval(plan, approvers):
    return approval_of(plan, approvers[0])


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


class TestReading:
    def test_an_approver_lists_their_own(self, api_as, plan, approvers, approval):
        response = api_as(approvers[0]).get(URL)
        assert response.status_code == 200 and ids(response) == {approval.pk}
        row = response.json()["results"][0]
        assert row["state"] == "requested" and row["subject"]["number"] == plan.subject.number
        assert row["stage"]["rule"] == "all" and row["plan"]["outcome"] == "pending"

    def test_the_requester_sees_the_approvals_of_their_record(self, api_as, plan, requester):
        assert len(ids(api_as(requester).get(URL))) == 2

    @pytest.mark.parametrize("role", [Role.REQUESTER, Role.AGENT])
    def test_others_see_none_and_get_404(self, api_as, approval, role):
        client = api_as(UserFactory(username=f"api-{role}", roles=[role]))
        assert ids(client.get(URL)) == set()
        assert client.get(f"{URL}{approval.pk}/").status_code == 404
        assert client.post(f"{URL}{approval.pk}/approve/").status_code == 404

    def test_filters(self, api_as, plan, approvers, manager, approval, subject):
        client = api_as(manager)
        assert len(ids(client.get(URL, {"subject": subject.pk}))) == 2
        assert ids(client.get(URL, {"subject": subject.pk + 1000})) == set()
        assert ids(client.get(URL, {"approver": "me"})) == set()
        assert ids(client.get(URL, {"approver": approvers[1].pk})) == {approval_of(plan, approvers[1]).pk}
        assert len(ids(client.get(URL, {"state": "requested"}))) == 2
        assert ids(client.get(URL, {"state": "approved"})) == set()
        # api_as re-authenticates the one test client: from here on it is the approver
        assert ids(api_as(approvers[0]).get(URL, {"approver": "me"})) == {approval.pk}

    @pytest.mark.parametrize(
        "query", [{"state": "maybe"}, {"approver": "someone"}, {"subject": "x"}, {"colour": "red"}]
    )
    def test_bad_filters_are_400_in_the_shared_format(self, api_as, manager, plan, query):
        response = api_as(manager).get(URL, query)
        assert response.status_code == 400 and response.json()["error"]["status"] == 400

    def test_unauthenticated_is_refused(self, api_client, plan):
        assert api_client.get(URL).status_code in (401, 403)

    def test_list_queries_do_not_grow_with_rows(
        self, api_as, manager, start, approvers, django_assert_max_num_queries
    ):
        client = api_as(manager)
        start(StageSpec("Managers", approvers[:1]))
        with django_assert_max_num_queries(10) as one:
            client.get(URL)
        from itsm.approvals.services import start_approval
        from tests.factories import TaskFactory

        for n in range(5):
            other = TaskFactory(kind="request_item", title=f"Other {n}")
            start_approval(other, [StageSpec("Managers", approvers)], actor=manager)
        with django_assert_max_num_queries(len(one.captured_queries)):
            assert len(client.get(URL).json()["results"]) == 1 + 5 * len(approvers)


class TestDeciding:
    def test_approve(self, api_as, approval, approvers):
        response = api_as(approvers[0]).post(
            f"{URL}{approval.pk}/approve/", {"comment": "Fine"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["state"] == "approved" and response.json()["comment"] == "Fine"

    def test_reject_needs_a_comment(self, api_as, approval, approvers):
        response = api_as(approvers[0]).post(f"{URL}{approval.pk}/reject/", {}, format="json")
        assert response.status_code == 400 and "comment" in response.json()["error"]["fields"]
        response = api_as(approvers[0]).post(f"{URL}{approval.pk}/reject/", {"comment": "  "}, format="json")
        assert response.status_code == 400
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_reject_rejects_the_plan(self, api_as, approval, approvers, plan, handler):
        response = api_as(approvers[0]).post(f"{URL}{approval.pk}/reject/", {"comment": "No"}, format="json")
        assert response.status_code == 200 and response.json()["plan"]["outcome"] == "rejected"
        plan.refresh_from_db()
        assert plan.outcome == PlanOutcome.REJECTED and handler.outcomes == ["rejected"]

    def test_deciding_again_is_409(self, api_as, approval, approvers):
        client = api_as(approvers[0])
        client.post(f"{URL}{approval.pk}/approve/", format="json")
        response = client.post(f"{URL}{approval.pk}/reject/", {"comment": "changed my mind"}, format="json")
        assert response.status_code == 409 and response.json()["error"]["code"] == "transition_not_allowed"

    @pytest.mark.parametrize("who", ["requester", "manager", "admin_user"])
    def test_not_your_approval_is_403(self, api_as, approval, who, request):
        response = api_as(request.getfixturevalue(who)).post(f"{URL}{approval.pk}/approve/", format="json")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED

    def test_bad_input_is_400_never_500(self, api_as, approval, approvers):
        client = api_as(approvers[0])
        assert (
            client.post(f"{URL}{approval.pk}/reject/", {"comment": "x" * 6000}, format="json").status_code
            == 400
        )
        assert (
            client.post(f"{URL}{approval.pk}/reject/", {"comment": ["a"]}, format="json").status_code == 400
        )
        assert client.post(f"{URL}{2**64}/approve/", format="json").status_code == 404
        assert (
            client.post(f"{URL}{approval.pk}/approve/", "[1,", content_type="application/json").status_code
            == 400
        )

    def test_state_cannot_be_written(self, api_as, approval, approvers):
        response = api_as(approvers[0]).patch(f"{URL}{approval.pk}/", {"state": "approved"}, format="json")
        assert response.status_code in (403, 405)  # the role check answers before the method check
        approval.refresh_from_db()
        assert approval.state == Decision.REQUESTED
