"""Demo initiatives (discovered by `seed_demo`): one from the change success rate, in progress;
one from a problem, identified; one realised with its measured outcome. Safe to re-run."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvements import services
from improvements.models import Initiative
from itsm.core.choices import TaskKind
from itsm.core.models import Task


def seed_demo_data() -> None:
    users = {user.username: user for user in get_user_model().objects.filter(is_active=True)}
    manager, agent = users.get("manager"), users.get("agent")
    if manager is None or agent is None or Initiative.objects.exists():
        return
    numbers = Task.objects.order_by("pk").values_list("number", flat=True)
    change = numbers.filter(kind=TaskKind.CHANGE).first()
    problem = numbers.filter(kind=TaskKind.PROBLEM).first()
    rehearse = services.create_initiative(
        actor=manager,
        title="Rehearse database upgrades on a copy first",
        motivation="Changes: Success rate was 60.0 on the dashboard; two database changes were backed out.",
        expected_benefit="Success rate of changes above 90 % within a quarter.",
        owner=agent,
        metric="changes.success_rate",
        baseline_value=60.0,
        source_url="/dashboards/practices/changes/?period=90",
        links=[change] if change else [],
    )
    services.move_initiative(rehearse, "approve", actor=manager)
    services.move_initiative(rehearse, "start", actor=agent)
    services.create_initiative(
        actor=agent,
        title="Publish the VPN workaround in the portal",
        motivation="The VPN problem keeps bringing in incidents that the workaround would solve.",
        expected_benefit="Fewer VPN incidents; a higher deflection rate.",
        owner=agent,
        metric="knowledge.deflection_rate",
        links=[problem] if problem else [],
    )
    faster = services.create_initiative(
        actor=manager,
        title="Pre-approve standard laptops",
        motivation="Requests: Mean approval time was 30.5 on the dashboard.",
        expected_benefit="Laptops approved the same day.",
        owner=manager,
        metric="requests.approval_time",
        baseline_value=30.5,
    )
    services.move_initiative(faster, "approve", actor=manager)
    services.move_initiative(faster, "start", actor=manager)
    Initiative.objects.filter(pk=faster.pk).update(started_at=timezone.now() - timedelta(days=45))
    services.move_initiative(
        faster,
        "realise",
        actor=manager,
        measured_outcome="Standard laptops skip the line manager's approval: mean approval time 2 h.",
        outcome_value=2.0,
    )
