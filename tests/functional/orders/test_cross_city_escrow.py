"""Trade across cities (issue 16 items 1-2), end to end over HTTP on PostgreSQL and stripe-mock:
the buyer pays by card, Alipay or WeChat Pay (collected at once and held by the platform), the
seller ships, the carrier's webhook reports the parcel, delivery starts the acceptance window, the
buyer accepts (or the window closes) and the seller is paid by a transfer of the payable minus the
fee in the order's transfer group; a disputed parcel ends in a refund. Cash runs offline beside
them. Each step's notifications are read from the feed."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import jobs as job_runner
from services.orders import jobs as orders_jobs
from services.payments import fees
from services.payments.models import Payment, SellerAccount
from tests.factories.app import make_app
from tests.factories.listings import fridge_payload
from tests.factories.orders import STRIPE_BASE, WEBHOOK_SECRET, Recording, event, intent_obj, post_event, publish, \
    stripe_gateway
from tests.factories.shipping import CARRIER_SECRETS, post_carrier_event, tracking_event

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture(scope="module")
def recorded():
    return Recording(stripe_gateway())


@pytest.fixture(scope="module")
def escrow_app(db_url, instance_dir, app, recorded):
    """Stripe (stripe-mock, every call recorded) and the carriers' webhook secrets in one app."""
    return make_app(db_url, instance_dir, STRIPE_API_KEY="sk_test_123", STRIPE_API_BASE=STRIPE_BASE,
                    STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, JOBS_INLINE=True, deps={"gateway": recorded},
                    **CARRIER_SECRETS)


@pytest.fixture
def client(escrow_app):
    return escrow_app.test_client()


def _calls(recorded, name, order_id):
    """The recorded gateway calls `name` that concern the order."""
    oid = str(order_id)
    out = []
    for n, args, kwargs in recorded.calls:
        if n != name:
            continue
        if (args and getattr(args[0], "order_id", None) == oid) or kwargs.get("order_id") == oid \
                or oid in str(kwargs.get("idempotency_key") or ""):
            out.append((args, kwargs))
    return out


def _kinds(client, who) -> list[str]:
    return [n["kind"] for n in client.get("/api/v1/notifications?limit=50", headers=who.headers).json["items"]]


def _payout_account(session, seller):
    session.add(SellerAccount(owner_user_id=seller.id, stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
                              charges_enabled=True, payouts_enabled=True, details_submitted=True, synced_event_at=0))
    session.commit()


def _place(client, session, buyer, seller, operator, method, fulfilment="shipped"):
    listing = publish(session, seller, operator, {**fridge_payload(), "shipping_fee_fen": 0})
    r = client.post("/api/v1/orders", headers=buyer.headers,
                    json={"listing_id": str(listing.id), "payment_method": method, "fulfilment": fulfilment,
                          **({"return_url": "https://huanxin.example/orders/done"} if method == "alipay" else {})})
    assert r.status_code == 201, r.json
    return r.json


def _pay_at_stripe(client, session, order):
    """What Stripe sends once the buyer paid (the wallet confirmed, or the card charged at once)."""
    pay = session.scalar(select(Payment).where(Payment.order_id == uuid.UUID(order["id"])))
    session.refresh(pay)
    succeeded = event("payment_intent.succeeded", intent_obj(
        pay, status="succeeded", capture_method="automatic", amount_received=pay.amount_fen,
        latest_charge=f"ch_{uuid.uuid4().hex[:20]}"))
    r = post_event(client, succeeded)
    assert r.status_code == 200 and r.json["outcome"] == "processed", r.json


def _ship_and_deliver(client, order, seller, frozen, number):
    r = client.post(f"/api/v1/orders/{order['id']}/shipments", headers=seller.headers,
                    json={"carrier": "sf", "tracking_number": number})
    assert r.status_code == 201, r.json
    t0 = frozen.now()
    for status, hours in (("in_transit", 6), ("out_for_delivery", 28), ("delivered", 30)):
        frozen.advance(timedelta(hours=hours) - (frozen.now() - t0))
        r = post_carrier_event(client, "sf", tracking_event(number, status, t0 + timedelta(hours=hours)))
        assert r.status_code == 200 and r.json["outcome"] == "applied", r.json


