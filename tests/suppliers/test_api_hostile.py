import pytest

pytestmark = pytest.mark.django_db

BAD = [
    {"response_time": "999999999 00:00:00"},
    {"response_time": "-1 00:00:00"},
    {"value": "1e30"},
    {"value": "NaN"},
    {"reference": "x" * 500},
    {"start_date": "0000-01-01"},
    {"supplier": 99999999999999999999},
    {"services": [99999999999999999999]},
    {"support_hours": "abc"},
    {"owner": -1},
    {"currency": "EURO"},
]


@pytest.mark.parametrize("extra", BAD)
def test_hostile_contract_input(api_as, manager, supplier, extra):
    body = {"supplier": supplier.pk, "reference": "H-1", "start_date": "2026-01-01", **extra}
    response = api_as(manager).post("/api/v1/contracts/", body, format="json")
    assert 400 <= response.status_code < 500, (extra, response.status_code, response.content[:300])


@pytest.mark.parametrize(
    "query",
    [
        "expired=maybe",
        "in_force=2",
        "notice_before=garbage",
        "ordering=value",
        "service=-5",
        "kind=x",
        "supplier=1e99",
        "q=%00",
    ],
)
def test_hostile_filters(api_as, agent, contract, query):
    response = api_as(agent).get(f"/api/v1/contracts/?{query}")
    assert response.status_code in (200, 400), (query, response.status_code)


@pytest.mark.parametrize(
    "body",
    [
        {"record": 99999999999999999999, "reason": "x"},
        {"record": "a", "reason": "x"},
        {"record": 1, "reason": ""},
        {},
    ],
)
def test_hostile_engagements(api_as, agent, body):
    response = api_as(agent).post("/api/v1/supplier-engagements/", body, format="json")
    assert 400 <= response.status_code < 500, (body, response.status_code, response.content[:300])


def test_hostile_moves(api_as, agent):
    client = api_as(agent)
    assert client.post("/api/v1/supplier-engagements/99999999999999999999/respond/").status_code == 404
    assert client.get("/api/v1/supplier-engagements/?state=zzz").status_code == 400
    assert client.get("/api/v1/supplier-engagements/?record=-1").status_code == 400
