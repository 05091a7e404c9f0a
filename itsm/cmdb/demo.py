"""Demo CMDB: a small but believable estate, so impact analysis has something to show.

Ten services (business ones on technical ones), about forty CIs from core switches up to
applications, in production and staging, with the relationships an IT team would draw:
applications run on VMs, VMs are hosted on hypervisors, databases sit on storage,
everything connects to the core switches. CRM is degraded (its database VM is in
maintenance), so dashboards and the service list have something to report.

Idempotent: services and CIs are matched by name and refreshed; edges are added only when
missing, through `itsm.cmdb.services`, so the demo obeys the same cycle rules as users.
"""

from django.db import transaction

from itsm.cmdb.choices import (
    CIClass,
    CIStatus,
    Criticality,
    Environment,
    OperationalStatus,
    RelationshipKind,
    ServiceKind,
)
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency
from itsm.cmdb.services import add_service_component, add_service_dependency, relate_cis
from itsm.core.models import Team

B, T = ServiceKind.BUSINESS, ServiceKind.TECHNICAL
C1, C2, C3 = Criticality.CRITICAL, Criticality.HIGH, Criticality.MEDIUM

#: name: (kind, owner team key, criticality, description)
SERVICES = {
    "E-mail": (B, "platform", C1, "Mailboxes, calendars and shared mailboxes for every employee."),
    "ERP & Payroll": (B, "applications", C1, "Finance, purchasing and the monthly payroll run."),
    "CRM": (B, "applications", C2, "Customer accounts, opportunities and the sales pipeline."),
    "Public website": (B, "applications", C2, "www.example.org, served through a CDN."),
    "VPN & remote access": (B, "network", C2, "Remote access to the internal network for staff."),
    "HR portal": (B, "applications", C3, "Leave requests, payslips and personal data for employees."),
    "Identity & SSO": (T, "platform", C1, "Directory, single sign-on and multi-factor authentication."),
    "Corporate network": (T, "network", C1, "Core switching, firewalls and the WAN uplink."),
    "Database platform": (T, "platform", C2, "Shared PostgreSQL and MySQL servers."),
    "Virtualisation platform": (T, "platform", C1, "The hypervisor cluster and its SAN."),
}
DEGRADED = {"CRM"}

NET, STO, SRV, VM, DB, APP, CLOUD = (
    CIClass.NETWORK_DEVICE,
    CIClass.STORAGE,
    CIClass.SERVER,
    CIClass.VIRTUAL_MACHINE,
    CIClass.DATABASE,
    CIClass.APPLICATION,
    CIClass.CLOUD_RESOURCE,
)


def _vm(ip: str, vcpu: int = 4, ram: int = 16, os: str = "Debian 12") -> dict:
    return {"os": os, "vcpu": vcpu, "ram_gb": ram, "ip": ip}


def _host(serial: str, rack: str) -> dict:
    return {"vendor": "Dell", "model": "PowerEdge R750", "serial": serial, "rack": rack}


