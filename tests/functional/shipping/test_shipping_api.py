"""Shipping across cities through HTTP: the seller records a checked waybill, the carrier's signed
webhook moves the parcel (duplicates and late events change nothing), delivery starts the
acceptance window, the stand-in carrier moves the demo's parcels, and a missed shipping deadline
lets the buyer cancel in full."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import jobs
from services.credit.events import CreditEvent
from services.orders import jobs as order_jobs
from services.orders.models import OrderStatus as S
from services.shipping import jobs as shipping_jobs, tracking
from services.shipping.models import Shipment, TrackingStatus
from services.notifications.models import Notification
from services.orders.models import Order
from services.shipping.ports import TrackingEvent
from tests.factories.orders import order_in
from tests.factories.races import race
from tests.factories.shipping import post_carrier_event, tracking_event

SF = "SF1234567890123"


@pytest.fixture
def paid(session, buyer, seller, operator, frozen):
    return order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")


def _ship(client, order, seller, carrier="sf", number=SF, **extra):
    return client.post(f"/api/v1/orders/{order.id}/shipments", headers=seller.headers,
                       json={"carrier": carrier, "tracking_number": number, **extra})


@pytest.mark.parametrize("carrier,number,field", [
    ("dhl", SF, "carrier"), ("sf", "12345", "tracking_number"), ("yto", SF, "tracking_number"),
    ("ems", "EA12345678US", "tracking_number"), ("jd", "JD12", "tracking_number"),
])
def test_a_waybill_of_the_wrong_shape_is_refused_field_by_field(ship_client, paid, seller, carrier, number, field):
    r = _ship(ship_client, paid, seller, carrier, number)
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.json["errors"], r.json


def test_only_the_seller_ships_and_only_a_paid_order(ship_client, session, paid, buyer, seller, stranger, operator):
    assert _ship(ship_client, paid, buyer).status_code == 403
    assert _ship(ship_client, paid, stranger).status_code == 404
    unpaid = order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    r = _ship(ship_client, unpaid, seller, number="SF1234567890999")
    assert r.status_code == 409 and r.json["code"] == "order_not_shippable"


def test_the_seller_ships_and_the_buyer_is_told_in_the_feed_and_by_email(ship_client, paid, buyer, seller, inbox):
    r = _ship(ship_client, paid, seller, number="sf 1234-5678-90123", shipping_fee_fen=1200, fee_payer="buyer")
    assert r.status_code == 201, r.json
    parcel = r.json["shipments"][0]
    assert parcel["tracking_number"] == SF and parcel["status"] == "shipped" and parcel["carrier_name"] == "顺丰速运"
    assert parcel["shipping_fee_fen"] == 1200 and parcel["fee_payer"] == "buyer"
    assert r.json["order_status"] == "paid_held" and r.json["ship_by"]
    assert _ship(ship_client, paid, seller, number="SF1234567890124").status_code == 409   # one parcel per order
    feed = ship_client.get("/api/v1/notifications", headers=buyer.headers).json
    assert feed["unread_count"] == 1 and feed["items"][0]["kind"] == "shipped" and SF in feed["items"][0]["body"]
    english = ship_client.get("/api/v1/notifications?lang=en", headers=buyer.headers).json["items"][0]
    assert english["title"] == "Your item shipped" and "SF Express" in english["body"]
    assert [m["to"] for m in inbox.messages] == [[buyer.user.email]]
    assert "卖家已发货" in inbox.messages[0]["subject"] and SF in inbox.messages[0]["body"]


def test_tracking_events_move_the_parcel_and_delivery_starts_the_acceptance_window(
        ship_client, ship_app, session, paid, buyer, seller, frozen):
    assert _ship(ship_client, paid, seller).status_code == 201
    t0 = frozen.now()
    transit = tracking_event(SF, "in_transit", t0 + timedelta(hours=5), location="上海转运中心")
    assert post_carrier_event(ship_client, "sf", transit).json["outcome"] == "applied"
    assert post_carrier_event(ship_client, "sf", transit).json["outcome"] == "duplicate"   # a replay
    frozen.advance(timedelta(hours=30))
    delivered = tracking_event(SF, "delivered", t0 + timedelta(hours=30), location="太原")
    assert post_carrier_event(ship_client, "sf", delivered).json["outcome"] == "applied"
    late = tracking_event(SF, "out_for_delivery", t0 + timedelta(hours=20))   # sent before, arrives after
    assert post_carrier_event(ship_client, "sf", late).json["outcome"] == "stale"
    view = ship_client.get(f"/api/v1/orders/{paid.id}/shipments", headers=buyer.headers).json
    parcel = view["shipments"][0]
    assert parcel["status"] == "delivered" and view["order_status"] == "handed_over"
    assert [(e["status"], e["applied"]) for e in parcel["events"]] == [
        ("in_transit", True), ("out_for_delivery", False), ("delivered", True)]
    order = ship_client.get(f"/api/v1/orders/{paid.id}", headers=buyer.headers).json
    assert order["accept_by"] is not None and order["status"] == "handed_over"
    kinds = [n["kind"] for n in ship_client.get("/api/v1/notifications", headers=buyer.headers).json["items"]]
    assert kinds == ["delivered", "shipped"]
    # No acceptance and no dispute within the window: the existing auto-capture job accepts it.
    frozen.advance(timedelta(days=7, hours=1))
    assert jobs.run_job(ship_app, jobs.scheduled(order_jobs.auto_capture)) == 1
    assert ship_client.get(f"/api/v1/orders/{paid.id}", headers=buyer.headers).json["status"] == "completed"


def test_the_webhook_refuses_bad_signatures_stale_timestamps_and_unknown_carriers(ship_client, client, paid, seller):
    assert _ship(ship_client, paid, seller).status_code == 201
    event = tracking_event(SF, "in_transit", paid.paid_at + timedelta(hours=1))
    assert post_carrier_event(ship_client, "sf", event, secret="wrong").status_code == 400
    assert post_carrier_event(ship_client, "sf", event, ts=1_000_000_000).status_code == 400
    assert post_carrier_event(ship_client, "sf", event, signature="sha256=00").status_code == 400
    assert post_carrier_event(ship_client, "zto", event, secret="x").status_code == 404   # no secret set
    assert post_carrier_event(ship_client, "dhl", event, secret="x").status_code == 404
    assert post_carrier_event(client, "sf", event).status_code == 404   # the app without carrier secrets
    r = post_carrier_event(ship_client, "sf", {"event_id": "e1", "status": "teleported"})
    assert r.status_code == 422 and {"status", "tracking_number", "occurred_at"} <= set(r.json["errors"])
    assert post_carrier_event(ship_client, "sf", b"not json").status_code == 400
    unknown = tracking_event("SF9999999999999", "in_transit", paid.paid_at)
    assert post_carrier_event(ship_client, "sf", unknown).json["outcome"] == "unknown_shipment"


def test_the_stand_in_carrier_delivers_the_demo_parcel(ship_client, ship_app, paid, buyer, seller, frozen):
    assert _ship(ship_client, paid, seller, carrier="yto", number="YT1234567890123").status_code == 201
    frozen.advance(timedelta(hours=13))
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.poll_carrier)) == 2   # picked up, in transit
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.poll_carrier)) == 0   # nothing new
    frozen.advance(timedelta(hours=24))
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.poll_carrier)) == 2
    view = ship_client.get(f"/api/v1/orders/{paid.id}/shipments", headers=seller.headers).json
    assert view["shipments"][0]["status"] == "delivered" and view["order_status"] == "handed_over"


def test_a_missed_shipping_deadline_lets_the_buyer_cancel_in_full(ship_client, ship_app, session, paid, buyer, seller,
                                                                  frozen):
    listing_id = paid.listing_id
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.notify_missed_deadlines)) == 0
    url = f"/api/v1/orders/{paid.id}/cancel-unshipped"
    assert ship_client.post(url, headers=seller.headers).status_code == 403
    r = ship_client.post(url, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "shipping_deadline_not_passed"
    frozen.advance(timedelta(days=3, minutes=1))
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.notify_missed_deadlines)) == 1
    assert jobs.run_job(ship_app, jobs.scheduled(shipping_jobs.notify_missed_deadlines)) == 0   # told once
    told = ship_client.get("/api/v1/notifications?lang=en", headers=buyer.headers).json["items"][0]
    assert told["kind"] == "shipping_deadline_missed" and "full refund" in told["body"]
    r = ship_client.post(url, headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled", r.json
    assert r.json["payment"]["status"] in ("voided", "cancelled", "released"), r.json["payment"]
    assert ship_client.get(f"/api/v1/listings/{listing_id}").json["status"] == "published"
    events = session.scalars(select(CreditEvent).where(CreditEvent.ref_id == str(paid.id))).all()
    assert [(e.subject_id, e.kind) for e in events] == [(seller.user.id, "order_not_shipped")]
    assert ship_client.post(url, headers=buyer.headers).status_code == 409   # once


def test_a_shipped_order_cannot_be_cancelled_for_a_missed_deadline(ship_client, paid, buyer, seller, frozen):
    assert _ship(ship_client, paid, seller).status_code == 201
    frozen.advance(timedelta(days=4))
    r = ship_client.post(f"/api/v1/orders/{paid.id}/cancel-unshipped", headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "already_shipped"


def test_the_demo_command_moves_stand_in_parcels_to_delivery(ship_client, ship_app, paid, buyer, seller):
    assert _ship(ship_client, paid, seller, carrier="zto", number="731234567890").status_code == 201
    result = ship_app.test_cli_runner().invoke(args=["shipping", "advance", "--hours", "40"])
    assert result.exit_code == 0 and "applied 4 tracking events" in result.output, result.output
    view = ship_client.get(f"/api/v1/orders/{paid.id}/shipments", headers=buyer.headers).json
    assert view["shipments"][0]["status"] == "delivered" and view["order_status"] == "handed_over"
    kinds = [n["kind"] for n in ship_client.get("/api/v1/notifications", headers=buyer.headers).json["items"]]
    assert sorted(kinds) == ["delivered", "shipped"]


def test_concurrent_deliveries_of_the_same_and_of_older_events_settle_once(ship_client, ship_app, session, paid,
                                                                            buyer, seller, frozen):
    assert _ship(ship_client, paid, seller).status_code == 201
    t0 = frozen.now()
    delivered = TrackingEvent("d1", SF, TrackingStatus.DELIVERED, t0 + timedelta(hours=30))
    older = TrackingEvent("t1", SF, TrackingStatus.IN_TRANSIT, t0 + timedelta(hours=10))
    outcomes = race(ship_app, [lambda s: tracking.apply(s, "sf", delivered)] * 3
                    + [lambda s: tracking.apply(s, "sf", older)])
    assert sorted(outcomes[:3]) == ["applied", "duplicate", "duplicate"] and outcomes[3] in ("applied", "stale")
    session.expire_all()   # read what the racing sessions committed
    assert session.scalar(select(Shipment.status).where(Shipment.order_id == paid.id)) == TrackingStatus.DELIVERED
    assert session.get(Order, paid.id).status == S.HANDED_OVER
    kinds = session.scalars(select(Notification.kind).where(Notification.recipient_id == buyer.id)).all()
    assert sorted(kinds) == ["delivered", "shipped"]
