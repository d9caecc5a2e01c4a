"""Issue 13 item 1: every electronics kind that stores personal data carries its identifier and
passes the one wipe gate at submit, approve, capture, trade-in resale and pickup resale; changing
the identifier re-runs it."""
from types import SimpleNamespace

import pytest

from services.certificates.verify import CertificateRequired, IdentifierRequired
from services.listings.models import Category, Listing
from services.orders import hooks
from tests.factories.certificates import certify
from tests.factories.listings import imei
from tests.factories.pickups import booking_payload, collector, facility, next_slot, put_offer

LISTINGS = "/api/v1/listings"


def gadget(kind, **attrs):
    return {"category": "electronics", "title": f"二手 {kind} 九成新", "price_fen": 99000,
            "condition": "good", "region_code": "140100",
            "attributes": {"kind": kind, "brand": "Acme", "model": "X1", **attrs}}


def create(client, seller, payload):
    return client.post(LISTINGS, json=payload, headers=seller.headers)


def draft(client, seller, payload):
    r = create(client, seller, payload)
    assert r.status_code == 201, r.json
    return r.json["id"]


def act(client, who, lid, action):
    return client.post(f"{LISTINGS}/{lid}/transitions", json={"action": action}, headers=who.headers)


@pytest.mark.parametrize("kind, field", [
    ("tablet", "attributes.imei"), ("smartwatch", "attributes.imei"), ("mobile_phone", "attributes.imei"),
    ("laptop", "attributes.serial_number"), ("desktop", "attributes.serial_number"),
    ("storage_drive", "attributes.serial_number"), ("game_console", "attributes.serial_number"),
    ("camera", "attributes.serial_number"), ("other", "attributes.serial_number"),
])
def test_a_data_bearing_device_without_its_identifier_is_refused_naming_the_field(client, consumer,
                                                                                  kind, field):
    r = create(client, consumer, gadget(kind))
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"
    assert list(r.json["errors"]) == [field]


def test_a_tablet_without_cellular_is_listed_by_serial_and_still_needs_its_certificate(
        client, session, ring, consumer, team):
    lid = draft(client, consumer, gadget("tablet", serial_number="DMPXK0TAB001"))
    r = act(client, consumer, lid, "submit")
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    certify(session, ring, imei=None, serial="DMPXK0TAB001", team=team, kind="tablet")
    assert act(client, consumer, lid, "submit").status_code == 200


def test_a_laptop_cannot_be_declared_storage_free(client, consumer):
    r = create(client, consumer, gadget("laptop", serial_number="PF3ABCDE", has_storage=False))
    assert r.status_code == 422 and "attributes.has_storage" in r.json["errors"]


def test_other_electronics_sell_without_a_certificate_only_when_declared_storage_free(client, consumer,
                                                                                     operator):
    lid = draft(client, consumer, gadget("other", has_storage=False))  # a keyboard
    assert act(client, consumer, lid, "submit").status_code == 200
    assert act(client, operator, lid, "approve").status_code == 200
    lid = draft(client, consumer, gadget("other", serial_number="CONSOLE123"))  # a drive, a console
    r = act(client, consumer, lid, "submit")
    assert r.status_code == 409 and r.json["rule"] == "CERTIFICATE_MISSING"


def test_approve_re_runs_the_gate(client, session, ring, consumer, operator, team):
    dev = imei()
    cert = certify(session, ring, imei=dev, serial=None, team=team)
    lid = draft(client, consumer, gadget("mobile_phone", imei=dev))
    assert act(client, consumer, lid, "submit").status_code == 200
    assert client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "QC failed"},
                       headers=operator.headers).status_code == 200
    r = act(client, operator, lid, "approve")
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"


