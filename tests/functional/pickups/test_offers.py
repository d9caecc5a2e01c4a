"""Recyclers declare their offer, facilities and collectors; operators authorise dismantlers."""
from tests.factories.pickups import LULIANG, facility, offer_payload, put_offer


def test_offer_round_trip_and_public_read(client, recycler):
    body = put_offer(client, recycler, region_codes=["140100", LULIANG], radius_km=25.0,
                     holidays=["2027-02-10"], capacity={"count": 3, "volume_l": 1500, "weight_kg": None})
    assert body["region_codes"] == ["140100", LULIANG] and body["radius_km"] == 25.0
    assert body["capacity"] == {"count": 3, "volume_l": 1500, "weight_kg": None}
    assert body["authorised_dismantler"] is False and body["holidays"] == ["2027-02-10"]
    r = client.get(f"/api/v1/pickups/recyclers/{recycler.org_id}")  # anonymous
    assert r.status_code == 200 and r.json["id"] == body["id"]
    again = put_offer(client, recycler, capacity={"count": 4})
    assert again["id"] == body["id"] and again["capacity"]["count"] == 4 and again["region_codes"] == ["140100"]


def test_bad_offers_are_422_field_by_field(client, recycler):
    url = f"/api/v1/pickups/recyclers/{recycler.org_id}"
    r = client.put(url, json=offer_payload(region_codes=["999999"]), headers=recycler.headers)
    assert r.status_code == 422 and "region_codes" in r.json["errors"]
    r = client.put(url, json=offer_payload(region_codes=[], radius_km=None), headers=recycler.headers)
    assert r.status_code == 422 and "region_codes" in r.json["errors"]
    r = client.put(url, json=offer_payload(working_hours={"1": [["12:00", "09:00"]]}), headers=recycler.headers)
    assert r.status_code == 422 and "working_hours" in r.json["errors"]
    r = client.put(url, json=offer_payload(working_hours={"1": [["09:00", "12:00"], ["11:00", "13:00"]]}),
                   headers=recycler.headers)
    assert r.status_code == 422 and "overlap" in r.json["errors"]["working_hours"][0]
    r = client.put(url, json=offer_payload(kinds=["furniture"]), headers=recycler.headers)
    assert r.status_code == 422 and r.json["type"].startswith("/problems/")


def test_only_the_recyclers_staff_declare_its_offer(client, recycler, other_recycler, consumer, operator):
    url = f"/api/v1/pickups/recyclers/{recycler.org_id}"
    assert client.put(url, json=offer_payload()).status_code == 401
    assert client.put(url, json=offer_payload(), headers=other_recycler.headers).status_code == 403
    assert client.put(url, json=offer_payload(), headers=consumer.headers).status_code == 403
    r = client.put(f"/api/v1/pickups/recyclers/{consumer.id}", json=offer_payload(), headers=recycler.headers)
    assert r.status_code == 404  # not a recycler organisation


def test_dismantler_authorisation_is_the_operators(client, recycler, operator):
    put_offer(client, recycler, kinds=["vehicle"])
    url = f"/api/v1/pickups/recyclers/{recycler.org_id}/authorisation"
    assert client.post(url, json={"authorised_dismantler": True}, headers=recycler.headers).status_code == 403
    r = client.post(url, json={"authorised_dismantler": True}, headers=operator.headers)
    assert r.status_code == 422  # no licence declared
    put_offer(client, recycler, kinds=["vehicle"], dismantler_licence_no="晋140100-2026-001")
    # A dismantling facility needs the authorisation first.
    r = client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/facilities",
                    json={"name": "拆解厂", "tier": "dismantler", "region_code": "140105", "lat": 37.7, "lon": 112.5},
                    headers=recycler.headers)
    assert r.status_code == 422 and r.json["code"] == "not_authorised_dismantler"
    r = client.post(url, json={"authorised_dismantler": True, "reason": "licence checked"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["authorised_dismantler"] is True
    assert facility(client, recycler, tier="dismantler")["tier"] == "dismantler"
    # A new licence number needs a new check.
    assert put_offer(client, recycler, kinds=["vehicle"], dismantler_licence_no="晋140100-2027-002")[
        "authorised_dismantler"] is False
    audit = client.get("/api/v1/audit-log", headers=operator.headers).json
    assert any(e["action"] == "pickups.authorise_dismantler" for e in audit["items"])


def test_facilities_form_a_network_upwards(client, recycler):
    sorting = facility(client, recycler, tier="sorting_centre", name="分拣中心")
    transfer = facility(client, recycler, tier="transfer_station", name="中转站", parent_id=sorting["id"])
    facility(client, recycler, tier="collection_point", name="回收点", parent_id=transfer["id"])
    r = client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/facilities",
                    json={"name": "bad", "tier": "sorting_centre", "region_code": "140105", "lat": 37.7, "lon": 112.5,
                          "parent_id": transfer["id"]}, headers=recycler.headers)
    assert r.status_code == 422 and "parent_id" in r.json["errors"]
    listed = client.get(f"/api/v1/pickups/recyclers/{recycler.org_id}/facilities").json
    assert {f["tier"] for f in listed} == {"sorting_centre", "transfer_station", "collection_point"}


def test_collectors_are_members_of_the_recycler(client, recycler, other_recycler, operator):
    url = f"/api/v1/pickups/recyclers/{recycler.org_id}/collectors"
    r = client.post(url, json={"user_id": str(other_recycler.id)}, headers=recycler.headers)
    assert r.status_code == 422
    r = client.post(url, json={"user_id": str(recycler.id), "name": "王师傅"}, headers=recycler.headers)
    assert r.status_code == 201 and r.json["name"] == "王师傅"
    assert client.get(url, headers=recycler.headers).json[0]["name"] == "王师傅"
    assert client.get(url, headers=other_recycler.headers).status_code == 403
    assert client.get(url, headers=operator.headers).status_code == 200
