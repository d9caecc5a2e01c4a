"""Till sales and the reservation lifecycle through the HTTP API: reserve, redeem, release,
claw back; per-person quota; budget pools; snapshots; authorisation."""
from __future__ import annotations

import pytest

from tests.factories.accounts import make_user
from tests.factories.subsidies import ac_quote, open_pool, phone_quote, record_sale, reserve_sale, resident_id, sale_payload


def act(client, actor, rid, action, **body):
    return client.post(f"/api/v1/subsidies/reservations/{rid}/{action}", json=body, headers=actor.headers)


def pool_state(client, operator, pool_id):
    [pool] = [p for p in client.get("/api/v1/subsidies/pools", headers=operator.headers).json if p["id"] == pool_id]
    return pool["reserved_fen"], pool["redeemed_fen"], pool["remaining_fen"]


def test_till_sale_records_hashes_and_masks(client, retailer):
    payload = sale_payload()
    r = client.post("/api/v1/subsidies/sales", json=payload, headers=retailer.headers)
    assert r.status_code == 201, r.json
    text = r.get_data(as_text=True)
    assert payload["buyer_id_number"] not in text and payload["device_id"] not in text
    assert r.json["buyer_masked"] == "****" + payload["buyer_id_number"][-4:]
    assert r.json["device_masked"] == "****" + payload["device_id"][-4:]
    assert client.get(r.headers["Location"], headers=retailer.headers).status_code == 200


@pytest.mark.parametrize("change,field", [
    ({"buyer_id_number": "141102199001011234"}, "buyer_id_number"),   # bad check character
    ({"device_id": "860000000000001"}, "device_id"),                  # bad IMEI
    ({"invoice_no": ""}, "invoice_no"),
    ({"purchase": {"kind": "mobile_phone", "price_fen": -1}}, "purchase.price_fen"),
    ({"region": "990000"}, "region"),
])
def test_till_sale_bad_input(client, retailer, change, field):
    r = client.post("/api/v1/subsidies/sales", json=sale_payload(**change), headers=retailer.headers)
    assert r.status_code == 422 and field in r.json["errors"], r.json


def test_till_sale_authorisation(client, session, consumer, retailer):
    assert client.post("/api/v1/subsidies/sales", json=sale_payload()).status_code == 401
    assert client.post("/api/v1/subsidies/sales", json=sale_payload(), headers=consumer.headers).status_code == 403
    sale = record_sale(client, retailer)
    other = make_user(session, "retailer")
    assert client.get(f"/api/v1/subsidies/sales/{sale['id']}", headers=other.headers).status_code == 404
    assert reserve_sale(client, other, sale["id"]).status_code == 404


def test_duplicate_invoice_is_409(client, retailer):
    record_sale(client, retailer, invoice="FP-001")
    r = client.post("/api/v1/subsidies/sales", json=sale_payload(invoice="FP-001"), headers=retailer.headers)
    assert r.status_code == 409 and r.json["code"] == "duplicate_invoice"


@pytest.mark.smoke
def test_reserve_redeem_and_pool_accounting(client, retailer, operator, phone_pool):
    sale = record_sale(client, retailer)
    r = reserve_sale(client, retailer, sale["id"])
    assert r.status_code == 201, r.json
    res = r.json
    assert res["status"] == "reserved" and res["total_fen"] == 45000
    [line] = res["lines"]
    assert (line["programme"], line["rule"], line["basis_fen"], line["amount_fen"]) == (
        "CN-2025-digital", "standard", 300000, 45000)
    assert pool_state(client, operator, phone_pool["id"]) == (45000, 0, 405000)
    assert reserve_sale(client, retailer, sale["id"]).json["code"] == "already_reserved"
    r = act(client, retailer, res["id"], "redeem")
    assert r.status_code == 200 and r.json["status"] == "redeemed"
    assert pool_state(client, operator, phone_pool["id"]) == (0, 45000, 405000)
    r = act(client, retailer, res["id"], "release")
    assert r.status_code == 409 and r.json["allowed"] == ["clawback"]


def test_release_frees_money_and_quota(client, retailer, operator, phone_pool):
    buyer = resident_id()
    first = record_sale(client, retailer, buyer=buyer)
    rid = reserve_sale(client, retailer, first["id"]).json["id"]
    second = record_sale(client, retailer, buyer=buyer, quote=phone_quote(date="2025-07-01"))
    r = reserve_sale(client, retailer, second["id"])
    assert r.status_code == 409 and r.json["code"] == "not_eligible"     # a second phone in 2025
    assert r.json["ineligible"][0]["code"] == "PER_PERSON_LIMIT_REACHED"
    assert act(client, retailer, rid, "release", reason="order cancelled").json["status"] == "released"
    assert pool_state(client, operator, phone_pool["id"]) == (0, 0, 450000)
    assert reserve_sale(client, retailer, second["id"]).status_code == 201  # the slot is free again


