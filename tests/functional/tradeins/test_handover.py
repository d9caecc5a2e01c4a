"""Handover choices wired to their domains: a doorstep pickup booked with the pickup domain, and
送新取旧 with the consumer's order from the quoting retailer."""
from services.orders.models import OrderStatus
from tests.factories.orders import order_in
from tests.factories.pickups import XIAODIAN, XIAODIAN_AT, collector, facility, next_slot, put_offer
from tests.factories.tradeins import phone_quote


def _quote(client, consumer, **over):
    r = client.post("/api/v1/tradeins", json=phone_quote(**over), headers=consumer.headers)
    assert r.status_code == 201, r.json
    return r.json


def test_doorstep_pickup_is_booked_and_its_recycler_handles_the_item(client, consumer, recycler, table):
    put_offer(client, recycler)
    fac = facility(client, recycler)
    collector(client, recycler)
    t = _quote(client, consumer)
    pickup = {"method": "pickup", "region_code": XIAODIAN, "address": "小店区 长治路 1 号",
              "lat": XIAODIAN_AT[0], "lon": XIAODIAN_AT[1], "starts_at": next_slot().isoformat()}
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers,
                    json={"handover": pickup, "payout": {"method": "store_credit"}})
    assert r.status_code == 200, r.json
    assert r.json["handover_method"] == "pickup" and r.json["handover"]["booking_id"]
    assert r.json["handler_org_id"] == str(recycler.org_id)
    booking = client.get(f"/api/v1/pickups/{r.json['handover']['booking_id']}", headers=consumer.headers)
    assert booking.status_code == 200, booking.json
    # the recycler's collector takes the item: the pickup's voucher moves the trade-in in transit
    pid = r.json["handover"]["booking_id"]
    assert client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers).status_code == 200
    for step in ("en_route", "arrived"):
        assert client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": step}, headers=recycler.headers).status_code == 200
    items = booking.json["items"]
    v = client.post(f"/api/v1/pickups/{pid}/collect", headers=recycler.headers, json={
        "facility_id": fac["id"], "items": [{"item_id": i["id"], "weight_g": 180} for i in items]})
    assert v.status_code == 201, v.json
    got = client.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["status"] == "in_transit"
    assert client.post(f"/api/v1/tradeins/{t['id']}/receive", headers=recycler.headers).json["status"] == "received"


def test_a_pickup_the_domain_refuses_is_a_422_under_handover(client, consumer, recycler, table):
    put_offer(client, recycler)
    t = _quote(client, consumer)
    pickup = {"method": "pickup", "region_code": XIAODIAN, "address": "小店区", "starts_at": next_slot(days=60).isoformat()}
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers,
                    json={"handover": pickup, "payout": {"method": "cash"}})
    assert r.status_code == 422 and "handover.starts_at" in r.json["errors"], r.json
    assert client.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json["status"] == "quoted"
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers,
                    json={"handover": {"method": "pickup"}, "payout": {"method": "cash"}})
    assert r.status_code == 422 and {"handover.address", "handover.region_code", "handover.starts_at"} <= set(r.json["errors"])


def test_with_delivery_takes_the_consumers_order_from_the_quoting_retailer(client, session, consumer, other_consumer,
                                                                          retailer, operator, table):
    order = order_in(session, OrderStatus.PAYMENT_PENDING, buyer=consumer, seller=retailer, operator=operator)
    other = order_in(session, OrderStatus.PAYMENT_PENDING, buyer=other_consumer, seller=retailer, operator=operator)
    t = _quote(client, consumer, org_id=str(retailer.org_id))
    body = {"handover": {"method": "with_delivery", "order_id": str(other.id)}, "payout": {"method": "store_credit"}}
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json=body)
    assert r.status_code == 422 and "handover.order_id" in r.json["errors"]
    body["handover"]["order_id"] = str(order.id)
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json=body)
    assert r.status_code == 200 and r.json["handler_org_id"] == str(retailer.org_id)
    assert r.json["handover"] == {"order_id": str(order.id)}
