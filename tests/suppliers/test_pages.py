"""The supplier panel's engage flow, contract pages, documents, CSV import page, CI panel, admin audit."""

from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.cmdb.models import ServiceComponent
from suppliers import services
from suppliers.models import AuditEntry, Contract, ContractDocument, SupplierEngagement
from tests.factories import ConfigurationItemFactory
from tests.suppliers.conftest import FRIDAY_4PM

pytestmark = pytest.mark.django_db


def panel(client, task):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        return client.get(reverse("suppliers:for-task", args=[task.pk]))


def test_agent_engages_from_the_panel_and_the_page_reloads(client, agent, incident, uc_contract):
    client.force_login(agent)
    assert "Engage Acme Hosting" in panel(client, incident).content.decode()
    with time_machine.travel(FRIDAY_4PM, tick=False):
        response = client.post(
            reverse("suppliers:engage", args=[incident.pk]),
            {"contract": uc_contract.pk, "reason": "Disk <b>failed</b>", "external_reference": "CASE-1"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    engagement = SupplierEngagement.objects.get(record=incident)
    page = panel(client, incident).content.decode()
    assert engagement.number in page and "CASE-1" in page and "Disk &lt;b&gt;failed" in page
    assert (
        "Supplier responded" in page and "End engagement" in page and "Underpinning contract targets" in page
    )


def test_engage_form_errors_come_back_in_the_panel(client, agent, incident, uc_contract):
    client.force_login(agent)
    with time_machine.travel(FRIDAY_4PM, tick=False):
        response = client.post(
            reverse("suppliers:engage", args=[incident.pk]),
            {"contract": uc_contract.pk},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 400 and "Reason: This field is required." in response.content.decode()
    assert not SupplierEngagement.objects.exists()


def test_recording_the_response_and_ending_from_the_panel(client, agent, incident, uc_contract):
    client.force_login(agent)
    with time_machine.travel(FRIDAY_4PM, tick=False):
        engagement = services.engage_supplier(incident, actor=agent, contract=uc_contract, reason="x")
        response = client.post(
            reverse("suppliers:move", args=[engagement.pk, "respond"]),
            {"note": "They called", "external_reference": "C-7", "expected_version": engagement.version},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200 and "Supplier responded" in response.content.decode()
    stale = client.post(
        reverse("suppliers:move", args=[engagement.pk, "resolve"]),
        {"expected_version": engagement.version},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()
    ended = client.post(reverse("suppliers:move", args=[engagement.pk, "end"]), {"note": "ok"})
    assert ended.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "in_progress"
    assert (
        client.post(
            reverse("suppliers:move", args=[engagement.pk, "bogus"]), HTTP_HX_REQUEST="true"
        ).status_code
        == 400
    )


def test_requesters_cannot_use_the_panel(client, requester, incident, uc_contract):
    client.force_login(requester)
    assert client.post(reverse("suppliers:engage", args=[incident.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("suppliers:contract", args=[uc_contract.pk])).status_code == 403


def test_panel_query_count_is_fixed(
    client, agent, incident, uc_contract, manager, django_assert_max_num_queries
):
    client.force_login(agent)
    for index in range(4):
        other = services.create_supplier(actor=manager, name=f"Other {index}")
        with time_machine.travel(FRIDAY_4PM, tick=False):
            services.engage_supplier(incident, actor=agent, supplier=other, reason="help")
    with django_assert_max_num_queries(20):
        assert panel(client, incident).status_code == 200


def test_expired_contracts_are_flagged_on_the_panel_and_the_ci(client, agent, manager, supplier, service, ci):
    old = services.create_contract(
        actor=manager,
        supplier=supplier,
        reference="OLD-9",
        start_date=date(2020, 1, 1),
        end_date=date(2021, 12, 31),
        configuration_items=[ci],
    )
    client.force_login(agent)
    from tests.factories import TaskFactory

    task = TaskFactory(configuration_item=ci)
    page = client.get(reverse("suppliers:for-task", args=[task.pk])).content.decode()
    assert "OLD-9" in page and "expired" in page
    ci_page = client.get(reverse("cmdb:ci-detail", args=[ci.pk])).content.decode()
    assert reverse("suppliers:for-ci", args=[ci.pk]) in ci_page
    fragment = client.get(reverse("suppliers:for-ci", args=[ci.pk])).content.decode()
    assert "OLD-9" in fragment and "badge-red" in fragment
    assert old.reference in client.get(reverse("suppliers:contract", args=[old.pk])).content.decode()


def test_service_contract_covers_its_cis_only_when_configured(manager, supplier, service, ci):
    contract = services.create_contract(
        actor=manager, supplier=supplier, reference="SVC-1", start_date=date(2020, 1, 1), services=[service]
    )
    assert not services.contracts_covering(ci=ci).exists()
    services.update_contract(contract, actor=manager, covers_service_cis=True)
    assert list(services.contracts_covering(ci=ci)) == [contract]
    stray = ConfigurationItemFactory(name="not-in-service")
    assert not services.contracts_covering(ci=stray).exists()
    ServiceComponent.objects.create(service=service, configuration_item=stray)
    assert services.contracts_covering(ci=stray).exists()


def test_contract_page_shows_values_documents_and_audit_to_managers_only(client, agent, manager, contract):
    url = reverse("suppliers:contract", args=[contract.pk])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "ACME-001" in page and "12000" not in page and "Documents" not in page
    assert "Contract created" in page  # the trail is shown, values masked
    client.force_login(manager)
    services.update_contract(contract, actor=manager, value="15000.00")
    page = client.get(url).content.decode()
    assert "15000.00 EUR" in page and "12000.00" in page and "Documents" in page
    client.force_login(agent)
    assert "15000" not in client.get(url).content.decode()


def test_documents_upload_download_remove_for_managers(client, agent, manager, contract):
    client.force_login(manager)
    upload = SimpleUploadedFile("Signed contract.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("suppliers:add-document", args=[contract.pk]), {"file": upload})
    assert response.status_code == 302
    document = ContractDocument.objects.get(contract=contract)
    download = client.get(reverse("suppliers:document", args=[contract.pk, document.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(contract=contract, action="contract.document_added").exists()
    client.force_login(agent)
    assert client.get(reverse("suppliers:document", args=[contract.pk, document.pk])).status_code == 403
    bad = SimpleUploadedFile("x.pdf", b"x")
    assert (
        client.post(reverse("suppliers:add-document", args=[contract.pk]), {"file": bad}).status_code == 403
    )
    client.force_login(manager)
    evil = SimpleUploadedFile("run.exe", b"MZ")
    refused = client.post(reverse("suppliers:add-document", args=[contract.pk]), {"file": evil})
    assert refused.status_code == 400 and "not accepted" in refused.content.decode()
    assert client.post(reverse("suppliers:add-document", args=[contract.pk]), {}).status_code == 400
    removed = client.post(reverse("suppliers:remove-document", args=[contract.pk, document.pk]))
    assert removed.status_code == 302 and not ContractDocument.objects.exists()


def test_admin_saves_go_through_the_services(client, admin_user, supplier, contract, service):
    client.force_login(admin_user)
    url = reverse("admin:suppliers_contract_change", args=[contract.pk])
    data = {
        "supplier": supplier.pk,
        "kind": "support",
        "reference": "ACME-001",
        "title": "Hosting",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "notice_date": "2026-10-01",
        "value": "13000.00",
        "currency": "EUR",
        "services": [service.pk],
        "covers_service_cis": "on",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(contract=contract, action="contract.updated").get()
    assert entry.actor == admin_user
    assert entry.changes["value"] == {"old": "12000.00", "new": "13000.00"}
    assert entry.changes["title"] == {"old": "", "new": "Hosting"}
    assert Contract.objects.get(pk=contract.pk).services.get() == service


def test_supplier_page_shows_performance(client, agent, incident, uc_contract, supplier):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        engagement = services.engage_supplier(incident, actor=agent, contract=uc_contract, reason="x")
    services.move_engagement(engagement, "respond", actor=agent, now=FRIDAY_4PM + timedelta(minutes=30))
    client.force_login(agent)
    with mock.patch("suppliers.views.pages.timezone.localdate", return_value=date(2026, 6, 5)):
        page = client.get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert "Incidents engaged" in page and "100.0%" in page and "30m" in page


def test_problems_and_changes_show_the_panel_and_engage_without_a_hold(
    client, agent, manager, supplier, service
):
    from problems.services import create_problem

    problem = create_problem(actor=agent, title="Mail relay drops", service=service)
    client.force_login(agent)
    page = client.get(reverse("problem:detail", args=[problem.pk])).content.decode()
    assert reverse("suppliers:for-task", args=[problem.pk]) in page and "suppliers/panel" in page
    response = client.post(
        reverse("suppliers:engage", args=[problem.pk]),
        {"supplier": supplier.pk, "reason": "Analyse the relay"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.state == "new" and SupplierEngagement.objects.get(record=problem).supplier == supplier


def test_an_engagement_links_to_its_record(client, agent, requester, incident, uc_contract):
    from itsm.core.models import Task

    with time_machine.travel(FRIDAY_4PM, tick=False):
        engagement = services.engage_supplier(incident, actor=agent, contract=uc_contract, reason="x")
    url = Task.objects.get(pk=engagement.pk).get_absolute_url()
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{incident.get_absolute_url()}#engagement-{engagement.pk}"
    client.force_login(requester)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("contracts", [1, 6])
def test_supplier_and_contract_pages_have_a_fixed_query_count(
    client, manager, supplier, service, contracts, django_assert_max_num_queries
):
    for index in range(contracts):
        contract = services.create_contract(
            actor=manager,
            supplier=supplier,
            reference=f"Q-{index}",
            start_date=date(2026, 1, 1),
            services=[service],
            configuration_items=[ConfigurationItemFactory()],
        )
        services.add_document(contract, SimpleUploadedFile(f"d{index}.pdf", b"%PDF"), actor=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("suppliers:detail", args=[supplier.pk])).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("suppliers:contract", args=[contract.pk])).status_code == 200
