"""The per-account cap on open pickups holds when one account books concurrently (PostgreSQL)."""
from collections import Counter

from sqlalchemy import func, select

from services.pickups.models import Booking
from tests.factories.pickups import booking_payload, next_slot, put_offer
from tests.factories.races import race_clients

N = 20


def test_concurrent_bookings_of_one_account_stop_at_the_cap(app, client, session, consumer, recycler):
    offer = put_offer(client, recycler, capacity={"count": 50})
    body = booking_payload(next_slot(), items=[{"category": "electronics", "kind": "mobile_phone"}],
                           recycler_id=offer["id"])
    responses = race_clients(app, N, lambda c, i: c.post("/api/v1/pickups", json=body, headers=consumer.headers))
    codes = [(r.status_code, r.json.get("code")) for r in responses]
    assert Counter(codes) == {(201, None): 3, (409, "too_many_open_bookings"): N - 3}, Counter(codes)
    assert session.scalar(select(func.count()).select_from(Booking)) == 3