def test_changing_the_identifier_of_a_published_listing_re_runs_the_gate(client, session, ring, operator,
                                                                         published_listing, consumer, team):
    lid, attrs = published_listing["id"], published_listing["attributes"]
    before = client.get(f"{LISTINGS}/{lid}").json
    other = imei()
    body = {"attributes": {**attrs, "imei": other, "serial_number": None}}
    r = client.patch(f"{LISTINGS}/{lid}", json=body, headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    after = client.get(f"{LISTINGS}/{lid}").json
    assert after["device_masked"] == before["device_masked"] and after["certificate"] == before["certificate"]

    cert = certify(session, ring, imei=other, serial=None, team=team)
    r = client.patch(f"{LISTINGS}/{lid}", json=body, headers=consumer.headers)
    assert r.status_code == 202, r.json            # another device: a revision for review (issue 13.4)
    assert client.get(f"{LISTINGS}/{lid}").json["device_masked"] == before["device_masked"]
    r = client.post(f"{r.headers['Location']}/transitions", json={"action": "approve"}, headers=operator.headers)
    assert r.status_code == 200, r.json
    after = client.get(f"{LISTINGS}/{lid}").json
    assert after["status"] == "published" and after["certificate"]["id"] == str(cert.id)


def _order_of(**listing):
    fields = dict(category=Category.ELECTRONICS, kind="laptop", attributes={"kind": "laptop"},
                  device_hash=None, serial_hash=None)
    return SimpleNamespace(listing=Listing(**{**fields, **listing}))


def test_capture_runs_the_same_gate(session, ring, team):
    from services import identifiers
    # A listing filed before the rule, without its serial, is not paid out; nor one without a certificate.
    with pytest.raises(IdentifierRequired) as info:
        hooks.before_capture(session, _order_of())
    assert list(info.value.fields) == ["attributes.serial_number"]
    serial_hash = identifiers.hmac_hash(session, "LAPTOP0042", purpose="serial")
    with pytest.raises(CertificateRequired):
        hooks.before_capture(session, _order_of(serial_hash=serial_hash))
    certify(session, ring, imei=None, serial="LAPTOP0042", team=team, kind="laptop")
    hooks.before_capture(session, _order_of(serial_hash=serial_hash))
    # Declared storage-free and non-electronics items pass without a certificate.
    hooks.before_capture(session, _order_of(kind="camera", attributes={"kind": "camera", "has_storage": False}))
    hooks.before_capture(session, _order_of(category=Category.APPLIANCE, kind="refrigerator"))


def test_a_collected_phone_goes_to_resale_only_with_its_certificate(client, session, ring, consumer,
                                                                   recycler, other_consumer, team):
    offer = put_offer(client, recycler)
    fac = facility(client, recycler)
    collector(client, recycler)
    dev = imei()
    r = client.post("/api/v1/pickups", headers=consumer.headers, json=booking_payload(
        next_slot(), recycler_id=offer["id"],
        items=[{"category": "electronics", "kind": "mobile_phone", "imei": dev},
               {"category": "electronics", "kind": "laptop"}]))
    assert r.status_code == 201, r.json
    pid, (phone, laptop) = r.json["id"], r.json["items"]
    url = f"/api/v1/pickups/items/{phone['id']}/resale-certificate"
    r = client.get(url, headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "not_collected"
    client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers)
    for to in ("en_route", "arrived"):
        client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": to}, headers=recycler.headers)
    r = client.post(f"/api/v1/pickups/{pid}/collect", headers=recycler.headers, json={
        "facility_id": fac["id"], "items": [{"item_id": phone["id"], "weight_g": 190},
                                           {"item_id": laptop["id"], "weight_g": 1400}]})
    assert r.status_code == 201, r.json
    r = client.get(url, headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    r = client.get(f"/api/v1/pickups/items/{laptop['id']}/resale-certificate", headers=recycler.headers)
    assert r.status_code == 422 and r.json["code"] == "device_identifier_required"
    assert client.get(url, headers=consumer.headers).status_code == 403
    assert client.get(url, headers=other_consumer.headers).status_code == 404
    cert = certify(session, ring, imei=dev, serial=None, team=team)
    r = client.get(url, headers=recycler.headers)
    assert r.status_code == 200 and r.json == {"certificate_id": str(cert.id), "item_id": phone["id"]}
