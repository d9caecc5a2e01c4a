"""GET /api/v1/search on Elasticsearch shows each hit from the index's copy of the listing
(`_source`, at the revision the relay indexed) instead of reading the listing rows back from
PostgreSQL: the same page, and a listing leaves the results once the relay has run
(docs/search.md, "Where a hit's fields come from")."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import event

from marketplace.api.search.wiring import relay_inline, wiring
from search.backends import elasticsearch as es_mod
from tests.factories.app import make_app
from tests.factories.listings import car_payload, fridge_payload, publish_via_api


@pytest.fixture
def es_app(db_url, instance_dir):
    url = os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    alias = f"test-hits-{uuid.uuid4().hex[:10]}"
    app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=url,
                   SEARCH_INDEX=alias, SEARCH_RELAY_INLINE=True)
    yield app
    wiring(app).primary.es.indices.delete(index=f"{alias}-*", allow_no_indices=True)


def _search(client, **params):
    r = client.get("/api/v1/search", query_string=params)
    assert r.status_code == 200, r.json
    return r.json


@contextmanager
def _listing_reads(app):
    """The statements that read the listings table while the block runs."""
    from marketplace.extensions import database_of
    engine = database_of(app).engine
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        if "FROM listings" in statement:
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _rows_only(mp: pytest.MonkeyPatch) -> None:
    """Hits without their `_source` summary: the route reads every hit's row from PostgreSQL, as
    it did before (and as it still does for documents indexed before the summary fields)."""
    real = es_mod.ElasticsearchBackend.search

    def search(self, query, plan):
        result = real(self, query, plan)
        result.hits = [replace(h, source={k: v for k, v in (h.source or {}).items() if k == "location"})
                       for h in result.hits]
        return result
    mp.setattr(es_mod.ElasticsearchBackend, "search", search)


def test_a_page_from_the_index_is_the_page_from_the_rows(es_app, consumer, retailer, operator):
    client = es_app.test_client()
    publish_via_api(client, consumer, operator, fridge_payload(title="海尔冰箱 BCD-470 一级能效", negotiable=True))
    publish_via_api(client, consumer, operator, fridge_payload(title="美的冰箱 对开门", price_fen=99900))
    publish_via_api(client, consumer, operator, car_payload())
    publish_via_api(client, retailer, operator, fridge_payload(title="冰箱贴 磁性 装饰"))
    wiring(es_app).primary.refresh()
    queries = [{"q": "冰箱"}, {"q": "海尔冰箱", "energy_grade": "1"}, {"category": "vehicle"},
               {"sort": "newest"}, {"near": "37.87,112.55", "radius_km": "300", "sort": "distance"},
               {"q": "冰箱", "near": "37.87,112.55"}, {"q": "小米14 冰箱"}]
    for lang in ("zh-CN", "en"):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        with _listing_reads(es_app) as reads_from_index:
            from_index = [_search(client, **q) for q in queries]
        assert reads_from_index == []  # no read of the listing rows: the page is the index's copy
        assert sum(len(p["items"]) for p in from_index) >= 8
        assert any(i["negotiable"] for p in from_index for i in p["items"])
        assert all(i["seller"] for p in from_index for i in p["items"])
        with pytest.MonkeyPatch.context() as mp:
            _rows_only(mp)
            with _listing_reads(es_app) as reads_from_rows:
                from_rows = [_search(client, **q) for q in queries]
        assert len(reads_from_rows) == sum(1 for p in from_rows if p["items"] or p["related"])  # one per page
        assert from_index == from_rows
        # key order too: the page is written key for key in the schema's order either way
        assert [list(i) for p in from_index for i in p["items"]] == [list(i) for p in from_rows for i in p["items"]]


def test_a_withdrawn_listing_leaves_the_results_when_the_relay_has_run(es_app, consumer, operator):
    client = es_app.test_client()
    lid = publish_via_api(client, consumer, operator, fridge_payload(title="西门子冰箱 零度保鲜"))
    wiring(es_app).primary.refresh()
    assert [i["id"] for i in _search(client, q="西门子冰箱")["items"]] == [lid]
    r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": "withdraw"}, headers=consumer.headers)
    assert r.status_code == 200  # the inline relay ran after the commit
    wiring(es_app).primary.refresh()
    assert _search(client, q="西门子冰箱")["items"] == []


def test_a_change_shows_at_the_revision_the_relay_indexed(es_app, consumer, operator, session):
    """The staleness bound: a change made outside a unit of work (no inline relay) is not seen
    until the relay ships it; then the page shows it (and a sold or reserved listing is gone)."""
    from services.listings import service
    client = es_app.test_client()
    lid = publish_via_api(client, consumer, operator, fridge_payload(title="松下冰箱 三门"))
    wiring(es_app).primary.refresh()
    assert [i["id"] for i in _search(client, q="松下冰箱")["items"]] == [lid]
    service.reserve(session, uuid.UUID(lid))
    session.commit()  # queued in the outbox, not yet relayed
    before = _search(client, q="松下冰箱")["items"]
    assert [i["id"] for i in before] == [lid]  # the index's copy, until the relay runs
    relay_inline(es_app)
    wiring(es_app).primary.refresh()
    assert _search(client, q="松下冰箱")["items"] == []