#: name: (class, owner team key, attributes); environment is production unless in STAGING.
CIS = {
    "core-sw-01": (NET, "network", {"vendor": "Cisco", "model": "Catalyst 9500", "mgmt_ip": "10.0.0.2"}),
    "core-sw-02": (NET, "network", {"vendor": "Cisco", "model": "Catalyst 9500", "mgmt_ip": "10.0.0.3"}),
    "fw-edge-01": (NET, "network", {"vendor": "Fortinet", "model": "FortiGate 200F", "mgmt_ip": "10.0.0.1"}),
    "wan-router-01": (NET, "network", {"vendor": "Juniper", "model": "MX204", "uplink": "2x10G"}),
    "vpn-gw-01": (NET, "network", {"vendor": "Fortinet", "model": "FortiGate 100F", "users_max": 500}),
    "san-01": (STO, "platform", {"vendor": "NetApp", "model": "AFF A250", "capacity_tb": 60}),
    "nas-backup-01": (STO, "platform", {"vendor": "Synology", "model": "RS3621", "capacity_tb": 120}),
    "esx-01": (SRV, "platform", _host("CZ2301A1", "DC1-R04")),
    "esx-02": (SRV, "platform", _host("CZ2301A2", "DC1-R04")),
    "esx-03": (SRV, "platform", _host("CZ2301A3", "DC1-R05")),
    "db-phys-01": (SRV, "platform", {"vendor": "HPE", "model": "DL380 Gen11", "rack": "DC1-R05"}),
    "vm-mail-01": (VM, "platform", _vm("10.0.1.11", 8, 32)),
    "vm-mail-02": (VM, "platform", _vm("10.0.1.12", 8, 32)),
    "vm-erp-app-01": (VM, "platform", _vm("10.0.2.11", 8, 32)),
    "vm-erp-db-01": (VM, "platform", _vm("10.0.2.21", 16, 64)),
    "vm-crm-01": (VM, "platform", _vm("10.0.3.11")),
    "vm-crm-db-01": (VM, "platform", _vm("10.0.3.21", 8, 32)),
    "vm-web-01": (VM, "platform", _vm("10.0.4.11", 2, 4)),
    "vm-web-02": (VM, "platform", _vm("10.0.4.12", 2, 8)),
    "vm-hr-01": (VM, "platform", _vm("10.0.5.11")),
    "vm-idp-01": (VM, "platform", _vm("10.0.6.11", 2, 8)),
    "vm-idp-02": (VM, "platform", _vm("10.0.6.12", 2, 8)),
    "vm-dc-01": (VM, "platform", _vm("10.0.6.21", 2, 8, "Windows Server 2022")),
    "vm-dc-02": (VM, "platform", _vm("10.0.6.22", 2, 8, "Windows Server 2022")),
    "vm-erp-staging": (VM, "platform", _vm("10.8.2.11")),
    "pg-erp": (DB, "platform", {"engine": "PostgreSQL", "version": "16", "size_gb": 420}),
    "pg-crm": (DB, "platform", {"engine": "PostgreSQL", "version": "15", "size_gb": 85}),
    "pg-hr": (DB, "platform", {"engine": "PostgreSQL", "version": "16", "size_gb": 30}),
    "mysql-web": (DB, "applications", {"engine": "MySQL", "version": "8.0", "size_gb": 12}),
    "mail-server": (APP, "platform", {"product": "Postfix + Dovecot", "mailboxes": 640}),
    "erp-app": (APP, "applications", {"product": "Odoo", "version": "17.0"}),
    "payroll-app": (APP, "applications", {"product": "Payroll module", "version": "17.0"}),
    "crm-app": (APP, "applications", {"product": "SuiteCRM", "version": "8.6"}),
    "website-cms": (APP, "applications", {"product": "WordPress", "version": "6.6"}),
    "hr-portal-app": (APP, "applications", {"product": "OrangeHRM", "version": "5.6"}),
    "keycloak": (APP, "platform", {"product": "Keycloak", "version": "25", "realm": "staff"}),
    "active-directory": (APP, "platform", {"product": "Active Directory", "domain": "corp.example.org"}),
    "erp-app-staging": (APP, "applications", {"product": "Odoo", "version": "18.0-rc"}),
    "cdn-website": (CLOUD, "applications", {"provider": "Bunny CDN", "zone": "www-example"}),
    "s3-backups": (
        CLOUD,
        "platform",
        {"provider": "Wasabi", "bucket": "corp-backups", "region": "eu-central-1"},
    ),
}
STAGING = {"vm-erp-staging", "erp-app-staging"}
IN_MAINTENANCE = {"vm-crm-db-01"}

CONNECTS, HOSTED, RUNS, NEEDS = (
    RelationshipKind.CONNECTS_TO,
    RelationshipKind.HOSTED_ON,
    RelationshipKind.RUNS_ON,
    RelationshipKind.DEPENDS_ON,
)

