"""The claim export proves the old item was recycled with the vouchers the pickups domain issued:
found by the number recorded at the till, by the order's 送新取旧 pickup, or by the old device;
the recycler, collection time and facility come from the voucher, the wipe certificate of a
collected phone and a car's scrap certificate too. What the till typed alone is `recorded`;
nothing at all is `missing`. Identifiers stay masked."""
from __future__ import annotations

import datetime as dt

import pytest

from services.accounts.models import Role
from tests.factories.accounts import make_user
from tests.factories.certificates import certify
from tests.factories.listings import fridge_payload, imei, vin
from tests.factories.orders import publish
from tests.factories.pickups import collector, facility, put_offer
from tests.factories.subsidies import open_pool, phone_quote, reserve_sale, resident_id, sale_payload
from tests.factories.recycling_vouchers import book, collect, exported, ok

pytestmark = pytest.mark.usefixtures("fast_passwords")  # many accounts; passwords are not under test


def same_instant(shown: str, utc: str) -> bool:
    """JSON rows keep UTC; the CSV file shows China Standard Time (+08:00), to the second."""
    a, b = dt.datetime.fromisoformat(shown), dt.datetime.fromisoformat(utc)
    return a.replace(microsecond=0) == b.replace(microsecond=0) and shown.endswith(("+08:00", "+00:00"))


def test_order_pickup_voucher_is_verified(client, session, retailer, recycler, operator, voucher_offer):
    open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    r = client.post("/api/v1/orders", headers=buyer.headers, json={
        "listing_id": str(listing.id),
        "subsidy": {"region": "141100", "date": "2025-06-01", "trade_in": {"kind": "refrigerator", "handed_in": True}}})
    order = ok(r, 201)
    assert order["subsidy_fen"] == 60000
    ok(client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=retailer.headers))
    assert ok(client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers))["status"] == "completed"
    # 送新取旧: the retailer books the old fridge's pickup for the buyer and the order.
    pickup = book(client, retailer, voucher_offer, [{"category": "appliance", "kind": "refrigerator"}],
                  consumer_id=str(buyer.id), order_id=order["id"])
    voucher = collect(client, recycler, pickup, voucher_offer["facility"]["id"])

    rows, table, _ = exported(client, retailer, "CN-2025-appliance")
    for row in (rows[order["id"]], table[order["id"]]):
        assert row["recycling_voucher_status"] == "verified"
        assert row["recycling_voucher_no"] == voucher["number"] and row["recycler"] == voucher["recycler"]["name"]
        assert row["recycling_facility"] == "小店回收站" and row["recycling_facility_tier"] == "collection_point"
        assert same_instant(row["recycled_at"], voucher["collected_at"])
        assert row["source"] == "order" and row["old_item_kind"] == "refrigerator"
        assert not row["recycling_voucher_conflict"]            # the buyer's own fridge, one purchase
    assert rows[order["id"]]["scrap_certificate_no"] is None and table[order["id"]]["scrap_certificate_no"] == ""


