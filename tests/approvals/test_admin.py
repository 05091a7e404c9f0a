"""The admin shows plans and approvals read-only to admins."""

from django.test import Client
from django.urls import reverse

from itsm.approvals.services import StageSpec
from tests.approvals.conftest import approval_of


def test_admins_read_plans_and_approvals_but_cannot_change_them(start, approvers, admin_user):
    plan = start(StageSpec("Manager", approvers[:1]))
    approval = approval_of(plan, approvers[0])
    client = Client()
    client.force_login(admin_user)
    assert client.get(reverse("admin:approvals_approvalplan_changelist")).status_code == 200
    page = client.get(reverse("admin:approvals_approvalplan_change", args=[plan.pk]))
    assert page.status_code == 200 and "Manager" in page.content.decode()
    assert client.get(reverse("admin:approvals_approval_change", args=[approval.pk])).status_code == 200
    assert client.get(reverse("admin:approvals_approval_add")).status_code == 403
    response = client.post(reverse("admin:approvals_approval_change", args=[approval.pk]), {"comment": "x"})
    assert response.status_code == 403
    approval.refresh_from_db()
    assert approval.comment == ""
