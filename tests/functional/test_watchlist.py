"""Favourites and saved searches (PostgreSQL): price drops on favourites and new listings that
match a saved search reach the user as notifications, batched (one per search, or one price-drop
digest, per period), matched with the same search semantics as /search."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace import alerts, jobs
from services.accounts.models import Role
from services.notifications.models import NotificationLog
from tests.factories.accounts import make_user
from tests.factories.listings import car_payload, fridge_payload
from tests.factories.orders import publish
from tests.factories.subsidies import resident_id

API = "/api/v1"


@pytest.fixture
def watcher(session):
    return make_user(session, Role.CONSUMER)


@pytest.fixture
def seller(session):
    # real-name verified: a fair credit band, whose listing limit fits the listings below
    return make_user(session, Role.CONSUMER, verified_id=resident_id())


def _sent(session, user, kind):
    session.expire_all()
    return list(session.scalars(select(NotificationLog).where(NotificationLog.recipient_id == user.id,
                                                             NotificationLog.kind == kind)
                                .order_by(NotificationLog.created_at)))


def _cut_price(client, seller, listing_id, price_fen):
    r = client.patch(f"{API}/listings/{listing_id}", json={"price_fen": price_fen}, headers=seller.headers)
    assert r.status_code == 200, r.json


def test_favourites_and_batched_price_drop_digest(app, app_with, client, session, watcher, seller, operator):
    first = publish(session, seller, operator, fridge_payload(price_fen=150000))
    second = publish(session, seller, operator, fridge_payload(price_fen=90000, title="美的 洗衣机 滚筒 10公斤"))
    for listing in (first, second):
        assert client.put(f"{API}/listings/{listing.id}/favourite", headers=watcher.headers).status_code == 201
    assert client.put(f"{API}/listings/{first.id}/favourite", headers=watcher.headers).status_code == 200
    faves = client.get(f"{API}/favourites", headers=watcher.headers).json["items"]
    assert {f["listing_id"] for f in faves} == {str(first.id), str(second.id)}

    _cut_price(client, seller, first.id, 120000)
    _cut_price(client, seller, second.id, 80000)
    assert jobs.run_job(app, alerts.price_drop_alerts) == 1
    digest = _sent(session, watcher, "favourite_price_drop")
    assert len(digest) == 1 and "¥1500.00 → ¥1200.00" in digest[0].body and "¥900.00 → ¥800.00" in digest[0].body

    _cut_price(client, seller, first.id, 110000)           # within the period: waits for the next digest
    assert jobs.run_job(app, alerts.price_drop_alerts) == 0
    assert jobs.run_job(app_with(ALERT_PERIOD_MINUTES=0), alerts.price_drop_alerts) == 1  # a period of 0
    latest = _sent(session, watcher, "favourite_price_drop")[-1]
    assert "¥1200.00 → ¥1100.00" in latest.body and "洗衣机" not in latest.body   # only what dropped since

    assert client.delete(f"{API}/listings/{first.id}/favourite", headers=watcher.headers).status_code == 204
    assert len(client.get(f"{API}/favourites", headers=watcher.headers).json["items"]) == 1
    assert client.get(f"{API}/favourites", headers=seller.headers).json["items"] == []


def test_saved_search_alerts_match_like_search_and_batch(app, app_with, client, session, watcher, seller,
                                                         operator):
    r = client.post(f"{API}/saved-searches", json={"name": "冰箱 一级能效", "params": {
        "q": "冰箱", "energy_grade": "1", "price_max": "200000"}}, headers=watcher.headers)
    assert r.status_code == 201, r.json
    assert jobs.run_job(app, alerts.saved_search_alerts) == 0       # nothing new yet

    match = publish(session, seller, operator, fridge_payload(price_fen=150000))
    publish(session, seller, operator, fridge_payload(price_fen=300000))          # too dear
    publish(session, seller, operator, car_payload())                             # not a fridge
    assert jobs.run_job(app, alerts.saved_search_alerts) == 1
    alert = _sent(session, watcher, "saved_search_match")
    assert len(alert) == 1 and alert[0].data["listings"] == [str(match.id)]

    publish(session, seller, operator, fridge_payload(price_fen=120000))          # in the same period: held back
    assert jobs.run_job(app, alerts.saved_search_alerts) == 0
    assert jobs.run_job(app_with(ALERT_PERIOD_MINUTES=0), alerts.saved_search_alerts) == 1  # a period of 0
    assert len(_sent(session, watcher, "saved_search_match")) == 2                # not the first one again
    assert jobs.run_job(app, alerts.saved_search_alerts) == 0


def test_saved_searches_are_checked_and_private(client, watcher, seller):
    r = client.post(f"{API}/saved-searches", json={"name": "x", "params": {"price_min": "abc", "sort": "best"}},
                    headers=watcher.headers)
    assert r.status_code == 422 and {"params.price_min", "params.sort"} <= set(r.json["errors"])
    r = client.post(f"{API}/saved-searches", json={"name": "x", "params": {"q": "***"}}, headers=watcher.headers)
    assert r.status_code == 422 and "params.q" in r.json["errors"]
    r = client.post(f"{API}/saved-searches", json={"name": "x", "params": {}}, headers=watcher.headers)
    assert r.status_code == 422 and "params" in r.json["errors"]
    sid = client.post(f"{API}/saved-searches", json={"name": "特斯拉", "params": {"q": "特斯拉"}},
                      headers=watcher.headers).json["id"]
    assert client.get(f"{API}/saved-searches", headers=seller.headers).json["items"] == []
    assert client.delete(f"{API}/saved-searches/{sid}", headers=seller.headers).status_code == 404
    assert client.delete(f"{API}/saved-searches/{sid}", headers=watcher.headers).status_code == 204
    assert client.get(f"{API}/saved-searches", headers=watcher.headers).json["items"] == []
