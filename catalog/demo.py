# ruff: noqa: E501  (a data table: item texts read better unbroken)
"""Demo catalog: categories, a laptop with conditional fields, application access, a new
mailbox and more, with approvals and fulfilment plans; delivery SLAs; two requests worked
through the services. Idempotent: nothing is added when the catalog already has items."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog import rollups
from catalog.choices import ApprovalRule, ApproverKind, Audience, VariableType
from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, Variable
from catalog.services import OrderLine, publish_item, submit_request
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.cmdb.models import Service
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Team
from itsm.sla.choices import Target
from itsm.sla.models import Calendar, SLADefinition

DAY = timedelta(days=1)
H = timedelta(hours=1)

CATEGORIES = [
    ("hardware", "Hardware", "💻", "Laptops, screens, phones and accessories.", None),
    ("laptops", "Laptops", "💻", "Work laptops for every role.", "hardware"),
    ("accessories", "Accessories", "🖱", "Docking stations, screens, headsets.", "hardware"),
    ("software", "Software & access", "🔑", "Applications and the permissions to use them.", None),
    (
        "communication",
        "E-mail & collaboration",
        "✉",
        "Mailboxes, distribution lists, shared calendars.",
        None,
    ),
    ("workplace", "Workplace", "🏢", "Badges, desks and moves.", None),
]

V = VariableType

ITEMS = [
    {
        "slug": "standard-laptop",
        "name": "Laptop",
        "category": "laptops",
        "service": None,
        "icon": "💻",
        "short": "A work laptop: standard, developer or lightweight model.",
        "description": (
            "Every employee gets one laptop. **Developer** models have 64 GB of memory and need a reason.\n\n"
            "- Delivered set up with your account and the standard software\n- Your old laptop is collected on delivery"
        ),
        "days": 5,
        "group": "service-desk",
        "variables": [
            {"name": "model", "label": "Model", "type": V.CHOICE, "required": True,
                 "choices": "standard|Standard 14\"\ndeveloper|Developer 16\" (64 GB)\nlight|Lightweight 13\""},
            {"name": "justification", "label": "Why do you need a developer laptop?", "type": V.TEXTAREA,
                 "condition_variable": "model", "condition_value": "developer", "condition_effect": "show", "required": True,
                 "min_value": 20, "help_text": "At least 20 characters; your manager reads this."},
            {"name": "keyboard", "label": "Keyboard layout", "type": V.CHOICE, "required": True, "default": "us",
                 "choices": "us|US English\nde|German\nuk|UK English"},
            {"name": "docking", "label": "I also need a docking station", "type": V.BOOLEAN},
            {"name": "needed_by", "label": "Needed by", "type": V.DATE, "help_text": "Leave empty for as soon as possible."},
        ],
        "approvals": [{"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY, "name": "Line manager"}],
        "steps": [
            {"order": 10, "title": "Prepare and image the laptop", "group": "platform",
                 "instructions": "Take a laptop of the chosen model from stock, image it, enrol it."},
            {"order": 20, "title": "Hand over the laptop", "group": "service-desk",
                 "instructions": "Book a hand-over with the requester; collect the old laptop."},
            {"order": 20, "title": "Deliver a docking station", "group": "service-desk",
                 "condition": ("docking", "yes"), "instructions": "Bring a docking station and set it up at the desk."},
        ],
    },
    {
        "slug": "application-access",
        "name": "Application access",
        "category": "software",
        "service": "ERP & Payroll",
        "icon": "🔑",
        "short": "Access to ERP, CRM or the HR portal, with the role you need.",
        "description": "Access is granted by the application team once your manager and the application owner agree.",
        "days": 2,
        "group": "applications",
        "variables": [
            {"name": "application", "label": "Application", "type": V.CHOICE, "required": True,
                 "choices": "erp|ERP & Payroll\ncrm|CRM\nhr|HR portal"},
            {"name": "access_level", "label": "Access level", "type": V.CHOICE, "required": True,
                 "choices": "read|Read only\nwrite|Read and write\nadmin|Administrator"},
            {"name": "admin_reason", "label": "Why administrator access?", "type": V.TEXTAREA,
                 "condition_variable": "access_level", "condition_value": "admin", "condition_effect": "require"},
            {"name": "same_as", "label": "Same access as (optional)", "type": V.USER},
        ],
        "approvals": [
            {"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY, "name": "Line manager"},
            {"approver": ApproverKind.TEAM, "team": "applications", "rule": ApprovalRule.ANY, "name": "Application owner"},
        ],
        "steps": [{"order": 10, "title": "Grant the access", "group": "applications",
                       "instructions": "Create the account or add the role; tell the requester."}],
    },
    {
        "slug": "new-mailbox",
        "name": "New mailbox",
        "category": "communication",
        "service": "E-mail",
        "icon": "✉",
        "short": "A shared or personal mailbox.",
        "description": "Shared mailboxes get an owner who decides who may read them.",
        "days": 1,
        "group": "platform",
        "variables": [
            {"name": "kind", "label": "Mailbox type", "type": V.CHOICE, "required": True,
                 "choices": "shared|Shared mailbox\npersonal|Personal mailbox (new employee)"},
            {"name": "address", "label": "Address", "type": V.TEXT, "required": True, "pattern": r"[a-z0-9.\-]+@example\.org",
                 "help_text": "Like team.name@example.org"},
            {"name": "members", "label": "Who should have access", "type": V.TEXTAREA,
                 "condition_variable": "kind", "condition_value": "shared", "condition_effect": "show"},
            {"name": "size_gb", "label": "Size (GB)", "type": V.NUMBER, "default": "50", "min_value": 10, "max_value": 200},
        ],
        "approvals": [],
        "steps": [{"order": 10, "title": "Create the mailbox", "group": "platform"}],
    },
    {
        "slug": "monitor",
        "name": "Second monitor",
        "category": "accessories",
        "service": None,
        "icon": "🖥",
        "short": "A 27\" monitor for your desk.",
        "description": "Delivered to your desk and connected.",
        "days": 3,
        "group": "service-desk",
        "quantity": True,
        "variables": [{"name": "location", "label": "Desk / room", "type": V.TEXT, "required": True}],
        "approvals": [],
        "steps": [{"order": 10, "title": "Deliver the monitor", "group": "service-desk"}],
    },
    {
        "slug": "vpn-token",
        "name": "VPN access",
        "category": "software",
        "service": "VPN & remote access",
        "icon": "🌐",
        "short": "Work from home through the VPN.",
        "description": "Needs your manager's approval and the network team's (two of its members for contractors).",
        "days": 2,
        "group": "network",
        "variables": [
            {"name": "contractor", "label": "I am a contractor", "type": V.BOOLEAN},
            {"name": "end_date", "label": "Access until", "type": V.DATE,
                 "condition_variable": "contractor", "condition_value": "yes", "condition_effect": "require"},
        ],
        "approvals": [{"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY, "name": "Line manager"}],
        "steps": [{"order": 10, "title": "Enable VPN access", "group": "network"}],
    },
    {
        "slug": "server-access",
        "name": "Server access (administrators)",
        "category": "software",
        "service": "Virtualisation platform",
        "icon": "🖧",
        "short": "SSH access to platform servers, for IT staff only.",
        "description": "Only offered to IT staff.",
        "days": 1,
        "group": "platform",
        "audience": Audience.ROLES,
        "roles": ["agent"],
        "variables": [{"name": "server", "label": "Server", "type": V.CI, "required": True}],
        "approvals": [{"approver": ApproverKind.TEAM, "team": "platform", "rule": ApprovalRule.ANY, "name": "Platform team"}],
        "steps": [{"order": 10, "title": "Grant SSH access", "group": "platform"}],
    },
]  # fmt: skip


def after_demo_data() -> None:
    """Rebuild the Requests board's rollup once the demo requests exist (itsm.core.demo runs this last)."""
    rollups.rebuild()


