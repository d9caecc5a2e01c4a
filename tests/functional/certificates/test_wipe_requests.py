"""Issue 13 item 2: a consumer asks a recycler for a wipe (drop-off or with a pickup) and follows
the request to its certificate; the recycler's staff see, accept, decline and fulfil requests."""
import threading

from services.accounts.models import Role
from services.certificates import wipe_requests
from services.errors import InvalidState
from tests.factories.accounts import make_user
from tests.factories.certificates import certify
from tests.factories.listings import imei
from tests.factories.pickups import booking_payload, next_slot, put_offer

URL = "/api/v1/wipe-requests"


def ask(client, consumer, org_id, dev, **over):
    body = {"recycler_org_id": str(org_id), "mode": "drop_off",
            "device": {"kind": "phone", "make": "Apple", "model": "iPhone 13", "imei": dev}}
    body.update(over)
    return client.post(URL, json=body, headers=consumer.headers)


def test_drop_off_request_followed_to_its_certificate(client, session, ring, consumer, other_consumer, team):
    tech, validator, _ = team
    dev = imei()
    r = ask(client, consumer, tech.org_id, dev)
    assert r.status_code == 201, r.json
    req = r.json
    assert req["status"] == "requested" and req["device"]["imei"] == "****" + dev[-4:]
    assert dev not in r.get_data(as_text=True)
    assert [i["id"] for i in client.get(URL, headers=validator.headers).json["items"]] == [req["id"]]
    assert client.get(f"{URL}/{req['id']}", headers=other_consumer.headers).status_code == 404
    assert client.post(f"{URL}/{req['id']}/accept", headers=consumer.headers).status_code == 403

    # Fulfilling before accepting, or with a certificate for another device, is refused.
    cert = certify(session, ring, imei=dev, serial=None, team=team)
    r = client.post(f"{URL}/{req['id']}/fulfil", json={"certificate_id": str(cert.id)}, headers=tech.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"
    assert client.post(f"{URL}/{req['id']}/accept", headers=tech.headers).json["status"] == "accepted"
    other = certify(session, ring, imei=imei(), serial=None, team=team)
    r = client.post(f"{URL}/{req['id']}/fulfil", json={"certificate_id": str(other.id)}, headers=tech.headers)
    assert r.status_code == 422 and "certificate_id" in r.json["errors"]
    r = client.post(f"{URL}/{req['id']}/fulfil", json={"certificate_id": str(cert.id)}, headers=tech.headers)
    assert r.status_code == 200, r.json
    got = client.get(f"{URL}/{req['id']}", headers=consumer.headers).json
    assert got["status"] == "certified" and got["certificate_id"] == str(cert.id)
    assert got["verify_url"] == f"/verify/{cert.id}"
    mine = client.get("/api/v1/certificates/mine", headers=consumer.headers).json["items"]
    assert [c["id"] for c in mine] == [str(cert.id)]
    r = client.post(f"{URL}/{req['id']}/cancel", headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"


def test_another_recyclers_certificate_does_not_fulfil(client, session, ring, consumer, recycler, team):
    dev = imei()
    req = ask(client, consumer, recycler.org_id, dev).json
    client.post(f"{URL}/{req['id']}/accept", headers=recycler.headers)
    cert = certify(session, ring, imei=dev, serial=None, team=team)  # issued by another recycler
    r = client.post(f"{URL}/{req['id']}/fulfil", json={"certificate_id": str(cert.id)}, headers=recycler.headers)
    assert r.status_code == 422 and "certificate_id" in r.json["errors"]


def test_refusals_name_the_field(client, session, consumer, retailer, recycler):
    r = ask(client, consumer, retailer.org_id, imei())
    assert r.status_code == 422 and "recycler_org_id" in r.json["errors"]
    r = ask(client, consumer, recycler.org_id, imei(), mode="pickup")
    assert r.status_code == 422 and "pickup_id" in r.json["errors"]
    r = ask(client, consumer, recycler.org_id, None)
    assert r.status_code == 422 and "device.imei" in r.json["errors"]
    r = ask(client, consumer, recycler.org_id, imei()[:-1] + "x")
    assert r.status_code == 422
    assert ask(client, retailer, recycler.org_id, imei()).status_code == 403
    req = ask(client, consumer, recycler.org_id, imei()).json
    r = client.post(f"{URL}/{req['id']}/decline", json={"reason": ""}, headers=recycler.headers)
    assert r.status_code == 422
    r = client.post(f"{URL}/{req['id']}/decline", json={"reason": "we do not take Apple devices"},
                    headers=recycler.headers)
    assert r.json["status"] == "declined" and r.json["decline_reason"] == "we do not take Apple devices"


def test_a_wipe_rides_along_with_the_consumers_pickup(client, session, consumer, other_consumer, recycler):
    offer = put_offer(client, recycler)
    other = make_user(session, Role.RECYCLER)
    r = client.post("/api/v1/pickups", headers=consumer.headers, json=booking_payload(
        next_slot(), recycler_id=offer["id"], items=[{"category": "electronics", "kind": "mobile_phone"}]))
    assert r.status_code == 201, r.json
    pid = r.json["id"]
    r = ask(client, consumer, recycler.org_id, imei(), mode="pickup", pickup_id=pid)
    assert r.status_code == 201 and r.json["pickup_id"] == pid and r.json["mode"] == "pickup"
    r = ask(client, other_consumer, recycler.org_id, imei(), mode="pickup", pickup_id=pid)
    assert r.status_code == 422 and "pickup_id" in r.json["errors"]  # not their booking
    r = ask(client, consumer, other.org_id, imei(), mode="pickup", pickup_id=pid)
    assert r.status_code == 422 and "pickup_id" in r.json["errors"]  # another recycler collects it


def test_two_staff_accepting_at_once_one_wins(app, session, consumer, team):
    from services.accounts.models import User
    tech, validator, _ = team  # colleagues in one recycler
    req = wipe_requests.create(session, consumer.user, {
        "recycler_org_id": tech.org_id, "mode": "drop_off",
        "device": {"kind": "phone", "make": "Apple", "model": "iPhone 13", "imei": imei()}})
    session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def accept(user_id):
        s = app.extensions["db"].factory()
        try:
            user = s.get(User, user_id)
            barrier.wait()
            wipe_requests.answer(s, user, req.id, "accept")
            s.commit()
            outcomes.append("ok")
        except InvalidState:
            s.rollback()
            outcomes.append("conflict")
        finally:
            s.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (tech.user.id, validator.user.id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]


def test_only_a_verified_recycler_takes_wipe_requests(client, session, consumer):
    unvetted = make_user(session, Role.RECYCLER, verified_org=False)
    r = ask(client, consumer, unvetted.org_id, imei())
    assert r.status_code == 403 and r.json["code"] == "organisation_not_verified"
