"""The return window (七天无理由 style, RETURN_WINDOW_DAYS, default 7), through HTTP: a shipped
order's buyer asks for a return (a dispute) within the window of the carrier's delivery report and
sends an agreed return within the window of the decision; past either, 409 `return_window_closed`
with the deadline. The order shows the deadline of the buyer's next return step (`return_deadline`,
UTC); none for meet-up orders or once the buyer accepted the item (escrow released)."""
from datetime import datetime, timedelta, timezone

import pytest

from services.orders.models import OrderStatus as S
from tests.factories.orders import order_in
from tests.factories.shipping import post_carrier_event, tracking_event

DELIVERED = datetime(2026, 6, 3, 6, 30, tzinfo=timezone.utc)
SF, BACK = "SF1234567890123", "YT1234567890123"


def _delivered_order(client, session, buyer, seller, operator, freeze):
    """A shipped order paid, shipped over HTTP and reported delivered by the carrier at DELIVERED."""
    freeze(DELIVERED - timedelta(days=2))
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    r = client.post(f"/api/v1/orders/{order.id}/shipments", headers=seller.headers,
                    json={"carrier": "sf", "tracking_number": SF})
    assert r.status_code == 201, r.json
    freeze(DELIVERED)
    assert post_carrier_event(client, "sf", tracking_event(SF, "delivered", DELIVERED)).json["outcome"] == "applied"
    return order


def _order(client, order, who):
    r = client.get(f"/api/v1/orders/{order.id}", headers=who.headers)
    assert r.status_code == 200, r.json
    return r.json


def _instant(text):
    return datetime.fromisoformat(text) if text else None


def _dispute(client, order, buyer):
    return client.post(f"/api/v1/orders/{order.id}/disputes", headers=buyer.headers,
                       json={"reason": "not_as_described", "description": "屏幕有划痕"})


def _closed(r, deadline):
    assert r.status_code == 409 and r.headers["Content-Type"].startswith("application/problem+json"), r.json
    assert r.json["code"] == "return_window_closed"
    assert _instant(r.json["return_deadline"]) == deadline and r.json["return_deadline"].endswith("+00:00")


def test_the_order_shows_the_deadline_and_a_return_is_asked_for_within_it(ship_client, session, buyer, seller,
                                                                           operator, freeze):
    order = _delivered_order(ship_client, session, buyer, seller, operator, freeze)
    body = _order(ship_client, order, buyer)
    deadline = DELIVERED + timedelta(days=7)
    assert body["status"] == "handed_over" and _instant(body["return_deadline"]) == deadline
    assert _order(ship_client, order, seller)["return_deadline"] == body["return_deadline"]   # both sides see it
    freeze(deadline)   # the last moment still counts
    r = _dispute(ship_client, order, buyer)
    assert r.status_code == 201, r.json


def test_past_the_window_the_return_is_refused_with_the_deadline(ship_client, session, buyer, seller, operator,
                                                                  freeze):
    order = _delivered_order(ship_client, session, buyer, seller, operator, freeze)
    freeze(DELIVERED + timedelta(days=7, seconds=1))
    _closed(_dispute(ship_client, order, buyer), DELIVERED + timedelta(days=7))
    assert _order(ship_client, order, buyer)["status"] == "handed_over"   # nothing frozen, no dispute


def test_the_window_is_a_setting(app_with, session, buyer, seller, operator, freeze):
    client = app_with(RETURN_WINDOW_DAYS=2, CARRIER_SECRET_SF="sf-test-secret").test_client()
    order = _delivered_order(client, session, buyer, seller, operator, freeze)
    deadline = DELIVERED + timedelta(days=2)
    body = _order(client, order, buyer)
    assert _instant(body["return_deadline"]) == deadline and _instant(body["accept_by"]) == DELIVERED + timedelta(days=7)
    freeze(DELIVERED + timedelta(days=3))
    _closed(_dispute(client, order, buyer), deadline)
    r = client.post(f"/api/v1/orders/{order.id}/accept", headers=buyer.headers)   # accepting still works
    assert r.status_code == 200 and r.json["status"] == "completed" and r.json["return_deadline"] is None


def test_an_agreed_return_is_sent_within_the_window_of_the_decision(ship_client, session, buyer, seller, operator,
                                                                     freeze):
    order = _delivered_order(ship_client, session, buyer, seller, operator, freeze)
    freeze(DELIVERED + timedelta(days=1))
    assert _dispute(ship_client, order, buyer).status_code == 201
    assert _order(ship_client, order, buyer)["return_deadline"] is None   # the operator decides next
    decided_at = DELIVERED + timedelta(days=9)   # after the ask window: the decision opens its own
    freeze(decided_at)
    dispute = ship_client.get("/api/v1/disputes", headers=operator.headers).json["items"][0]
    r = ship_client.post(f"/api/v1/disputes/{dispute['id']}/resolve", headers=operator.headers,
                         json={"outcome": "return", "note": "退货退款"})
    assert r.status_code == 200, r.json
    assert _instant(_order(ship_client, order, buyer)["return_deadline"]) == decided_at + timedelta(days=7)
    freeze(decided_at + timedelta(days=7, minutes=1))
    r = ship_client.post(f"/api/v1/orders/{order.id}/returns", headers=buyer.headers,
                         json={"carrier": "yto", "tracking_number": BACK})
    _closed(r, decided_at + timedelta(days=7))
    freeze(decided_at + timedelta(days=6))
    r = ship_client.post(f"/api/v1/orders/{order.id}/returns", headers=buyer.headers,
                         json={"carrier": "yto", "tracking_number": BACK})
    assert r.status_code == 201, r.json
    assert _order(ship_client, order, buyer)["return_deadline"] is None   # the step is done


@pytest.mark.parametrize("state", [S.HANDED_OVER, S.COMPLETED])
def test_no_return_window_on_a_meetup_order_or_after_acceptance(ship_client, session, buyer, seller, operator,
                                                                 freeze, state):
    freeze(DELIVERED)
    meetup = order_in(session, state, buyer=buyer, seller=seller, operator=operator)
    assert _order(ship_client, meetup, buyer)["return_deadline"] is None


def test_accepting_ends_the_return_window(ship_client, session, buyer, seller, operator, freeze):
    order = _delivered_order(ship_client, session, buyer, seller, operator, freeze)
    r = ship_client.post(f"/api/v1/orders/{order.id}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed" and r.json["return_deadline"] is None
    r = _dispute(ship_client, order, buyer)   # escrow released: no return path is left
    assert r.status_code == 409 and r.json["code"] == "dispute_not_allowed"
