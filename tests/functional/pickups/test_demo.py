"""The demo pickups: two Shanxi recyclers, a confirmed pickup and a collected one with a voucher."""
from sqlalchemy import select

from services import demo
from services.pickups import demo as pickups_demo
from services.pickups.models import Booking, BookingStatus, Recycler


def test_demo_pickups(client, session):
    people = demo.users(session)
    lines = pickups_demo.seed(session, people)
    session.commit()
    offers = {r.org.name: r for r in session.scalars(select(Recycler))}
    assert len(offers) == 2 and sum(r.authorised_dismantler for r in offers.values()) == 1
    statuses = sorted(b.status for b in session.scalars(select(Booking)))
    assert statuses == sorted([BookingStatus.CONFIRMED, BookingStatus.COLLECTED])
    voucher_id = lines[0].rsplit(" ", 1)[-1]
    r = client.get(f"/api/v1/recycling-vouchers/{voucher_id}")
    assert r.status_code == 200 and r.json["recycler"]["name"].startswith("晋中")
    r = client.get("/api/v1/pickups/availability", query_string={"region_code": "141102",
                                                                 "items": "vehicle:passenger_car"})
    assert r.status_code == 200 and r.json["recyclers"][0]["name"].startswith("吕梁")
