"""Offers, reviews and disputes through HTTP, with bad input and authorisation."""
import uuid

import pytest
from sqlalchemy import select

from services.audit import AuditEntry
from services.credit.events import CreditEvent
from tests.factories.listings import fridge_payload
from tests.factories.orders import publish


@pytest.fixture
def negotiable(session, seller, operator):
    return publish(session, seller, operator, fridge_payload(negotiable=True, price_fen=200000))


def _completed(client, buyer, seller, listing):
    oid = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers).json["id"]
    client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers)
    assert client.post(f"/api/v1/orders/{oid}/accept", headers=buyer.headers).json["status"] == "completed"
    return oid


# ---- offers -------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_offer_counter_accept_becomes_an_order_at_that_price(client, buyer, seller, negotiable):
    r = client.post(f"/api/v1/listings/{negotiable.id}/offers", json={"amount_fen": 150000, "message": "便宜点?"},
                    headers=buyer.headers)
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["made_by"] == "buyer"
    first = r.json["id"]
    r = client.post(f"/api/v1/offers/{first}/accept", headers=buyer.headers)   # not your turn
    assert r.status_code == 403 and r.json["code"] == "not_your_turn"
    r = client.post(f"/api/v1/offers/{first}/counter", json={"amount_fen": 180000}, headers=seller.headers)
    assert r.status_code == 200 and r.json["offer"]["made_by"] == "seller" and r.json["offer"]["parent_id"] == first
    counter = r.json["offer"]["id"]
    assert client.get(f"/api/v1/offers/{first}", headers=buyer.headers).json["status"] == "countered"
    r = client.post(f"/api/v1/offers/{counter}/accept", headers=buyer.headers)
    assert r.status_code == 200, r.json
    assert r.json["offer"]["status"] == "accepted" and r.json["order"]["price_fen"] == 180000
    assert r.json["order"]["offer_id"] == counter and r.json["order"]["buyer_id"] == str(buyer.id)
    assert r.json["order"]["status"] == "payment_pending"


def test_a_sale_declines_the_offers_still_open_on_the_listing(client, buyer, stranger, seller, negotiable):
    url = f"/api/v1/listings/{negotiable.id}/offers"
    waiting = client.post(url, json={"amount_fen": 150000}, headers=stranger.headers).json["id"]
    _completed(client, buyer, seller, negotiable)            # someone else bought it at the full price
    r = client.get(f"/api/v1/offers/{waiting}", headers=stranger.headers)
    assert r.status_code == 200 and r.json["status"] == "declined" and r.json["responded_at"]
    r = client.post(f"/api/v1/offers/{waiting}/accept", headers=seller.headers)
    assert r.status_code == 409