def _get(client, order, who):
    return client.get(f"/api/v1/orders/{order['id']}", headers=who.headers).json


NEXT = {"card": "confirm_card", "alipay": "alipay_handle_redirect", "wechat_pay": "wechat_pay_display_qr_code"}


@pytest.mark.parametrize("method,accepted_by", [("card", "buyer"), ("alipay", "buyer"), ("wechat_pay", "window")])
def test_a_cross_city_order_pays_ships_is_accepted_and_pays_the_seller(
        client, escrow_app, session, recorded, buyer, seller, operator, frozen, method, accepted_by):
    _payout_account(session, seller)
    order = _place(client, session, buyer, seller, operator, method)
    # The buyer is told what to do next; the money will be collected at once and held (escrow).
    assert order["payment_method"] == method and order["next_action"]["type"] == NEXT[method]
    assert order["next_action"]["client_secret"] and order["payment"]["capture_method"] == "automatic"
    assert _get(client, order, seller)["next_action"] is None   # the secret is the buyer's alone
    [(intent_req,), _] = _calls(recorded, "create_intent", order["id"])[0]
    assert intent_req.method == method and intent_req.capture_method == "automatic"

    _pay_at_stripe(client, session, order)
    paid = _get(client, order, buyer)
    assert paid["status"] == "paid_held" and paid["payment"]["status"] == "captured"
    assert paid["next_action"] == {"type": "none"}
    assert "order_paid" in _kinds(client, seller)

    _ship_and_deliver(client, order, seller, frozen, f"SF{uuid.uuid4().int % 10**13:013d}")
    delivered = _get(client, order, buyer)
    assert delivered["status"] == "handed_over" and delivered["accept_by"]
    assert {"shipped", "delivered"} <= set(_kinds(client, buyer))
    assert not _calls(recorded, "transfer", order["id"])   # nothing paid out before acceptance

    if accepted_by == "buyer":
        r = client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers)
        assert r.status_code == 200, r.json
    else:
        frozen.advance(timedelta(days=8))
        job_runner.run_job(escrow_app, job_runner.scheduled(orders_jobs.auto_capture))
    done = _get(client, order, buyer)
    assert done["status"] == "completed" and done["payment"]["captured_fen"] == order["payable_fen"]
    assert not _calls(recorded, "capture", order["id"])   # collected at payment: nothing to capture

    net = order["payable_fen"] - fees.fee(order["payable_fen"], order["platform_fee_bps"])
    [(_, transfer)] = _calls(recorded, "transfer", order["id"])
    assert transfer["order_id"] == order["id"] == intent_req.order_id   # one transfer group per order
    assert transfer["idempotency_key"] == f"huanxin-order-{order['id']}-transfer"
    [payout] = [p for p in client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"]
                if p["order_id"] == order["id"]]
    assert payout["status"] == "paid" and payout["transferred_fen"] == payout["net_fen"] == net
    assert "payout_sent" in _kinds(client, seller)


def test_a_disputed_parcel_ends_in_a_refund_of_the_held_money(client, session, recorded, buyer, seller, operator,
                                                              frozen):
    _payout_account(session, seller)
    order = _place(client, session, buyer, seller, operator, "alipay")
    _pay_at_stripe(client, session, order)
    _ship_and_deliver(client, order, seller, frozen, f"SF{uuid.uuid4().int % 10**13:013d}")
    r = client.post(f"/api/v1/orders/{order['id']}/disputes", headers=buyer.headers,
                    json={"reason": "not_as_described", "description": "screen cracked"})
    assert r.status_code == 201, r.json
    assert "dispute_opened" in _kinds(client, seller)
    r = client.post(f"/api/v1/disputes/{r.json['id']}/resolve", headers=operator.headers,
                    json={"outcome": "refund", "note": "photos show the crack"})
    assert r.status_code == 200, r.json
    o = _get(client, order, buyer)
    assert o["status"] == "refunded" and o["refunded_fen"] == order["payable_fen"], o
    assert o["payment"]["refunded_fen"] == o["payment"]["captured_fen"] == order["payable_fen"]
    [(refund_args, _)] = _calls(recorded, "refund", order["id"])
    assert refund_args[1] == order["payable_fen"]
    assert not _calls(recorded, "transfer", order["id"])
    assert "refunded" in _kinds(client, buyer)


