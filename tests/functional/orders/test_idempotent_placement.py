"""A retried placement (same Idempotency-Key) answers the order as it is now, through HTTP with
card payments (stripe-mock): the first answer was stored before the intent existed (`wait`); a
retry gets the same order with the step the buyer must take now, and nothing is placed or
created twice. The same key with another body is refused."""
import pytest
from sqlalchemy import func, select

from services.orders.models import Order
from services.payments.models import Payment, PaymentOperation
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish


def _count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("method,step", [("card", "confirm_card"), ("alipay", "alipay_handle_redirect")])
def test_a_retry_answers_the_same_order_with_its_current_next_action(stripe_client, session, buyer, seller, operator,
                                                                      method, step):
    listing = publish(session, seller, operator)
    body = {"listing_id": str(listing.id), "payment_method": method,
            **({"return_url": "https://huanxin.example/orders/done"} if method == "alipay" else {})}
    headers = {**buyer.headers, "Idempotency-Key": f"place-{method}"}
    first = stripe_client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201, first.json
    assert first.json["next_action"] == {"type": "wait"}   # stored before the intent was created
    # The intent operation ran after the commit (jobs inline): the payment now has its secret.
    retry = stripe_client.post("/api/v1/orders", json=body, headers=headers)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == first.headers["Location"] == f"/api/v1/orders/{first.json['id']}"
    assert retry.json["id"] == first.json["id"] and retry.json["status"] == "payment_pending"
    assert retry.json["next_action"]["type"] == step
    assert retry.json["next_action"]["client_secret"] == retry.json["payment"]["client_secret"]
    now = stripe_client.get(first.headers["Location"], headers=buyer.headers).json
    assert retry.json["next_action"] == now["next_action"]
    assert _count(session, Order) == 1 and _count(session, Payment) == 1
    assert _count(session, PaymentOperation, PaymentOperation.kind == "intent") == 1


def test_a_retry_after_a_cancellation_says_cancelled(stripe_client, session, buyer, seller, operator):
    listing = publish(session, seller, operator)
    headers = {**buyer.headers, "Idempotency-Key": "place-then-cancel"}
    first = stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=headers)
    assert first.status_code == 201, first.json
    assert stripe_client.post(f"/api/v1/orders/{first.json['id']}/cancel", json={},
                              headers=buyer.headers).status_code == 200
    retry = stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=headers)
    assert retry.status_code == 201 and retry.json["id"] == first.json["id"]
    assert retry.json["status"] == "cancelled" and retry.json["next_action"] == {"type": "none"}
    assert _count(session, Order) == 1


def test_the_same_key_with_another_body_is_refused(stripe_client, session, buyer, seller, operator):
    one, other = publish(session, seller, operator), publish(session, seller, operator, fridge_payload(price_fen=99000))
    headers = {**buyer.headers, "Idempotency-Key": "place-once"}
    assert stripe_client.post("/api/v1/orders", json={"listing_id": str(one.id)}, headers=headers).status_code == 201
    r = stripe_client.post("/api/v1/orders", json={"listing_id": str(other.id)}, headers=headers)
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["code"] == "idempotency_key_reused" and "Idempotency-Key" in r.json["errors"]
    assert _count(session, Order) == 1 and _count(session, Order, Order.listing_id == other.id) == 0


def test_a_refused_placement_is_replayed_as_refused(stripe_client, session, buyer, stranger, seller, operator):
    listing = publish(session, seller, operator)
    assert stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)},
                              headers=stranger.headers).status_code == 201
    headers = {**buyer.headers, "Idempotency-Key": "too-late"}
    first = stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=headers)
    retry = stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=headers)
    assert first.status_code == retry.status_code == 409 and retry.json["code"] == first.json["code"]
