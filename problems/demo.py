"""Demo problems (discovered by `seed_demo`): a known error with demo incidents linked, a problem
under analysis with a task, and a cluster of similar incidents waiting in the candidates queue."""

from django.contrib.auth import get_user_model

import incidents.services as incident_services
from itsm.cmdb.models import Service
from itsm.core.models import Task, Team
from problems import services
from problems.models import Problem

KNOWN_ERROR_TITLE = "VPN drops connections after the client update"


def seed_demo_data() -> None:
    if Problem.objects.filter(title=KNOWN_ERROR_TITLE).exists():
        return
    users = {user.username: user for user in get_user_model().objects.filter(is_active=True)}
    agent, manager, requester = users.get("agent"), users.get("manager"), users.get("requester")
    if agent is None or requester is None:
        return
    team = Team.objects.filter(members=agent).order_by("name").first()
    services_by_name = {service.name: service for service in Service.objects.all()}
    service = next(iter(services_by_name.values()), None)
    _known_error(agent, requester, team, service)
    _under_analysis(agent, team, service)
    _candidate_cluster(requester, services_by_name)
    if manager is not None:
        services.propose_problems()


def _known_error(agent, requester, team, service) -> None:
    incidents = [
        incident_services.create_incident(
            actor=requester, title=f"VPN disconnects every few minutes ({place})", service=service
        )
        for place in ("home office", "hotel", "train")
    ]
    problem = services.create_problem(
        actor=agent,
        title=KNOWN_ERROR_TITLE,
        description="Since client 5.2 was rolled out, VPN sessions drop every few minutes for remote staff.",
        service=service,
        impact=2,
        urgency=1,
        assignment_group=team,
    )
    services.link_incidents(problem, incidents, actor=agent)
    if team is not None:
        problem = services.assess_problem(problem, actor=agent)
        problem = services.analyse_problem(problem, actor=agent)
    problem = services.update_rca(
        problem,
        actor=agent,
        changes={
            "symptoms": "Sessions drop after 3–10 minutes; reconnect works.",
            "root_cause": "Client 5.2 enables DTLS keep-alive that the concentrator drops.",
            "five_whys": ["The tunnel times out", "Keep-alives are lost", "DTLS keep-alive is new in 5.2"],
        },
    )
    services.publish_workaround(
        problem, actor=agent, workaround="In the VPN client settings, switch 'Use DTLS' off and reconnect."
    )


def _under_analysis(agent, team, service) -> None:
    problem = services.create_problem(
        actor=agent,
        title="Payroll export times out at month end",
        description="The payroll export fails with a timeout on the last working day of each month.",
        service=service,
        assignment_group=team,
    )
    services.create_problem_task(
        problem,
        actor=agent,
        title="Collect the export job logs of the last two month ends",
        assignment_group=team,
    )


def _candidate_cluster(requester, services_by_name) -> None:
    service = list(services_by_name.values())[1] if len(services_by_name) > 1 else None
    if service is None or Task.objects.filter(title__startswith="Shared drive S: full").exists():
        return
    for title in SHARED_DRIVE_REPORTS:
        incident_services.create_incident(actor=requester, title=title, service=service)


#: One fault as four people report it: the clustering job proposes them as one problem.
SHARED_DRIVE_REPORTS = [
    "Shared drive S: full, cannot save files (floor 2)",
    "cannot save files to the shared drive, it says the disk is full",
    "Shared drive S: no space left when saving files",
    "saving files on S: fails - drive full",
]
