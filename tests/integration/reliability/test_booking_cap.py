"""The per-account cap on open pickups holds when one account books concurrently (PostgreSQL)."""
import threading
from collections import Counter

from sqlalchemy import func, select

from services.pickups.models import Booking
from tests.factories.pickups import booking_payload, next_slot, put_offer

N = 20


def test_concurrent_bookings_of_one_account_stop_at_the_cap(app, client, session, consumer, recycler):
    offer = put_offer(client, recycler, capacity={"count": 50})
    body = booking_payload(next_slot(), items=[{"category": "electronics", "kind": "mobile_phone"}],
                           recycler_id=offer["id"])
    barrier = threading.Barrier(N)
    codes: list[tuple[int, str | None]] = []

    def book():
        c = app.test_client()
        barrier.wait()
        r = c.post("/api/v1/pickups", json=body, headers=consumer.headers)
        codes.append((r.status_code, r.json.get("code")))

    threads = [threading.Thread(target=book) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert Counter(codes) == {(201, None): 3, (409, "too_many_open_bookings"): N - 3}, Counter(codes)
    assert session.scalar(select(func.count()).select_from(Booking)) == 3
