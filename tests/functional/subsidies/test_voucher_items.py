"""One old ITEM backs one subsidised purchase: a pickup that collected several old items issues
one voucher listing them all, and it backs one purchase per item, of the item's kind (an old
phone identified by its IMEI takes that very phone). A purchase whose old item the voucher does
not list is refused 409 `voucher_other_item`; one more purchase than items of its kind 409
`voucher_already_used`. A typed number pickups never issued stays one purchase. The export flags
`voucher_reused` only where more purchases rest on a voucher than it lists items they can be."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select

from services.accounts.models import Role
from services.subsidies import reservations
from services.subsidies.models import VoucherClaim
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload, imei
from tests.factories.orders import publish
from tests.factories.pickups import fridge
from tests.factories.subsidies import ac_quote, phone_quote, reserve_sale, resident_id, sale_payload
from tests.factories.recycling_vouchers import book, collect, exported, ok

pytestmark = pytest.mark.usefixtures("fast_passwords")  # many accounts; passwords are not under test


def appliance(kind: str, old_kind: str | None = None) -> dict:
    old_kind = old_kind or kind
    return {"region": "141100", "date": "2025-06-01",
            "purchase": {"kind": kind, "price_fen": 300000, "energy_grade": 1},
            "trade_in": {"kind": old_kind, "handed_in": True}}


FRIDGE, WASHER, AC = appliance("refrigerator"), appliance("washing_machine"), ac_quote(date="2025-06-01")
PHONE = {**phone_quote(date="2025-06-10"), "trade_in": {"kind": "mobile_phone", "handed_in": True}}
WASHER_ITEM = {"category": "appliance", "kind": "washing_machine"}
AC_ITEM = {"category": "appliance", "kind": "air_conditioner"}


def phone_item(number: str) -> dict:
    return {"category": "electronics", "kind": "mobile_phone", "imei": number}


def reserve(client, retailer, invoice, quote, buyer=None, **old):
    body = sale_payload(quote=quote, invoice=invoice, buyer=buyer, **({"old_item": old} if old else {}))
    sale = ok(client.post("/api/v1/subsidies/sales", json=body, headers=retailer.headers), 201)
    return reserve_sale(client, retailer, sale["id"])


def reserved(client, retailer, invoice, quote, buyer=None, **old) -> str:
    return ok(reserve(client, retailer, invoice, quote, buyer, **old), 201)["id"]


def refused(r, code, field):
    assert r.status_code == 409 and r.mimetype == "application/problem+json", r.json
    assert r.json["code"] == code and list(r.json["errors"]) == [field], r.json


def act(client, actor, rid, action, **body):
    return ok(client.post(f"/api/v1/subsidies/reservations/{rid}/{action}", json=body, headers=actor.headers))


def held_slots(session, number: str) -> list[int]:
    rows = session.scalars(select(VoucherClaim.item_slot).where(VoucherClaim.voucher_key == number,
                                                               VoucherClaim.freed_at.is_(None))).all()
    session.rollback()
    return sorted(rows)


def test_a_fridge_and_a_washing_machine_back_one_purchase_of_each(client, session, retailer, recycler, voucher_offer,
                                                                 appliance_pool):
    owner_id = resident_id()
    owner = make_user(session, Role.CONSUMER, verified_id=owner_id)
    voucher = collect(client, recycler, book(client, owner, voucher_offer, [fridge(), WASHER_ITEM]), voucher_offer["facility"]["id"])
    number, other = voucher["number"], make_user(session, Role.RETAILER)
    fridge_rid = reserved(client, retailer, "FP-FRIDGE", FRIDGE, owner_id, recycling_voucher_no=number.lower())
    # The washing machine on the same voucher, at another retailer's till: its own item.
    washer_rid = reserved(client, other, "FP-WASHER", WASHER, owner_id, recycling_voucher_no=number)
    assert held_slots(session, number) == [0, 1]
    # A third purchase for a fridge: the voucher's one fridge already backs one.
    refused(reserve(client, retailer, "FP-FRIDGE-2", FRIDGE, recycling_voucher_no=number),
            "voucher_already_used", "old_item.recycling_voucher_no")
    # An old television the voucher does not list.
    refused(reserve(client, retailer, "FP-TV", appliance("television"), recycling_voucher_no=number),
            "voucher_other_item", "old_item.recycling_voucher_no")
    # Released (nothing sold): its fridge is free again, for a fridge only.
    act(client, retailer, fridge_rid, "release", reason="录错了")
    refused(reserve(client, retailer, "FP-WASHER-2", WASHER, recycling_voucher_no=number),
            "voucher_already_used", "old_item.recycling_voucher_no")
    fridge_rid = reserved(client, retailer, "FP-FRIDGE-3", FRIDGE, owner_id, recycling_voucher_no=number)
    for actor, rid in ((retailer, fridge_rid), (other, washer_rid)):
        act(client, actor, rid, "redeem")

    rows, table, _ = exported(client, retailer, "CN-2025-appliance")
    assert {k: v["recycling_voucher_conflict"] for k, v in rows.items()} == {"FP-FRIDGE-3": None}
    assert rows["FP-FRIDGE-3"]["recycling_voucher_status"] == "verified"
    rows, _, _ = exported(client, other, "CN-2025-appliance")
    assert rows["FP-WASHER"]["recycling_voucher_conflict"] is None


def test_two_air_conditioners_back_two_purchases(client, session, retailer, recycler, voucher_offer, appliance_pool):
    owner = make_user(session, Role.CONSUMER)
    number = collect(client, recycler, book(client, owner, voucher_offer, [AC_ITEM, AC_ITEM]),
                     voucher_offer["facility"]["id"])["number"]
    reserved(client, retailer, "FP-AC-1", AC, recycling_voucher_no=number)
    reserved(client, retailer, "FP-AC-2", AC, recycling_voucher_no=f" {number.lower()} ")
    refused(reserve(client, retailer, "FP-AC-3", AC, recycling_voucher_no=number),
            "voucher_already_used", "old_item.recycling_voucher_no")
    assert held_slots(session, number) == [0, 1]


def test_the_old_phones_imei_takes_that_phone(client, session, retailer, recycler, voucher_offer, digital_pool):
    owner = make_user(session, Role.CONSUMER)
    first, second = imei(), imei()
    number = collect(client, recycler, book(client, owner, voucher_offer, [phone_item(first), phone_item(second)]),
                     voucher_offer["facility"]["id"])["number"]
    # Found by the second phone: that one is taken, whatever the order of the voucher.
    reserved(client, retailer, "FP-SECOND", PHONE, device_id=second)
    assert held_slots(session, number) == [1]
    refused(reserve(client, retailer, "FP-SECOND-AGAIN", PHONE, recycling_voucher_no=number, device_id=second),
            "voucher_already_used", "old_item.recycling_voucher_no")
    # By number alone: a phone of the voucher's, the first free one.
    reserved(client, retailer, "FP-NUMBER", PHONE, recycling_voucher_no=number)
    assert held_slots(session, number) == [0, 1]
    refused(reserve(client, retailer, "FP-FIRST", PHONE, device_id=first), "voucher_already_used",
            "old_item.device_id")


def test_a_typed_number_stays_one_purchase(client, session, retailer, appliance_pool):
    reserved(client, retailer, "FP-TYPED-1", AC, recycling_voucher_no="RV-PAPER-7")
    refused(reserve(client, retailer, "FP-TYPED-2", AC, recycling_voucher_no="rv-paper-7"),
            "voucher_already_used", "old_item.recycling_voucher_no")


def test_an_orders_pickup_of_two_items_backs_the_order_and_one_more(client, session, retailer, recycler, operator,
                                                                    voucher_offer, appliance_pool):
    buyer_id = resident_id()
    buyer = make_user(session, Role.CONSUMER, verified_id=buyer_id)
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    order = ok(client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id), "subsidy": {k: FRIDGE[k] for k in ("region", "date", "trade_in")}}), 201)
    # 送新取旧 after the order's subsidy was reserved: the old fridge and the old washing machine.
    number = collect(client, recycler, book(client, retailer, voucher_offer, [WASHER_ITEM, fridge()],
                                            consumer_id=str(buyer.id), order_id=order["id"]),
                     voucher_offer["facility"]["id"])["number"]
    other = make_user(session, Role.RETAILER)
    # The order rests on the fridge (though it holds no claim yet): another fridge is refused ...
    refused(reserve(client, other, "FP-ORDER-FRIDGE", FRIDGE, recycling_voucher_no=number),
            "voucher_already_used", "old_item.recycling_voucher_no")
    # ... the washing machine is free; the order's reservation is given its fridge on the way.
    rid = reserved(client, other, "FP-ORDER-WASHER", WASHER, buyer_id, recycling_voucher_no=number)
    order_reservation = reservations.for_order(session, uuid.UUID(order["id"])).id
    claims = {c.reservation_id: c.item_slot for c in session.scalars(
        select(VoucherClaim).where(VoucherClaim.voucher_key == number, VoucherClaim.freed_at.is_(None)))}
    session.rollback()
    assert claims == {order_reservation: 1, uuid.UUID(rid): 0}
    act(client, other, rid, "redeem")
    ok(client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers))
    ok(client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers))
    rows, _, _ = exported(client, retailer, "CN-2025-appliance")
    assert rows[order["id"]]["recycling_voucher_conflict"] is None
    rows, _, _ = exported(client, other, "CN-2025-appliance")
    assert rows["FP-ORDER-WASHER"]["recycling_voucher_conflict"] is None


def test_the_export_counts_items_of_the_kind(client, session, retailer, recycler, operator, voucher_offer, appliance_pool):
    owner_id = resident_id()
    owner = make_user(session, Role.CONSUMER, verified_id=owner_id)

    def voucher(items):
        return collect(client, recycler, book(client, owner, voucher_offer, items), voucher_offer["facility"]["id"])["number"]

    def redeemed(invoice, quote, number):
        act(client, retailer, reserved(client, retailer, invoice, quote, owner_id, recycling_voucher_no=number),
            "redeem")

    pair, acs = voucher([fridge(), WASHER_ITEM]), voucher([AC_ITEM, AC_ITEM])
    redeemed("FP-PAIR-FRIDGE", FRIDGE, pair)
    redeemed("FP-PAIR-WASHER", WASHER, pair)
    redeemed("FP-AC-1", AC, acs)
    redeemed("FP-AC-2", AC, acs)
    # Reserved before the claims existed: a second fridge on the pair's voucher got through.
    session.execute(delete(VoucherClaim))
    session.commit()
    buyer_id = resident_id()
    act(client, retailer, reserved(client, retailer, "FP-PAIR-FRIDGE-2", FRIDGE, buyer_id, recycling_voucher_no=pair),
        "redeem")
    # An order's old fridge collected afterwards as a washing machine: its voucher lists no fridge.
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    order = ok(client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id), "subsidy": {k: FRIDGE[k] for k in ("region", "date", "trade_in")}}), 201)
    ok(client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers))
    ok(client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers))
    collect(client, recycler, book(client, retailer, voucher_offer, [WASHER_ITEM], consumer_id=str(buyer.id),
                                   order_id=order["id"]), voucher_offer["facility"]["id"])

    rows, table, _ = exported(client, retailer, "CN-2025-appliance")
    expected = {"FP-PAIR-FRIDGE": "voucher_reused", "FP-PAIR-FRIDGE-2": "voucher_reused", "FP-PAIR-WASHER": None,
                "FP-AC-1": None, "FP-AC-2": None, order["id"]: "voucher_other_item"}
    assert {k: v["recycling_voucher_conflict"] for k, v in rows.items()} == expected
    assert {k: v["recycling_voucher_conflict"] or None for k, v in table.items()} == expected
