"""Slots never overbook under concurrency (PostgreSQL, real threads, the whole HTTP path)."""
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from services.pickups.models import Booking, Slot
from tests.factories.pickups import booking_payload, next_slot, put_offer
from tests.factories.app import make_app
from tests.factories.races import race_clients


def test_100_concurrent_bookings_for_a_slot_of_5_give_exactly_5(app, db_url, client, session, consumer, recycler):
    assert db_url.startswith("postgresql")
    offer = put_offer(client, recycler, capacity={"count": 5})
    body = booking_payload(next_slot(), items=[{"category": "electronics", "kind": "mobile_phone"}],
                           recycler_id=offer["id"])
    results = race_clients(app, 100, lambda c, i: c.post("/api/v1/pickups", json=body, headers=consumer.headers))
    codes = Counter(r.status_code for r in results)
    assert codes == {201: 5, 409: 95}, codes
    assert {r.json["code"] for r in results if r.status_code == 409} == {"slot_full"}
    slot = session.scalar(select(Slot).where(Slot.recycler_id == uuid.UUID(offer["id"])))
    assert slot.booked_count == 5
    assert session.scalar(select(func.count()).select_from(Booking)) == 5


def test_the_bulk_budget_holds_under_concurrency(app, client, session, consumer, recycler):
    # Room for 20 pickups but 1,000 L: only two 450 L fridges fit.
    offer = put_offer(client, recycler, capacity={"count": 20, "volume_l": 1000})
    body = booking_payload(next_slot(), recycler_id=offer["id"])
    results = race_clients(app, 30, lambda c, i: c.post("/api/v1/pickups", json=body, headers=consumer.headers))
    assert Counter(r.status_code for r in results) == {201: 2, 409: 28}
    slot = session.scalar(select(Slot))
    assert (slot.booked_count, slot.booked_volume_l) == (2, 900)


def test_a_pool_request_is_claimed_once(app, client, consumer, recycler):
    put_offer(client, recycler)
    pid = client.post("/api/v1/pickups", json=booking_payload(next_slot(), dispatch="pool"),
                      headers=consumer.headers).json["id"]
    results = race_clients(app, 10, lambda c, i: c.post(f"/api/v1/pickups/{pid}/claim", headers=recycler.headers))
    assert Counter(r.status_code for r in results) == {200: 1, 409: 9}


@pytest.fixture(scope="session")
def app(db_url, instance_dir, redis_url):
    """The suite's app without the per-account cap: these races fill slots from one account; the
    cap is raced in tests/integration/reliability/test_booking_cap.py."""
    return make_app(db_url, instance_dir, REDIS_URL=redis_url, JOBS_INLINE=True, PICKUP_MAX_OPEN_BOOKINGS=0)
