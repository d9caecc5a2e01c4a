"""Keeping the index true: outbox relay through an outage, concurrent relays, live reindex.

Real PostgreSQL (the app's test database) and real Elasticsearch; nothing is mocked."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from search import sync
from search.analysis import plan_query
from search.backends.elasticsearch import ElasticsearchBackend, make_client
from search.query import SearchQuery
from services.accounts.models import Role
from services.credit import service as credit
from services.flows.publishing import PUBLISH_GATES
from services.listings import service
from services.listings.models import Listing, SearchOutbox, Status
from tests.factories.app import make_app
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload

DEAD_ES = "http://127.0.0.1:9"  # nothing listens on the discard port: connection refused


@pytest.fixture
def es_backend(es_url):
    backend = ElasticsearchBackend(make_client(es_url, 30), alias=f"test-sync-{uuid.uuid4().hex[:10]}")
    yield backend
    backend.es.indices.delete(index=f"{backend.alias}-*", allow_no_indices=True)


@pytest.fixture
def factory(app):
    return app.extensions["db"].factory


def db_versions(session_factory) -> dict[str, tuple[int, bool]]:
    with session_factory() as s:
        return {str(i): (rev, status == Status.PUBLISHED)
                for i, rev, status in s.execute(select(Listing.id, Listing.revision, Listing.status))}


def outbox_rows(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(SearchOutbox))


def _trust(s, operator, seller) -> None:
    """An excellent credit band: up to 300 listings at once, published on submit (the default
    band of a new account allows 10 and waits for review)."""
    credit.add_override(s, operator.user, seller.id, kind="score", score=720, reason="bulk seller in a test")


def publish_fridges(session_factory, n: int) -> list[uuid.UUID]:
    with session_factory() as s:
        seller, operator = make_user(s, Role.CONSUMER), make_user(s, Role.OPERATOR)
        _trust(s, operator, seller)
        ids = []
        for i in range(n):
            listing = service.create(s, seller.user, fridge_payload(title=f"海尔冰箱 第{i}台", price_fen=100_000 + i))
            # published: no manual review
            service.transition(s, seller.user, listing.id, "submit", gates=PUBLISH_GATES)
            ids.append(listing.id)
        s.commit()
        return ids, seller.user.id


def test_outage_loses_nothing(db_url, instance_dir, es_backend, factory):
    """ES unreachable: 1,000 listing changes are accepted over HTTP and searches answer 503;
    once ES is back, one relay makes the index match the database exactly."""
    down = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=DEAD_ES,
                    SEARCH_INDEX=es_backend.alias, SEARCH_RELAY_INLINE=True, ELASTICSEARCH_TIMEOUT=2)
    client = down.test_client()
    with factory() as s:
        seller, operator = make_user(s, Role.CONSUMER), make_user(s, Role.OPERATOR)
        _trust(s, operator, seller)
        s.commit()
    changes, ids = 0, []
    for i in range(100):
        r = client.post("/api/v1/listings", json=fridge_payload(title=f"冰箱 {i}"), headers=seller.headers)
        assert r.status_code == 201, r.json
        ids.append(r.json["id"])
        r = client.post(f"/api/v1/listings/{ids[-1]}/transitions", json={"action": "submit"}, headers=seller.headers)
        assert r.status_code == 200 and r.json["status"] == "published", r.json
        changes += 2
    i = 0
    while changes < 1000:
        lid = ids[i % len(ids)]
        r = client.patch(f"/api/v1/listings/{lid}", json={"price_fen": 90_000 + i}, headers=seller.headers)
        assert r.status_code == 200, r.json
        changes += 1
        i += 1
    for lid in ids[:10]:  # some leave the market while ES is down
        r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "withdraw"}, headers=seller.headers)
        assert r.status_code == 200
    r = client.get("/api/v1/search", query_string={"q": "冰箱"})
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.mimetype == "application/problem+json" and "9" not in r.json["detail"]
    assert outbox_rows(factory) >= 1000

    total = sync.drain(factory, [es_backend], batch_size=200)
    assert outbox_rows(factory) == 0 and total.failed == 0
    es_backend.refresh()
    assert es_backend.versions() == db_versions(factory)
    hits = es_backend.search(SearchQuery(text="冰箱", limit=50, sort="relevance"), plan_query("冰箱"))
    assert hits.total == 90


def test_two_relays_at_once_neither_duplicate_nor_regress(es_backend, factory):
    ids, seller_id = publish_fridges(factory, 150)
    created_rows = outbox_rows(factory)
    results: list[sync.RelayResult] = []
    errors: list[BaseException] = []

    def relay():
        try:
            results.append(sync.drain(factory, [es_backend], batch_size=20))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def edit():
        from services.accounts.models import User
        try:
            with factory() as s:
                seller = s.get(User, seller_id)
                for n in range(120):
                    service.update_listing(s, seller, ids[n % 40], {"price_fen": 50_000 + n}, gates=PUBLISH_GATES)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=relay), threading.Thread(target=relay), threading.Thread(target=edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    results.append(sync.drain(factory, [es_backend], batch_size=50))  # what the edits queued late
    claimed = sum(r.claimed for r in results)
    assert claimed == created_rows + 120  # every outbox row shipped exactly once
    es_backend.refresh()
    assert es_backend.versions() == db_versions(factory)  # and nothing regressed


def test_searches_never_fail_during_reindex(es_backend, factory):
    publish_fridges(factory, 120)
    sync.drain(factory, [es_backend])
    es_backend.refresh()
    stop, failures, totals = threading.Event(), [], []

    def search_loop():
        query, plan = SearchQuery(text="冰箱", sort="relevance", limit=5), plan_query("冰箱")
        while not stop.is_set():
            try:
                totals.append(es_backend.search(query, plan).total)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(exc))

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(3):
            assert sync.reindex(factory, es_backend) == 120
    finally:
        stop.set()
        thread.join(30)
    assert not failures
    assert len(totals) > 10 and set(totals) == {120}
    assert len(es_backend._indices_of(es_backend.alias)) == 1
    assert es_backend._indices_of(es_backend.next_alias) == []


def test_changes_during_reindex_are_not_lost(es_backend, factory):
    ids, seller_id = publish_fridges(factory, 60)
    sync.drain(factory, [es_backend])
    from services.accounts.models import User

    def docs_then_edit(reader):
        # The reindex reads every listing; halfway through, a listing changes and is relayed.
        for n, doc in enumerate(sync.iter_documents(reader)):
            if n == 30:
                with factory() as s:
                    service.update_listing(s, s.get(User, seller_id), ids[0], {"title": "海尔冰箱 改了标题"},
                                           gates=PUBLISH_GATES)
                    service.transition(s, s.get(User, seller_id), ids[1], "withdraw", gates=PUBLISH_GATES)
                    s.commit()
                sync.drain(factory, [es_backend])
            yield doc

    with factory() as reader:
        es_backend.rebuild(docs_then_edit(reader))
    es_backend.refresh()
    assert es_backend.versions() == db_versions(factory)
