"""An electronics listing with an IMEI or serial cannot be published without a valid, current
resale certificate for that device."""
from sqlalchemy import text

from tests.factories.certificates import OTHER_IMEI, certify
from tests.factories.listings import fridge_payload, imei, phone_payload


def _draft(client, seller, payload):
    r = client.post("/api/v1/listings", json=payload, headers=seller.headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def _submit(client, seller, lid):
    return client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "submit"},
                       headers=seller.headers)


def _phone(dev, serial=None):
    p = phone_payload()
    p["attributes"] = {**p["attributes"], "imei": dev}
    if serial is not None:
        p["attributes"]["serial_number"] = serial
    return p


def test_uncertified_phone_cannot_be_published(client, consumer):
    r = _submit(client, consumer, _draft(client, consumer, _phone(imei())))
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    assert r.json["rule"] == "CERTIFICATE_MISSING"


def test_certified_phone_publishes_and_others_are_untouched(client, session, ring, consumer,
                                                            team):
    dev = imei()
    certify(session, ring, imei=dev, serial=None, team=team)
    assert _submit(client, consumer, _draft(client, consumer, _phone(dev))).status_code == 200
    assert _submit(client, consumer, _draft(client, consumer, fridge_payload())).status_code == 200


def test_a_certificate_for_another_imei_does_not_count(client, session, ring, consumer, team):
    certify(session, ring, imei=OTHER_IMEI, serial=None, team=team)
    r = _submit(client, consumer, _draft(client, consumer, _phone(imei())))
    assert r.status_code == 409 and r.json["rule"] == "CERTIFICATE_MISSING"


def test_same_imei_but_another_serial_is_refused(client, session, ring, consumer, team):
    dev = imei()
    certify(session, ring, imei=dev, serial="C8QXK0ABHG7Q", team=team)
    r = _submit(client, consumer, _draft(client, consumer, _phone(dev, serial="DNPXK1ABHG7Q")))
    assert r.status_code == 409 and r.json["rule"] == "CERTIFICATE_FOR_OTHER_DEVICE"


def test_revoked_tampered_and_recycling_certificates_do_not_count(client, session, ring,
                                                                   consumer, operator, team):
    revoked, tampered, recycled = imei(), imei(), imei()
    cert = certify(session, ring, imei=revoked, serial=None, team=team)
    assert client.post(f"/api/v1/certificates/{cert.id}/revocations", json={"reason": "bad QC"},
                       headers=operator.headers).status_code == 200
    r = _submit(client, consumer, _draft(client, consumer, _phone(revoked)))
    assert r.status_code == 409 and r.json["rule"] == "CERTIFICATE_MISSING"

    cert = certify(session, ring, imei=tampered, serial=None, team=team)
    session.execute(text("UPDATE wipe_certificates SET payload = "
                         "replace(payload::text, '\"purge\"', '\"destroy\"')::json WHERE id = :id"),
                    {"id": cert.id})
    session.commit()
    r = _submit(client, consumer, _draft(client, consumer, _phone(tampered)))
    assert r.status_code == 409 and r.json["rule"] == "CERTIFICATE_NOT_VALID"
    assert r.json["certificate_status"] == "invalid"

    certify(session, ring, imei=recycled, serial=None, team=team, destination="recycling")
    r = _submit(client, consumer, _draft(client, consumer, _phone(recycled)))
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