def seed_demo_data() -> None:
    _seed_sla()
    if CatalogItem.objects.exists():
        return
    teams = {team.slug: team for team in Team.objects.all()}
    categories = _seed_categories()
    for spec in ITEMS:
        _seed_item(spec, categories, teams)
    _seed_requests()


def _seed_categories() -> dict[str, Category]:
    found = {}
    for slug, name, icon, description, parent in CATEGORIES:
        found[slug], _ = Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "icon": icon, "description": description, "parent": found.get(parent)},
        )
    return found


def _seed_item(spec: dict, categories: dict, teams: dict) -> CatalogItem:
    item = CatalogItem.objects.create(
        slug=spec["slug"],
        name=spec["name"],
        category=categories[spec["category"]],
        service=Service.objects.filter(name=spec["service"]).first() if spec["service"] else None,
        icon=spec["icon"],
        short_description=spec["short"],
        description=spec["description"],
        delivery_time=spec["days"] * DAY,
        assignment_group=teams.get(spec["group"]),
        audience=spec.get("audience", Audience.EVERYONE),
        allow_quantity=spec.get("quantity", False),
    )
    if spec.get("roles"):
        item.roles.set(Group.objects.filter(name__in=spec["roles"]))
    for order, variable in enumerate(spec["variables"], start=1):
        Variable.objects.create(item=item, order=order * 10, **variable)
    for order, step in enumerate(spec["approvals"], start=1):
        step = dict(step)
        team = teams.get(step.pop("team", None) or "")
        ApprovalStep.objects.create(item=item, order=order * 10, team=team, **step)
    for step in spec["steps"]:
        step = dict(step)
        condition = step.pop("condition", ("", ""))
        group = teams.get(step.pop("group"))
        if group is None:
            continue
        FulfilmentStep.objects.create(
            item=item,
            assignment_group=group,
            condition_variable=condition[0],
            condition_value=condition[1],
            **step,
        )
    publish_item(item, actor=None)
    return item


