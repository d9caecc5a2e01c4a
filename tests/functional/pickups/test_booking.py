"""Availability and booking through HTTP: the bad inputs of the issue get a clear 4xx."""
import uuid
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from services.notifications.models import NotificationLog
from services.pickups.models import Slot
from tests.factories.listings import vin
from tests.factories.pickups import LULIANG, XIAODIAN, booking_payload, fridge, next_slot, put_offer

AVAIL = "/api/v1/pickups/availability"


def test_availability_lists_free_slots_nearest_first(client, recycler, other_recycler, offer):
    put_offer(client, other_recycler, depot={"lat": 37.9, "lon": 112.6}, capacity={"count": 1})
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "lat": 37.736, "lon": 112.565,
                                        "items": ["appliance:refrigerator"], "days": 3})
    assert r.status_code == 200, r.json
    names = [x["org_id"] for x in r.json["recyclers"]]
    assert names == [str(recycler.org_id), str(other_recycler.org_id)]  # 7 km before 19 km
    first = r.json["recyclers"][0]
    assert first["distance_km"] < r.json["recyclers"][1]["distance_km"]
    slot = first["slots"][0]
    assert slot["remaining_count"] == 5 and slot["remaining_volume_l"] == 2000
    # Every slot is in working hours (Beijing) and at least the lead time ahead.
    assert all(s["starts_at"] > (next_slot(0, 0) - timedelta(days=1)).isoformat() for s in first["slots"])


def test_availability_reflects_bookings(client, consumer, offer):
    at = next_slot()
    client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]), headers=consumer.headers)
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["appliance:refrigerator"], "days": 4})
    slot = next(s for s in r.json["recyclers"][0]["slots"] if s["starts_at"] == at.astimezone(timezone.utc).isoformat())
    assert slot["remaining_count"] == 4 and slot["remaining_volume_l"] == 2000 - 450 and slot["remaining_weight_kg"] == 330


def test_outside_every_service_area_is_422(client, offer):
    r = client.get(AVAIL, query_string={"region_code": LULIANG, "items": ["appliance:refrigerator"]})
    assert r.status_code == 422 and r.json["code"] == "outside_service_area"
    assert r.mimetype == "application/problem+json"
    r = client.get(AVAIL, query_string={"region_code": "999999", "items": ["appliance:refrigerator"]})
    assert r.status_code == 422 and "region_code" in r.json["errors"]


def test_radius_service_area(client, recycler, consumer):
    # Lüliang's 离石区 is not in the region list, but within 30 km of the depot.
    o = put_offer(client, recycler, region_codes=[], radius_km=30.0, depot={"lat": 37.52, "lon": 111.14})
    r = client.get(AVAIL, query_string={"region_code": "141102", "items": ["electronics:mobile_phone"]})
    assert r.status_code == 200 and r.json["recyclers"][0]["recycler_id"] == o["id"]
    r = client.get(AVAIL, query_string={"region_code": "141102", "lat": 38.5, "lon": 111.14,
                                        "items": ["electronics:mobile_phone"]})
    assert r.status_code == 422 and r.json["code"] == "outside_service_area"


@pytest.mark.smoke
def test_book_direct_confirms_and_notifies(client, session, consumer, offer):
    at = next_slot()
    r = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]), headers=consumer.headers)
    assert r.status_code == 201, r.json
    b = r.json
    assert b["status"] == "confirmed" and b["recycler_id"] == offer["id"] and b["dispatch"] == "direct"
    assert [h["to_status"] for h in b["history"]] == ["requested", "confirmed"]
    assert r.headers["Location"] == f"/api/v1/pickups/{b['id']}"
    logged = session.scalars(select(NotificationLog).where(NotificationLog.ref_id == b["id"])).all()
    assert [n.kind for n in logged] == ["pickup_confirmed"] and logged[0].recipient_id == consumer.id
    assert client.get(f"/api/v1/pickups/{b['id']}", headers=consumer.headers).json["status"] == "confirmed"


def test_nearest_dispatch_moves_on_when_the_nearest_is_full(client, consumer, recycler, other_recycler):
    put_offer(client, recycler, capacity={"count": 1})
    far = put_offer(client, other_recycler, depot={"lat": 37.9, "lon": 112.6})
    at = next_slot()
    first = client.post("/api/v1/pickups", json=booking_payload(at), headers=consumer.headers).json
    second = client.post("/api/v1/pickups", json=booking_payload(at), headers=consumer.headers).json
    assert first["dispatch"] == "nearest" and first["recycler_id"] != far["id"]
    assert second["recycler_id"] == far["id"]


def test_a_slot_in_the_past_is_422(client, consumer, offer):
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(-1), recycler_id=offer["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "slot_in_past" and "starts_at" in r.json["errors"]
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(30), recycler_id=offer["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "slot_too_far"
    body = booking_payload(next_slot(), recycler_id=offer["id"])
    body["starts_at"] = body["starts_at"][:19]  # no offset
    assert client.post("/api/v1/pickups", json=body, headers=consumer.headers).status_code == 422


def test_off_grid_times_and_unknown_recyclers(client, consumer, offer):
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(hour=13), recycler_id=offer["id"]),
                    headers=consumer.headers)  # lunch break
    assert r.status_code == 422 and r.json["code"] == "not_a_slot"
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=uuid.uuid4()),
                    headers=consumer.headers)
    assert r.status_code == 404


