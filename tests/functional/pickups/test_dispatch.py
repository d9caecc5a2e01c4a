"""A collector's day, the reminder and no-show jobs, and the functions other domains call."""
import itertools
import uuid
from datetime import timedelta, timezone

from sqlalchemy import select

from marketplace.jobs import PERIODIC_JOBS, run_job
from services.accounts.models import Role
from services.credit.events import CreditEvent
from services.notifications import sent_to
from services.pickups import book_for_trade_in, for_order, voucher_for
from services.pickups import jobs as pickup_jobs
from services.pickups.jobs import close_missed, send_reminders
from services.pickups.models import Booking, BookingStatus
from services.pickups.routing import path_length
from tests.factories.accounts import add_staff, make_user
from tests.factories.pickups import XIAODIAN, booking_payload, next_slot

# Four doorsteps around Taiyuan (lat, lon).
STOPS = [(37.70, 112.60), (37.86, 112.52), (37.75, 112.57), (37.82, 112.48)]


def _book_at(client, consumer, offer, at, lat, lon):
    body = booking_payload(at, recycler_id=offer["id"])
    body["address"].update(lat=lat, lon=lon)
    r = client.post("/api/v1/pickups", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    pid = r.json["id"]
    assert client.post(f"/api/v1/pickups/{pid}/assign", json={"collector_id": offer["collector"]["id"]},
                       headers=offer["staff"].headers).status_code == 200
    return pid


def test_collector_route_is_ordered_slot_by_slot(client, consumer, recycler, other_recycler, offer):
    offer["staff"] = recycler
    nine, ten = next_slot(hour=9), next_slot(hour=10)
    ids = {}
    for lat, lon in STOPS:
        ids[(lat, lon)] = _book_at(client, consumer, offer, nine, lat, lon)
    late = _book_at(client, consumer, offer, ten, 37.736, 112.565)
    url = f"/api/v1/pickups/collectors/{offer['collector']['id']}/route"
    r = client.get(url, query_string={"date": nine.date().isoformat()}, headers=recycler.headers)
    assert r.status_code == 200, r.json
    stops = r.json["stops"]
    assert stops[-1]["id"] == late  # the 10:00 slot comes after every 09:00 stop
    first_four = [(s["address"]["lat"], s["address"]["lon"]) for s in stops[:4]]
    assert sorted(first_four) == sorted(STOPS)
    depot = (offer["depot"]["lat"], offer["depot"]["lon"])
    best = min(path_length(depot, list(p)) for p in itertools.permutations(STOPS))
    assert path_length(depot, first_four) <= best * 1.05  # within 5 % of the optimum for four stops
    assert r.json["distance_km"] > 0
    assert client.get(url, query_string={"date": nine.date().isoformat()},
                      headers=other_recycler.headers).status_code == 404
    assert client.get(url, query_string={"date": nine.date().isoformat()},
                      headers=consumer.headers).status_code == 404


def test_assignment_picks_the_least_busy_collector(client, session, consumer, recycler, offer):
    helper = make_user(session, Role.RECYCLER)
    add_staff(session, recycler, helper)
    c2 = client.post(f"/api/v1/pickups/recyclers/{recycler.org_id}/collectors",
                     json={"user_id": str(helper.id), "name": "李师傅"}, headers=recycler.headers).json
    got = []
    for _ in range(2):
        pid = client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=offer["id"]),
                          headers=consumer.headers).json["id"]
        got.append(client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers).json["collector"]["id"])
    assert sorted(got) == sorted([offer["collector"]["id"], c2["id"]])


def test_reminders_go_once_the_day_before(app, client, session, consumer, offer):
    at = next_slot(days=2)
    pid = client.post("/api/v1/pickups", json=booking_payload(at, recycler_id=offer["id"]),
                      headers=consumer.headers).json["id"]
    assert send_reminders(session, now=at - timedelta(days=2)) == 0
    assert send_reminders(session, now=at - timedelta(hours=20)) == 1
    session.commit()
    assert send_reminders(session, now=at - timedelta(hours=19)) == 0
    reminders = sent_to(session, consumer.id, "pickup_reminder")
    assert len(reminders) == 1 and reminders[0].ref_id == pid and "明天" in reminders[0].title
    feed = client.get("/api/v1/notifications", headers=consumer.headers).json["items"]
    assert [(n["kind"], n["ref_id"]) for n in feed] == [("pickup_tomorrow", pid)]   # in the in-app feed, once
    assert any(j.run is pickup_jobs.send_reminders for j in PERIODIC_JOBS)
    assert run_job(app, pickup_jobs.send_reminders) == 0


def test_the_sweep_records_the_recyclers_no_show_and_closes_unclaimed_requests(client, session, freeze, consumer,
                                                                                recycler, offer):
    slot = next_slot(days=-1)
    freeze(slot - timedelta(days=2))
    confirmed = client.post("/api/v1/pickups", json=booking_payload(slot, recycler_id=offer["id"]),
                            headers=consumer.headers).json["id"]
    pooled = client.post("/api/v1/pickups", json=booking_payload(slot, dispatch="pool"),
                         headers=consumer.headers).json["id"]
    assert close_missed(session, now=slot + timedelta(hours=1)) == 1  # the pool request's window started
    assert close_missed(session, now=slot + timedelta(hours=4)) == 1
    session.commit()
    rows = {str(b.id): b for b in session.scalars(select(Booking))}
    assert rows[confirmed].failure_reason == "recycler_no_show" and rows[pooled].failure_reason == "unclaimed"
    assert [(e.subject_id, e.kind) for e in session.scalars(select(CreditEvent))] == [(recycler.org_id, "pickup_no_show")]


def test_trade_in_booking_and_the_voucher_interface(client, session, consumer, recycler, offer):
    trade_in, order = uuid.uuid4(), uuid.uuid4()
    b = book_for_trade_in(session, consumer.user, trade_in_id=trade_in, order_id=order, region_code=XIAODIAN,
                          items=[{"category": "appliance", "kind": "washing_machine"}], starts_at=next_slot(),
                          recycler_id=uuid.UUID(offer["id"]))
    session.commit()
    assert (b.source, b.status, b.trade_in_id) == ("trade_in", BookingStatus.CONFIRMED, trade_in)
    assert [x.id for x in for_order(session, order)] == [b.id]
    assert voucher_for(session, trade_in_id=trade_in) is None
    pid = str(b.id)
    client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers)
    for step in ("en_route", "arrived"):
        client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": step}, headers=recycler.headers)
    v = client.post(f"/api/v1/pickups/{pid}/collect", json={"facility_id": offer["facility"]["id"], "items": [
        {"item_id": str(b.items[0].id), "weight_g": 61_000}]}, headers=recycler.headers).json
    view = voucher_for(session, trade_in_id=trade_in)
    assert view.id == uuid.UUID(v["id"]) and view.number == v["number"] and view.order_id == order
    assert view.total_weight_g == 61_000 and view.facility_tier == "collection_point" and not view.is_vehicle
    assert view.collected_at.tzinfo is not None and view.collected_at.utcoffset() == timedelta(0)
    assert voucher_for(session, order_id=order) == view == voucher_for(session, pickup_id=b.id)
    assert voucher_for(session, voucher_id=view.id).recycler_name == recycler.user.memberships[0].org.name
    assert voucher_for(session, voucher_id=uuid.uuid4()) is None
    assert voucher_for(session, number=v["number"].lower()) == view
    assert view.collected_at.astimezone(timezone.utc) == view.collected_at
