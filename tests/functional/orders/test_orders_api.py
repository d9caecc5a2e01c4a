"""Orders through HTTP: the offline (cash on handover) flow of the embedded default, the card
flow against stripe-mock, bad input, and who may do what (buyer, seller, other user, operator)."""
import uuid

import pytest
from sqlalchemy import select

from services.audit import AuditEntry
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish

ANON, BUYER, SELLER, OTHER, OPERATOR = "anonymous", "buyer", "seller", "other", "operator"


@pytest.fixture
def listing(session, seller, operator):
    return publish(session, seller, operator)


def _order(client, buyer, listing):
    r = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers)
    assert r.status_code == 201, r.json
    return r.json


@pytest.mark.smoke
def test_cash_on_handover_flow(client, session, buyer, seller, operator, listing):
    order = _order(client, buyer, listing)
    assert order["status"] == "payment_pending" and order["payment_method"] == "cash"
    assert order["platform_fee_bps"] == 0  # cash changes hands in person: no platform fee
    assert order["payment"]["client_secret"] is None and order["payment"]["currency"] == "CNY"
    assert client.get(f"/api/v1/listings/{listing.id}").json["status"] == "reserved"
    oid = order["id"]
    r = client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers)
    assert r.status_code == 200 and r.json["status"] == "handed_over" and r.json["accept_by"]
    r = client.post(f"/api/v1/orders/{oid}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    assert r.json["payment"]["captured_fen"] == 150000
    assert client.get(f"/api/v1/listings/{listing.id}").json["status"] == "sold"
    mine = client.get("/api/v1/orders?role=buyer", headers=buyer.headers).json["items"]
    assert [o["id"] for o in mine] == [oid]
    assert client.get("/api/v1/orders?role=buyer", headers=seller.headers).json["items"] == []
    assert client.get("/api/v1/orders?role=seller&status=completed", headers=seller.headers).json["items"][0]["id"] == oid
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == oid).order_by(AuditEntry.at)))
    assert actions[:5] == ["order.place", "order.start_payment", "order.confirm_cash", "order.hand_over", "order.accept"]


