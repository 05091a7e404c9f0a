"""Fixtures for the approval machinery: a tiny subject (a bare Task), approvers, a recording handler.

The subject is a plain `core.Task` of kind "request_item", so these tests do not depend on the
catalog app; the handler is swapped in with `registry.override` and put back afterwards.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from itsm.approvals import registry
from itsm.approvals.services import StageSpec, start_approval
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.roles import Role
from tests.factories import TaskFactory, UserFactory


@dataclass
class Recorder:
    """Every handler call: (plan id, outcome, actor), and whether it ran inside a transaction."""

    calls: list = field(default_factory=list)
    in_atomic: list = field(default_factory=list)

    def __call__(self, plan, outcome, actor) -> None:
        self.calls.append((plan.pk, outcome, actor.pk))
        self.in_atomic.append(transaction.get_connection().in_atomic_block)

    @property
    def outcomes(self) -> list[str]:
        return [outcome for _, outcome, _ in self.calls]


@pytest.fixture
def handler():
    recorder = Recorder()
    with registry.override(TaskKind.REQUEST_ITEM, recorder, summary=lambda s: [("Item", "Laptop 14in")]):
        yield recorder


@pytest.fixture
def subject(requester):
    return TaskFactory(
        kind=TaskKind.REQUEST_ITEM,
        requester=requester,
        title="New laptop",
        description="My laptop is five years old.",
        state="awaiting_approval",
        state_category=StateCategory.PENDING,
    )


@pytest.fixture
def make_approver(db):
    """`make_approver("name")`: a plain requester (managers of requesters often are)."""

    def make(username: str, *roles: str):
        return UserFactory(username=username, roles=list(roles) or [Role.REQUESTER])

    return make


@pytest.fixture
def approvers(make_approver):
    return [
        make_approver(name) for name in ("alice.approver", "bob.approver", "cleo.approver", "dan.approver")
    ]


@pytest.fixture
def start(subject, requester, handler):
    """`start(StageSpec(...), ...)`: a plan on the subject, started by its requester."""

    def run(*stages: StageSpec, purpose: str = ""):
        return start_approval(subject, list(stages), actor=requester, purpose=purpose)

    return run


def approval_of(plan, user):
    from itsm.approvals.models import Approval

    return Approval.objects.get(stage__plan=plan, approver=user)
