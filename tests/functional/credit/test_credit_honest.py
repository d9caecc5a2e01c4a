"""An honest credit score through the HTTP API: the reported case (one trade and an inspection
mismatch outranked two clean trades and got `good`), and every privilege a band promises,
enforced where it applies (trade-in prepayment: tests/functional/tradeins/test_prepayment.py
test_the_credit_service_decides_trust_and_the_band_sets_the_limit)."""
from __future__ import annotations

import json

from sqlalchemy import select

from services.audit import AuditEntry
from services.credit import service as credit
from services.credit.privileges import DEFAULT_PRIVILEGES_FILE
from services.orders.models import OrderStatus as S
from tests.factories.app import make_app
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import order_in
from tests.factories.tradeins import accept_dropoff, inspect, phone_answers, phone_quote, receive_and_photo


def _me(client, actor):
    r = client.get("/api/v1/credit/me", headers=actor.headers)
    assert r.status_code == 200, r.json
    return r.json


def _listing(client, actor) -> str:
    r = client.post("/api/v1/listings", json=fridge_payload(), headers=actor.headers)
    assert r.status_code == 201, r.json
    return r.json["id"]


def _act(client, actor, lid, action):
    return client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action}, headers=actor.headers)


def _band(session, operator, actor, score):
    credit.add_override(session, operator.user, actor.id, kind="score", score=score, reason="test band set")
    session.commit()


def test_one_trade_with_an_inspection_mismatch_ranks_below_two_clean_trades(
        client, session, consumer, other_consumer, recycler, operator, table):  # noqa: F811
    buyer = make_user(session)
    order_in(session, S.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    for _ in range(2):
        order_in(session, S.COMPLETED, buyer=buyer, seller=other_consumer, operator=operator)
    # The consumer declares a flawless phone; the recycler finds the screen cracked.
    body = phone_quote()
    t = client.post("/api/v1/tradeins", json=body, headers=consumer.headers).json
    t = accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    assert inspect(client, recycler, t, phone_answers(screen="cracked"), imei=body["imei"]).status_code == 200

    mine, theirs = _me(client, consumer), _me(client, other_consumer)
    assert mine["score"] < theirs["score"]
    assert mine["band"] in ("poor", "fair")
    assert mine["factors"]["record:inspection_mismatch"] == {"value": 1, "bin": "1 record", "points": -40.0}
    assert "INSPECTION_MISMATCH" in [r["code"] for r in mine["reasons"]]
    r = client.get("/api/v1/credit/me/privileges", headers=consumer.headers).json
    assert r["privileges"]["manual_review_new_listings"] is True
    assert r["privileges"]["tradein_prepayment"] is False
    # ... and the manual review it keeps applies: the listing waits for an operator.
    lid = _listing(client, consumer)
    assert _act(client, consumer, lid, "submit").json["status"] == "pending_review"


def test_a_good_band_publishes_on_submit_without_manual_review(client, session, consumer, other_consumer, operator):
    _band(session, operator, consumer, 640)
    lid = _listing(client, consumer)
    r = _act(client, consumer, lid, "submit")
    assert r.status_code == 200 and r.json["status"] == "published", r.json
    assert r.json["published_at"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "listing.auto_approve"))
    assert entry is not None and "good" in entry.reason
    # A fair band (a new account) still goes through review.
    lid = _listing(client, other_consumer)
    assert _act(client, other_consumer, lid, "submit").json["status"] == "pending_review"


def test_the_band_limits_listings_in_review_or_on_sale(client, session, consumer, operator):
    _band(session, operator, consumer, 400)  # poor: 3 at once
    ids = [_listing(client, consumer) for _ in range(4)]
    for lid in ids[:3]:
        assert _act(client, consumer, lid, "submit").status_code == 200
    r = _act(client, consumer, ids[3], "submit")
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.json["code"] == "listing_limit_reached" and "poor" in r.json["detail"] and "3" in r.json["detail"]
    assert _act(client, consumer, ids[0], "withdraw").status_code == 200
    assert _act(client, consumer, ids[3], "submit").status_code == 200


def test_listings_follow_the_configured_privilege_policy(db_url, instance_dir, tmp_path, consumer):
    # CREDIT_PRIVILEGES_FILE applies to listings as to trade-ins and /credit/me/privileges: here
    # a new account's band waives review and allows one listing at once.
    doc = json.loads(DEFAULT_PRIVILEGES_FILE.read_text())
    for band in doc["bands"].values():
        band.update(manual_review_new_listings=False, listing_limit=1)
    path = tmp_path / "privileges.json"
    path.write_text(json.dumps(doc))
    c = make_app(db_url, instance_dir, CREDIT_PRIVILEGES_FILE=str(path)).test_client()
    first, second = _listing(c, consumer), _listing(c, consumer)
    assert _act(c, consumer, first, "submit").json["status"] == "published"
    assert _act(c, consumer, second, "submit").json["code"] == "listing_limit_reached"
    assert c.get("/api/v1/credit/me/privileges", headers=consumer.headers).json["privileges"]["listing_limit"] == 1
