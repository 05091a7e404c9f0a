"""Fixtures of the change tests: a CAB, policies, a questionnaire, and changes raised through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes.choices import ChangeType, RiskLevel
from changes.models import CABPolicy, CABStage, RiskAnswer, RiskQuestion, StandardChangeTemplate, TemplateTask
from changes.services import create_change
from itsm.approvals.choices import StageRule
from itsm.core.roles import Role
from tests.factories import ConfigurationItemFactory, ServiceFactory, TeamFactory, UserFactory


@pytest.fixture
def cab_member(db):
    return UserFactory(username="carla.cab", roles=[Role.AGENT])


@pytest.fixture
def cab(db, change_manager, cab_member):
    """The change advisory board: the change manager and one more member."""
    team = TeamFactory(name="Change Advisory Board")
    team.members.add(change_manager, cab_member)
    return team


@pytest.fixture
def ecab(db, change_manager):
    team = TeamFactory(name="Emergency CAB")
    team.members.add(change_manager)
    return team


@pytest.fixture
def normal_policy(cab):
    policy = CABPolicy.objects.create(name="Normal changes", change_type=ChangeType.NORMAL, order=10)
    CABStage.objects.create(policy=policy, order=1, name="CAB", group=cab, rule=StageRule.ANY)
    return policy


@pytest.fixture
def emergency_policy(ecab):
    policy = CABPolicy.objects.create(name="Emergency CAB", change_type=ChangeType.EMERGENCY, order=5)
    CABStage.objects.create(policy=policy, order=1, name="ECAB", group=ecab, rule=StageRule.ANY)
    return policy


@pytest.fixture
def questionnaire(db):
    """Two questions; the worst answers score 100, the best 0."""
    outage = RiskQuestion.objects.create(text="Is an outage needed?", order=1)
    RiskAnswer.objects.create(question=outage, text="No", weight=0, order=1)
    RiskAnswer.objects.create(question=outage, text="Yes, under an hour", weight=5, order=2)
    RiskAnswer.objects.create(question=outage, text="Yes, longer", weight=10, order=3)
    tested = RiskQuestion.objects.create(text="Was it tested in staging?", order=2)
    RiskAnswer.objects.create(question=tested, text="Yes", weight=0, order=1)
    RiskAnswer.objects.create(question=tested, text="No", weight=10, order=2)
    return [outage, tested]


def answers_for(questions, pick):
    """{question id: answer id} choosing answer index `pick` (0 = safest) on every question."""
    result = {}
    for question in questions:
        options = list(question.answers.order_by("order"))
        result[question.pk] = options[min(pick, len(options) - 1)].pk
    return result


@pytest.fixture
def database_ci(db):
    return ConfigurationItemFactory(name="db-payroll-01")


@pytest.fixture
def payroll(db):
    return ServiceFactory(name="Payroll")


@pytest.fixture
def window():
    start = timezone.now() + timedelta(days=3)
    return start, start + timedelta(hours=2)


@pytest.fixture
def make_change(agent, team, database_ci, payroll, window):
    """`make_change(**fields)` raises a change, complete enough to go to the CAB, through the service."""

    def make(actor=None, **fields):
        fields.setdefault("title", "Upgrade the payroll database to 16.4")
        fields.setdefault("change_type", ChangeType.NORMAL)
        fields.setdefault("reason", "Security fixes in the minor release.")
        fields.setdefault("implementation_plan", "1. Stop the export job\n2. Upgrade\n3. Start it")
        fields.setdefault("backout_plan", "Restore the snapshot taken before the upgrade.")
        fields.setdefault("test_plan", "Run the payroll smoke test.")
        fields.setdefault("planned_start", window[0])
        fields.setdefault("planned_end", window[1])
        fields.setdefault("assignment_group", team)
        fields.setdefault("affected_cis", [database_ci])
        fields.setdefault("affected_services", [payroll])
        return create_change(actor=actor or agent, **fields)

    return make


@pytest.fixture
def template(team, database_ci):
    template = StandardChangeTemplate.objects.create(
        name="Restart the payroll export service",
        description="A routine restart.",
        implementation_plan="systemctl restart payroll-export",
        backout_plan="Nothing to back out: the service starts as before.",
        risk=RiskLevel.LOW,
        duration=timedelta(minutes=30),
        assignment_group=team,
    )
    template.configuration_items.add(database_ci)
    TemplateTask.objects.create(template=template, order=1, title="Restart", assignment_group=team)
    TemplateTask.objects.create(template=template, order=2, title="Check the export ran")
    return template


@pytest.fixture
def as_user(client):
    """`as_user(user)`: the test client, signed in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