#: (source, kind, target): the source needs the target.
RELATIONSHIPS = [
    *[
        (host, CONNECTS, switch)
        for host in ["esx-01", "esx-02", "esx-03"]
        for switch in ["core-sw-01", "core-sw-02"]
    ],
    *[(host, NEEDS, "san-01") for host in ["esx-01", "esx-02", "esx-03"]],
    ("san-01", CONNECTS, "core-sw-01"),
    ("san-01", CONNECTS, "core-sw-02"),
    ("nas-backup-01", CONNECTS, "core-sw-02"),
    ("nas-backup-01", NEEDS, "s3-backups"),
    ("db-phys-01", CONNECTS, "core-sw-01"),
    ("db-phys-01", NEEDS, "san-01"),
    ("fw-edge-01", CONNECTS, "core-sw-01"),
    ("fw-edge-01", CONNECTS, "wan-router-01"),
    ("wan-router-01", CONNECTS, "core-sw-02"),
    ("vpn-gw-01", CONNECTS, "fw-edge-01"),
    ("vm-mail-01", HOSTED, "esx-01"),
    ("vm-mail-02", HOSTED, "esx-02"),
    ("vm-erp-app-01", HOSTED, "esx-01"),
    ("vm-erp-db-01", HOSTED, "esx-02"),
    ("vm-crm-01", HOSTED, "esx-03"),
    ("vm-crm-db-01", HOSTED, "esx-03"),
    ("vm-web-01", HOSTED, "esx-01"),
    ("vm-web-02", HOSTED, "esx-02"),
    ("vm-hr-01", HOSTED, "esx-03"),
    ("vm-idp-01", HOSTED, "esx-01"),
    ("vm-idp-02", HOSTED, "esx-02"),
    ("vm-dc-01", HOSTED, "esx-02"),
    ("vm-dc-02", HOSTED, "esx-03"),
    ("vm-erp-staging", HOSTED, "esx-03"),
    ("pg-erp", RUNS, "vm-erp-db-01"),
    ("pg-crm", RUNS, "vm-crm-db-01"),
    ("pg-hr", RUNS, "db-phys-01"),
    ("mysql-web", RUNS, "vm-web-02"),
    ("mail-server", RUNS, "vm-mail-01"),
    ("mail-server", RUNS, "vm-mail-02"),
    ("mail-server", NEEDS, "active-directory"),
    ("erp-app", RUNS, "vm-erp-app-01"),
    ("erp-app", NEEDS, "pg-erp"),
    ("erp-app", NEEDS, "keycloak"),
    ("payroll-app", RUNS, "vm-erp-app-01"),
    ("payroll-app", NEEDS, "erp-app"),
    ("crm-app", RUNS, "vm-crm-01"),
    ("crm-app", NEEDS, "pg-crm"),
    ("crm-app", NEEDS, "keycloak"),
    ("website-cms", RUNS, "vm-web-01"),
    ("website-cms", NEEDS, "mysql-web"),
    ("cdn-website", NEEDS, "website-cms"),
    ("hr-portal-app", RUNS, "vm-hr-01"),
    ("hr-portal-app", NEEDS, "pg-hr"),
    ("hr-portal-app", NEEDS, "payroll-app"),
    ("hr-portal-app", NEEDS, "keycloak"),
    ("keycloak", RUNS, "vm-idp-01"),
    ("keycloak", RUNS, "vm-idp-02"),
    ("keycloak", NEEDS, "active-directory"),
    ("active-directory", RUNS, "vm-dc-01"),
    ("active-directory", RUNS, "vm-dc-02"),
    ("erp-app-staging", RUNS, "vm-erp-staging"),
]

