"""The Django admin refuses cycles too, through the services' checks."""

import pytest
from django.urls import reverse

from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, ServiceDependency
from tests.factories import ConfigurationItemFactory


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _ci_form(ci: ConfigurationItem, rows: list[dict], *, existing: list[CIRelationship] = ()) -> dict:
    data = {
        "name": ci.name,
        "ci_class": ci.ci_class,
        "status": ci.status,
        "environment": ci.environment,
        "owner_team": "",
        "description": "",
        "attributes": "{}",
        "relationships_out-TOTAL_FORMS": str(len(existing) + len(rows)),
        "relationships_out-INITIAL_FORMS": str(len(existing)),
    }
    for index, edge in enumerate(existing):
        data |= {
            f"relationships_out-{index}-id": str(edge.pk),
            f"relationships_out-{index}-source": str(ci.pk),
            f"relationships_out-{index}-kind": edge.kind,
            f"relationships_out-{index}-target": str(edge.target_id),
        }
    for index, row in enumerate(rows, start=len(existing)):
        data |= {
            f"relationships_out-{index}-source": str(ci.pk),
            f"relationships_out-{index}-kind": row["kind"],
            f"relationships_out-{index}-target": str(row["target"].pk),
        }
    return data


def test_the_relationship_page_refuses_a_cycle(admin_client, estate):
    # when the switch would need the app (which needs it, through the VM and host)
    response = admin_client.post(
        reverse("admin:cmdb_cirelationship_add"),
        {"source": estate["switch"].pk, "kind": RelationshipKind.DEPENDS_ON, "target": estate["app"].pk},
    )

    # then
    assert response.status_code == 200
    assert "would create a cycle" in response.content.decode()
    assert not CIRelationship.objects.filter(source=estate["switch"]).exists()


def test_the_relationship_page_saves_a_good_edge_with_its_creator(admin_client, admin_user, estate):
    monitor = ConfigurationItemFactory(name="monitor")

    response = admin_client.post(
        reverse("admin:cmdb_cirelationship_add"),
        {"source": monitor.pk, "kind": RelationshipKind.CONNECTS_TO, "target": estate["app"].pk},
    )

    assert response.status_code == 302
    assert CIRelationship.objects.get(source=monitor).created_by == admin_user


def test_editing_an_edge_into_its_reverse_is_allowed(admin_client, estate):
    # given app -> vm
    edge = CIRelationship.objects.get(source=estate["app"], target=estate["vm"])
    lonely = ConfigurationItemFactory(name="lonely")
    other = CIRelationship.objects.create(
        source=lonely, target=estate["switch"], kind=RelationshipKind.CONNECTS_TO
    )

    # when the lonely edge is turned around (switch -> lonely), it is not a cycle
    response = admin_client.post(
        reverse("admin:cmdb_cirelationship_change", args=[other.pk]),
        {"source": estate["switch"].pk, "kind": RelationshipKind.CONNECTS_TO, "target": lonely.pk},
    )

    # then
    assert response.status_code == 302
    assert CIRelationship.objects.filter(source=estate["switch"], target=lonely).exists()
    assert CIRelationship.objects.filter(pk=edge.pk).exists()


def test_the_ci_inline_refuses_a_cycle_and_keeps_good_rows_unsaved(admin_client, estate):
    # given the host, which the VM, DB and app need
    host = estate["host"]
    monitor = ConfigurationItemFactory(name="monitor")
    existing = list(host.relationships_out.all())

    # when a row makes the host need the app
    response = admin_client.post(
        reverse("admin:cmdb_configurationitem_change", args=[host.pk]),
        _ci_form(
            host,
            [
                {"kind": RelationshipKind.CONNECTS_TO, "target": monitor},
                {"kind": RelationshipKind.DEPENDS_ON, "target": estate["app"]},
            ],
            existing=existing,
        ),
    )

    # then the form comes back with the error, and nothing was saved
    assert response.status_code == 200
    assert "would create a cycle" in response.content.decode()
    assert host.relationships_out.count() == len(existing)


def test_the_ci_inline_saves_good_rows(admin_client, admin_user, estate):
    monitor = ConfigurationItemFactory(name="monitor")
    app = estate["app"]
    existing = list(app.relationships_out.all())

    response = admin_client.post(
        reverse("admin:cmdb_configurationitem_change", args=[app.pk]),
        _ci_form(app, [{"kind": RelationshipKind.CONNECTS_TO, "target": monitor}], existing=existing),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert CIRelationship.objects.get(source=app, target=monitor).created_by == admin_user


def test_the_service_dependency_inline_refuses_a_cycle(admin_client, estate):
    # given Intranet depends on Payroll
    payroll, intranet = estate["payroll"], estate["intranet"]

    # when Payroll would depend on Intranet
    response = admin_client.post(
        reverse("admin:cmdb_service_change", args=[payroll.pk]),
        {
            "name": payroll.name,
            "kind": payroll.kind,
            "description": "",
            "owner_team": "",
            "criticality": payroll.criticality,
            "operational_status": payroll.operational_status,
            "servicecomponent_set-TOTAL_FORMS": "0",
            "servicecomponent_set-INITIAL_FORMS": "0",
            "dependencies-TOTAL_FORMS": "1",
            "dependencies-INITIAL_FORMS": "0",
            "dependencies-0-service": str(payroll.pk),
            "dependencies-0-depends_on": str(intranet.pk),
        },
    )

    # then
    assert response.status_code == 200
    assert "would create a cycle" in response.content.decode()
    assert not ServiceDependency.objects.filter(service=payroll).exists()


def test_admin_lists_and_search_work(admin_client, estate):
    for name in ["service", "configurationitem", "cirelationship"]:
        response = admin_client.get(reverse(f"admin:cmdb_{name}_changelist"), {"q": "payroll"})
        assert response.status_code == 200
    page = admin_client.get(reverse("admin:cmdb_configurationitem_change", args=[estate["vm"].pk]))
    assert "2 relationships to this item" in page.content.decode()
