"""The operator-kept blocklist: audited changes, hashes only, and a block on trade-ins and listings."""
from sqlalchemy import select

from services.blocklist.models import BlockedIdentifier
from tests.factories.listings import car_payload, imei, phone_payload
from tests.factories.tradeins import car_quote, phone_quote


def _block(client, operator, kind, value, reason="stolen"):
    r = client.post("/api/v1/blocklist", json={"kind": kind, "value": value, "reason": reason}, headers=operator.headers)
    assert r.status_code == 201, r.json
    return r.json


def test_only_operators_keep_the_list_and_every_change_is_audited(client, session, consumer, operator):
    value = imei()
    body = {"kind": "imei", "value": value, "reason": "lost", "note": "owner called"}
    assert client.post("/api/v1/blocklist", json=body, headers=consumer.headers).status_code == 403
    assert client.post("/api/v1/blocklist", json=body).status_code == 401
    entry = client.post("/api/v1/blocklist", json=body, headers=operator.headers).json
    assert entry["masked"] == "****" + value[-4:] and entry["reason"] == "lost"
    row = session.scalar(select(BlockedIdentifier))
    assert value not in (row.value_hash, row.note or "", row.last4) and len(row.value_hash) == 64
    again = client.post("/api/v1/blocklist", json=body, headers=operator.headers)
    assert again.status_code == 409 and again.json["code"] == "already_blocklisted"
    check = client.post("/api/v1/blocklist/check", json={"kind": "imei", "value": value}, headers=operator.headers).json
    assert check["blocked"] is True and check["entry"]["id"] == entry["id"]
    r = client.post(f"/api/v1/blocklist/{entry['id']}/removal", json={"reason": "found by owner"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["removed_at"]
    assert client.get("/api/v1/blocklist", headers=operator.headers).json["items"] == []
    assert len(client.get("/api/v1/blocklist?include_removed=true", headers=operator.headers).json["items"]) == 1
    actions = [e["action"] for e in client.get("/api/v1/audit-log", headers=operator.headers).json["items"]]
    assert {"blocklist.add", "blocklist.remove"} <= set(actions)


def test_identifiers_are_checked_before_they_are_blocked(client, operator):
    for kind, value in (("imei", "490154203237517"), ("vin", "LSVAU2180N2183294"), ("serial", "ab")):
        r = client.post("/api/v1/blocklist", json={"kind": kind, "value": value, "reason": "fraud"},
                        headers=operator.headers)
        assert r.status_code == 422 and "value" in r.json["errors"], (kind, r.json)


def test_a_blocked_device_cannot_be_quoted_or_accepted(client, consumer, recycler, operator, table):
    phone = phone_quote()
    _block(client, operator, "imei", phone["imei"])
    r = client.post("/api/v1/tradeins", json=phone, headers=consumer.headers)
    assert r.status_code == 403 and r.json["code"] == "device_blocklisted" and r.json["reason"] == "stolen"
    assert "imei" in r.json["errors"] and "blocklist" in r.json["detail"]
    car = car_quote()
    t = client.post("/api/v1/tradeins", json=car, headers=consumer.headers).json
    _block(client, operator, "vin", car["vin"], reason="fraud")
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(recycler.org_id)},
        "payout": {"method": "cash"}})
    assert r.status_code == 403 and "vin" in r.json["errors"]
    serial = phone_quote(serial_number="F2LXQ9ZZ01")
    _block(client, operator, "serial", "F2LXQ9ZZ01", reason="lost")
    r = client.post("/api/v1/tradeins", json=serial, headers=consumer.headers)
    assert r.status_code == 403 and "serial_number" in r.json["errors"]


def test_a_blocked_device_cannot_be_listed(client, consumer, operator):
    phone = phone_payload()
    _block(client, operator, "imei", phone["attributes"]["imei"])
    r = client.post("/api/v1/listings", json=phone, headers=consumer.headers)
    assert r.status_code == 403 and "attributes.imei" in r.json["errors"]
    car = car_payload()
    _block(client, operator, "vin", car["attributes"]["vin"])
    r = client.post("/api/v1/listings", json=car, headers=consumer.headers)
    assert r.status_code == 403 and "attributes.vin" in r.json["errors"]


def test_a_device_blocked_after_listing_cannot_be_submitted_or_approved(client, consumer, operator):
    car = car_payload()
    lid = client.post("/api/v1/listings", json=car, headers=consumer.headers).json["id"]
    _block(client, operator, "vin", car["attributes"]["vin"])
    r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"}, headers=consumer.headers)
    assert r.status_code == 403 and r.json["code"] == "device_blocklisted"
    # changing a draft to a blocked VIN is refused too
    other = car_payload()
    lid2 = client.post("/api/v1/listings", json=other, headers=consumer.headers).json["id"]
    r = client.patch(f"/api/v1/listings/{lid2}", json={"attributes": {**other["attributes"], "vin": car["attributes"]["vin"]}},
                     headers=consumer.headers)
    assert r.status_code == 403