def test_till_sales_verified_by_number_or_old_phone_recorded_and_missing(app, client, session, retailer, recycler,
                                                                        operator, voucher_offer):
    open_pool(client, operator, "CN-2025-digital", "110000", 10_000_000)
    owner = make_user(session, Role.CONSUMER)
    first_phone, second_phone = imei(), imei()
    pickup = book(client, owner, voucher_offer, [{"category": "electronics", "kind": "mobile_phone", "imei": first_phone}])
    voucher = collect(client, recycler, pickup, voucher_offer["facility"]["id"])
    pickup = book(client, owner, voucher_offer, [{"category": "electronics", "kind": "mobile_phone", "imei": second_phone}])
    second_voucher = collect(client, recycler, pickup, voucher_offer["facility"]["id"])
    cert = certify(session, app.extensions["huanxin.cert_keyring"], imei=first_phone, serial=None)
    phone_trade_in = {"kind": "mobile_phone", "handed_in": True}

    def redeemed(invoice, **old):
        body = sale_payload(quote={**phone_quote(date="2025-06-10"), "trade_in": phone_trade_in},
                            invoice=invoice, **({"old_item": old} if old else {}))
        sale = ok(client.post("/api/v1/subsidies/sales", json=body, headers=retailer.headers), 201)
        rid = ok(reserve_sale(client, retailer, sale["id"]), 201)["id"]
        ok(client.post(f"/api/v1/subsidies/reservations/{rid}/redeem", headers=retailer.headers))

    # The till typed the real number (in lower case) and a wrong recycler name: the voucher wins.
    redeemed("FP-NUMBER", recycling_voucher_no=voucher["number"].lower(), recycler_name="随手写的回收站")
    # No number, but the old phone's IMEI: found through the collected item.
    redeemed("FP-DEVICE", device_id=second_phone)
    # A number pickups never issued: only what the till recorded.
    redeemed("FP-TYPED", recycling_voucher_no="RV-88", recycler_name="吕梁再生资源")
    redeemed("FP-NONE")

    rows, table, text = exported(client, retailer, "CN-2025-digital")
    for got in (rows, table):
        by_number, by_device, typed, none = (got[k] for k in ("FP-NUMBER", "FP-DEVICE", "FP-TYPED", "FP-NONE"))
        assert (by_number["recycling_voucher_status"], by_number["recycling_voucher_no"], by_number["recycler"]) == (
            "verified", voucher["number"], voucher["recycler"]["name"])
        assert by_number["recycling_facility"] == "小店回收站" and same_instant(by_number["recycled_at"], voucher["collected_at"])
        # The certificate of the phone the recycler collected, though the till recorded none.
        assert (by_number["wipe_certificate_id"], by_number["wipe_certificate_status"]) == (str(cert.id), "valid")
        assert (by_device["recycling_voucher_status"], by_device["recycling_voucher_no"]) == (
            "verified", second_voucher["number"])
        assert not by_device["wipe_certificate_id"]          # that phone was never certified
        assert (typed["recycling_voucher_status"], typed["recycling_voucher_no"], typed["recycler"]) == (
            "recorded", "RV-88", "吕梁再生资源")
        assert not typed["recycled_at"] and not typed["recycling_facility"]
        assert none["recycling_voucher_status"] == "missing" and not none["recycling_voucher_no"]
    assert first_phone not in text and second_phone not in text
    assert first_phone not in str(rows) and second_phone not in str(rows)


def test_scrapped_car_voucher_carries_the_scrap_certificate(client, retailer, recycler, operator, consumer):
    open_pool(client, operator, "CN-2025-vehicle-scrappage", "110000", 100_000_000)
    put_offer(client, recycler, kinds=["vehicle"], dismantler_licence_no="晋A-拆-001")
    o = ok(client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/authorisation",
                       json={"authorised_dismantler": True}, headers=operator.headers))
    yard = facility(client, recycler, tier="dismantler", name="太原报废车拆解厂")
    collector(client, recycler)
    old_car = vin()
    pickup = book(client, consumer, o, [{"category": "vehicle", "kind": "passenger_car", "vin": old_car}])
    voucher = collect(client, recycler, pickup, yard["id"])
    ok(client.patch(f"/api/v1/recycling-vouchers/{voucher['id']}/vehicle", headers=recycler.headers, json={
        "scrap_certificate_no": "BF1401002026000123", "deregistered_at": "2026-12-01T10:00:00+08:00"}))
    quote = {"region": "110105", "date": "2025-06-15",
             "purchase": {"kind": "passenger_car", "price_fen": 15000000, "powertrain": "bev",
                          "in_purchase_tax_exemption_catalog": True},
             "trade_in": {"kind": "passenger_car", "disposal": "scrap", "powertrain": "gasoline",
                          "first_registration_date": "2010-01-01", "registered_to_applicant_since": "2012-01-01"}}
    body = sale_payload(quote=quote, invoice="FP-CAR", device_id=vin(), brand="BYD", model="Seal",
                        old_item={"device_id": old_car})
    sale = ok(client.post("/api/v1/subsidies/sales", json=body, headers=retailer.headers), 201)
    rid = ok(reserve_sale(client, retailer, sale["id"]), 201)["id"]
    ok(client.post(f"/api/v1/subsidies/reservations/{rid}/redeem", headers=retailer.headers))

    rows, table, text = exported(client, retailer, "CN-2025-vehicle-scrappage")
    for row in (rows["FP-CAR"], table["FP-CAR"]):
        assert (row["recycling_voucher_status"], row["recycling_voucher_no"]) == ("verified", voucher["number"])
        assert row["recycling_facility"] == "太原报废车拆解厂" and row["recycling_facility_tier"] == "dismantler"
        assert row["scrap_certificate_no"] == "BF1401002026000123"
        assert same_instant(row["vehicle_deregistered_at"], "2026-12-01T02:00:00+00:00")
    assert old_car not in text and old_car not in str(rows)
