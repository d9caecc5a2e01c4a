"""Money a user would want to hear about, through HTTP and the real jobs: the seller is told when
the payout transfer landed, the buyer when a subsidy was reserved for them and when it expired
with an unpaid order (each once, in Chinese and English)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import jobs
from services.accounts.models import Role
from services.notifications.models import Notification
from services.orders import jobs as order_jobs
from services.orders.models import OrderStatus as S
from services.payments import relay
from services.subsidies import pools
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import onboarded_payout_account, order_in, publish, stripe_gateway
from tests.factories.subsidies import resident_id

QUOTE = {"region": "141100", "date": "2025-06-01",
         "purchase": {"kind": "television", "price_fen": 1, "energy_grade": 5}}


@pytest.fixture
def subsidised(session, retailer, operator):
    """A verified buyer and a retailer's fridge that a subsidy pool covers (made before the clock is
    frozen: the buyer's token stays valid while the test moves the clock)."""
    pools.create_pool(session, operator.id, "CN-2025-appliance", "140000", 10_000_000)
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    return buyer, publish(session, retailer, operator, fridge_payload(price_fen=300000))


def _feed(client, who, lang="zh"):
    return client.get(f"/api/v1/notifications?limit=100&lang={lang}", headers=who.headers).json["items"]


def test_the_seller_is_told_once_when_the_payout_lands(stripe_client, session, buyer, seller, operator, frozen):
    onboarded_payout_account(session, user_id=seller.id)
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    payout = stripe_client.get("/api/v1/payments/payouts", headers=seller.headers).json["items"][0]
    assert payout["status"] == "paid", payout
    told = [n for n in _feed(stripe_client, seller, "en") if n["kind"] == "payout_sent"]
    assert len(told) == 1 and told[0]["ref_id"] == str(order.id)
    assert told[0]["title"] == "Payout sent" and f"¥{payout['net_fen'] // 100:,}." in told[0]["body"]
    assert [n["title"] for n in _feed(stripe_client, seller) if n["kind"] == "payout_sent"] == ["货款已打出"]
    relay.relay(session, stripe_gateway(), order_ids=[order.id])   # a later pass changes nothing
    session.commit()
    assert len([n for n in _feed(stripe_client, seller) if n["kind"] == "payout_sent"]) == 1
    assert all(n["kind"] != "payout_sent" for n in _feed(stripe_client, buyer))


def test_a_reserved_subsidy_and_its_expiry_are_told_to_the_buyer(stripe_client, stripe_app, subsidised, frozen):
    buyer, listing = subsidised
    r = stripe_client.post("/api/v1/orders", headers=buyer.headers, json={"listing_id": str(listing.id),
                                                                          "subsidy": QUOTE})
    assert r.status_code == 201, r.json
    subsidy = r.json["subsidy_fen"]
    assert subsidy > 0
    reserved = [n for n in _feed(stripe_client, buyer, "en") if n["kind"] == "subsidy_reserved"]
    assert len(reserved) == 1 and f"¥{subsidy // 100:,}." in reserved[0]["body"]
    assert jobs.run_job(stripe_app, jobs.scheduled(order_jobs.expire_reservations)) == 0   # still in time
    assert not [n for n in _feed(stripe_client, buyer) if n["kind"] == "subsidy_expired"]
    frozen.advance(timedelta(minutes=31))
    assert jobs.run_job(stripe_app, jobs.scheduled(order_jobs.expire_reservations)) == 1
    assert jobs.run_job(stripe_app, jobs.scheduled(order_jobs.expire_reservations)) == 0
    expired = [n for n in _feed(stripe_client, buyer, "en") if n["kind"] == "subsidy_expired"]
    assert len(expired) == 1 and expired[0]["ref_id"] == r.json["id"] and "expired" in expired[0]["body"]
    assert "补贴已过期" in [n["title"] for n in _feed(stripe_client, buyer)]


def test_a_buyer_who_cancels_is_not_told_the_subsidy_expired(stripe_client, session, subsidised, frozen):
    buyer, listing = subsidised
    r = stripe_client.post("/api/v1/orders", headers=buyer.headers, json={"listing_id": str(listing.id),
                                                                          "subsidy": QUOTE})
    assert stripe_client.post(f"/api/v1/orders/{r.json['id']}/cancel", json={}, headers=buyer.headers).status_code == 200
    session.expire_all()
    kinds = session.scalars(select(Notification.kind).where(Notification.recipient_id == buyer.id)).all()
    assert kinds == ["subsidy_reserved"]
