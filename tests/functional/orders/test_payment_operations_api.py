"""Operators see the Stripe calls that were given up on (GET /payments/operations)."""
from marketplace.api.payments.wiring import GATEWAY
from services.orders.models import OrderStatus as S
from tests.factories.orders import Recording, order_in, stripe_gateway


def test_a_refused_capture_is_listed_for_operators_only(stripe_app, stripe_client, session, buyer, seller, operator,
                                                         monkeypatch):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    monkeypatch.setitem(stripe_app.extensions, GATEWAY, Recording(stripe_gateway(), fail={"capture"}, declined=True))
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
    assert stripe_client.get("/api/v1/payments/operations", headers=buyer.headers).status_code == 403
    assert stripe_client.get("/api/v1/payments/operations").status_code == 401
