"""Operators see the Stripe calls that were given up on (GET /payments/operations)."""
from services.orders.models import OrderStatus as S
from services.payments import relay, service as payments
from services.payments.models import OperationState, PaymentOperation, PaymentStatus
from tests.factories.orders import Recording, event, intent_obj, order_in, post_event, stripe_gateway


def test_a_refused_capture_is_listed_for_operators_only(stripe_app, stripe_client, session, buyer, seller, operator,
                                                         use_gateway):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    use_gateway(Recording(stripe_gateway(), fail={"capture"}, declined=True))
    r = stripe_client.post(f"/api/v1/orders/{order.id}/accept", headers=buyer.headers)
    # The acceptance is kept; the refused capture is on the order and waits for a person.
    assert r.status_code == 200 and r.json["status"] == "accepted"
    assert r.json["attention"] == "capture pending: simulated"

    r = stripe_client.get("/api/v1/payments/operations", headers=operator.headers)
    assert r.status_code == 200, r.json
    [op] = r.json["items"]
    assert (op["kind"], op["state"], op["order_id"], op["attempts"]) == ("capture", "failed", str(order.id), 1)
    assert op["idempotency_key"] == f"huanxin-order-{order.id}-capture-{order.payable_fen}"
    assert op["last_error"].startswith("simulated")
    assert stripe_client.get("/api/v1/payments/operations", query_string={"state": "pending"},
                             headers=operator.headers).json["items"] == []
    r = stripe_client.get("/api/v1/payments/operations", query_string={"state": "nonsense"}, headers=operator.headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    for bad in ({"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 101}):
        r = stripe_client.get("/api/v1/payments/operations", query_string=bad, headers=operator.headers)
        assert r.status_code in (400, 422) and r.mimetype == "application/problem+json", (bad, r.status_code)
    assert stripe_client.get("/api/v1/payments/operations", headers=buyer.headers).status_code == 403
    assert stripe_client.get("/api/v1/payments/operations").status_code == 401


def test_a_late_authorisation_is_released_after_the_event_commits_and_retried_if_stripe_fails(
        stripe_app, stripe_client, session, buyer, seller, operator, use_gateway):
    order = order_in(session, S.CANCELLED, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    pay = payments.payment_for(session, order)
    down = Recording(stripe_gateway(), fail={"cancel"})
    use_gateway(down)
    late = event("payment_intent.amount_capturable_updated",
                 intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture"))
    r = post_event(stripe_client, late)
    # The event is taken (Stripe need not redeliver it); the release is retried by the relay.
    assert r.status_code == 200 and r.json["outcome"] == "releasing_late_authorisation"
    assert down.keys("cancel") == [f"huanxin-order-{order.id}-cancel-late"]
    session.expire_all()
    # (the cancellation's own release is an operation too, done when the order was cancelled)
    op = session.query(PaymentOperation).filter_by(idempotency_key=f"huanxin-order-{order.id}-cancel-late").one()
    assert (op.kind, op.state, op.attempts) == ("cancel", OperationState.PENDING, 1)
    op.next_attempt_at = op.created_at   # the back-off has passed
    session.commit()
    healthy = Recording(stripe_gateway())
    assert relay.reconcile(session, healthy) == 1
    assert healthy.keys("cancel") == [f"huanxin-order-{order.id}-cancel-late"]
    session.expire_all()
    assert payments.payment_for(session, order).status == PaymentStatus.CANCELLED
