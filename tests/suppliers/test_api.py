"""The supplier API: staff read, managers write, contract values for managers only, engagement moves."""

from datetime import timedelta

import pytest
import time_machine

from suppliers.models import AuditEntry, Contract
from tests.suppliers.conftest import FRIDAY_4PM

pytestmark = pytest.mark.django_db

IN_TERM = FRIDAY_4PM


@pytest.mark.parametrize(
    ("url", "role", "expected"),
    [
        ("/api/v1/suppliers/", "requester", 403),
        ("/api/v1/suppliers/", "agent", 200),
        ("/api/v1/contracts/", "requester", 403),
        ("/api/v1/contracts/", "agent", 200),
        ("/api/v1/contracts/", "manager", 200),
        ("/api/v1/supplier-engagements/", "requester", 403),
        ("/api/v1/supplier-engagements/", "agent", 200),
    ],
)
def test_who_may_read(api_as, personas, contract, url, role, expected):
    assert api_as(personas[role]).get(url).status_code == expected


def test_contract_values_reach_managers_only(api_as, agent, manager, contract):
    as_agent = api_as(agent).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert as_agent["reference"] == "ACME-001" and "value" not in as_agent and "currency" not in as_agent
    listed = api_as(agent).get("/api/v1/contracts/").json()["results"][0]
    assert "value" not in listed
    as_manager = api_as(manager).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert as_manager["value"] == "12000.00" and as_manager["currency"] == "EUR"


