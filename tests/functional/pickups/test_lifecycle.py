"""From booking to processed: reschedule, cancel (cut-off), pool, assignment, collection,
vouchers, tracking through facilities, no-shows on either side."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services import identifiers
from services.credit.events import CreditEvent
from services.notifications.models import NotificationLog
from services.pickups import voucher_for
from services.pickups.models import Slot
from tests.factories.listings import vin
from tests.factories.pickups import booking_payload, facility, next_slot, put_offer


def book(client, who, offer, at=None, **kw):
    r = client.post("/api/v1/pickups", json=booking_payload(at or next_slot(), recycler_id=offer["id"], **kw),
                    headers=who.headers)
    assert r.status_code == 201, r.json
    return r.json


def act(client, who, pid, what, body=None, status=200):
    r = client.post(f"/api/v1/pickups/{pid}/{what}", json=body or {}, headers=who.headers)
    assert r.status_code == status, (what, r.status_code, r.json)
    return r.json


def kinds_for(session, pid):
    return [n.kind for n in session.scalars(select(NotificationLog).where(NotificationLog.ref_id == pid)
                                            .order_by(NotificationLog.created_at))]


def test_reschedule_moves_capacity_and_cancel_gives_it_back(client, session, consumer, offer):
    at, later = next_slot(), next_slot(hour=10)
    b = book(client, consumer, offer, at)
    moved = act(client, consumer, b["id"], "reschedule", {"starts_at": later.isoformat()})
    assert moved["starts_at"] == later.astimezone(timezone.utc).isoformat() and moved["status"] == "confirmed"
    assert moved["history"][-1]["reason"].startswith("rescheduled to")
    counts = {s.starts_at: s.booked_count for s in session.scalars(select(Slot))}
    assert counts == {at.astimezone(timezone.utc): 0, later.astimezone(timezone.utc): 1}
    cancelled = act(client, consumer, b["id"], "cancel", {"reason": "sold it to a neighbour"})
    assert cancelled["status"] == "cancelled" and cancelled["history"][-1]["reason"] == "sold it to a neighbour"
    session.expire_all()
    assert sum(s.booked_count for s in session.scalars(select(Slot))) == 0
    r = client.post(f"/api/v1/pickups/{b['id']}/cancel", json={}, headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"


def test_reschedule_into_a_full_slot_leaves_the_booking_as_it_was(client, consumer, recycler):
    o = put_offer(client, recycler, capacity={"count": 1})
    b = book(client, consumer, o, next_slot())
    book(client, consumer, o, next_slot(hour=10))
    r = client.post(f"/api/v1/pickups/{b['id']}/reschedule", json={"starts_at": next_slot(hour=10).isoformat()},
                    headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "slot_full"
    assert client.get(f"/api/v1/pickups/{b['id']}", headers=consumer.headers).json["starts_at"] == \
        next_slot().astimezone(timezone.utc).isoformat()


def test_changes_close_at_the_cutoff(late_client, client, consumer, recycler, offer):
    b = book(client, consumer, offer, next_slot(days=1))
    r = late_client.post(f"/api/v1/pickups/{b['id']}/cancel", json={}, headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "cutoff_passed" and "cutoff_at" in r.json
    r = late_client.post(f"/api/v1/pickups/{b['id']}/reschedule", json={"starts_at": next_slot(days=2).isoformat()},
                    headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "cutoff_passed"


def test_a_late_cancellation_by_the_recycler_costs_it_credit(late_client, client, session, consumer, recycler,
                                                              offer):
    b = book(client, consumer, offer, next_slot(days=1))
    act(late_client, recycler, b["id"], "cancel", {"reason": "truck broke down"})
    ev = session.scalars(select(CreditEvent)).all()
    assert [(e.subject_id, e.kind, e.detail["side"]) for e in ev] == [(recycler.org_id, "pickup_cancelled_late", "recycler")]


def test_pool_requests_are_claimed_by_a_serving_recycler(client, session, consumer, recycler, other_recycler, offer):
    put_offer(client, other_recycler, region_codes=["141100"], depot={"lat": 37.5, "lon": 111.1})  # Lüliang only
    body = booking_payload(next_slot(hour=9) + timedelta(minutes=30), dispatch="pool")
    r = client.post("/api/v1/pickups", json=body, headers=consumer.headers)
    assert r.status_code == 201 and r.json["status"] == "requested" and r.json["recycler_id"] is None
    pid = r.json["id"]
    pool = client.get("/api/v1/pickups/pool", headers=recycler.headers).json
    assert [p["id"] for p in pool] == [pid] and "address" not in pool[0]
    assert client.get("/api/v1/pickups/pool", headers=other_recycler.headers).json == []
    assert client.get(f"/api/v1/pickups/{pid}", headers=recycler.headers).status_code == 404  # not yet theirs
    r = client.post(f"/api/v1/pickups/{pid}/claim", headers=other_recycler.headers)
    assert r.status_code == 422 and r.json["code"] == "outside_service_area"
    claimed = act(client, recycler, pid, "claim")
    assert claimed["status"] == "confirmed" and claimed["recycler_id"] == offer["id"]
    assert claimed["starts_at"] == next_slot(hour=9).astimezone(timezone.utc).isoformat()  # the slot holding 09:30
    r = client.post(f"/api/v1/pickups/{pid}/claim", headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "already_claimed"
    assert kinds_for(session, pid) == ["pickup_confirmed"]


@pytest.mark.smoke
def test_from_assignment_to_processed_with_voucher_and_tracking(client, session, consumer, other_consumer,
                                                                recycler, offer):
    b = book(client, consumer, offer, items=[{"category": "appliance", "kind": "refrigerator"},
                                             {"category": "electronics", "kind": "mobile_phone"}])
    pid = b["id"]
    r = client.post(f"/api/v1/pickups/{pid}/collect", json={"items": [], "facility_id": offer["facility"]["id"]},
                    headers=recycler.headers)
    assert r.status_code == 422  # schema: at least one item
    assigned = act(client, recycler, pid, "assign", {})
    assert assigned["status"] == "assigned" and assigned["collector"]["id"] == offer["collector"]["id"]
    r = client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": "arrived"}, headers=recycler.headers)
    assert r.status_code == 409 and r.json["allowed"] == ["assigned", "cancelled", "confirmed", "en_route", "failed"]
    act(client, recycler, pid, "transitions", {"to": "en_route"})
    act(client, recycler, pid, "transitions", {"to": "arrived"})
    items = b["items"]
    weights = [{"item_id": items[0]["id"], "weight_g": 68_500}, {"item_id": items[1]["id"], "weight_g": 190}]
    r = client.post(f"/api/v1/pickups/{pid}/collect", json={"items": weights[:1], "facility_id": offer["facility"]["id"]},
                    headers=recycler.headers)
    assert r.status_code == 422 and "missing" in r.json["errors"]["items"][0]
    r = client.post(f"/api/v1/pickups/{pid}/collect", json={"items": weights, "facility_id": offer["facility"]["id"]},
                    headers=recycler.headers)
    assert r.status_code == 201, r.json
    v = r.json
    assert v["number"].startswith("RV") and v["total_weight_g"] == 68_690 and v["pickup_id"] == pid
    assert v["collector"]["id"] == offer["collector"]["id"] and v["recycler"]["org_id"] == str(recycler.org_id)
    assert v["destination"] == {"facility_id": offer["facility"]["id"], "name": offer["facility"]["name"],
                                "tier": "collection_point"}
    assert v["vehicle"] is None and [i["weight_g"] for i in v["items"]] == [68_500, 190]
    # Anyone holding the id can check it; no login.
    public = client.get(f"/api/v1/recycling-vouchers/{v['id']}")
    assert public.status_code == 200 and public.json == v
    assert client.get(f"/api/v1/recycling-vouchers/{uuid.uuid4()}").status_code == 404
    act(client, recycler, pid, "transitions", {"to": "delivered_to_facility"})
    # Up the network: collection point -> sorting centre.
    sorting = facility(client, recycler, tier="sorting_centre", name="太原分拣中心")
    r = client.post(f"/api/v1/pickups/items/{items[0]['id']}/moves", json={"facility_id": sorting["id"]},
                    headers=recycler.headers)
    assert r.status_code == 201 and r.json["facility_id"] == sorting["id"]
    assert [t["tier"] for t in r.json["trail"]] == ["collection_point", "sorting_centre"]
    r = client.post(f"/api/v1/pickups/items/{items[0]['id']}/moves", json={"facility_id": offer["facility"]["id"]},
                    headers=recycler.headers)
    assert r.status_code == 422 and r.json["code"] == "wrong_tier"
    r = client.post(f"/api/v1/pickups/items/{items[0]['id']}/moves", json={"facility_id": sorting["id"]},
                    headers=other_consumer.headers)
    assert r.status_code == 404
    done = act(client, recycler, pid, "transitions", {"to": "processed"})
    assert [h["to_status"] for h in done["history"]] == [
        "requested", "confirmed", "assigned", "en_route", "arrived", "collected", "delivered_to_facility", "processed"]
    assert all(h["at"] for h in done["history"])
    seen = client.get(f"/api/v1/pickups/{pid}", headers=consumer.headers).json
    assert seen["status"] == "processed" and seen["items"][0]["facility_id"] == sorting["id"]
    assert seen["voucher"] == {"id": v["id"], "number": v["number"]}
    assert kinds_for(session, pid) == ["pickup_confirmed", "pickup_en_route", "pickup_collected"]
    kept = {(e.subject_id, e.kind) for e in session.scalars(select(CreditEvent))}
    assert kept == {(consumer.id, "pickup_kept"), (recycler.org_id, "pickup_kept")}


def test_failed_needs_a_reason(client, consumer, recycler, offer):
    pid = book(client, consumer, offer)["id"]
    r = client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": "failed"}, headers=recycler.headers)
    assert r.status_code == 422 and "reason" in r.json["errors"]
    failed = act(client, recycler, pid, "transitions", {"to": "failed", "reason": "road closed by snow"})
    assert failed["status"] == "failed" and failed["history"][-1]["reason"] == "road closed by snow"


def test_the_consumers_no_show(client, session, consumer, recycler, offer):
    pid = book(client, consumer, offer)["id"]
    r = client.post(f"/api/v1/pickups/{pid}/no-show", json={"side": "consumer"}, headers=recycler.headers)
    assert r.status_code == 409 and r.json["code"] == "not_arrived"
    act(client, recycler, pid, "assign", {})
    act(client, recycler, pid, "transitions", {"to": "en_route"})
    act(client, recycler, pid, "transitions", {"to": "arrived"})
    assert client.post(f"/api/v1/pickups/{pid}/no-show", json={"side": "consumer"},
                       headers=consumer.headers).status_code == 403
    r = act(client, recycler, pid, "no-show", {"side": "consumer", "note": "nobody home, phone off"})
    assert r["status"] == "failed" and r["failure_reason"] == "consumer_no_show"
    ev = session.scalars(select(CreditEvent)).one()
    assert (ev.subject_id, ev.kind, ev.ref_id, ev.detail) == (consumer.id, "pickup_no_show", pid, {"side": "consumer"})


def test_the_recyclers_no_show(client, session, freeze, consumer, recycler, offer):
    slot = next_slot(days=-1)
    freeze(slot - timedelta(days=2))  # book it two days ahead of the (past) slot
    pid = book(client, consumer, offer, slot)["id"]
    freeze(slot + timedelta(minutes=30))
    r = client.post(f"/api/v1/pickups/{pid}/no-show", json={"side": "recycler"}, headers=consumer.headers)
    assert r.status_code == 409 and r.json["code"] == "slot_not_over"
    freeze(datetime.now(timezone.utc))
    assert client.post(f"/api/v1/pickups/{pid}/no-show", json={"side": "recycler"},
                       headers=recycler.headers).status_code == 403
    r = act(client, consumer, pid, "no-show", {"side": "recycler"})
    assert r["failure_reason"] == "recycler_no_show"
    ev = session.scalars(select(CreditEvent)).one()
    assert (ev.subject_id, ev.kind, ev.detail) == (recycler.org_id, "pickup_no_show", {"side": "recycler"})


def test_vehicle_scrap_certificate_and_deregistration(client, session, consumer, recycler, operator):
    put_offer(client, recycler, kinds=["vehicle"], dismantler_licence_no="晋A-拆-001")
    o = client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/authorisation",
                    json={"authorised_dismantler": True}, headers=operator.headers).json
    yard = facility(client, recycler, tier="dismantler", name="太原报废车拆解厂")
    point = facility(client, recycler)
    client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/collectors", json={"user_id": str(recycler.id)},
                headers=recycler.headers)
    v17 = vin()
    b = book(client, consumer, o, items=[{"category": "vehicle", "kind": "passenger_car", "vin": v17}])
    act(client, recycler, b["id"], "assign", {})
    act(client, recycler, b["id"], "transitions", {"to": "en_route"})
    act(client, recycler, b["id"], "transitions", {"to": "arrived"})
    body = {"items": [{"item_id": b["items"][0]["id"], "weight_g": 1_250_000}], "facility_id": point["id"]}
    r = client.post(f"/api/v1/pickups/{b['id']}/collect", json=body, headers=recycler.headers)
    assert r.status_code == 422 and r.json["code"] == "not_authorised_dismantler"
    r = client.post(f"/api/v1/pickups/{b['id']}/collect", json={**body, "facility_id": yard["id"]},
                    headers=recycler.headers)
    assert r.status_code == 201, r.json
    v = r.json
    assert v["vehicle"] == {"scrap_certificate_no": None, "deregistered_at": None, "deregistration_ref": None}
    assert v["items"][0]["device_masked"] == "****" + v17[-4:]
    url = f"/api/v1/recycling-vouchers/{v['id']}/vehicle"
    r = client.patch(url, json={"deregistered_at": "2026-12-01T10:00:00+08:00"}, headers=recycler.headers)
    assert r.status_code == 422  # the certificate comes first
    r = client.patch(url, json={"scrap_certificate_no": "BF1401002026000123"}, headers=recycler.headers)
    assert r.status_code == 200 and r.json["vehicle"]["scrap_certificate_no"] == "BF1401002026000123"
    r = client.patch(url, json={"deregistered_at": "2026-12-01T10:00:00+08:00", "deregistration_ref": "ZX-0001"},
                     headers=recycler.headers)
    assert r.json["vehicle"]["deregistered_at"] == "2026-12-01T02:00:00+00:00"
    assert client.patch(url, json={"scrap_certificate_no": "OTHER-123"}, headers=recycler.headers).status_code == 409
    assert client.patch(url, json={"scrap_certificate_no": "X-1234"}, headers=consumer.headers).status_code == 404
    # The subsidy claim export finds it by the car's VIN (keyed hash), with the certificate.
    view = voucher_for(session, device_hash=identifiers.hmac_hash(session, v17, purpose="device"))
    assert view.is_vehicle and view.scrap_certificate_no == "BF1401002026000123"
    assert view.deregistration_ref == "ZX-0001" and v17 not in repr(view)