def test_a_partial_refund_by_dispute_pays_the_seller_the_rest(client, session, recorded, buyer, seller, operator,
                                                              frozen):
    _payout_account(session, seller)
    order = _place(client, session, buyer, seller, operator, "wechat_pay")
    _pay_at_stripe(client, session, order)
    _ship_and_deliver(client, order, seller, frozen, f"SF{uuid.uuid4().int % 10**13:013d}")
    dispute = client.post(f"/api/v1/orders/{order['id']}/disputes", headers=buyer.headers,
                          json={"reason": "not_as_described"}).json
    r = client.post(f"/api/v1/disputes/{dispute['id']}/resolve", headers=operator.headers,
                    json={"outcome": "partial_refund", "amount_fen": 5000, "note": "a scratch"})
    assert r.status_code == 200, r.json
    o = _get(client, order, buyer)
    assert o["status"] == "completed" and o["refunded_fen"] == 5000 and o["attention"] is None, o
    kept = order["payable_fen"] - 5000
    [(_, transfer)] = _calls(recorded, "transfer", order["id"])
    # The transfer waited for the refund: the seller's share of what the buyer finally paid, once.
    assert transfer["order_id"] == order["id"]
    assert [a[1] for a, _ in _calls(recorded, "transfer", order["id"])] == [kept - fees.fee(kept, order["platform_fee_bps"])]
    assert not _calls(recorded, "reverse_transfer", order["id"])


def test_cancelling_before_shipping_returns_the_collected_money(client, session, recorded, buyer, seller, operator):
    order = _place(client, session, buyer, seller, operator, "card")
    _pay_at_stripe(client, session, order)
    r = client.post(f"/api/v1/orders/{order['id']}/cancel", headers=buyer.headers, json={"reason": "changed my mind"})
    assert r.status_code == 200 and r.json["status"] == "cancelled", r.json
    assert r.json["payment"]["refunded_fen"] == order["payable_fen"] and r.json["refunded_fen"] == order["payable_fen"]
    assert [a[1] for a, _ in _calls(recorded, "refund", order["id"])] == [order["payable_fen"]]


def test_cash_runs_offline_beside_stripe(client, session, recorded, buyer, seller, operator):
    order = _place(client, session, buyer, seller, operator, "cash", fulfilment="meetup")
    assert order["next_action"] == {"type": "pay_on_handover"} and order["payment"]["provider"] == "offline"
    assert order["platform_fee_bps"] == 0
    r = client.post(f"/api/v1/orders/{order['id']}/cash-received", headers=seller.headers)
    assert r.status_code == 200 and r.json["status"] == "handed_over", r.json
    r = client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    assert not [c for c in recorded.calls if order["id"] in str(c)]   # Stripe never heard of it


@pytest.mark.parametrize("body,field", [({"payment_method": "paypal"}, "payment_method"),
                                        ({"fulfilment": "drone"}, "fulfilment"),
                                        ({"payment_method": "alipay", "return_url": "not a url"}, "return_url")])
def test_a_bad_payment_choice_is_refused_field_by_field(client, session, buyer, seller, operator, body, field):
    listing = publish(session, seller, operator, {**fridge_payload(), "shipping_fee_fen": 0})
    r = client.post("/api/v1/orders", headers=buyer.headers, json={"listing_id": str(listing.id), **body})
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.json["errors"], r.json
