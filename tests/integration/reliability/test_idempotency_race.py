"""Exactly-once writes on PostgreSQL: N concurrent requests carrying one Idempotency-Key make one
effect and get N identical answers (the first, and N-1 replays of it)."""
import pytest
from sqlalchemy import func, select

from services.idempotency import IdempotencyRecord
from services.listings.models import Listing
from services.orders.models import Order
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish
from tests.factories.races import race_clients

N = 100


def _race(app, n, path, body, headers):
    """n identical POSTs at once: (status, body) of each."""
    return [(r.status_code, r.json) for r in race_clients(app, n, lambda c, i: c.post(path, json=body, headers=headers))]


def test_hundred_concurrent_creates_with_one_key_make_one_listing(app, session, consumer):
    assert session.get_bind().dialect.name == "postgresql"
    headers = {**consumer.headers, "Idempotency-Key": "create-fridge-1"}
    results = _race(app, N, "/api/v1/listings", fridge_payload(title="只卖一次 sold once"), headers)

    assert sorted({code for code, _ in results}) == [201], {code for code, _ in results}
    assert len({body["id"] for _, body in results}) == 1  # every caller sees the same listing
    assert all(body == results[0][1] for _, body in results)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Listing).where(Listing.seller_id == consumer.user.id)) == 1
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_concurrent_orders_with_one_key_make_one_order(app, session, consumer, other_consumer, operator):
    seller, buyer = consumer, other_consumer
    listing = publish(session, seller, operator)
    headers = {**buyer.headers, "Idempotency-Key": "buy-it-once"}
    results = _race(app, 30, "/api/v1/orders", {"listing_id": str(listing.id)}, headers)

    assert {code for code, _ in results} == {201}  # no 409 listing_unavailable from the buyer's own retry
    assert len({body["id"] for _, body in results}) == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Order).where(Order.listing_id == listing.id)) == 1


def test_a_refused_request_leaves_no_claim_and_the_retry_runs(client, session, consumer):
    headers = {**consumer.headers, "Idempotency-Key": "bad-then-good"}
    bad = client.post("/api/v1/orders", json={"listing_id": "00000000-0000-0000-0000-000000000000"}, headers=headers)
    assert bad.status_code == 404
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_a_claim_without_its_answer_is_409_request_in_progress(client, session, consumer):
    body = fridge_payload()
    headers = {**consumer.headers, "Idempotency-Key": "half-done"}
    first = client.post("/api/v1/listings", json=body, headers=headers)
    assert first.status_code == 201
    # As if a process died after committing its effect but before its answer was stored.
    rec = session.scalar(select(IdempotencyRecord))
    rec.status_code, rec.body = 0, ""
    session.commit()
    again = client.post("/api/v1/listings", json=body, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "request_in_progress"
    assert int(again.headers["Retry-After"]) >= 1
    assert session.scalar(select(func.count()).select_from(Listing)) == 1


@pytest.mark.smoke
def test_a_replay_returns_the_first_answer_on_either_database(client, session, consumer):
    headers = {**consumer.headers, "Idempotency-Key": "smoke-1"}
    first = client.post("/api/v1/listings", json=fridge_payload(), headers=headers)
    again = client.post("/api/v1/listings", json=fridge_payload(), headers=headers)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Listing)) == 1