def test_agents_cannot_write_suppliers_or_contracts(api_as, agent, supplier, contract):
    client = api_as(agent)
    assert client.post("/api/v1/suppliers/", {"name": "X"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/suppliers/{supplier.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/contracts/{contract.pk}/", {"value": "1"}, format="json").status_code == 403


def test_managers_write_through_the_services(api_as, manager, supplier, service):
    client = api_as(manager)
    created = client.post(
        "/api/v1/contracts/",
        {
            "supplier": supplier.pk,
            "reference": "API-1",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "value": "500.00",
            "services": [service.pk],
            "response_time": "02:00:00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["services"] == [service.pk]
    contract = Contract.objects.get(reference="API-1")
    assert AuditEntry.objects.filter(contract=contract, action="contract.created").exists()
    changed = client.patch(f"/api/v1/contracts/{contract.pk}/", {"notice_date": "2026-10-01"}, format="json")
    assert changed.status_code == 200 and changed.json()["notice_date"] == "2026-10-01"
    entry = AuditEntry.objects.get(contract=contract, action="contract.updated")
    assert entry.actor == manager and entry.changes["notice_date"] == {"old": None, "new": "2026-10-01"}


def test_bad_input_is_a_clear_400(api_as, manager, supplier):
    client = api_as(manager)
    backwards = client.post(
        "/api/v1/contracts/",
        {"supplier": supplier.pk, "reference": "B-1", "start_date": "2026-05-01", "end_date": "2026-01-01"},
        format="json",
    )
    assert backwards.status_code == 400 and "end date" in backwards.content.decode()
    assert client.post("/api/v1/contracts/", {"reference": "B-2"}, format="json").status_code == 400
    assert client.get("/api/v1/contracts/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/contracts/?supplier=abc").status_code == 400


def test_contract_filters(api_as, agent, contract, manager, supplier):
    from suppliers import services

    services.create_contract(
        actor=manager, supplier=supplier, reference="OLD-1", start_date="2020-01-01", end_date="2021-01-01"
    )
    client = api_as(agent)
    expired = client.get("/api/v1/contracts/?expired=true").json()["results"]
    assert [row["reference"] for row in expired] == ["OLD-1"] and expired[0]["expired"] is True
    found = client.get("/api/v1/contracts/?q=acme-0").json()["results"]
    assert [row["reference"] for row in found] == ["ACME-001"]


def test_engage_respond_and_end_through_the_api(api_as, agent, incident, uc_contract):
    client = api_as(agent)
    with time_machine.travel(IN_TERM, tick=False):
        created = client.post(
            "/api/v1/supplier-engagements/",
            {
                "record": incident.pk,
                "contract": uc_contract.pk,
                "reason": "Disk failed",
                "external_reference": "X9",
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "opened" and body["supplier_name"] == "Acme Hosting"
    assert {clock["target"] for clock in body["underpinning_clocks"]} == {"response", "resolution"}
    pk = body["id"]
    assert client.post(f"/api/v1/supplier-engagements/{pk}/close/").status_code == 409
    with time_machine.travel(IN_TERM + timedelta(minutes=30), tick=False):
        responded = client.post(f"/api/v1/supplier-engagements/{pk}/respond/", {"note": "ack"}, format="json")
    assert responded.json()["state"] == "responded"
    assert (
        client.patch(f"/api/v1/supplier-engagements/{pk}/", {"state": "closed"}, format="json").status_code
        == 405
    )
    ended = client.post(f"/api/v1/supplier-engagements/{pk}/end/", {"note": "done"}, format="json")
    assert ended.json()["state"] == "withdrawn"
    incident.refresh_from_db()
    assert incident.state == "in_progress"
    assert client.get(f"/api/v1/supplier-engagements/?record={incident.pk}").json()["results"][0]["id"] == pk


def test_engaging_refuses_a_record_the_caller_cannot_engage(api_as, requester, incident, uc_contract):
    response = api_as(requester).post(
        "/api/v1/supplier-engagements/",
        {"record": incident.pk, "contract": uc_contract.pk, "reason": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_engagement_list_has_a_fixed_query_count(
    api_as, agent, incident, uc_contract, manager, django_assert_max_num_queries
):
    from suppliers import services

    for index in range(3):
        other = services.create_supplier(actor=manager, name=f"S{index}")
        with time_machine.travel(IN_TERM, tick=False):
            services.engage_supplier(incident, actor=agent, supplier=other, reason="help")
    client = api_as(agent)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/supplier-engagements/").json()["results"]) == 3


def test_performance_endpoints(api_as, agent, incident, uc_contract, supplier):
    with time_machine.travel(IN_TERM, tick=False):
        from suppliers import services

        engagement = services.engage_supplier(incident, actor=agent, contract=uc_contract, reason="x")
    services.move_engagement(engagement, "respond", actor=agent, now=IN_TERM + timedelta(minutes=45))
    client = api_as(agent)
    figures = client.get(f"/api/v1/suppliers/{supplier.pk}/performance/").json()
    assert figures["engagements"] == 1 and figures["incidents_engaged"] == 1
    assert figures["clocks_met"] == 1 and figures["compliance_percent"] == 100.0
    assert figures["mean_response"] == "00:45:00" and figures["mean_resolution"] is None
    by_contract = client.get(f"/api/v1/contracts/{uc_contract.pk}/performance/").json()
    assert by_contract["engagements"] == 1


def test_contract_documents_through_the_api(api_as, agent, manager, contract):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/contracts/{contract.pk}/documents/"
    assert api_as(agent).get(url).status_code == 403
    upload = SimpleUploadedFile("schedule.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert api_as(agent).post(url, {"file": upload}, format="multipart").status_code == 403
    client = api_as(manager)
    upload = SimpleUploadedFile("schedule.pdf", b"%PDF-1.4", content_type="application/pdf")
    created = client.post(url, {"file": upload}, format="multipart")
    assert created.status_code == 201 and created.json()["filename"] == "schedule.pdf"
    assert client.get(url).json()[0]["download_url"].endswith(f"/documents/{created.json()['id']}/")
    bad = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert bad.status_code == 400 and "not accepted" in bad.json()["error"]["message"]
    assert client.post(url, {}, format="multipart").status_code == 400


def test_change_history_through_the_api_masks_values_for_agents(api_as, agent, manager, contract, supplier):
    from suppliers import services

    services.update_contract(contract, actor=manager, value="15000.00", title="Hosting")
    as_agent = api_as(agent).get(f"/api/v1/contracts/{contract.pk}/history/").json()
    assert as_agent[0]["action"] == "contract.updated"
    assert as_agent[0]["changes"]["value"] == {"old": "hidden", "new": "hidden"}
    assert as_agent[0]["changes"]["title"] == {"old": "", "new": "Hosting"}
    as_manager = api_as(manager).get(f"/api/v1/suppliers/{supplier.pk}/history/").json()
    assert as_manager[0]["changes"]["value"] == {"old": "12000.00", "new": "15000.00"}
    assert {row["action"] for row in as_manager} >= {
        "supplier.created",
        "contract.created",
        "contract.updated",
    }
