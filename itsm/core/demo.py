"""Demo data for a new installation: teams, organisations and one person per role.

Idempotent: running it again updates the same rows and creates nothing twice.
"""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, Team
from itsm.core.roles import Role

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()
    organisation: str = "IT"
    title: str = ""


#: The sign-in users the README lists, one per role, then colleagues that fill the queues.
PEOPLE = (
    DemoPerson("requester", "Rita", "Requester", (Role.REQUESTER,), organisation="Finance"),
    DemoPerson("agent", "Andy", "Agent", (Role.AGENT,), ("service-desk",)),
    DemoPerson("manager", "Mona", "Manager", (Role.MANAGER, Role.AGENT), ("service-desk",)),
    DemoPerson("changemanager", "Carl", "Change", (Role.CHANGE_MANAGER, Role.AGENT), ("platform",)),
    DemoPerson(
        "knowledgemanager", "Kim", "Knowledge", (Role.KNOWLEDGE_MANAGER, Role.AGENT), ("service-desk",)
    ),
    DemoPerson("admin", "Ada", "Admin", (Role.ADMIN,)),
    DemoPerson("nina", "Nina", "Network", (Role.AGENT,), ("network",)),
    DemoPerson("pete", "Pete", "Platform", (Role.AGENT,), ("platform",)),
    DemoPerson("alma", "Alma", "Apps", (Role.AGENT,), ("applications",)),
    DemoPerson("fred", "Fred", "Finance", (Role.REQUESTER,), organisation="Finance"),
    DemoPerson("hanna", "Hanna", "Human", (Role.REQUESTER,), organisation="HR"),
    DemoPerson("sam", "Sam", "Sales", (Role.REQUESTER,), organisation="Sales"),
)

TEAMS = {
    "service-desk": (
        "Service Desk",
        "servicedesk@example.org",
        "First line: every incident and request starts here.",
    ),
    "network": ("Network", "network@example.org", "LAN, WAN, VPN, firewalls."),
    "platform": ("Platform", "platform@example.org", "Servers, virtualisation, storage, databases."),
    "applications": ("Applications", "apps@example.org", "ERP, CRM, HR portal and the website."),
}

ORGANISATIONS = {
    "IT": (OrganisationKind.DEPARTMENT, False),
    "Finance": (OrganisationKind.DEPARTMENT, True),
    "HR": (OrganisationKind.DEPARTMENT, False),
    "Sales": (OrganisationKind.DEPARTMENT, False),
}

#: Who approves whose requests (profile.manager).
LINE_MANAGERS = {"requester": "fred", "hanna": "manager", "sam": "manager"}

TEAM_LEADS = {
    "service-desk": "manager",
    "network": "nina",
    "platform": "changemanager",
    "applications": "alma",
}


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Create or refresh the demo data; returns counts for the summary line."""
    organisations = _seed_organisations()
    teams = _seed_teams()
    users = {person.username: _seed_person(person, teams, organisations) for person in PEOPLE}
    _link_managers_and_leads(users, teams)
    from itsm.cmdb.demo import seed_cmdb
    from itsm.sla.demo import seed_sla

    seed_cmdb(teams)
    seed_sla()
    _seed_practice_demos()
    return {"users": len(users), "teams": len(teams), "organisations": len(organisations)}


def _seed_practice_demos() -> None:
    """Each app may ship `<app>/demo.py` with `seed_demo_data()`; found like admin modules.

    Discovered, not imported by name: the platform never depends on a practice app. Once every
    app has seeded, each `after_demo_data()` runs: figures derived from the records (the
    dashboards' rollups) are built then, so a fresh demo shows them at once instead of after
    the first beat refresh.
    """
    modules = [
        import_module(f"{app_config.name}.demo")
        for app_config in apps.get_app_configs()
        if module_has_submodule(app_config.module, "demo")
    ]
    for module in modules:
        if hasattr(module, "seed_demo_data"):
            module.seed_demo_data()
    for module in modules:
        if hasattr(module, "after_demo_data"):
            module.after_demo_data()


def _seed_organisations() -> dict[str, Organisation]:
    organisations = {}
    for name, (kind, share) in ORGANISATIONS.items():
        organisations[name], _ = Organisation.objects.update_or_create(
            name=name, defaults={"kind": kind, "share_records": share, "email_domain": "example.org"}
        )
    return organisations


def _seed_teams() -> dict[str, Team]:
    teams = {}
    for slug, (name, email, description) in TEAMS.items():
        teams[slug], _ = Team.objects.update_or_create(
            slug=slug, defaults={"name": name, "email": email, "description": description}
        )
    return teams


def _seed_person(person: DemoPerson, teams: dict[str, Team], organisations: dict[str, Organisation]):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=person.username,
        defaults={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{person.username}@example.org",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    is_admin = Role.ADMIN in person.roles
    user.is_staff = user.is_superuser = is_admin
    user.save()
    user.groups.set(Group.objects.filter(name__in=person.roles))
    for slug in person.teams:
        teams[slug].members.add(user)
    profile = user.profile
    profile.organisation = organisations[person.organisation]
    profile.location = "Head office"
    profile.save()
    return user


def _link_managers_and_leads(users: dict, teams: dict[str, Team]) -> None:
    for username, manager in LINE_MANAGERS.items():
        profile = users[username].profile
        profile.manager = users[manager]
        profile.save(update_fields=["manager"])
    for slug, lead in TEAM_LEADS.items():
        teams[slug].lead = users[lead]
        teams[slug].save(update_fields=["lead"])