def test_offer_rules(client, session, buyer, stranger, seller, operator, negotiable):
    url = f"/api/v1/listings/{negotiable.id}/offers"
    fixed = publish(session, seller, operator, fridge_payload(negotiable=False))
    r = client.post(f"/api/v1/listings/{fixed.id}/offers", json={"amount_fen": 1000}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "not_negotiable"
    assert client.post(url, json={"amount_fen": 200001}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"amount_fen": "1000"}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"amount_fen": 1000}, headers=seller.headers).status_code == 403
    assert client.post(url, json={"amount_fen": 1000}).status_code == 401
    assert client.post(f"/api/v1/listings/{uuid.uuid4()}/offers", json={"amount_fen": 1},
                       headers=buyer.headers).status_code == 404
    oid = client.post(url, json={"amount_fen": 150000}, headers=buyer.headers).json["id"]
    r = client.post(url, json={"amount_fen": 160000}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "offer_exists"
    assert client.get(f"/api/v1/offers/{oid}", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/offers/{oid}/decline", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/offers/{oid}/withdraw", headers=seller.headers).status_code == 403
    assert client.post(f"/api/v1/offers/{oid}/counter", json={}, headers=seller.headers).status_code == 422
    assert client.post(f"/api/v1/offers/{oid}/withdraw", headers=buyer.headers).json["offer"]["status"] == "withdrawn"
    assert client.post(f"/api/v1/offers/{oid}/accept", headers=seller.headers).status_code == 409
    other = client.post(url, json={"amount_fen": 170000}, headers=stranger.headers).json["id"]
    assert client.post(f"/api/v1/offers/{other}/decline", headers=seller.headers).json["offer"]["status"] == "declined"
    assert [o["id"] for o in client.get("/api/v1/offers?role=seller", headers=seller.headers).json["items"]] == [other, oid]
    assert [o["id"] for o in client.get("/api/v1/offers?role=buyer", headers=buyer.headers).json["items"]] == [oid]


def test_accepting_an_offer_on_a_listing_already_bought_is_409(client, buyer, stranger, seller, negotiable):
    oid = client.post(f"/api/v1/listings/{negotiable.id}/offers", json={"amount_fen": 150000},
                      headers=buyer.headers).json["id"]
    assert client.post("/api/v1/orders", json={"listing_id": str(negotiable.id)},
                       headers=stranger.headers).status_code == 201
    r = client.post(f"/api/v1/offers/{oid}/accept", headers=seller.headers)
    assert r.status_code == 409 and r.json["code"] == "listing_unavailable"
    assert client.get(f"/api/v1/offers/{oid}", headers=buyer.headers).json["status"] == "pending"


# ---- reviews ------------------------------------------------------------------------------------

def test_reviews_published_when_both_wrote_one_per_side(client, session, buyer, seller, stranger, operator, negotiable):
    oid = _completed(client, buyer, seller, negotiable)
    url = f"/api/v1/orders/{oid}/reviews"
    assert client.post(url, json={"stars": 6, "text": "x"}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"stars": 0}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"stars": "5"}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"stars": 5}, headers=stranger.headers).status_code == 404
    assert client.post(url, json={"stars": 5}, headers=operator.headers).status_code == 404
    r = client.post(url, json={"stars": 5, "text": "东西很好"}, headers=buyer.headers)
    assert r.status_code == 201 and r.json["published_at"] is None and r.json["subject_id"] == str(seller.id)
    r = client.post(url, json={"stars": 1}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "review_exists"
    assert client.get(url, headers=seller.headers).json == []   # hidden from the other side
    assert len(client.get(url, headers=buyer.headers).json) == 1
    assert client.get(f"/api/v1/users/{seller.id}/reviews").json["items"] == []
    r = client.post(url, json={"stars": 4, "text": "爽快"}, headers=seller.headers)
    assert r.status_code == 201 and r.json["published_at"] is not None
    assert len(client.get(url, headers=seller.headers).json) == 2
    public = client.get(f"/api/v1/users/{seller.id}/reviews").json["items"]
    assert [(p["stars"], p["author_role"]) for p in public] == [(5, "buyer")]
    stars = {e.subject_id: e.value for e in session.scalars(select(CreditEvent).where(CreditEvent.kind == "review_received"))}
    assert stars == {seller.id: 5, buyer.id: 4}


def test_no_review_before_completion(client, buyer, seller, negotiable):
    oid = client.post("/api/v1/orders", json={"listing_id": str(negotiable.id)}, headers=buyer.headers).json["id"]
    r = client.post(f"/api/v1/orders/{oid}/reviews", json={"stars": 3}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "order_not_completed"


# ---- disputes -----------------------------------------------------------------------------------

def _handed_over(client, buyer, seller, listing):
    oid = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers).json["id"]
    assert client.post(f"/api/v1/orders/{oid}/cash-received", headers=seller.headers).status_code == 200
    return oid


def test_dispute_open_and_resolve_with_partial_refund_is_audited(client, session, buyer, seller, stranger, operator,
                                                                 negotiable):
    oid = _handed_over(client, buyer, seller, negotiable)
    url = f"/api/v1/orders/{oid}/disputes"
    assert client.post(url, json={"reason": "broken"}, headers=buyer.headers).status_code == 422
    assert client.post(url, json={"reason": "not_received"}, headers=seller.headers).status_code == 403
    assert client.post(url, json={"reason": "not_received"}, headers=stranger.headers).status_code == 404
    r = client.post(url, json={"reason": "not_as_described", "description": "屏幕有裂痕"}, headers=buyer.headers)
    assert r.status_code == 201 and r.json["status"] == "open" and r.json["kind"] == "platform"
    did = r.json["id"]
    assert client.post(url, json={"reason": "not_received"}, headers=buyer.headers).status_code == 409
    assert client.get(f"/api/v1/orders/{oid}", headers=buyer.headers).json["status"] == "disputed"
    assert client.post(f"/api/v1/orders/{oid}/accept", headers=buyer.headers).status_code == 409
    assert client.get(f"/api/v1/disputes/{did}", headers=stranger.headers).status_code == 404
    assert client.get(f"/api/v1/disputes/{did}", headers=seller.headers).status_code == 200
    queue = client.get("/api/v1/disputes?status=open", headers=operator.headers).json["items"]
    assert [d["id"] for d in queue] == [did]
    assert client.get("/api/v1/disputes", headers=stranger.headers).json["items"] == []
    resolve = f"/api/v1/disputes/{did}/resolve"
    body = {"outcome": "partial_refund", "amount_fen": 50000, "note": "裂痕属实, 退一部分"}
    assert client.post(resolve, json=body, headers=buyer.headers).status_code == 403
    assert client.post(resolve, json={**body, "amount_fen": 200000}, headers=operator.headers).status_code == 422
    assert client.post(resolve, json={"outcome": "partial_refund", "note": "x"}, headers=operator.headers).status_code == 422
    assert client.post(resolve, json={"outcome": "release"}, headers=operator.headers).status_code == 422
    r = client.post(resolve, json=body, headers=operator.headers)
    assert r.status_code == 200 and r.json["outcome"] == "partial_refund" and r.json["refund_fen"] == 50000
    assert client.post(resolve, json=body, headers=operator.headers).status_code == 409
    order = client.get(f"/api/v1/orders/{oid}", headers=buyer.headers).json
    assert order["status"] == "completed" and order["refunded_fen"] == 50000
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == did)))
    assert {"dispute.open", "dispute.resolve"} <= actions
    kinds = {(e.kind, e.subject_id) for e in session.scalars(select(CreditEvent).where(CreditEvent.ref_type == "dispute"))}
    assert kinds == {("dispute_opened", seller.id), ("dispute_won", buyer.id), ("dispute_lost", seller.id)}


