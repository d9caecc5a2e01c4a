"""A client retrying one create with one Idempotency-Key, all at once, makes one effect.

Probe: four copies of the same POST /listings with the same key sent together (a double-tapped
button behind a flaky network). All must answer as the first did, with one listing made."""
from sqlalchemy import func, select

from services.listings.models import Listing
from tests.factories.listings import fridge_payload
from tests.factories.races import race_clients


def test_one_key_sent_four_times_at_once_makes_one_listing(app, session, consumer):
    body = fridge_payload()
    headers = {**consumer.headers, "Idempotency-Key": "double-tap-1"}
    answers = race_clients(app, 4, lambda c, i: c.post("/api/v1/listings", json=body, headers=headers))
    assert {r.status_code for r in answers} == {201}, [(r.status_code, r.json) for r in answers]
    assert len({r.json["id"] for r in answers}) == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Listing).where(Listing.seller_id == consumer.user.id)) == 1


def test_the_same_key_with_another_body_at_once_is_refused_not_applied(app, session, consumer):
    headers = {**consumer.headers, "Idempotency-Key": "double-tap-2"}
    bodies = [fridge_payload(price_fen=100000 + i) for i in range(3)]
    answers = race_clients(app, 3, lambda c, i: c.post("/api/v1/listings", json=bodies[i], headers=headers))
    assert sorted(r.status_code for r in answers) == [201, 422, 422], [(r.status_code, r.json) for r in answers]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Listing).where(Listing.seller_id == consumer.user.id)) == 1
