"""The seller's standing where buyers look: one listing, the listing index and search hits carry
the seller's public summary (rating, completed trades, credit band, verification), the same
figures as the public profile, kept current as orders complete or are refunded, reviews are
published and scores are computed; a page costs one query for all its sellers, not one per row."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession

from services.accounts.models import Role, User
from services.credit import service as credit
from services.orders.models import OrderStatus
from services.reviews import service as reviews
from services.standing import service as standing
from services.standing.models import SellerStanding
from tests.factories.accounts import make_user
from tests.factories.orders import SETTINGS, order_in, publish

API = "/api/v1"
KEYS = ["id", "display_name", "real_name_verified", "organisation_verified", "rating_average", "rating_count",
        "completed_trades", "credit_band", "profile_url"]


@pytest.fixture
def buyer(session):
    return make_user(session, Role.CONSUMER)


def _review(client, actor, order_id, stars):
    r = client.post(f"{API}/orders/{order_id}/reviews", json={"stars": stars, "text": "好"}, headers=actor.headers)
    assert r.status_code == 201, r.json


def test_listing_index_and_search_show_the_profiles_standing(client, session, buyer, consumer, operator,
                                                             published_listing):
    first = order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    _review(client, buyer, first.id, 4)
    _review(client, consumer, first.id, 5)          # both wrote: both reviews are published
    band = credit.recompute(session, consumer.id).band
    session.commit()

    lid = published_listing["id"]
    one = client.get(f"{API}/listings/{lid}").json["seller"]
    hit = next(h for h in client.get(f"{API}/search?q=iPhone").json["items"] if h["id"] == lid)["seller"]
    row = next(i for i in client.get(f"{API}/listings?limit=100").json["items"] if i["id"] == lid)["seller"]
    profile = client.get(f"{API}/users/{consumer.id}/profile").json

    assert list(one) == KEYS and one == hit == row
    assert (one["id"], one["display_name"]) == (str(consumer.id), consumer.user.display_name)
    assert (one["completed_trades"], one["rating_count"], one["rating_average"]) == (2, 1, 4.0)
    assert one["credit_band"] == band and one["profile_url"] == f"{API}/users/{consumer.id}/profile"
    for key in ("display_name", "real_name_verified", "rating_average", "rating_count", "completed_trades",
                "credit_band"):
        assert one[key] == profile[key], key
    assert consumer.user.email not in str(one)
    # The buyer's own standing moved too: a trade counts for both sides.
    assert client.get(f"{API}/users/{buyer.id}/profile").json["completed_trades"] == 2


def test_a_refund_takes_the_trade_back_and_an_unreviewed_order_adds_no_rating(client, session, buyer, consumer,
                                                                              operator):
    order_in(session, OrderStatus.REFUNDED, buyer=buyer, seller=consumer, operator=operator)
    done = order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=consumer, operator=operator)
    _review(client, buyer, done.id, 2)              # alone, it stays hidden until the window closes
    p = client.get(f"{API}/users/{consumer.id}/profile").json
    assert (p["completed_trades"], p["rating_count"], p["rating_average"]) == (1, 0, None)


def test_an_organisations_score_shows_on_its_staffs_listings(client, session, operator):
    shop = make_user(session, Role.RETAILER)
    unvetted = make_user(session, Role.RETAILER, verified_org=False)
    row = credit.recompute(session, shop.id)          # retailers are scored as their organisation
    session.commit()
    assert row.subject_id == shop.org_id
    p = client.get(f"{API}/users/{shop.id}/profile").json
    assert p["credit_band"] == row.band
    seen = standing.summaries(session, [shop.id, unvetted.id, operator.id])
    assert seen[shop.id].organisation_verified is True and seen[unvetted.id].organisation_verified is False
    assert operator.id not in seen                    # operators have no public standing


def test_a_page_reads_all_its_sellers_in_one_query(app, client, session, operator, published_listing):
    for _ in range(4):
        publish(session, make_user(session, Role.CONSUMER), operator)
    session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        items = client.get(f"{API}/listings?limit=20").json["items"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len({i["seller"]["id"] for i in items}) == 5 and all(i["seller"] for i in items)
    assert sum("seller_standing" in s for s in statements) == 1


def test_concurrent_reviews_are_all_counted(app, session, operator):
    """Two orders of one seller reviewed at once from two connections: the standing row lock makes
    the second recount wait for the first commit, so neither review is lost."""
    seller = make_user(session, Role.CONSUMER)
    pairs = []
    for _ in range(2):
        buyer = make_user(session, Role.CONSUMER)
        order = order_in(session, OrderStatus.COMPLETED, buyer=buyer, seller=seller, operator=operator)
        reviews.write(session, seller.user, order.id, stars=5, text="", settings=SETTINGS)
        pairs.append((buyer.id, order.id))
    session.commit()
    engine = session.get_bind()
    barrier, errors = threading.Barrier(2), []

    def write(buyer_id, order_id, stars):
        try:
            with OrmSession(engine, info=session.info) as s:  # the same app's collaborators
                author = s.get(User, buyer_id)
                barrier.wait(timeout=10)
                reviews.write(s, author, order_id, stars=stars, text="", settings=SETTINGS)
                s.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=write, args=(b, o, stars)) for (b, o), stars in zip(pairs, (3, 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    session.expire_all()
    row = session.scalar(select(SellerStanding).where(SellerStanding.user_id == seller.id))
    assert (row.rating_count, row.rating_sum, row.completed_trades) == (2, 7, 2)


def test_listing_reads_cache_seller_summaries_for_a_few_seconds(app, session, monkeypatch):
    """The hot reads reuse a seller's summary for SELLER_SUMMARY_CACHE_SECONDS, then read it again."""
    from marketplace.api.listings import sellers as cache_mod
    from services.standing import service as standing_service
    calls = []
    real = standing_service.summaries
    monkeypatch.setattr(standing_service, "summaries", lambda s, ids: calls.append(list(ids)) or real(s, ids))
    clock = [1000.0]
    monkeypatch.setattr(cache_mod.time, "monotonic", lambda: clock[0])
    user = make_user(session, Role.CONSUMER)
    cache = cache_mod.SellerCache(30)
    assert cache.one(session, user.id).display_name == user.user.display_name
    assert cache.one(session, user.id) is not None and len(calls) == 1          # served from the cache
    clock[0] += 31
    cache.one(session, user.id)
    assert len(calls) == 2                                                         # expired: read again
    fresh = cache_mod.SellerCache(0)
    fresh.one(session, user.id), fresh.one(session, user.id)
    assert len(calls) == 4                                                         # 0 s: never cached
