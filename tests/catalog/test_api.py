"""The catalog API: form schema, submission validated by the same module, transitions, visibility."""

import pytest
from rest_framework.test import APIClient

from catalog.models import FulfilmentTask, Request
from itsm.approvals.models import Approval
from itsm.approvals.services import decide


@pytest.fixture
def api(requester):
    client = APIClient()
    client.force_authenticate(requester)
    return client


def test_item_detail_carries_the_form_schema(api, laptop):
    response = api.get(f"/api/v1/catalog/items/{laptop.pk}/")
    assert response.status_code == 200
    form = {field["name"]: field for field in response.json()["form"]}
    assert form["justification"]["condition"] == {"variable": "model", "value": "dev", "effect": "require"}
    assert form["model"]["choices"][1] == {"value": "dev", "label": "Developer"}


@pytest.mark.parametrize(
    "values, field",
    [
        ({"model": "dev"}, "items.0.values.justification"),
        ({"model": "mac"}, "items.0.values.model"),
        ({"model": ["std"]}, "items.0.values.model"),
        ({"model": "std", "docking": "perhaps"}, "items.0.values.docking"),
        ({"model": "std", "colour": "red"}, "items.0.values.non_field_errors"),
    ],
)
def test_bad_values_are_field_errors(api, laptop, values, field):
    response = api.post(
        "/api/v1/requests/", {"items": [{"item": laptop.pk, "values": values}]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"items": []}, {"items": "x"}, {"items": [{"item": "abc"}]}, {"items": [{"item": 2**70}]}, [1, 2]],
)
def test_malformed_bodies_are_400_never_500(api, body):
    assert api.post("/api/v1/requests/", body, format="json").status_code == 400


def test_unknown_or_hidden_item_is_a_field_error(api, make_item):
    hidden = make_item(slug="secret", name="Secret", audience="teams")
    response = api.post("/api/v1/requests/", {"items": [{"item": hidden.pk}]}, format="json")
    assert response.status_code == 400
    assert "items.0.item" in response.json()["error"]["fields"]


def test_submit_approve_and_complete_through_the_api(api, laptop, line_manager, agent):
    response = api.post(
        "/api/v1/requests/", {"items": [{"item": laptop.pk, "values": {"model": "std"}}]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["items"][0]["state"] == "awaiting_approval" and body["items"][0]["item_version"] == 1
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    staff = APIClient()
    staff.force_authenticate(agent)
    task = FulfilmentTask.objects.get()
    assert staff.post(f"/api/v1/fulfilment-tasks/{task.pk}/complete/", {}, format="json").status_code == 200
    # the requester may not work tasks
    assert api.post(f"/api/v1/fulfilment-tasks/{task.pk}/start/").status_code in (403, 404)
    assert staff.get(f"/api/v1/requests/{body['id']}/").json()["items"][0]["stage"] == 20


def test_requester_sees_only_own_requests(api, laptop, order, other_requester):
    mine = order(laptop, {"model": "std"})
    other = APIClient()
    other.force_authenticate(other_requester)
    assert other.get(f"/api/v1/requests/{mine.pk}/").status_code == 404
    assert other.get("/api/v1/requests/").json()["results"] == []
    assert api.get(f"/api/v1/requests/{mine.pk}/").status_code == 200


def test_cancel_through_the_api(api, laptop, order):
    placed = order(laptop, {"model": "std"})
    response = api.post(f"/api/v1/requests/{placed.pk}/cancel/", {"note": "No longer needed"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert api.post(f"/api/v1/requests/{placed.pk}/cancel/", {}, format="json").status_code == 409


@pytest.fixture
def quote_item(make_item):
    """An item whose form asks for a file (a supplier's quote) besides a text."""
    return make_item(
        slug="special-hardware",
        name="Special hardware",
        variables=[
            {"name": "what", "label": "What", "type": "text", "required": True},
            {"name": "quote", "label": "Supplier quote", "type": "attachment", "required": True},
        ],
    )


def _multipart(api, order: dict, files: dict):
    import json

    return api.post("/api/v1/requests/", {"data": json.dumps(order), **files}, format="multipart")


def test_multipart_submission_carries_attachment_variables(api, quote_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = {"items": [{"item": quote_item.pk, "values": {"what": "A 3D printer"}}], "notes": "For the lab"}
    quote = SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    response = _multipart(api, order, {"items.0.quote": quote})
    assert response.status_code == 201, response.content
    ritm = Request.objects.get().items.get()
    assert ritm.values == {"what": "A 3D printer", "quote": {"name": "quote.pdf", "size": 14}}
    assert [a.filename for a in ritm.attachments.all()] == ["quote.pdf"]


@pytest.mark.parametrize(
    "data, files, field",
    [
        ("not json", {}, "data"),
        (None, {}, "data"),
        ({"items": []}, {}, "items.non_field_errors"),
        ([1, 2], {}, "non_field_errors"),
        ({"items": [{"item": 0}]}, {}, "items.0.item"),
        ("ITEM", {}, "items.0.values.quote"),  # the required file is missing
        ("ITEM", {"items.0.what": b"x"}, "items.0.what"),  # not a file variable
        ("ITEM", {"items.3.quote": b"x"}, "items.3.quote"),  # no such line
        ("ITEM", {"quote": b"x"}, "quote"),
        ("ITEM", {"items.0.quote": ("evil.exe", b"MZ")}, "items.0.values.quote"),
    ],
)
def test_multipart_errors_are_field_errors(api, quote_item, data, files, field):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    if data == "ITEM":
        data = {"items": [{"item": quote_item.pk, "values": {"what": "A printer"}}]}
    body = {} if data is None else {"data": data if isinstance(data, str) else json.dumps(data)}
    for key, content in files.items():
        name, content = content if isinstance(content, tuple) else ("file.txt", content)
        body[key] = SimpleUploadedFile(name, content)
    response = api.post("/api/v1/requests/", body, format="multipart")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert not Request.objects.exists()
