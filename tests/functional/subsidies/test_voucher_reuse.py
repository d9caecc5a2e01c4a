"""One old item backs one subsidised purchase, of any retailer: reserving on a one-item voucher
(or a typed number) another purchase already rests on is a 409 `voucher_already_used` naming the
field (a release frees the voucher, a claw-back does not), and the claim export flags what got
through (`recycling_voucher_conflict`: voucher_reused, voucher_other_person, voucher_other_item).
Vouchers listing several items: test_voucher_items.py."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete

from services.accounts.models import Role
from services.subsidies import reservations
from services.subsidies.models import VoucherClaim
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload, imei
from tests.factories.orders import publish
from tests.factories.pickups import fridge
from tests.factories.subsidies import phone_quote, reserve_sale, resident_id, sale_payload
from tests.factories.recycling_vouchers import book, collect, exported, ok

pytestmark = pytest.mark.usefixtures("fast_passwords")  # many accounts; passwords are not under test

PHONE = {**phone_quote(date="2025-06-10"), "trade_in": {"kind": "mobile_phone", "handed_in": True}}
FRIDGE = {"region": "141100", "date": "2025-06-01",
          "purchase": {"kind": "refrigerator", "price_fen": 300000, "energy_grade": 1},
          "trade_in": {"kind": "refrigerator", "handed_in": True}}
ORDER_QUOTE = {k: FRIDGE[k] for k in ("region", "date", "trade_in")}   # what is bought is the listing


def sale(client, retailer, invoice, quote=PHONE, buyer=None, **old) -> dict:
    body = sale_payload(quote=quote, invoice=invoice, buyer=buyer, **({"old_item": old} if old else {}))
    return ok(client.post("/api/v1/subsidies/sales", json=body, headers=retailer.headers), 201)


def act(client, actor, rid, action, **body):
    return ok(client.post(f"/api/v1/subsidies/reservations/{rid}/{action}", json=body, headers=actor.headers))


def refused(r, field):
    assert r.status_code == 409 and r.mimetype == "application/problem+json", r.json
    assert r.json["code"] == "voucher_already_used" and list(r.json["errors"]) == [field], r.json


@pytest.mark.smoke
def test_a_typed_number_backs_one_purchase_across_retailers(client, session, retailer, digital_pool):
    other = make_user(session, Role.RETAILER)
    first = sale(client, retailer, "FP-A", recycling_voucher_no=" rv-0088", recycler_name="吕梁再生资源")
    rid = ok(reserve_sale(client, retailer, first["id"]), 201)["id"]
    # Another retailer's till, the same paper voucher in other case and spacing.
    second = sale(client, other, "FP-B", recycling_voucher_no="RV-0088 ")
    refused(reserve_sale(client, other, second["id"]), "old_item.recycling_voucher_no")
    # Released (undone at the till, nothing sold): the voucher is free again.
    act(client, retailer, rid, "release", reason="wrong buyer")
    rid = ok(reserve_sale(client, other, second["id"]), 201)["id"]
    # Paid and returned: the new phone goes back, the old one stays recycled: the voucher stays spent.
    act(client, other, rid, "redeem")
    assert act(client, other, rid, "clawback", reason="退货")["status"] == "clawed_back"
    third = sale(client, retailer, "FP-C", recycling_voucher_no="rv-0088")
    refused(reserve_sale(client, retailer, third["id"]), "old_item.recycling_voucher_no")
    # A sale naming no voucher is never refused for it.
    assert reserve_sale(client, retailer, sale(client, retailer, "FP-D")["id"]).status_code == 201


def test_a_verified_voucher_found_by_number_or_old_device_is_one_purchase(client, session, retailer, recycler,
                                                                           digital_pool, voucher_offer):
    owner = make_user(session, Role.CONSUMER)
    phone = imei()
    voucher = collect(client, recycler, book(client, owner, voucher_offer, [
        {"category": "electronics", "kind": "mobile_phone", "imei": phone}]), voucher_offer["facility"]["id"])
    first = sale(client, retailer, "FP-NO", recycling_voucher_no=voucher["number"].lower())
    assert reserve_sale(client, retailer, first["id"]).status_code == 201
    # Another retailer records no number, but the same old phone: found through the collected item.
    other = make_user(session, Role.RETAILER)
    second = sale(client, other, "FP-DEV", device_id=phone)
    refused(reserve_sale(client, other, second["id"]), "old_item.device_id")


def test_an_orders_pickup_voucher_backs_that_order(client, session, retailer, recycler, operator, appliance_pool,
                                                    voucher_offer):
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    order = ok(client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id), "subsidy": ORDER_QUOTE}), 201)
    assert order["subsidy_fen"] == 60000
    # 送新取旧: the old fridge is collected for the order after the subsidy was reserved.
    voucher = collect(client, recycler, book(client, retailer, voucher_offer, [fridge()], consumer_id=str(buyer.id),
                                             order_id=order["id"]), voucher_offer["facility"]["id"])
    # Its number typed at another retailer's till: the order already rests on it.
    other = make_user(session, Role.RETAILER)
    till = sale(client, other, "FP-ORDER-VOUCHER", quote=FRIDGE, recycling_voucher_no=voucher["number"])
    refused(reserve_sale(client, other, till["id"]), "old_item.recycling_voucher_no")
    # The buyer undoes the order's subsidy before paying: the voucher is free and the till takes it ...
    res = str(reservations.for_order(session, uuid.UUID(order["id"])).id)
    session.rollback()
    act(client, buyer, res, "release", reason="不用补贴了")
    assert reserve_sale(client, other, till["id"]).status_code == 201
    # ... after which the order cannot reserve on it again.
    r = client.post("/api/v1/subsidies/reservations", headers=buyer.headers,
                    json={"order_id": order["id"], "quote_request": ORDER_QUOTE})
    refused(r, "order_id")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer.headers).json["subsidy_fen"] == 0


def test_the_export_flags_reuse_another_persons_voucher_and_another_item(client, session, retailer, recycler,
                                                                         digital_pool, voucher_offer):
    owner_id = resident_id()
    owner, stranger = make_user(session, Role.CONSUMER, verified_id=owner_id), make_user(session, Role.CONSUMER)

    def voucher(actor, items):
        return collect(client, recycler, book(client, actor, voucher_offer, items), voucher_offer["facility"]["id"])

    def phone(number=None):
        return [{"category": "electronics", "kind": "mobile_phone", "imei": number or imei()}]

    def redeemed(invoice, **kw):
        rid = ok(reserve_sale(client, retailer, sale(client, retailer, invoice, **kw)["id"]), 201)["id"]
        act(client, retailer, rid, "redeem")

    old_phone = imei()
    mine, theirs, fridges, shared = (voucher(owner, phone()), voucher(owner, phone()), voucher(stranger, [fridge()]),
                                     voucher(owner, phone(old_phone)))
    redeemed("FP-MINE", buyer=owner_id, recycling_voucher_no=mine["number"])
    redeemed("FP-THEIRS", recycling_voucher_no=theirs["number"])           # another verified person
    # An old phone on a fridge's voucher is refused now (the export's flag: test_voucher_items.py).
    on_fridges = sale(client, retailer, "FP-FRIDGE", recycling_voucher_no=fridges["number"])
    r = reserve_sale(client, retailer, on_fridges["id"])
    assert (r.status_code, r.json["code"]) == (409, "voucher_other_item"), r.json
    redeemed("FP-NONE")
    redeemed("FP-TYPED", recycling_voucher_no="RV-LEGACY")
    redeemed("FP-SHARED", recycling_voucher_no=shared["number"])
    rid = ok(reserve_sale(client, retailer, sale(client, retailer, "FP-RETURNED", recycling_voucher_no="RV-CB")["id"]),
             201)["id"]
    act(client, retailer, rid, "redeem")
    act(client, retailer, rid, "clawback", reason="退货")
    rid = ok(reserve_sale(client, retailer, sale(client, retailer, "FP-UNDONE", recycling_voucher_no="RV-FREE")["id"]),
             201)["id"]
    act(client, retailer, rid, "release", reason="录错了")
    redeemed("FP-FREED", recycling_voucher_no="rv-free")                   # a released purchase spends nothing
    # Purchases reserved before the claims existed (or on a voucher verified afterwards) were not
    # refused: the export still sees two purchases on one voucher, a returned one included.
    session.execute(delete(VoucherClaim))
    session.commit()
    redeemed("FP-AGAIN", recycling_voucher_no="rv-legacy ")
    redeemed("FP-SHARED-PHONE", device_id=old_phone)                       # the same voucher, by the old phone
    redeemed("FP-AFTER-RETURN", recycling_voucher_no="rv-cb")

    rows, table, text = exported(client, retailer, "CN-2025-digital")
    expected = {"FP-MINE": None, "FP-THEIRS": "voucher_other_person", "FP-NONE": None,
                "FP-TYPED": "voucher_reused", "FP-AGAIN": "voucher_reused",
                "FP-SHARED": "voucher_reused", "FP-SHARED-PHONE": "voucher_reused", "FP-FREED": None,
                "FP-AFTER-RETURN": "voucher_reused"}
    assert {k: v["recycling_voucher_conflict"] for k, v in rows.items()} == expected
    assert {k: v["recycling_voucher_conflict"] or None for k, v in table.items()} == expected
    assert rows["FP-THEIRS"]["recycling_voucher_status"] == "verified"
    assert rows["FP-MINE"]["recycling_voucher_status"] == "verified"
    assert owner.user.id_hash not in text and owner.user.id_hash not in str(rows) and old_phone not in text


def test_the_export_flags_an_orders_pickup_voucher_of_someone_else(client, session, retailer, recycler, operator,
                                                                   appliance_pool, voucher_offer):
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    neighbour = make_user(session, Role.CONSUMER, verified_id=resident_id())
    orders = []
    # The retailer books the old fridge's pickup for each order: the buyer's own, then the first
    # buyer's again for the neighbour's order.
    for orderer, consumer in ((buyer, buyer), (neighbour, buyer)):
        listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
        order = ok(client.post("/api/v1/orders", headers=orderer.headers, json={
            "listing_id": str(listing.id), "subsidy": ORDER_QUOTE}), 201)
        ok(client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers))
        ok(client.post(f"/api/v1/orders/{order['id']}/accept", headers=orderer.headers))
        collect(client, recycler, book(client, retailer, voucher_offer, [fridge()], consumer_id=str(consumer.id),
                                       order_id=order["id"]), voucher_offer["facility"]["id"])
        orders.append(order["id"])
    rows, table, _ = exported(client, retailer, "CN-2025-appliance")
    assert [rows[o]["recycling_voucher_conflict"] for o in orders] == [None, "voucher_other_person"]
    assert [table[o]["recycling_voucher_conflict"] for o in orders] == ["", "voucher_other_person"]
