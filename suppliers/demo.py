"""Demo suppliers and contracts on the demo CMDB, written through the services (idempotent by name).

The contracts measure their commitments on the demo SLA calendars (so engaging a supplier from
a demo incident starts underpinning clocks); one expired contract shows the expired flag.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.sla.models import Calendar
from suppliers import services
from suppliers.choices import ContractKind
from suppliers.models import Contract, Supplier

SUPPLIERS = {
    "Northwind Managed Services": {
        "escalation_phone": "+44 20 7946 0100",
        "escalation_email": "service-desk@northwind.example",
        "escalation_portal": "https://support.northwind.example/",
        "contacts": "Priya Shah, service delivery manager\nTom Ellis, account manager",
    },
    "Contoso Hardware": {
        "escalation_phone": "+44 20 7946 0200",
        "escalation_email": "enterprise-support@contoso.example",
        "contacts": "Hardware support line, 24×7 for priority 1",
    },
    "Fabrikam Cloud Mail": {
        "escalation_email": "support@fabrikam.example",
        "escalation_portal": "https://status.fabrikam.example/",
    },
}

# reference: supplier, kind, months left, response hours, resolution hours, value, services, CIs, covers CIs
CONTRACTS = {
    "NW-MS-2024-07": (
        "Northwind Managed Services", ContractKind.MANAGED_SERVICE, 14, 1, 8, "84000",
        ["Virtualisation platform"], [], True,
    ),
    "CT-HW-55812": (
        "Contoso Hardware", ContractKind.SUPPORT, 1, 4, 24, "12500",
        [], ["esx-01", "esx-02", "esx-03"], False,
    ),
    "FB-SAAS-0091": ("Fabrikam Cloud Mail", ContractKind.LICENCE, 8, 2, 12, "30000", ["E-mail"], [], False),
    "CT-HW-41007": (
        "Contoso Hardware", ContractKind.SUPPORT, -2, 8, 48, "9000",
        [], ["esx-01"], False,
    ),
}  # fmt: skip

#: Support hours: hardware support and the managed service around the clock, the rest in office hours.
SUPPORT_HOURS = {"NW-MS-2024-07": "24x7", "CT-HW-55812": "24x7", "CT-HW-41007": "24x7"}
OFFICE_HOURS = "Office hours (Mon–Fri 08–18, Berlin)"


def seed_demo_data() -> None:
    actor = User.objects.filter(username="admin").first() or User.objects.filter(is_superuser=True).first()
    manager = User.objects.filter(username="manager").first()
    if actor is None:
        return
    for name, fields in SUPPLIERS.items():
        if not Supplier.objects.filter(name=name).exists():
            services.create_supplier(actor=actor, name=name, **fields)
    today = timezone.localdate()
    for reference, (supplier, kind, months, resp, resol, value, svc, cis, covers) in CONTRACTS.items():
        if Contract.objects.filter(reference=reference).exists():
            continue
        end = today + timedelta(days=30 * months)
        calendar = Calendar.objects.filter(name=SUPPORT_HOURS.get(reference, OFFICE_HOURS)).first()
        services.create_contract(
            actor=actor,
            supplier=Supplier.objects.get(name=supplier),
            reference=reference,
            kind=kind,
            start_date=today - timedelta(days=365),
            end_date=end,
            notice_date=end - timedelta(days=20),
            value=value,
            support_hours=calendar,
            response_time=timedelta(hours=resp),
            resolution_time=timedelta(hours=resol),
            covers_service_cis=covers,
            owner=manager,
            services=Service.objects.filter(name__in=svc),
            configuration_items=ConfigurationItem.objects.filter(name__in=cis),
        )