@pytest.mark.smoke
def test_clawback_returns_money_but_keeps_the_slot(client, retailer, operator, phone_pool):
    buyer = resident_id()
    first = record_sale(client, retailer, buyer=buyer)
    rid = reserve_sale(client, retailer, first["id"]).json["id"]
    act(client, retailer, rid, "redeem")
    r = act(client, retailer, rid, "clawback", reason="returned within 7 days")
    assert r.status_code == 200 and r.json["status"] == "clawed_back" and r.json["slot_consumed"] is True
    assert pool_state(client, operator, phone_pool["id"]) == (0, 0, 450000)
    again = record_sale(client, retailer, buyer=buyer, quote=phone_quote(date="2025-08-01"))
    r = reserve_sale(client, retailer, again["id"])
    assert r.status_code == 409 and r.json["ineligible"][0]["code"] == "PER_PERSON_LIMIT_REACHED"
    assert act(client, retailer, rid, "redeem").status_code == 409


def test_fourth_air_conditioner_is_refused(client, retailer, appliance_pool):
    buyer = resident_id()
    for day in ("2025-03-01", "2025-04-01", "2025-05-01"):
        sale = record_sale(client, retailer, buyer=buyer, quote=ac_quote(date=day))
        assert reserve_sale(client, retailer, sale["id"]).status_code == 201
    fourth = record_sale(client, retailer, buyer=buyer, quote=ac_quote(date="2025-06-01"))
    r = reserve_sale(client, retailer, fourth["id"])
    assert r.status_code == 409 and r.json["ineligible"][0]["code"] == "PER_PERSON_LIMIT_REACHED"


def test_no_pool_and_exhausted_pool(client, retailer, operator):
    sale = record_sale(client, retailer)
    r = reserve_sale(client, retailer, sale["id"])
    assert r.status_code == 409 and r.json["code"] == "no_pool"
    pool = open_pool(client, operator, "CN-2025-digital", "110105", 50000)  # a district pool: one phone
    assert reserve_sale(client, retailer, sale["id"]).status_code == 201
    other = record_sale(client, retailer)
    r = reserve_sale(client, retailer, other["id"])
    assert r.status_code == 409 and r.json["code"] == "budget_exhausted"
    assert pool_state(client, operator, pool["id"]) == (45000, 0, 5000)


def test_pool_budget_cannot_drop_below_commitments(client, retailer, operator, phone_pool):
    reserve_sale(client, retailer, record_sale(client, retailer)["id"])
    r = client.patch(f"/api/v1/subsidies/pools/{phone_pool['id']}", json={"budget_fen": 1000},
                     headers=operator.headers)
    assert r.status_code == 422 and "budget_fen" in r.json["errors"]


def test_pools_are_for_operators(client, retailer, consumer):
    body = {"programme": "CN-2025-digital", "region": "110000", "budget_fen": 100}
    assert client.post("/api/v1/subsidies/pools", json=body, headers=retailer.headers).status_code == 403
    assert client.get("/api/v1/subsidies/pools", headers=consumer.headers).status_code == 403
    assert client.get("/api/v1/subsidies/pools").status_code == 401


def test_pool_bad_input(client, operator):
    for body, field in [({"programme": "CN-1999-x", "region": "110000", "budget_fen": 1}, "programme"),
                        ({"programme": "CN-2025-digital", "region": "119999", "budget_fen": 1}, "region"),
                        ({"programme": "CN-2025-digital", "region": "110000", "budget_fen": 0}, "budget_fen")]:
        r = client.post("/api/v1/subsidies/pools", json=body, headers=operator.headers)
        assert r.status_code == 422 and field in r.json["errors"], r.json


def test_snapshot_survives_a_programme_change(client, retailer, phone_pool, monkeypatch):
    rid = reserve_sale(client, retailer, record_sale(client, retailer)["id"]).json["id"]
    from dataclasses import replace
    from services.subsidies import catalogue as cat_mod
    from subsidies import Catalogue
    from subsidies.model import Amount
    old = cat_mod.catalogue()
    changed = [replace(p, rules=tuple(replace(r, amount=Amount("fixed", amount_fen=1)) for r in p.rules))
               if p.id == "CN-2025-digital" else p for p in old.programmes]
    monkeypatch.setattr(cat_mod, "catalogue", lambda: Catalogue(changed))
    r = act(client, retailer, rid, "redeem")
    assert r.status_code == 200 and r.json["lines"][0]["amount_fen"] == 45000 and r.json["total_fen"] == 45000


def test_buyer_reads_reservation_but_cannot_move_it(client, session, retailer, phone_pool):
    id_number = resident_id()
    buyer = make_user(session, "consumer", verified_id=id_number)
    rid = reserve_sale(client, retailer, record_sale(client, retailer, buyer=id_number)["id"]).json["id"]
    # Till sales are keyed by the ID hash, not by an account: the buyer sees it only when it is an order.
    assert client.get(f"/api/v1/subsidies/reservations/{rid}", headers=buyer.headers).status_code == 404
    assert act(client, buyer, rid, "redeem").status_code == 404
    assert client.get(f"/api/v1/subsidies/reservations/{rid}", headers=retailer.headers).status_code == 200


def test_unknown_order_is_404(client, retailer):
    import uuid
    r = client.post("/api/v1/subsidies/reservations", json={"order_id": str(uuid.uuid4())}, headers=retailer.headers)
    assert r.status_code == 404
    r = client.post("/api/v1/subsidies/reservations", json={}, headers=retailer.headers)
    assert r.status_code == 422