def test_outside_the_area_is_422_when_booking(client, consumer, offer):
    body = booking_payload(next_slot(), recycler_id=offer["id"])
    body["address"] = {"region_code": "141102"}
    r = client.post("/api/v1/pickups", json=body, headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "outside_service_area"


def test_a_vehicle_with_a_recycler_that_is_not_a_dismantler_is_422(client, consumer, recycler, operator):
    v = vin()
    car = [{"category": "vehicle", "kind": "passenger_car", "vin": v}]
    o = put_offer(client, recycler, kinds=["vehicle", "appliance"], dismantler_licence_no="晋A-001")
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), items=car, recycler_id=o["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "not_authorised_dismantler"
    r = client.get(AVAIL, query_string={"region_code": XIAODIAN, "items": ["vehicle:passenger_car"]})
    assert r.status_code == 422 and r.json["code"] == "not_authorised_dismantler"
    client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/authorisation",
                json={"authorised_dismantler": True}, headers=operator.headers)
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), items=car, recycler_id=o["id"]),
                    headers=consumer.headers)
    assert r.status_code == 201, r.json
    assert r.json["items"][0]["device_masked"] == "****" + v[-4:]
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), items=car + [fridge()], recycler_id=o["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "vehicle_alone"


def test_bad_vin_and_unknown_kinds_are_422(client, consumer, offer):
    body = booking_payload(next_slot(), items=[{"category": "electronics", "kind": "mobile_phone",
                                                "imei": "356938035643801"}], recycler_id=offer["id"])
    r = client.post("/api/v1/pickups", json=body, headers=consumer.headers)
    assert r.status_code == 422 and "items.0.imei" in r.json["errors"]
    body = booking_payload(next_slot(), items=[{"category": "appliance", "kind": "spaceship"}])
    assert client.post("/api/v1/pickups", json=body, headers=consumer.headers).status_code == 422


@pytest.mark.smoke
def test_capacity_overflow_is_409(client, session, consumer, offer):
    at = next_slot()
    codes = [client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]),
                         headers=consumer.headers).status_code for _ in range(6)]
    assert codes == [201] * 4 + [409] * 2  # 4 fridges fill 1,800 of the 2,000 L budget; the 5th does not fit
    r = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]), headers=consumer.headers)
    assert r.json["code"] == "slot_full"
    phone = [{"category": "electronics", "kind": "mobile_phone"}]
    ok = client.post("/api/v1/pickups", json=booking_payload(at, items=phone, recycler_id=offer["id"]),
                     headers=consumer.headers)
    assert ok.status_code == 201  # a phone needs no bulk budget: the 5th pickup fits
    again = client.post("/api/v1/pickups", json=booking_payload(at, items=phone, recycler_id=offer["id"]),
                        headers=consumer.headers)
    assert again.status_code == 409 and again.json["code"] == "slot_full"
    slot = session.scalar(select(Slot).where(Slot.recycler_id == uuid.UUID(offer["id"])))
    assert (slot.booked_count, slot.booked_volume_l) == (5, 1800)


def test_items_bigger_than_a_slot_are_422(client, consumer, offer):
    big = [{"category": "appliance", "kind": "refrigerator", "volume_l": 2500}]
    r = client.post("/api/v1/pickups", json=booking_payload(next_slot(), items=big, recycler_id=offer["id"]),
                    headers=consumer.headers)
    assert r.status_code == 422 and r.json["code"] == "exceeds_slot_budget"


def test_retailer_books_for_its_buyer_and_order(client, session, retailer, consumer, offer):
    order_id = str(uuid.uuid4())
    body = booking_payload(next_slot(), recycler_id=offer["id"])
    r = client.post("/api/v1/pickups", json=body, headers=retailer.headers)
    assert r.status_code == 422 and set(r.json["errors"]) == {"consumer_id", "order_id"}
    r = client.post("/api/v1/pickups", json={**body, "consumer_id": str(consumer.id), "order_id": order_id},
                    headers=retailer.headers)
    assert r.status_code == 201, r.json
    assert r.json["source"] == "retailer" and r.json["order_id"] == order_id
    assert r.json["consumer_id"] == str(consumer.id) and r.json["booked_by_id"] == str(retailer.id)
    # The buyer sees it too, and finds it by order.
    mine = client.get("/api/v1/pickups", query_string={"order_id": order_id}, headers=consumer.headers).json
    assert [p["id"] for p in mine["items"]] == [r.json["id"]]
    kinds = {(n.recipient_id, n.kind) for n in session.scalars(select(NotificationLog))}
    assert kinds == {(consumer.id, "pickup_confirmed"), (retailer.id, "pickup_confirmed")}


def test_consumers_book_only_for_themselves_and_others_not_at_all(client, consumer, other_consumer, operator,
                                                                  recycler, offer):
    body = booking_payload(next_slot(), recycler_id=offer["id"])
    r = client.post("/api/v1/pickups", json={**body, "consumer_id": str(other_consumer.id)}, headers=consumer.headers)
    assert r.status_code == 403
    assert client.post("/api/v1/pickups", json=body, headers=operator.headers).status_code == 403
    assert client.post("/api/v1/pickups", json=body, headers=recycler.headers).status_code == 403
    assert client.post("/api/v1/pickups", json=body).status_code == 401