def test_dispute_refund_relists_and_release_completes(client, session, buyer, seller, stranger, operator):
    first = publish(session, seller, operator)
    second = publish(session, seller, operator)
    a = _handed_over(client, buyer, seller, first)
    b = _handed_over(client, stranger, seller, second)
    da = client.post(f"/api/v1/orders/{a}/disputes", json={"reason": "not_received"}, headers=buyer.headers).json["id"]
    db_ = client.post(f"/api/v1/orders/{b}/disputes", json={"reason": "not_as_described"}, headers=stranger.headers).json["id"]
    assert client.post(f"/api/v1/disputes/{da}/resolve", json={"outcome": "refund", "note": "没收到"},
                       headers=operator.headers).status_code == 200
    assert client.get(f"/api/v1/orders/{a}", headers=buyer.headers).json["status"] == "refunded"
    assert client.get(f"/api/v1/listings/{first.id}").json["status"] == "published"
    assert client.post(f"/api/v1/disputes/{db_}/resolve", json={"outcome": "release", "note": "与描述一致"},
                       headers=operator.headers).status_code == 200
    assert client.get(f"/api/v1/orders/{b}", headers=stranger.headers).json["status"] == "completed"
    assert client.get(f"/api/v1/listings/{second.id}").json["status"] == "sold"
    # Paid for and never received: the seller lost the dispute and did not ship.
    not_shipped = [e.ref_id for e in session.scalars(select(CreditEvent).where(CreditEvent.kind == "order_not_shipped"))]
    assert not_shipped == [da]


def test_no_dispute_after_completion(client, buyer, seller, negotiable):
    oid = _completed(client, buyer, seller, negotiable)
    r = client.post(f"/api/v1/orders/{oid}/disputes", json={"reason": "not_as_described"}, headers=buyer.headers)
    assert r.status_code == 409 and r.json["code"] == "dispute_not_allowed"
