"""A return after a dispute, through HTTP: an operator decides `return`, the buyer records the
parcel back (same carriers and waybill checks), the carrier's signed webhook moves it (replays and
late events change nothing), and its delivery to the seller refunds the buyer in full, once,
through the dispute refund path (a card hold released by a payment operation), telling both."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.notifications.models import Notification
from services.orders.models import Order, OrderStatus as S
from services.payments.models import PaymentOperation
from services.shipping import tracking
from services.shipping.models import TrackingStatus
from services.shipping.ports import TrackingEvent
from tests.factories.races import race
from tests.factories.orders import order_in, stripe_gateway
from tests.factories.shipping import post_carrier_event, tracking_event

BACK = "YT1234567890123"


@pytest.fixture
def disputed(session, buyer, seller, operator, frozen):
    return order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)


def _dispute_id(client, order, viewer):
    items = client.get("/api/v1/disputes", headers=viewer.headers).json["items"]
    return next(d["id"] for d in items if d["order_id"] == str(order.id))


def _decide(client, order, operator, outcome="return"):
    r = client.post(f"/api/v1/disputes/{_dispute_id(client, order, operator)}/resolve", headers=operator.headers,
                    json={"outcome": outcome, "note": "the item goes back", **(
                        {"amount_fen": 100} if outcome == "partial_refund" else {})})
    assert r.status_code == 200, r.json
    return r.json


def _send_back(client, order, who, carrier="yto", number=BACK):
    return client.post(f"/api/v1/orders/{order.id}/returns", headers=who.headers,
                       json={"carrier": carrier, "tracking_number": number})


def _kinds(client, who):
    return [n["kind"] for n in client.get("/api/v1/notifications?limit=100", headers=who.headers).json["items"]]


def test_a_return_is_sent_only_by_the_buyer_after_a_return_decision(ship_client, disputed, buyer, seller, stranger,
                                                                     operator):
    r = _send_back(ship_client, disputed, buyer)
    assert r.status_code == 409 and r.json["code"] == "return_not_agreed"   # still open
    decided = _decide(ship_client, disputed, operator)
    assert decided["outcome"] == "return" and decided["status"] == "resolved"
    assert ship_client.get(f"/api/v1/orders/{disputed.id}", headers=buyer.headers).json["status"] == "disputed"
    assert _send_back(ship_client, disputed, seller).status_code == 403
    assert _send_back(ship_client, disputed, stranger).status_code == 404
    r = _send_back(ship_client, disputed, buyer, carrier="yto", number="SF1234567890123")
    assert r.status_code == 422 and "tracking_number" in r.json["errors"]
    r = _send_back(ship_client, disputed, buyer, number="yt 1234567890123")
    assert r.status_code == 201, r.json
    parcel = r.json["shipments"][0]
    assert parcel["direction"] == "return" and parcel["tracking_number"] == BACK and parcel["status"] == "shipped"
    assert _send_back(ship_client, disputed, buyer, number="YT1234567890999").json["code"] == "shipment_exists"
    assert "return_shipped" in _kinds(ship_client, seller)


def test_other_decisions_allow_no_return(ship_client, session, buyer, seller, operator, frozen):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator)
    _decide(ship_client, order, operator, outcome="refund")
    r = _send_back(ship_client, order, buyer)
    assert r.status_code == 409 and r.json["code"] == "return_not_agreed"


def test_delivery_of_the_return_refunds_the_buyer_once(ship_client, session, disputed, buyer, seller, operator,
                                                        frozen):
    listing_id = disputed.listing_id
    _decide(ship_client, disputed, operator)
    assert _send_back(ship_client, disputed, buyer).status_code == 201
    t0 = frozen.now()
    transit = tracking_event(BACK, "in_transit", t0 + timedelta(hours=6))
    assert post_carrier_event(ship_client, "yto", transit).json["outcome"] == "applied"
    assert ship_client.get(f"/api/v1/orders/{disputed.id}", headers=buyer.headers).json["status"] == "disputed"
    frozen.advance(timedelta(hours=30))
    delivered = tracking_event(BACK, "delivered", t0 + timedelta(hours=30), location="卖家")
    assert post_carrier_event(ship_client, "yto", delivered).json["outcome"] == "applied"
    assert post_carrier_event(ship_client, "yto", delivered).json["outcome"] == "duplicate"
    again = tracking_event(BACK, "delivered", t0 + timedelta(hours=31), event_id="second-scan")
    assert post_carrier_event(ship_client, "yto", again).json["outcome"] == "stale"   # delivered is final
    late = tracking_event(BACK, "out_for_delivery", t0 + timedelta(hours=20))
    assert post_carrier_event(ship_client, "yto", late).json["outcome"] == "stale"
    order = ship_client.get(f"/api/v1/orders/{disputed.id}", headers=buyer.headers).json
    assert order["status"] == "refunded", order
    assert ship_client.get(f"/api/v1/listings/{listing_id}").json["status"] == "published"   # back on sale
    view = ship_client.get(f"/api/v1/orders/{disputed.id}/shipments", headers=seller.headers).json
    assert [(p["direction"], p["status"]) for p in view["shipments"]] == [("return", "delivered")]
    assert _kinds(ship_client, buyer).count("return_delivered") == 1
    assert _kinds(ship_client, seller).count("return_delivered") == 1
    told = ship_client.get("/api/v1/notifications?lang=en", headers=buyer.headers).json["items"][0]
    assert told["kind"] == "return_delivered" and "refunded to the buyer in full" in told["body"]


def test_a_late_in_transit_before_delivery_never_refunds(ship_client, disputed, buyer, operator, frozen):
    _decide(ship_client, disputed, operator)
    assert _send_back(ship_client, disputed, buyer).status_code == 201
    t0 = frozen.now()
    for status, hours in (("out_for_delivery", 20), ("in_transit", 6)):   # the older one arrives last
        post_carrier_event(ship_client, "yto", tracking_event(BACK, status, t0 + timedelta(hours=hours)))
    assert ship_client.get(f"/api/v1/orders/{disputed.id}", headers=buyer.headers).json["status"] == "disputed"


def test_a_card_hold_is_released_through_a_payment_operation_on_delivery(ship_stripe_app, session, buyer, seller,
                                                                          operator, frozen):
    client = ship_stripe_app.test_client()
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    _decide(client, order, operator)
    assert _send_back(client, order, buyer).status_code == 201
    delivered = tracking_event(BACK, "delivered", frozen.now() + timedelta(hours=30))
    assert post_carrier_event(client, "yto", delivered).json["outcome"] == "applied"
    body = client.get(f"/api/v1/orders/{order.id}", headers=buyer.headers).json
    assert body["status"] == "refunded" and body["refunded_fen"] == order.payable_fen, body
    session.expire_all()
    ops = session.scalars(select(PaymentOperation.kind).where(PaymentOperation.order_id == order.id)).all()
    assert ops.count("cancel") == 1


def test_concurrent_delivery_reports_of_a_return_refund_once(ship_client, ship_app, session, disputed, buyer, seller,
                                                              operator, frozen):
    _decide(ship_client, disputed, operator)
    assert _send_back(ship_client, disputed, buyer).status_code == 201
    t0 = frozen.now()
    delivered = TrackingEvent("r-d1", BACK, TrackingStatus.DELIVERED, t0 + timedelta(hours=30))
    rescan = TrackingEvent("r-d2", BACK, TrackingStatus.DELIVERED, t0 + timedelta(hours=31))
    outcomes = race(ship_app, [lambda s: tracking.apply(s, "yto", delivered)] * 3
                    + [lambda s: tracking.apply(s, "yto", rescan)])
    # One delivery wins; the same event again is a duplicate, the other scan finds it delivered (stale).
    assert outcomes.count("applied") == 1 and set(outcomes) <= {"applied", "duplicate", "stale"}
    session.expire_all()
    assert session.get(Order, disputed.id).status == S.REFUNDED
    notes = session.scalars(select(Notification.recipient_id).where(Notification.kind == "return_delivered")).all()
    assert sorted(map(str, notes)) == sorted([str(buyer.id), str(seller.id)])
