"""Fault suite, second part: the work that happens after commit. Elasticsearch cut during listing
writes and searches, a slow stripe-mock (answers later than the gateway waits), and the search
relay and the payment worker SIGKILLed mid-batch as real processes, then restarted. Each test
prints a `FAULT <what> {…}` line with its figures (docs/RELIABILITY.md keeps them). Bounded:
a few seconds of traffic each, every wait has a deadline."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from marketplace import jobs as job_runner
from search import sync
from search.backends.elasticsearch import ElasticsearchBackend, make_client
from services.accounts.models import Role
from services.audit import AuditEntry
from services.credit import service as credit
from services.db import utcnow
from services.flows.publishing import PUBLISH_GATES
from services.listings import service as listings
from services.listings.models import Listing, SearchOutbox
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from services.payments import relay, service as payments
from services.payments.models import OperationState as St, PaymentOperation, PaymentStatus
from tests.factories.app import make_app
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, STRIPE_BASE, stripe_gateway
from tests.fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 90.0  # seconds any one wait may take on a loaded machine before the test fails


@pytest.fixture
def es_index():
    url = os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    backend = ElasticsearchBackend(make_client(url, 30), alias=f"test-fault-{uuid.uuid4().hex[:10]}")
    backend.ensure_index()
    yield backend
    backend.es.indices.delete(index=f"{backend.alias}-*", allow_no_indices=True)


def _es_proxy() -> FaultProxy:
    parts = urlsplit(os.environ.get("TEST_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    return FaultProxy(parts.hostname, parts.port or 9200)


def _stripe_proxy() -> FaultProxy:
    parts = urlsplit(STRIPE_BASE)
    return FaultProxy(parts.hostname, parts.port)


def _trusted_seller(session):
    """A seller whose listings publish on submit and may number hundreds (an excellent band)."""
    seller, operator = make_user(session, Role.CONSUMER), make_user(session, Role.OPERATOR)
    credit.add_override(session, operator.user, seller.id, kind="score", score=720, reason="bulk seller in a test")
    session.commit()
    return seller, operator


def _handed_over(session, seller, buyer) -> Order:
    """A card order at stripe-mock, authorised and handed over (the trusted seller's listing is
    published on submit, with no review)."""
    listing = listings.create(session, seller.user, fridge_payload())
    listings.transition(session, seller.user, listing.id, "submit", gates=PUBLISH_GATES)
    order = orders.place(session, buyer.user, listing.id, gateway=stripe_gateway(), settings=SETTINGS)
    session.commit()
    relay.relay(session, stripe_gateway(), order_ids=[order.id])   # the intent is created after commit
    orders.mark_authorised(session, order, orders.payment(session, order), order.payable_fen)
    orders.hand_over(session, seller.user, order.id, settings=SETTINGS)
    session.commit()
    return order


def _db_versions(session) -> dict[str, int]:
    session.expire_all()
    return {str(i): rev for i, rev in session.execute(select(Listing.id, Listing.revision))}


def _outbox(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(SearchOutbox))


def _wait(what, predicate, deadline: float = DEADLINE, every: float = 0.05):
    t = time.monotonic()
    while not predicate():
        assert time.monotonic() - t < deadline, f"gave up waiting for {what}"
        time.sleep(every)


def _spawn(what: str, spec: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.fault_procs", what, json.dumps(spec)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# ---- Elasticsearch cut -----------------------------------------------------------------------------

def test_elasticsearch_cut_writes_go_on_searches_answer_503_and_the_outbox_drains(
        db_url, instance_dir, session, es_index):
    seller, _ = _trusted_seller(session)
    proxy = _es_proxy()
    stats = {"writes": 0, "write_failed": 0, "searches": 0, "search_503": 0, "search_other": 0}
    first_ok_after_up: list[float] = []
    try:
        app = make_app(db_url, instance_dir, SEARCH_BACKEND="elasticsearch",
                       ELASTICSEARCH_URL=f"http://127.0.0.1:{proxy.port}", SEARCH_INDEX=es_index.alias,
                       SEARCH_RELAY_INLINE=True, ELASTICSEARCH_TIMEOUT=1, JOBS_INLINE=True)
        client = app.test_client()
        factory = app.extensions["db"].factory   # this app's own sessions
        up_at: list[float] = []

        def outage():
            time.sleep(1.0)
            proxy.down()
            time.sleep(2.5)
            with factory() as s:   # what waits in the outbox for Elasticsearch to come back
                stats["outbox_at_restore"] = s.scalar(select(func.count()).select_from(SearchOutbox))
            proxy.up()
            up_at.append(time.monotonic())

        cut = threading.Thread(target=outage)
        t0 = time.monotonic()
        cut.start()
        while time.monotonic() - t0 < 6.0:
            r = client.post("/api/v1/listings", json=fridge_payload(title=f"冰箱 {stats['writes']}"),
                            headers=seller.headers)
            stats["writes"] += 1
            if r.status_code != 201:
                stats["write_failed"] += 1
                continue
            r = client.post(f"/api/v1/listings/{r.json['id']}/transitions", json={"action": "submit"},
                            headers=seller.headers)
            stats["writes"] += 1
            stats["write_failed"] += r.status_code != 200
            r = client.get("/api/v1/search", query_string={"q": "冰箱"})
            stats["searches"] += 1
            if r.status_code == 503:
                assert r.mimetype == "application/problem+json" and int(r.headers["Retry-After"]) > 0
                stats["search_503"] += 1
            elif r.status_code != 200:
                stats["search_other"] += 1
            elif up_at and not first_ok_after_up:
                first_ok_after_up.append(time.monotonic() - up_at[0])
        cut.join()
        waiting = _outbox(session)
        t_drain = time.monotonic()
        total = sync.drain(factory, [es_index], batch_size=200)   # what `flask search relay` does
        drain_s = time.monotonic() - t_drain
    finally:
        proxy.close()
    es_index.refresh()
    db_versions = _db_versions(session)
    indexed = {k: v for k, v in es_index.versions().items()}
    lost = sum(1 for lid, rev in db_versions.items() if indexed.get(lid, (0,))[0] != rev)
    figures = {**stats, "listings": len(db_versions), "outbox_after_outage": waiting, "drained": total.claimed,
               "lost": lost, "search_recovery_s": round(first_ok_after_up[0], 3) if first_ok_after_up else None,
               "drain_s": round(drain_s, 3)}
    print("\nFAULT elasticsearch", json.dumps(figures))
    assert stats["write_failed"] == 0                     # a search outage never slows a write
    assert stats["search_503"] > 0 and stats["search_other"] == 0
    assert stats["outbox_at_restore"] > 0                  # the changes waited, then were shipped
    assert first_ok_after_up and first_ok_after_up[0] < 10
    assert _outbox(session) == 0 and total.failed == 0
    assert lost == 0 and len(indexed) == len(db_versions)  # every listing at its latest revision


# ---- a slow stripe-mock ----------------------------------------------------------------------------

def test_slow_stripe_leaves_orders_accepted_and_reconciliation_finishes_them(
        db_url, instance_dir, session, frozen):
    seller, _ = _trusted_seller(session)
    buyers = [make_user(session, Role.CONSUMER) for _ in range(4)]
    made = [_handed_over(session, seller, b) for b in buyers]
    proxy = _stripe_proxy()
    try:
        app = make_app(db_url, instance_dir, STRIPE_API_KEY="sk_test_123",
                       STRIPE_API_BASE=f"http://127.0.0.1:{proxy.port}", STRIPE_TIMEOUT_SECONDS=1, JOBS_INLINE=True)
        client = app.test_client()
        proxy.slow(1.5)   # Stripe does the capture but answers after the gateway stopped waiting
        t = time.monotonic()
        answers = [client.post(f"/api/v1/orders/{o.id}/accept", headers=b.headers) for o, b in zip(made, buyers)]
        slow_s = time.monotonic() - t
        assert [r.status_code for r in answers] == [200] * len(made), [r.json for r in answers]
        assert {r.json["status"] for r in answers} == {"accepted"}
        assert all(r.json["attention"].startswith("capture pending") for r in answers)
        session.expire_all()
        # Consistent meanwhile: accepted, the money still recorded as held, each capture waiting.
        for o in made:
            assert session.get(Order, o.id).status == S.ACCEPTED
            assert payments.payment_for(session, o).status == PaymentStatus.AUTHORISED
        # (the placements' intent operations were made before the outage and are done)
        ops = list(session.scalars(select(PaymentOperation).where(PaymentOperation.kind != "intent")))
        assert {(op.kind, op.state, op.attempts) for op in ops} == {("capture", St.PENDING, 1)}
        proxy.fast()
        frozen.advance(relay.backoff(1))
        t_up = time.monotonic()
        done = job_runner.run_job(app, job_runner.scheduled(relay.reconcile))
        recovery_s = time.monotonic() - t_up
    finally:
        proxy.close()
    session.expire_all()
    assert done == len(made)
    for o in made:
        order = session.get(Order, o.id)
        assert order.status == S.COMPLETED and order.attention is None
        assert payments.payment_for(session, order).captured_fen == order.payable_fen
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "payment.capture", AuditEntry.target_id == str(o.id))) == 1
    print("\nFAULT stripe-slow", json.dumps({"sent": 2 * len(made), "failed": len(made), "recovered": done,
                                             "lost": 0, "slow_answers_s": round(slow_s, 3),
                                             "recovery_s": round(recovery_s, 3)}))


# ---- processes killed mid-batch ---------------------------------------------------------------------

def test_search_relay_killed_mid_batch_then_restarted_ships_every_change_once(
        db_url, instance_dir, session, es_index):
    seller, _ = _trusted_seller(session)
    for i in range(150):
        listing = listings.create(session, seller.user, fridge_payload(title=f"海尔冰箱 第{i}台"))
        listings.transition(session, seller.user, listing.id, "submit", gates=PUBLISH_GATES)
    session.commit()
    waiting = _outbox(session)
    proxy = _es_proxy()
    spec = {"db_url": db_url, "instance_dir": str(instance_dir), "batch_size": 10,
            "config": {"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": f"http://127.0.0.1:{proxy.port}",
                       "SEARCH_INDEX": es_index.alias, "ELASTICSEARCH_TIMEOUT": 5}}
    try:
        proxy.slow(0.2)
        worker = _spawn("search-relay", spec)
        _wait("the relay to ship a few batches", lambda: _outbox(session) <= waiting - 30)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        left = _outbox(session)
        proxy.fast()
        t = time.monotonic()
        again = _spawn("search-relay", spec)
        out, _ = again.communicate(timeout=DEADLINE)
        recovery_s = time.monotonic() - t
    finally:
        proxy.close()
    assert again.returncode == 0, out
    assert worker.returncode == -signal.SIGKILL and 0 < left < waiting
    es_index.refresh()
    db_versions = _db_versions(session)
    indexed = es_index.versions()
    lost = sum(1 for lid, rev in db_versions.items() if indexed.get(lid, (0,))[0] != rev)
    print("\nFAULT search-relay-killed", json.dumps({"sent": waiting, "failed": left, "recovered": left,
                                                     "lost": lost, "restart_to_drained_s": round(recovery_s, 3)}))
    assert _outbox(session) == 0 and lost == 0 and len(indexed) == len(db_versions) == 150


def test_payment_worker_killed_mid_batch_then_restarted_captures_each_order_exactly_once(
        db_url, instance_dir, session):
    seller, _ = _trusted_seller(session)
    buyer = make_user(session, Role.CONSUMER)
    made = []
    for _ in range(10):
        order = _handed_over(session, seller, buyer)
        orders.accept(session, buyer.user, order.id, gateway=stripe_gateway())   # records the capture
        session.commit()
        made.append(order.id)

    def states():
        session.rollback()
        return dict(session.execute(select(PaymentOperation.state, func.count())
                                    .where(PaymentOperation.kind != "intent")   # the placements' own, done before
                                    .group_by(PaymentOperation.state)).all())

    proxy = _stripe_proxy()
    spec = {"db_url": db_url, "instance_dir": str(instance_dir),
            "config": {"STRIPE_API_KEY": "sk_test_123", "STRIPE_API_BASE": f"http://127.0.0.1:{proxy.port}",
                       "STRIPE_TIMEOUT_SECONDS": 10, "JOBS_INLINE": True}}
    try:
        proxy.slow(0.3)
        worker = _spawn("payments-worker", spec)
        # Killed while a capture is on its way to Stripe (claimed `sent`, no answer recorded yet).
        _wait("the worker to capture a few orders and be in the middle of the next",
              lambda: (lambda got: got.get(St.DONE, 0) >= 3 and got.get(St.SENT, 0) == 1)(states()), every=0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        at_kill = states()
        # The restart comes after the reconciliation window: what the dead worker left `sent` is
        # resent (same key) rather than waited for.
        session.execute(update(PaymentOperation).where(PaymentOperation.state == St.SENT)
                        .values(sent_at=utcnow() - relay.STALE_AFTER - timedelta(seconds=1)))
        session.commit()
        proxy.fast()
        t = time.monotonic()
        again = _spawn("payments-worker", spec)
        out, _ = again.communicate(timeout=DEADLINE)
        recovery_s = time.monotonic() - t
    finally:
        proxy.close()
    assert again.returncode == 0, out
    assert worker.returncode == -signal.SIGKILL and 3 <= at_kill.get(St.DONE, 0) < len(made), at_kill
    session.expire_all()
    assert states() == {St.DONE: len(made)}
    for order_id in made:
        order = session.get(Order, order_id)
        assert order.status == S.COMPLETED
        assert payments.payment_for(session, order).captured_fen == order.payable_fen
    captures = dict(session.execute(select(AuditEntry.target_id, func.count()).where(
        AuditEntry.action == "payment.capture").group_by(AuditEntry.target_id)).all())
    assert captures == {str(i): 1 for i in made}   # applied exactly once each
    attempts = session.scalar(select(func.sum(PaymentOperation.attempts)).where(PaymentOperation.kind != "intent"))
    resent = attempts - len(made)
    assert at_kill.get(St.SENT) == 1 and resent == 1   # only the call in flight at the kill went twice
    print("\nFAULT payment-worker-killed", json.dumps({
        "sent": len(made), "failed": len(made) - at_kill.get(St.DONE, 0), "recovered": len(made) - at_kill.get(St.DONE, 0),
        "lost": 0, "resent_same_key": resent, "restart_to_done_s": round(recovery_s, 3)}))
