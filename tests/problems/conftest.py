import pytest

from incidents.services import create_incident
from itsm.core.choices import TaskKind
from problems.services import create_problem
from tests.factories import ServiceFactory, TaskFactory


@pytest.fixture
def payroll(db):
    return ServiceFactory(name="Payroll")


@pytest.fixture
def make_incident(requester):
    """`make_incident(**fields)` raises an incident through the incident service."""

    def make(actor=None, **fields):
        fields.setdefault("title", "Payroll export fails with a timeout")
        return create_incident(actor=actor or requester, **fields)

    return make


@pytest.fixture
def make_problem(agent, team):
    def make(actor=None, **fields):
        fields.setdefault("title", "Payroll export times out")
        fields.setdefault("assignment_group", team)
        return create_problem(actor=actor or agent, **fields)

    return make


@pytest.fixture
def change_task(db):
    """A change record (the change practice is not built yet: a bare Task of kind change)."""
    return TaskFactory(
        kind=TaskKind.CHANGE, title="Raise export timeout", state="scheduled", state_category="open"
    )
