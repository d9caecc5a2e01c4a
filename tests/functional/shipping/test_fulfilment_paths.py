"""An order keeps the fulfilment chosen at placement, through HTTP: a meet-up order is never shipped
(no waybill, no shipping deadline, no cancel for a missed one) and a shipped order is never handed
over in person (its handover is the carrier's delivery report)."""
from datetime import timedelta

import pytest

from services.orders.models import OrderStatus as S
from tests.factories.listings import fridge_payload
from tests.factories.orders import order_in, publish

SF = "SF1234567890123"


def _problem(r, status, code):
    assert r.status_code == status, r.json
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["code"] == code, r.json


def _status(client, order, who):
    return client.get(f"/api/v1/orders/{order.id}", headers=who.headers).json["status"]


def test_a_meetup_order_refuses_a_waybill(ship_client, session, buyer, seller, operator, frozen):
    meetup = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator)
    r = ship_client.post(f"/api/v1/orders/{meetup.id}/shipments", headers=seller.headers,
                         json={"carrier": "sf", "tracking_number": SF})
    _problem(r, 409, "not_a_shipped_order")
    listed = ship_client.get(f"/api/v1/orders/{meetup.id}/shipments", headers=buyer.headers).json
    assert listed["shipments"] == [] and listed["ship_by"] is None   # no shipping deadline runs
    frozen.advance(timedelta(days=10))
    _problem(ship_client.post(f"/api/v1/orders/{meetup.id}/cancel-unshipped", headers=buyer.headers),
             409, "not_a_shipped_order")
    # The meet-up path still works: the seller hands it over in person.
    r = ship_client.post(f"/api/v1/orders/{meetup.id}/handover", headers=seller.headers)
    assert r.status_code == 200 and r.json["status"] == "handed_over", r.json


def test_a_shipped_order_refuses_an_in_person_handover(ship_client, session, buyer, seller, operator, frozen):
    shipped = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, fulfilment="shipped")
    _problem(ship_client.post(f"/api/v1/orders/{shipped.id}/handover", headers=seller.headers),
             409, "not_a_meetup_order")
    assert _status(ship_client, shipped, buyer) == "paid_held"   # no acceptance window started
    r = ship_client.post(f"/api/v1/orders/{shipped.id}/shipments", headers=seller.headers,
                         json={"carrier": "sf", "tracking_number": SF})
    assert r.status_code == 201, r.json


@pytest.mark.parametrize("fulfilment,after", [("meetup", "handed_over"), ("shipped", "paid_held")])
def test_an_offline_payment_hands_over_only_a_meetup_order(ship_client, session, buyer, seller, operator, frozen,
                                                           fulfilment, after):
    listing = publish(session, seller, operator, {**fridge_payload(), "shipping_fee_fen": 1000})
    r = ship_client.post("/api/v1/orders", headers=buyer.headers,
                         json={"listing_id": str(listing.id), "payment_method": "cash", "fulfilment": fulfilment})
    assert r.status_code == 201, r.json
    r = ship_client.post(f"/api/v1/orders/{r.json['id']}/cash-received", headers=seller.headers)
    assert r.status_code == 200 and r.json["status"] == after, r.json
    assert (r.json["accept_by"] is None) == (fulfilment == "shipped")
