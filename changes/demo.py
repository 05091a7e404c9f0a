"""Demo change data (discovered by `seed_demo`): a risk questionnaire, CAB and emergency-CAB
policies, a standard-change template, and changes in several states — one waiting for the
CAB, one scheduled, one in review with a failed implementation, one closed, one emergency."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from changes import services
from changes.choices import ChangeTaskType, ChangeType, CloseCode, RiskLevel
from changes.models import CABPolicy, CABStage, RiskAnswer, RiskQuestion, StandardChangeTemplate, TemplateTask
from itsm.approvals.choices import StageRule
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.models import Team

QUESTIONS = (
    (
        "Does the change need an outage of a service?",
        (("No", 0), ("Yes, under an hour", 5), ("Yes, longer", 10)),
    ),
    ("Has it been tested in a test environment?", (("Yes, fully", 0), ("Partly", 5), ("No", 10))),
    ("Has the team done this change before?", (("Many times", 0), ("Once or twice", 4), ("Never", 8))),
    ("Can it be backed out quickly?", (("Yes, in minutes", 0), ("Within an hour", 4), ("Not easily", 10))),
)
MARKER = "Upgrade the ERP database to PostgreSQL 16.4"


def seed_demo_data() -> None:
    users = {user.username: user for user in get_user_model().objects.filter(is_active=True)}
    agent, carl = users.get("agent"), users.get("changemanager")
    if agent is None or carl is None:
        return
    cab, ecab = _boards(users)
    _questionnaire()
    _policies(cab, ecab)
    template = _template()
    from changes.models import Change

    if Change.objects.filter(title=MARKER).exists():
        return
    _changes(agent, carl, users, template)


def _boards(users) -> tuple[Team, Team]:
    cab, _ = Team.objects.get_or_create(
        slug="cab", defaults={"name": "Change Advisory Board", "description": "Authorizes normal changes."}
    )
    cab.members.add(*[users[name] for name in ("changemanager", "manager", "nina") if name in users])
    ecab, _ = Team.objects.get_or_create(
        slug="ecab",
        defaults={"name": "Emergency CAB", "description": "Authorizes emergency changes at once."},
    )
    ecab.members.add(*[users[name] for name in ("changemanager", "manager") if name in users])
    return cab, ecab


def _questionnaire() -> None:
    for order, (text, answers) in enumerate(QUESTIONS, start=1):
        question, created = RiskQuestion.objects.get_or_create(text=text, defaults={"order": order})
        if created:
            for position, (answer, weight) in enumerate(answers, start=1):
                RiskAnswer.objects.create(question=question, text=answer, weight=weight, order=position)


def _policies(cab: Team, ecab: Team) -> None:
    low, created = CABPolicy.objects.get_or_create(
        name="Normal change, low or moderate risk",
        defaults={"change_type": ChangeType.NORMAL, "order": 20, "max_risk": RiskLevel.MODERATE},
    )
    if created:
        CABStage.objects.create(policy=low, order=1, name="CAB", group=cab, rule=StageRule.ANY)
    high, created = CABPolicy.objects.get_or_create(
        name="Normal change, high risk",
        defaults={"change_type": ChangeType.NORMAL, "order": 10, "min_risk": RiskLevel.HIGH},
    )
    if created:
        CABStage.objects.create(policy=high, order=1, name="CAB majority", group=cab, rule=StageRule.MAJORITY)
        CABStage.objects.create(
            policy=high, order=2, name="Change manager sign-off", group=ecab, rule=StageRule.ANY
        )
    emergency, created = CABPolicy.objects.get_or_create(
        name="Emergency CAB", defaults={"change_type": ChangeType.EMERGENCY, "order": 5}
    )
    if created:
        CABStage.objects.create(
            policy=emergency, order=1, name="Emergency CAB", group=ecab, rule=StageRule.ANY
        )


def _template() -> StandardChangeTemplate:
    team = Team.objects.filter(slug="platform").first()
    template, created = StandardChangeTemplate.objects.get_or_create(
        name="Restart an application server",
        defaults={
            "description": "Rolling restart of one application VM in the maintenance window.",
            "reason": "Clears a memory leak or applies configuration that needs a restart.",
            "implementation_plan": "1. Drain the node from the load balancer\n2. Restart\n3. Put it back",
            "backout_plan": "Leave the node drained; the others carry the load.",
            "test_plan": "Health check green; one test login.",
            "risk": RiskLevel.LOW,
            "duration": timedelta(minutes=30),
            "assignment_group": team,
        },
    )
    if created:
        TemplateTask.objects.create(
            template=template, order=1, title="Drain and restart", assignment_group=team
        )
        TemplateTask.objects.create(
            template=template, order=2, title="Health check", task_type=ChangeTaskType.TESTING
        )
    return template


def _changes(agent, carl, users, template) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    platform = Team.objects.filter(slug="platform").first()
    erp = Service.objects.filter(name="ERP & Payroll").first()
    erp_db = ConfigurationItem.objects.filter(name="vm-erp-db-01").first()
    crm_db = ConfigurationItem.objects.filter(name="vm-crm-db-01").first()
    answers = _answers(low=False)
    common = {
        "implementation_plan": "Stop the application, upgrade, run the migration check, start it.",
        "backout_plan": "Restore the snapshot taken right before the upgrade.",
        "test_plan": "Finance runs the payroll smoke test.",
        "assignment_group": platform,
        "change_manager": carl,
    }
    # Waiting for the CAB: assessed, on next week's agenda.
    waiting = services.create_change(
        actor=agent,
        title=MARKER,
        reason="16.4 fixes two security issues and a planner bug that slows the month-end run.",
        planned_start=now + timedelta(days=6, hours=20 - now.hour),
        planned_end=now + timedelta(days=6, hours=23 - now.hour),
        affected_services=[erp] if erp else [],
        affected_cis=[erp_db] if erp_db else [],
        **common,
    )
    services.assess_change(waiting, actor=agent)
    services.assess_risk(waiting, actor=agent, answers=answers)
    services.request_authorization(waiting, actor=agent)
    services.set_cab_date(waiting, actor=carl, cab_date=timezone.localdate() + timedelta(days=2))
    # Scheduled: a standard change from the template.
    standard = services.create_from_template(
        template, actor=agent, planned_start=now + timedelta(days=1, hours=2)
    )
    _schedule(standard, agent, carl)
    # In review: a CRM database change that failed and was backed out.
    failed = services.create_change(
        actor=agent,
        title="Add an index to the CRM accounts table",
        reason="Account search takes seconds.",
        planned_start=now - timedelta(days=2),
        planned_end=now - timedelta(days=2) + timedelta(hours=1),
        affected_cis=[crm_db] if crm_db else [],
        **common,
    )
    _authorize(failed, agent, carl, users, _answers(low=True))
    services.implement_change(services_fresh(failed), actor=agent)
    services.complete_change(
        services_fresh(failed),
        actor=agent,
        close_code=CloseCode.BACKED_OUT,
        notes="The index build locked the table for longer than planned; backed out after 20 minutes.",
    )
    # An emergency change waiting for the emergency CAB.
    services.request_authorization(
        services.create_change(
            actor=agent,
            title="Block the exploited VPN login endpoint",
            change_type=ChangeType.EMERGENCY,
            reason="Active exploitation reported by the vendor this morning.",
            planned_start=now + timedelta(hours=2),
            planned_end=now + timedelta(hours=3),
            **common,
        ),
        actor=agent,
    )


def _authorize(change, agent, carl, users, answers) -> None:
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers)
    services.request_authorization(change, actor=agent)
    for approval in Approval.objects.filter(stage__plan__subject=change, state="requested").order_by("pk"):
        decide(approval, actor=approval.approver, approve=True, comment="Fine with the plan.")
        if services_fresh(change).cab_approved:
            break
    _schedule(services_fresh(change), agent, carl)


def _schedule(change, agent, carl) -> None:
    """Schedule as the agent; inside a demo blackout window, the change manager overrides it."""
    try:
        services.schedule_change(change, actor=agent)
    except TransitionNotAllowed:
        services.schedule_change(
            services_fresh(change), actor=carl, override_reason="Routine work agreed with the service owner."
        )


def _answers(*, low: bool) -> dict[int, int]:
    """The safest answer to every question, or the middle one."""
    picks = {}
    for question in services.questionnaire():
        options = list(question.answers.all())
        picks[question.pk] = options[0 if low else min(1, len(options) - 1)].pk
    return picks


def services_fresh(change):
    from changes.models import Change

    return Change.objects.get(pk=change.pk)