@pytest.mark.smoke
def test_cancel_relists_and_the_next_buyer_can_buy(client, buyer, stranger, seller, listing):
    oid = _order(client, buyer, listing)["id"]
    assert client.post("/api/v1/orders", json={"listing_id": str(listing.id)},
                       headers=stranger.headers).status_code == 409
    r = client.post(f"/api/v1/orders/{oid}/cancel", json={"reason": "买了别的"}, headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled" and r.json["cancel_reason"] == "买了别的"
    assert _order(client, stranger, listing)["status"] == "payment_pending"


def test_forbidden_transition_is_a_409_naming_the_allowed_ones(client, buyer, seller, listing):
    oid = _order(client, buyer, listing)["id"]
    r = client.post(f"/api/v1/orders/{oid}/accept", headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "invalid_state"
    assert r.json["current"] == "payment_pending" and r.json["allowed"] == ["cancelled", "paid_held"]


def test_bad_input(client, buyer, seller, listing, session, operator):
    post = client.post
    assert post("/api/v1/orders", json={"listing_id": "not-a-uuid"}, headers=buyer.headers).status_code == 422
    assert post("/api/v1/orders", json={}, headers=buyer.headers).status_code == 422
    assert post("/api/v1/orders", json={"listing_id": str(uuid.uuid4())}, headers=buyer.headers).status_code == 404
    r = post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=seller.headers)
    assert r.status_code == 403 and r.json["code"] == "own_listing"
    r = post("/api/v1/orders", data="listing_id=1", headers={**buyer.headers, "Content-Type": "text/plain"})
    assert r.status_code == 415
    draft = client.post("/api/v1/listings", json=fridge_payload(), headers=seller.headers).json
    assert post("/api/v1/orders", json={"listing_id": draft["id"]}, headers=buyer.headers).status_code == 404
    oid = _order(client, buyer, listing)["id"]
    client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers)
    client.post(f"/api/v1/orders/{oid}/accept", headers=buyer.headers)
    refunds = f"/api/v1/orders/{oid}/refunds"
    assert post(refunds, json={"amount_fen": "100", "reason": "x"}, headers=seller.headers).status_code == 422
    assert post(refunds, json={"amount_fen": 100}, headers=seller.headers).status_code == 422
    assert post(refunds, json={"amount_fen": 0, "reason": "x"}, headers=seller.headers).status_code == 422
    r = post(refunds, json={"amount_fen": 150001, "reason": "x"}, headers=seller.headers)
    assert r.status_code == 422 and "amount_fen" in r.json["errors"]
    r = post(refunds, json={"amount_fen": 50000, "reason": "划痕"}, headers=seller.headers)
    assert r.status_code == 200 and r.json["refunded_fen"] == 50000 and r.json["status"] == "completed"
    r = post(refunds, json={"reason": "退货"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "refunded" and r.json["refunded_fen"] == 150000


def _matrix(client, actors, method, url, body, expected):
    for who, status in expected.items():
        r = client.open(url, method=method, json=body, headers=actors[who])
        assert r.status_code == status, f"{who}: {method} {url} -> {r.status_code} {r.json}"


def test_authorisation_matrix(client, buyer, seller, stranger, operator, listing):
    actors = {ANON: {}, BUYER: buyer.headers, SELLER: seller.headers, OTHER: stranger.headers,
              OPERATOR: operator.headers}
    oid = _order(client, buyer, listing)["id"]
    base = f"/api/v1/orders/{oid}"
    _matrix(client, actors, "GET", base, None, {ANON: 401, BUYER: 200, SELLER: 200, OTHER: 404, OPERATOR: 200})
    _matrix(client, actors, "GET", f"{base}/payment", None, {ANON: 401, BUYER: 200, SELLER: 200, OTHER: 404, OPERATOR: 200})
    _matrix(client, actors, "POST", f"{base}/handover", None, {ANON: 401, BUYER: 403, OTHER: 404, OPERATOR: 403})
    _matrix(client, actors, "POST", f"{base}/cash-received", None, {ANON: 401, BUYER: 403, OTHER: 404, OPERATOR: 403})
    _matrix(client, actors, "POST", f"{base}/cancel", {}, {ANON: 401, OTHER: 404})
    _matrix(client, actors, "POST", f"{base}/cash-received", None, {SELLER: 200})
    _matrix(client, actors, "POST", f"{base}/accept", None, {ANON: 401, SELLER: 403, OTHER: 404, OPERATOR: 403})
    _matrix(client, actors, "POST", f"{base}/refunds", {"reason": "x"}, {ANON: 401, BUYER: 403, OTHER: 404})
    _matrix(client, actors, "POST", f"{base}/accept", None, {BUYER: 200})
    _matrix(client, actors, "GET", "/api/v1/orders", None, {ANON: 401, BUYER: 200, OTHER: 200, OPERATOR: 200})
    assert client.get("/api/v1/orders", headers=stranger.headers).json["items"] == []
    assert [o["id"] for o in client.get("/api/v1/orders", headers=operator.headers).json["items"]] == [oid]
    r = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=operator.headers)
    assert r.status_code == 403
    _matrix(client, actors, "GET", f"/api/v1/orders/{uuid.uuid4()}", None, {BUYER: 404, OPERATOR: 404})


def test_operator_cancels(client, buyer, operator, listing):
    oid = _order(client, buyer, listing)["id"]
    r = client.post(f"/api/v1/orders/{oid}/cancel", json={"reason": "fraud suspected"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_idempotent_order_creation(client, buyer, listing):
    h = {**buyer.headers, "Idempotency-Key": "order-once"}
    a = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=h)
    b = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=h)
    assert a.status_code == b.status_code == 201 and a.json["id"] == b.json["id"]
    assert b.headers["Idempotent-Replayed"] == "true"


def test_card_order_over_http_returns_the_client_secret_to_the_buyer_only(stripe_client, session, buyer, seller,
                                                                          operator, listing):
    r = stripe_client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers)
    assert r.status_code == 201, r.json
    assert r.json["payment_method"] == "card" and r.json["payment"]["provider"] == "stripe"
    secret = r.json["payment"]["client_secret"]
    assert secret and "_secret_" in secret
    oid = r.json["id"]
    assert stripe_client.get(f"/api/v1/orders/{oid}/payment", headers=buyer.headers).json["client_secret"] == secret
    for who in (seller, operator):
        assert stripe_client.get(f"/api/v1/orders/{oid}", headers=who.headers).json["payment"]["client_secret"] is None
    r = stripe_client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers)
    assert r.status_code == 409 and r.json["code"] == "not_a_cash_order"
    r = stripe_client.post(f"/api/v1/orders/{oid}/cancel", json={}, headers=seller.headers)
    assert r.status_code == 200 and r.json["payment"]["status"] == "cancelled"


def test_seller_onboarding_and_payouts(stripe_client, client, seller, buyer, operator):
    r = stripe_client.post("/api/v1/payments/seller-account", headers=seller.headers)
    assert r.status_code == 200 and r.json["onboarding_url"].startswith("https://")
    assert r.json["payouts_enabled"] is False and r.json["owner_user_id"] == str(seller.id)
    r = stripe_client.get("/api/v1/payments/seller-account", headers=seller.headers)
    assert r.status_code == 200 and r.json["onboarding_url"] is None
    assert stripe_client.get("/api/v1/payments/seller-account", headers=buyer.headers).status_code == 404
    assert stripe_client.post("/api/v1/payments/seller-account", headers=operator.headers).status_code == 403
    assert stripe_client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"] == []
    r = client.post("/api/v1/payments/seller-account", headers=buyer.headers)   # offline: no Stripe
    assert r.status_code == 409 and r.json["code"] == "payouts_unavailable"
