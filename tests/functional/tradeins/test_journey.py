"""The trade-in journey over HTTP: handover, inspection, counter-offer, payout, free return,
locked and blocklisted devices."""
import pytest
from sqlalchemy import select

from services.credit.events import CreditEvent
from tests.factories.tradeins import (IPHONE_BASE, accept_dropoff, inspect, phone_answers, phone_quote,
                                      receive_and_photo)


def _quote(client, consumer, **over):
    body = phone_quote(**over)
    r = client.post("/api/v1/tradeins", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    return r.json, body["imei"]


@pytest.mark.smoke
def test_as_declared_is_paid_in_store_credit(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    t = accept_dropoff(client, consumer, t["id"], recycler.org_id)
    assert t["status"] == "accepted" and t["handler_org_id"] == str(recycler.org_id)
    assert t["handover_method"] == "dropoff" and t["prepaid_fen"] == 0
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(), imei=imei)
    assert r.status_code == 200, r.json
    done = r.json
    assert done["status"] == "paid" and done["final_fen"] == done["paid_fen"] == IPHONE_BASE
    assert [e["to_status"] for e in done["events"]] == ["quoted", "accepted", "received", "inspected", "paid"]
    assert done["payouts"][0]["channel"] == "ledger" and done["payouts"][0]["amount_fen"] == IPHONE_BASE
    assert len(done["photos"]) == 1 and client.get(done["photos"][0]["url"], headers=consumer.headers).status_code == 200
    accounts = client.get("/api/v1/store-credit/accounts", headers=consumer.headers).json
    assert [(a["kind"], a["balance_fen"], a["org_id"]) for a in accounts] == [("store_credit", IPHONE_BASE, None)]
    st = client.get(f"/api/v1/store-credit/accounts/{accounts[0]['id']}/statement", headers=consumer.headers).json
    assert [(i["kind"], i["amount_fen"], i["balance_after_fen"]) for i in st["items"]] == [("issue", IPHONE_BASE, IPHONE_BASE)]


@pytest.mark.smoke
def test_worse_than_declared_gets_a_counter_offer_the_consumer_accepts(client, session, consumer, retailer, table):
    t, imei = _quote(client, consumer, org_id=str(retailer.org_id))
    accept_dropoff(client, consumer, t["id"], retailer.org_id)
    receive_and_photo(client, retailer, t["id"])
    r = inspect(client, retailer, t, phone_answers(screen="cracked"), imei=imei)
    offer = r.json
    assert offer["status"] == "counter_offered" and offer["offer_fen"] == 165000  # 3000 x 0.55
    assert offer["inspection"]["differences"] == [{"question": "screen", "declared": "flawless", "found": "cracked"}]
    assert any(ln["code"] == "screen" and ln["factor"] == "0.55" for ln in offer["offer_lines"])
    ev = session.scalars(select(CreditEvent).where(CreditEvent.subject_id == consumer.id)).all()
    assert [(e.kind, e.value) for e in ev] == [("inspection_mismatch", IPHONE_BASE - 165000)]
    # only the consumer answers the counter-offer
    assert client.post(f"/api/v1/tradeins/{t['id']}/offer/accept", headers=retailer.headers).status_code == 403
    r = client.post(f"/api/v1/tradeins/{t['id']}/offer/accept", headers=consumer.headers)
    assert r.status_code == 200 and r.json["status"] == "paid" and r.json["paid_fen"] == 165000
    accounts = client.get("/api/v1/store-credit/accounts", headers=consumer.headers).json
    assert [(a["balance_fen"], a["org_id"]) for a in accounts] == [(165000, str(retailer.org_id))]
    # the retailer sees its issuer account, minus the credit it granted
    issuer = client.get("/api/v1/store-credit/accounts", headers=retailer.headers).json
    assert [(a["kind"], a["balance_fen"]) for a in issuer] == [("issuer", -165000)]


def test_declined_counter_offer_goes_back_free_and_tracked(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    inspect(client, recycler, t, phone_answers(body="broken"), imei=imei)
    r = client.post(f"/api/v1/tradeins/{t['id']}/offer/decline", headers=consumer.headers)
    assert r.status_code == 200 and r.json["status"] == "returning" and r.json["paid_fen"] == 0
    assert client.post(f"/api/v1/tradeins/{t['id']}/returned", headers=consumer.headers).status_code == 200
    # returned is final
    r = client.post(f"/api/v1/tradeins/{t['id']}/returned", headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state" and r.json["allowed"] == []


def test_return_shipment_is_recorded(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    inspect(client, recycler, t, phone_answers(body="broken"), imei=imei)
    client.post(f"/api/v1/tradeins/{t['id']}/offer/decline", headers=consumer.headers)
    r = client.post(f"/api/v1/tradeins/{t['id']}/return-shipment", headers=recycler.headers,
                    json={"carrier": "SF Express", "tracking_no": "SF1234567890"})
    assert r.status_code == 200 and r.json["return_tracking_no"] == "SF1234567890"
    assert "SF Express SF1234567890" in r.json["events"][-1]["note"]
    r = client.post(f"/api/v1/tradeins/{t['id']}/returned", headers=recycler.headers)
    assert r.json["status"] == "returned"


def test_locked_device_cannot_be_paid_until_the_lock_is_removed(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(activation_lock_off=False), imei=imei)
    assert r.json["status"] == "locked" and r.json["paid_fen"] == 0
    r = client.post(f"/api/v1/tradeins/{t['id']}/payout", headers=recycler.headers)
    assert r.status_code == 409 and r.json["attempted"] == "paid"
    # the consumer removes the lock remotely; a second inspection finds it off and pays
    r = inspect(client, recycler, t, phone_answers(), imei=imei)
    assert r.json["status"] == "paid" and r.json["paid_fen"] == IPHONE_BASE


def test_locked_device_can_go_back(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    inspect(client, recycler, t, phone_answers(activation_lock_off=False), imei=imei)
    r = client.post(f"/api/v1/tradeins/{t['id']}/return", headers=consumer.headers)
    assert r.status_code == 200 and r.json["status"] == "returning"


def test_blocklisted_at_inspection_is_held_until_an_operator_releases_it(client, consumer, recycler, operator, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    r = client.post("/api/v1/blocklist", headers=operator.headers,
                    json={"kind": "imei", "value": imei, "reason": "stolen", "reference": "晋公刑 2026-118"})
    assert r.status_code == 201
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(), imei=imei)
    assert r.json["status"] == "blocked" and r.json["paid_fen"] == 0
    assert client.post(f"/api/v1/tradeins/{t['id']}/release", json={"reason": "report withdrawn"},
                       headers=recycler.headers).status_code == 403
    r = client.post(f"/api/v1/tradeins/{t['id']}/release", json={"reason": "report withdrawn"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "returning"
    log = client.get("/api/v1/audit-log", headers=operator.headers).json["items"]
    assert {"blocklist.add", "tradein.release_blocked"} <= {e["action"] for e in log}


def test_another_device_than_quoted_goes_back(client, session, consumer, recycler, table):
    from tests.factories.listings import imei as new_imei
    t, _ = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(), imei=new_imei())
    assert r.json["status"] == "returning" and "identifier differs" in r.json["status_reason"]
    kinds = session.scalars(select(CreditEvent.kind).where(CreditEvent.subject_id == consumer.id)).all()
    assert kinds == ["inspection_mismatch"]


def test_inspection_needs_a_photo_the_checklist_and_the_handler(client, consumer, recycler, other_consumer, session, table):
    from services.accounts.models import Role
    from tests.factories.accounts import make_user
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    client.post(f"/api/v1/tradeins/{t['id']}/receive", headers=recycler.headers)
    r = inspect(client, recycler, t, {"powers_on": "yes"}, imei=imei)
    assert r.status_code == 422 and {"photos", "answers.powers_on", "answers.screen"} <= set(r.json["errors"])
    stranger = make_user(session, Role.RECYCLER)
    assert inspect(client, stranger, t, phone_answers(), imei=imei).status_code == 404
    assert inspect(client, consumer, t, phone_answers(), imei=imei).status_code == 403
    assert client.get(f"/api/v1/tradeins/{t['id']}", headers=other_consumer.headers).status_code == 404


def test_cash_without_a_connect_account_is_paid_offline(client, consumer, recycler, table):
    t, imei = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id, payout="cash")
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(), imei=imei)
    assert r.json["status"] == "paid" and r.json["payouts"][0]["channel"] == "offline"
    assert r.json["payouts"][0]["method"] == "cash"


def test_consumer_cancels_before_handover(client, consumer, recycler, table):
    t, _ = _quote(client, consumer)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    r = client.post(f"/api/v1/tradeins/{t['id']}/cancel", headers=consumer.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    r = client.post(f"/api/v1/tradeins/{t['id']}/receive", headers=recycler.headers)
    assert r.status_code == 409 and r.json["current"] == "cancelled"


def test_unclaimed_queue_and_lists(client, consumer, recycler, retailer, operator, table):
    t, _ = _quote(client, consumer)
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json={
        "handover": {"method": "with_delivery", "order_id": "7b0d5c3e-1111-4222-8333-444455556666"},
        "payout": {"method": "cash"}})
    assert r.status_code == 422 and "handover.method" in r.json["errors"]  # 送新取旧 needs a retailer quote
    mine = client.get("/api/v1/tradeins", headers=consumer.headers).json["items"]
    assert [i["id"] for i in mine] == [t["id"]]
    assert client.get("/api/v1/tradeins", headers=recycler.headers).json["items"] == []
    assert len(client.get("/api/v1/tradeins", headers=operator.headers).json["items"]) == 1


def test_resale_needs_a_wipe_certificate(client, consumer, recycler, retailer, table):
    t, imei = _quote(client, consumer)
    url = f"/api/v1/tradeins/{t['id']}/resale-certificate"
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    r = client.get(url, headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "not_paid"
    receive_and_photo(client, recycler, t["id"])
    inspect(client, recycler, t, phone_answers(), imei=imei)
    r = client.get(url, headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    assert client.get(url, headers=consumer.headers).status_code == 403
    assert client.get(url, headers=retailer.headers).status_code == 404


def test_the_pickup_domain_can_record_a_collection(session, consumer, recycler, retailer, table):
    from services.errors import Forbidden
    from services.tradeins import handling, quotes
    from services.tradeins.models import Status
    from services.tradeins.ports import Deps, NoPickups
    deps = Deps(pickups=NoPickups())
    t = quotes.create_quote(session, consumer.user, phone_quote(), deps)
    quotes.accept(session, consumer.user, t.id, {"handover": {"method": "pickup", "region_code": "140105",
                                                              "address": "小店区", "starts_at": t.expires_at},
                                                 "payout": {"method": "cash"}}, deps)
    assert t.handler_org_id is None
    handling.mark_collected(session, t.id, recycler.org_id)
    assert (t.status, t.handler_org_id) == (Status.IN_TRANSIT, recycler.org_id)
    with pytest.raises(Forbidden):
        handling.mark_collected(session, t.id, retailer.org_id)



def test_the_consumer_sees_the_wipe_certificate_of_their_device_and_not_an_earlier_owners(
        app, session, client, consumer, recycler, table):
    from tests.factories.certificates import certify, recycler_team
    from tests.factories.listings import imei as new_imei
    team = recycler_team(session)
    ring = app.extensions["huanxin.cert_keyring"]
    # The phone was wiped once for an earlier owner, before this trade-in began: not this
    # consumer's proof (a correction re-certifies it for them below).
    dev = new_imei()
    earlier = certify(session, ring, imei=dev, serial=None, team=team)
    t, _ = _quote(client, consumer, imei=dev)
    accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    inspect(client, recycler, t, phone_answers(), imei=dev)
    url = f"/api/v1/tradeins/{t['id']}"
    assert client.get(url, headers=consumer.headers).json["certificate"] is None
    # ... nor does it clear the phone for resale: this consumer's data was never wiped.
    r = client.get(f"{url}/resale-certificate", headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "wipe_certificate_required"
    assert r.json["rule"] == "CERTIFICATE_BEFORE_HANDOVER" and r.json["certificate_id"] == str(earlier.id)
    tech, validator, _ = team
    from tests.factories.certificates import intake, wipe_report
    intake(session, tech, imei=dev)
    r = client.post(f"/api/v1/certificates/{earlier.id}/corrections", headers=tech.headers,
                    json=wipe_report(validator.id, imeis=[dev], serial=None, as_json=True))
    assert r.status_code == 201, r.json
    cert = client.post(f"/api/v1/certificates/requests/{r.json['id']}/approve", headers=validator.headers).json
    shown = client.get(url, headers=consumer.headers).json["certificate"]
    assert (shown["id"], shown["status"], shown["verify_url"]) == (cert["id"], "valid", f"/verify/{cert['id']}")
    r = client.get(f"{url}/resale-certificate", headers=recycler.headers)
    assert r.status_code == 200 and r.json["certificate_id"] == cert["id"]