def _seed_sla() -> None:
    calendar = Calendar.objects.filter(name__startswith="Office hours").first() or Calendar.objects.first()
    if calendar is None:
        return
    promises = [
        ("Request: deliver in 5 business days", Target.RESOLUTION, 50 * H, [TaskKind.REQUEST]),
        ("Requested item: deliver in 5 business days", Target.RESOLUTION, 50 * H, [TaskKind.REQUEST_ITEM]),
        ("Fulfilment task: group share 2 business days", Target.OLA, 20 * H, [TaskKind.FULFILMENT_TASK]),
        (
            "Fulfilment task: pick up within 4 business hours",
            Target.RESPONSE,
            4 * H,
            [TaskKind.FULFILMENT_TASK],
        ),
    ]
    for name, target, duration, kinds in promises:
        if SLADefinition.objects.filter(name=name).exists():
            continue
        definition = SLADefinition(
            name=name,
            target=target,
            duration=duration,
            calendar=calendar,
            kinds=kinds,
            precedence=100,
            pause_on=[StateCategory.PENDING] if target != Target.RESPONSE else [],
        )
        definition.full_clean()
        definition.save()


def _seed_requests() -> None:
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    requester, fred, hanna = users.get("requester"), users.get("fred"), users.get("hanna")
    laptop = CatalogItem.objects.get(slug="standard-laptop")
    mailbox = CatalogItem.objects.get(slug="new-mailbox")
    if requester and fred:
        submit_request(
            actor=requester,
            lines=[OrderLine(laptop, {"model": "standard", "keyboard": "de", "docking": "yes"})],
        )
    if hanna:
        submit_request(
            actor=hanna,
            lines=[
                OrderLine(
                    mailbox, {"kind": "shared", "address": "recruiting@example.org", "members": "HR team"}
                )
            ],
        )
    if requester and fred:
        for approval in Approval.objects.filter(approver=fred, state="requested")[:1]:
            decide(approval, actor=fred, approve=True, comment="Fine, the old one is five years old.")
