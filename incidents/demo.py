"""Demo incidents, raised and worked through the services like real ones. Idempotent."""

from django.contrib.auth import get_user_model

from incidents.choices import AssignmentMethod, ContactType, HoldReason, ResolutionCode
from incidents.models import Category, Incident, RoutingRule
from incidents.services import (
    add_reply,
    assign_incident,
    create_incident,
    hold_incident,
    resolve_incident,
    start_incident,
)
from itsm.cmdb.models import Service
from itsm.core.models import Team

CATEGORIES = {
    "Hardware": ["Laptop", "Printer", "Monitor"],
    "Software": ["Office", "ERP", "E-mail client"],
    "Network": ["VPN", "Wi-Fi"],
    "Access": ["Password", "Permissions"],
}

#: (requester, title, description, service name, impact, urgency, what happens next)
STORIES = [
    (
        "requester",
        "Payroll shows last month's figures",
        "Since this morning the payslips show October.",
        "ERP & Payroll",
        1,
        1,
        "new",
    ),
    (
        "fred",
        "VPN drops every few minutes",
        "Working from home, the VPN disconnects about every five minutes.",
        "VPN & remote access",
        2,
        2,
        "working",
    ),
    (
        "hanna",
        "HR portal: cannot upload my certificate",
        "The upload button does nothing in Firefox.",
        "HR portal",
        3,
        2,
        "on_hold",
    ),
    ("sam", "CRM is very slow", "Opening a customer takes more than 30 seconds.", "CRM", 2, 1, "assigned"),
    ("requester", "Printer on floor 3 jams", "Every second page jams in tray 2.", None, 3, 3, "resolved"),
    (
        "fred",
        "Outlook keeps asking for my password",
        "Since the weekend Outlook asks again every hour.",
        "E-mail",
        3,
        2,
        "new",
    ),
]


def seed_demo_data() -> None:
    if Incident.objects.filter(title__in=[story[1] for story in STORIES]).exists():
        return
    _seed_categories()
    _seed_routing()
    users = {user.username: user for user in get_user_model().objects.filter(is_active=True)}
    agent, nina = users.get("agent"), users.get("nina")
    for username, title, description, service_name, impact, urgency, fate in STORIES:
        requester = users.get(username)
        if requester is None or agent is None:
            continue
        incident = create_incident(
            actor=requester,
            title=title,
            description=description,
            service=Service.objects.filter(name=service_name).first() if service_name else None,
            impact=impact,
            urgency=urgency,
            contact_type=ContactType.PORTAL,
        )
        _work(incident, fate, agent, nina)


def _seed_categories() -> None:
    for name, children in CATEGORIES.items():
        parent, _ = Category.objects.get_or_create(name=name, parent=None)
        for child in children:
            Category.objects.get_or_create(name=child, parent=parent)


def _seed_routing() -> None:
    desk = Team.objects.filter(slug="service-desk").first()
    network = Team.objects.filter(slug="network").first()
    vpn = Service.objects.filter(name="VPN & remote access").first()
    if network and vpn:
        RoutingRule.objects.get_or_create(
            name="VPN to Network",
            defaults={
                "order": 10,
                "service": vpn,
                "assignment_group": network,
                "assignment_method": AssignmentMethod.ROUND_ROBIN,
            },
        )
    if desk:
        RoutingRule.objects.get_or_create(
            name="Everything else to the Service Desk", defaults={"order": 1000, "assignment_group": desk}
        )


def _work(incident: Incident, fate: str, agent, nina) -> None:
    if fate == "new":
        return
    if fate == "working" and nina is not None:
        incident = assign_incident(incident, actor=nina, group=incident.assignment_group, assignee=nina)
        start_incident(incident, actor=nina)
        add_reply(incident, actor=nina, body="We see the tunnel resets on our side and are looking into it.")
        return
    desk = incident.assignment_group
    incident = assign_incident(incident, actor=agent, group=desk, assignee=agent if desk else None)
    if fate == "assigned":
        return
    incident = start_incident(incident, actor=agent)
    add_reply(incident, actor=agent, body="Thanks, I am on it.")
    if fate == "on_hold":
        hold_incident(incident, actor=agent, reason=HoldReason.AWAITING_CALLER)
        add_reply(incident, actor=agent, body="Which browser version do you use?")
    elif fate == "resolved":
        resolve_incident(
            incident,
            actor=agent,
            resolution_code=ResolutionCode.SOLVED_PERMANENTLY,
            notes="Cleaned the rollers of tray 2.",
        )
