"""Shipping fees are part of the order, through HTTP with card payments (stripe-mock): a listing
declares its shipping terms once (fee, or free shipping), the buyer chooses meet-up or shipping at
placement, a buyer-paid fee is in what the card is asked for and a full refund gives it back, and a
seller-paid fee (包邮) comes out of the seller's payout."""
import pytest

from services.orders import service as orders
from services.orders.models import Order
from services.payments import fees
from tests.factories.listings import fridge_payload, publish_via_api
from tests.factories.orders import commit_and_relay, deliver, onboarded_payout_account, stripe_gateway

PRICE = 150000


def _listing(client, seller, operator, **terms):
    return publish_via_api(client, seller, operator, fridge_payload(price_fen=PRICE, **terms))


def _place(client, buyer, listing_id, **extra):
    return client.post("/api/v1/orders", headers=buyer.headers, json={"listing_id": listing_id, **extra})


def _paid_and_accepted(client, session, buyer, seller, order_id):
    """Authorised (as Stripe's webhook would say), shipped and delivered, accepted: captured and paid out."""
    order = session.get(Order, order_id)
    orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
    commit_and_relay(session, stripe_gateway())
    deliver(session, order, seller)
    session.commit()
    r = client.post(f"/api/v1/orders/{order_id}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    return r.json


def test_the_listing_declares_its_shipping_terms_once(stripe_client, seller, operator):
    lid = _listing(stripe_client, seller, operator, shipping_fee_fen=1500)
    body = stripe_client.get(f"/api/v1/listings/{lid}").json
    assert body["shipping_fee_fen"] == 1500 and body["free_shipping"] is False
    r = stripe_client.patch(f"/api/v1/listings/{lid}", headers=seller.headers, json={"shipping_fee_fen": -1})
    assert r.status_code == 422 and "shipping_fee_fen" in r.json["errors"]
    r = stripe_client.patch(f"/api/v1/listings/{lid}", headers=seller.headers,
                            json={"shipping_fee_fen": 2000, "free_shipping": True})
    assert r.status_code == 200, r.json
    body = stripe_client.get(f"/api/v1/listings/{lid}").json
    assert (body["shipping_fee_fen"], body["free_shipping"]) == (2000, True)   # on sale with the new terms
    plain = stripe_client.get(f"/api/v1/listings/{_listing(stripe_client, seller, operator)}").json
    assert plain["shipping_fee_fen"] is None and plain["free_shipping"] is False   # meet-up only


def test_a_buyer_paid_fee_is_in_the_payable_and_a_meetup_has_none(stripe_client, buyer, seller, operator):
    shipped = _place(stripe_client, buyer, _listing(stripe_client, seller, operator, shipping_fee_fen=1500),
                     fulfilment="shipped")
    assert shipped.status_code == 201, shipped.json
    o = shipped.json
    assert (o["fulfilment"], o["shipping_fee_fen"], o["shipping_paid_by"]) == ("shipped", 1500, "buyer")
    assert o["payable_fen"] == PRICE + 1500 and o["payment"]["amount_fen"] == PRICE + 1500
    meetup = _place(stripe_client, buyer, _listing(stripe_client, seller, operator, shipping_fee_fen=1500)).json
    assert (meetup["fulfilment"], meetup["shipping_fee_fen"], meetup["payable_fen"]) == ("meetup", 0, PRICE)


@pytest.mark.parametrize("choice,field", [("shipped", "fulfilment"), ("teleport", "fulfilment")])
def test_shipping_a_meetup_only_listing_is_refused(stripe_client, buyer, seller, operator, choice, field):
    r = _place(stripe_client, buyer, _listing(stripe_client, seller, operator), fulfilment=choice)
    assert r.status_code == 422 and field in r.json["errors"], r.json


def test_free_shipping_comes_out_of_the_sellers_payout(stripe_client, session, buyer, seller, operator, frozen):
    onboarded_payout_account(session, user_id=seller.id)
    r = _place(stripe_client, buyer, _listing(stripe_client, seller, operator, shipping_fee_fen=1200,
                                              free_shipping=True), fulfilment="shipped")
    o = r.json
    assert (o["shipping_fee_fen"], o["shipping_paid_by"], o["payable_fen"]) == (1200, "seller", PRICE)
    done = _paid_and_accepted(stripe_client, session, buyer, seller, o["id"])
    payout = stripe_client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"][0]
    fee = fees.fee(PRICE, done["platform_fee_bps"])
    assert (payout["gross_fen"], payout["fee_fen"], payout["net_fen"]) == (PRICE, fee, PRICE - fee - 1200), payout
    assert payout["status"] == "paid"


def test_a_buyer_paid_fee_pays_the_carrier_and_a_full_refund_returns_it(stripe_client, session, buyer, seller,
                                                                         operator, frozen):
    onboarded_payout_account(session, user_id=seller.id)
    o = _place(stripe_client, buyer, _listing(stripe_client, seller, operator, shipping_fee_fen=1500),
               fulfilment="shipped").json
    done = _paid_and_accepted(stripe_client, session, buyer, seller, o["id"])
    assert done["payment"]["captured_fen"] == PRICE + 1500
    payout = stripe_client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"][0]
    assert payout["gross_fen"] == PRICE   # the fee went to the carrier, not to the seller's gross
    r = stripe_client.post(f"/api/v1/orders/{o['id']}/refunds", headers=seller.headers, json={"reason": "退货"})
    assert r.status_code == 200, r.json
    after = stripe_client.get(f"/api/v1/orders/{o['id']}", headers=buyer.headers).json
    assert after["status"] == "refunded" and after["refunded_fen"] == PRICE + 1500, after
    assert after["payment"]["refunded_fen"] == PRICE + 1500


def test_the_parcel_carries_the_orders_shipping_terms(stripe_client, session, buyer, seller, operator, frozen):
    o = _place(stripe_client, buyer, _listing(stripe_client, seller, operator, shipping_fee_fen=1500),
               fulfilment="shipped").json
    order = session.get(Order, o["id"])
    orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
    commit_and_relay(session, stripe_gateway())
    r = stripe_client.post(f"/api/v1/orders/{o['id']}/shipments", headers=seller.headers,
                           json={"carrier": "sf", "tracking_number": "SF1234567890123"})
    assert r.status_code == 201, r.json
    parcel = r.json["shipments"][0]
    assert (parcel["shipping_fee_fen"], parcel["fee_payer"]) == (1500, "buyer")
