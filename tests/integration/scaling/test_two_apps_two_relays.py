"""Past one machine (issue 21.5): two app processes and two relay workers on one database and one
Elasticsearch cluster give the same answers, and lose or double no index update.

Two gunicorn processes serve the app on free ports; two `flask search relay` workers drain the
outbox (SKIP LOCKED gives each its own rows; batches of 3 so they interleave on the same
listings). Listings are created, edited, published and withdrawn through both apps at once, each
step of a listing on a different app than the step before. When the outbox is empty, every
listing's document in the index must carry the listing's current revision as its version and its
current status (no lost update: an older write never overwrote a newer one; no doubled one: no
document at a revision the database never had, no document for nothing), and both apps must give
the same search answer byte for byte.
"""
from __future__ import annotations

import http.client
import json
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select, text

from search.backends.elasticsearch import ElasticsearchBackend, make_client
from services.listings.models import Listing
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.processes import ROOT, Proc, free_port

BIN = Path(sys.executable).parent
LISTINGS = 16


@pytest.fixture
def es_url() -> str:
    return os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200")


def _call(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json", **(headers or {})})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def _wait_ready(port: int, proc: Proc, deadline: float) -> None:
    while time.time() < deadline:
        assert proc.alive(), proc.log.read_text()
        try:
            if _call(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"app on {port} did not start: {proc.log.read_text()}")


def test_two_apps_and_two_relays_agree_and_lose_or_double_no_update(db_url, session, es_url, tmp_path,
                                                                    instance_dir, redis_url):
    assert db_url.startswith("postgresql")
    alias = f"test-scale-{uuid.uuid4().hex[:8]}"
    es = make_client(es_url, timeout=30)
    ElasticsearchBackend(es, alias=alias).ensure_index()  # before two relays race to create it
    # Two listings a seller: a new seller's band allows a few listings in review or on sale at once,
    # and with more a submit could race the withdrawal of the same seller's other listing (409).
    sellers = [make_user(session) for _ in range(LISTINGS // 2)]
    operator = make_user(session, "operator")
    session.commit()
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "ID_HASH_KEY": "test-id-hash-key",
           "INSTANCE_PATH": str(instance_dir), "STORAGE_DIR": str(instance_dir / "uploads"), "REDIS_URL": redis_url,
           "JOBS_INLINE": "true", "RATELIMIT_ENABLED": "false", "SEARCH_BACKEND": "elasticsearch",
           "ELASTICSEARCH_URL": es_url, "SEARCH_INDEX": alias, "SEARCH_RELAY_INLINE": "false",
           "SELLER_SUMMARY_CACHE_SECONDS": "0", "LOG_LEVEL": "WARNING"}
    ports = [free_port(), free_port()]
    procs: list[Proc] = []
    try:
        apps = [Proc([str(BIN / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{p}", "wsgi:app"],
                     env, tmp_path / f"app{i}.log") for i, p in enumerate(ports)]
        relays = [Proc([str(BIN / "flask"), "--app", "wsgi", "search", "relay", "--idle", "0.1", "--batch-size", "3"],
                       env, tmp_path / f"relay{i}.log") for i in range(2)]
        procs = apps + relays
        deadline = time.time() + 40
        for port, proc in zip(ports, apps):
            _wait_ready(port, proc, deadline)

        def lifecycle(i: int) -> str:
            """Create, edit, submit, approve and (every third) withdraw, alternating the apps."""
            seller = sellers[i % len(sellers)]
            port = lambda step: ports[(i + step) % 2]  # noqa: E731
            status, body = _call(port(0), "POST", "/api/v1/listings",
                                 fridge_payload(title=f"海尔冰箱 第{i}台 一级能效"), seller.headers)
            assert status == 201, body
            lid = json.loads(body)["id"]
            status, body = _call(port(1), "PATCH", f"/api/v1/listings/{lid}", {"price_fen": 150000 + i},
                                 seller.headers)
            assert status == 200, body
            for step, (who, action) in enumerate([(seller, "submit"), (operator, "approve")]
                                                 + ([(seller, "withdraw")] if i % 3 == 0 else []), start=2):
                status, body = _call(port(step), "POST", f"/api/v1/listings/{lid}/transitions", {"action": action},
                                     who.headers)
                assert status == 200, (action, body)
            return lid

        with ThreadPoolExecutor(6) as pool:
            ids = list(pool.map(lifecycle, range(LISTINGS)))

        while time.time() < deadline + 15:  # the relays drain what the apps wrote
            if session.execute(text("SELECT count(*) FROM search_outbox")).scalar() == 0:
                break
            session.rollback()
            time.sleep(0.2)
        assert session.execute(text("SELECT count(*) FROM search_outbox")).scalar() == 0, "relays did not drain"
        for relay in relays:
            assert relay.alive(), relay.log.read_text()
        es.indices.refresh(index=alias)

        rows = {str(r.id): r for r in session.execute(select(Listing.id, Listing.revision, Listing.status,
                                                              Listing.price_fen))}
        assert sorted(rows) == sorted(ids)
        docs = es.mget(index=alias, ids=ids)["docs"]
        index = {d["_id"]: (d["_version"], d["_source"]["published"], d["_source"].get("price_fen"))
                 for d in docs if d.get("found")}
        assert index == {lid: (r.revision, r.status.value == "published",
                               r.price_fen if r.status.value == "published" else None) for lid, r in rows.items()}
        assert es.count(index=alias)["count"] == LISTINGS
        assert min(r.revision for r in rows.values()) >= 4  # every listing changed several times

        query = "/api/v1/search?q=%E5%86%B0%E7%AE%B1&limit=50&sort=price_asc"
        answers = [_call(p, "GET", query) for p in ports]
        assert answers[0][0] == answers[1][0] == 200
        assert answers[0][1] == answers[1][1]
        found = json.loads(answers[0][1])
        published = sorted(lid for lid, r in rows.items() if r.status.value == "published")
        assert sorted(item["id"] for item in found["items"]) == published and found["total"] == len(published)
    finally:
        for proc in procs:
            proc.stop()
        es.indices.delete(index=f"{alias}*", allow_no_indices=True)
