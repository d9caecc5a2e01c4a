"""Who may do what to a pickup: anonymous, the consumer, another consumer, the recycler's staff,
another recycler's staff, an operator."""
import pytest

from tests.factories.pickups import booking_payload, next_slot, put_offer

ANON, OWNER, OTHER, STAFF, RIVAL, OPERATOR = "anonymous", "consumer", "other consumer", "staff", "rival", "operator"


@pytest.fixture
def actors(consumer, other_consumer, recycler, other_recycler, operator):
    return {ANON: {}, OWNER: consumer.headers, OTHER: other_consumer.headers, STAFF: recycler.headers,
            RIVAL: other_recycler.headers, OPERATOR: operator.headers}


@pytest.fixture
def pickup(client, consumer, other_recycler, offer):
    put_offer(client, other_recycler)  # a rival serving the same city
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=offer["id"]),
                    headers=consumer.headers)
    assert r.status_code == 201
    return r.json


@pytest.mark.parametrize("method,path,body,expected", [
    ("GET", "/api/v1/pickups/{id}", None,
     {ANON: 401, OWNER: 200, OTHER: 404, STAFF: 200, RIVAL: 404, OPERATOR: 200}),
    ("POST", "/api/v1/pickups/{id}/assign", {},
     {ANON: 401, OWNER: 403, OTHER: 404, STAFF: 200, RIVAL: 404, OPERATOR: 200}),
    ("POST", "/api/v1/pickups/{id}/transitions", {"to": "en_route"},
     {ANON: 401, OWNER: 403, OTHER: 404, STAFF: 409, RIVAL: 404, OPERATOR: 409}),
    ("POST", "/api/v1/pickups/{id}/reschedule", {"starts_at": next_slot(hour=10).isoformat()},
     {ANON: 401, OTHER: 404, STAFF: 403, RIVAL: 404, OWNER: 200}),
    ("POST", "/api/v1/pickups/{id}/no-show", {"side": "recycler"},
     {ANON: 401, OTHER: 404, STAFF: 403, RIVAL: 404, OWNER: 409}),
    ("POST", "/api/v1/pickups/{id}/collect", {"items": [{"item_id": "00000000-0000-4000-8000-000000000000",
                                                         "weight_g": 1}],
                                              "facility_id": "00000000-0000-4000-8000-000000000000"},
     {ANON: 401, OWNER: 403, OTHER: 404, RIVAL: 404, STAFF: 409}),
    ("POST", "/api/v1/pickups/{id}/claim", None,
     {ANON: 401, OWNER: 403, OTHER: 403, OPERATOR: 403, STAFF: 404}),
    ("POST", "/api/v1/pickups/{id}/cancel", {},
     {ANON: 401, OTHER: 404, RIVAL: 404, OWNER: 200}),
])
def test_pickup_matrix(client, actors, pickup, method, path, body, expected):
    for who, status in expected.items():
        url = path.format(id=pickup["id"])
        r = client.open(url, method=method, json=body, headers=actors[who])
        assert r.status_code == status, f"{who}: {method} {url} -> {r.status_code} {r.json}"
        assert r.status_code < 400 or r.mimetype == "application/problem+json"


def test_lists_show_only_your_pickups(client, actors, pickup):
    seen = {who: [p["id"] for p in client.get("/api/v1/pickups", headers=h).json["items"]]
            for who, h in actors.items() if who != ANON}
    assert seen == {OWNER: [pickup["id"]], OTHER: [], STAFF: [pickup["id"]], RIVAL: [], OPERATOR: [pickup["id"]]}
    assert client.get("/api/v1/pickups").status_code == 401
    assert client.get("/api/v1/pickups/pool", headers=actors[OWNER]).status_code == 403


def test_public_reads(client, recycler, offer):
    assert client.get(f"/api/v1/pickups/recyclers/{recycler.org_id}").status_code == 200
    assert client.get(f"/api/v1/pickups/recyclers/{recycler.org_id}/facilities").status_code == 200
    assert client.get("/api/v1/pickups/availability?region_code=140105&items=other").status_code == 200
    assert client.get(f"/api/v1/pickups/recyclers/{recycler.org_id}/collectors").status_code == 401