#: service: the CIs that deliver it.
COMPONENTS = {
    "E-mail": ["mail-server"],
    "ERP & Payroll": ["erp-app", "payroll-app", "pg-erp"],
    "CRM": ["crm-app", "pg-crm"],
    "Public website": ["website-cms", "mysql-web", "cdn-website"],
    "VPN & remote access": ["vpn-gw-01"],
    "HR portal": ["hr-portal-app", "pg-hr"],
    "Identity & SSO": ["keycloak", "active-directory"],
    "Corporate network": ["core-sw-01", "core-sw-02", "fw-edge-01", "wan-router-01"],
    "Database platform": ["pg-erp", "pg-crm", "pg-hr", "mysql-web", "db-phys-01"],
    "Virtualisation platform": ["esx-01", "esx-02", "esx-03", "san-01"],
}

#: service: the services it needs.
DEPENDENCIES = {
    "E-mail": ["Identity & SSO", "Corporate network"],
    "ERP & Payroll": ["Identity & SSO", "Database platform", "Virtualisation platform"],
    "CRM": ["Identity & SSO", "Database platform", "Virtualisation platform"],
    "Public website": ["Database platform"],
    "VPN & remote access": ["Identity & SSO", "Corporate network"],
    "HR portal": ["ERP & Payroll", "Identity & SSO"],
    "Identity & SSO": ["Virtualisation platform"],
    "Database platform": ["Virtualisation platform"],
    "Virtualisation platform": ["Corporate network"],
}


@transaction.atomic
def seed_cmdb(teams: dict[str, Team]) -> None:
    """Create or refresh the demo estate; `teams` by key ("network", "platform", ...), any may be missing."""
    services = _seed_services(teams)
    cis = _seed_cis(teams)
    _seed_relationships(cis)
    _seed_components(services, cis)
    _seed_dependencies(services)


def _seed_services(teams: dict[str, Team]) -> dict[str, Service]:
    services = {}
    for name, (kind, team, criticality, description) in SERVICES.items():
        status = OperationalStatus.DEGRADED if name in DEGRADED else OperationalStatus.OPERATIONAL
        services[name], _ = Service.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "owner_team": teams.get(team),
                "criticality": criticality,
                "operational_status": status,
                "description": description,
            },
        )
    return services


def _seed_cis(teams: dict[str, Team]) -> dict[str, ConfigurationItem]:
    cis = {}
    for name, (ci_class, team, attributes) in CIS.items():
        cis[name], _ = ConfigurationItem.objects.update_or_create(
            name=name,
            defaults={
                "ci_class": ci_class,
                "owner_team": teams.get(team),
                "attributes": attributes,
                "environment": Environment.STAGING if name in STAGING else Environment.PRODUCTION,
                "status": CIStatus.MAINTENANCE if name in IN_MAINTENANCE else CIStatus.IN_SERVICE,
            },
        )
    return cis


def _seed_relationships(cis: dict[str, ConfigurationItem]) -> None:
    demo = CIRelationship.objects.filter(source__in=cis.values())
    existing = set(demo.values_list("source_id", "kind", "target_id"))
    for source, kind, target in RELATIONSHIPS:
        if (cis[source].pk, kind, cis[target].pk) not in existing:
            relate_cis(cis[source], cis[target], kind, actor=None)


def _seed_components(services: dict[str, Service], cis: dict[str, ConfigurationItem]) -> None:
    demo = ServiceComponent.objects.filter(service__in=services.values())
    existing = set(demo.values_list("service_id", "configuration_item_id"))
    for service, names in COMPONENTS.items():
        for name in names:
            if (services[service].pk, cis[name].pk) not in existing:
                add_service_component(services[service], cis[name], actor=None)


def _seed_dependencies(services: dict[str, Service]) -> None:
    demo = ServiceDependency.objects.filter(service__in=services.values())
    existing = set(demo.values_list("service_id", "depends_on_id"))
    for service, needs in DEPENDENCIES.items():
        for other in needs:
            if (services[service].pk, services[other].pk) not in existing:
                add_service_dependency(services[service], services[other], actor=None)
