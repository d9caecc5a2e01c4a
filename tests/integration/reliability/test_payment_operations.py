"""Payment operations: Stripe is called after the order's transaction committed, never while a
row is locked, and a crash or an outage at any point is repaired by the reconciliation job
without moving money twice (each resend repeats the operation's idempotency key)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from marketplace import jobs as job_runner
from services.audit import AuditEntry as AuditLog
from services.orders import jobs as orders_jobs, service as orders
from services.orders.models import Order, OrderStatus as S
from services.payments import operations, relay, service as payments
from services.payments.models import (OperationState as St, PaymentOperation, PaymentStatus, Payout,
                                      PayoutStatus)
from services.payments.stripe_gateway import StripeGateway
from tests.factories.lock_audit import LockAuditor
from tests.factories.orders import STRIPE_BASE, Recording, order_in, stripe_gateway
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.usefixtures("fast_passwords")  # accounts are made per test


def _enable_payouts(session, seller, gw):
    account, _ = payments.onboard(session, seller.user, gw, refresh_url="http://x/r", return_url="http://x/d")
    account.payouts_enabled = True
    session.commit()


def _ops(session, order_id=None):
    """The order's money movements after placement (the intent operation of the placement left out)."""
    session.expire_all()
    stmt = select(PaymentOperation).where(PaymentOperation.kind != "intent").order_by(PaymentOperation.created_at)
    if order_id is not None:
        stmt = stmt.where(PaymentOperation.order_id == order_id)
    return list(session.scalars(stmt))


class Killed(Exception):
    """The process making the call died (SIGKILL in production; an exception that no handler
    in the relay catches here)."""


class DiesAround(Recording):
    """Kills the sender on `step`: `before` the request reaches Stripe, or `after` Stripe did it
    but before the answer was recorded."""

    def __init__(self, inner, step: str, when: str):
        super().__init__(inner)
        self.step, self.when = step, when

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if name != self.step:
            return call

        def dying(*args, **kwargs):
            if self.when == "before":
                self.calls.append((name, args, kwargs))
                raise Killed(name)
            call(*args, **kwargs)
            raise Killed(name)
        return dying


# ---- no call under a lock --------------------------------------------------------------------------

def test_no_provider_call_while_a_transaction_is_open_or_a_row_is_locked(
        stripe_app, db_url, session, buyer, seller, operator, use_gateway):
    setup = stripe_gateway()
    _enable_payouts(session, seller, setup)
    first = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=setup)
    later = order_in(session, S.ACCEPTED, buyer=buyer, seller=seller, operator=operator, gateway=setup)
    session.commit()
    session.refresh(first)   # read before the session closes (the relay expired it)
    session.close()   # the test's own session holds nothing either

    auditor = LockAuditor(stripe_gateway(), db_url)
    use_gateway(auditor)
    client = stripe_app.test_client()
    # The buyer accepts over HTTP: the answer already shows the capture and the payout.
    r = client.post(f"/api/v1/orders/{first.id}/accept", headers=buyer.headers)
    assert r.status_code == 200 and r.json["status"] == "completed", r.json
    assert r.json["payment"]["status"] == "captured"
    # The capture job (per-order commits) and then the payout job.
    assert job_runner.run_job(stripe_app, job_runner.scheduled(orders_jobs.auto_capture)) == 1

    assert sorted(n for n, _, _ in auditor.seen) == ["capture", "capture", "transfer", "transfer"]
    assert all(open_tx == 0 and locks == 0 for _, open_tx, locks in auditor.seen), auditor.seen
    session.expire_all()
    assert {session.get(Order, o.id).status for o in (first, later)} == {S.COMPLETED}
    assert {p.status for p in session.scalars(select(Payout))} == {PayoutStatus.PAID}


def test_the_auditor_sees_a_call_made_under_a_lock(db_url, session, buyer, seller, operator):
    """A call made the old way (inside the transaction, the order row locked) is seen: the test
    above can fail."""
    auditor = LockAuditor(stripe_gateway(), db_url)
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    orders.lock(session, order.id)
    auditor.cancel(payments.payment_for(session, order).intent_id, idempotency_key="huanxin-t-probe")
    session.rollback()
    assert auditor.seen[0][1] >= 1 and auditor.seen[0][2] >= 1


# ---- crashes around the call ---------------------------------------------------------------------

@pytest.mark.parametrize("when", ["before", "after"])
def test_a_sender_killed_around_the_capture_is_finished_by_reconciliation_once(
        session, buyer, seller, operator, frozen, when):
    _enable_payouts(session, seller, stripe_gateway())
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    dying = DiesAround(stripe_gateway(), "capture", when)
    orders.accept(session, buyer.user, order.id, gateway=dying)
    session.commit()   # the acceptance and the recorded capture commit together
    with pytest.raises(Killed):
        relay.relay(session, dying)
    [op] = _ops(session, order.id)
    assert op.state == St.SENT and op.attempts == 1
    assert session.get(Order, order.id).status == S.ACCEPTED

    healthy = Recording(stripe_gateway())
    assert relay.reconcile(session, healthy) == 0        # a sender may still be waiting for Stripe
    assert healthy.calls == []
    frozen.advance(relay.STALE_AFTER + timedelta(seconds=1))
    assert relay.reconcile(session, healthy) == 2        # the capture, then the payout's transfer

    session.expire_all()
    done = session.get(Order, order.id)
    pay = payments.payment_for(session, done)
    assert done.status == S.COMPLETED and pay.status == PaymentStatus.CAPTURED
    assert pay.captured_fen == done.payable_fen
    # Resent with the key of the first try: Stripe answers with the capture it already made.
    assert healthy.keys("capture") == dying.keys("capture") == [op.idempotency_key]
    captures = session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "payment.capture", AuditLog.target_id == str(order.id)))
    assert captures == 1
    assert session.scalar(select(func.count()).select_from(Payout)) == 1
    assert {o.state for o in _ops(session, order.id)} == {St.DONE}
    assert relay.reconcile(session, healthy) == 0 and len(healthy.keys("capture")) == 1


def test_a_sender_killed_after_the_transfer_does_not_pay_the_seller_twice(session, buyer, seller, operator, frozen):
    _enable_payouts(session, seller, stripe_gateway())
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    dying = DiesAround(stripe_gateway(), "transfer", "after")
    orders.accept(session, buyer.user, order.id, gateway=dying)
    session.commit()
    with pytest.raises(Killed):
        relay.relay(session, dying)
    frozen.advance(relay.STALE_AFTER + timedelta(seconds=1))
    healthy = Recording(stripe_gateway())
    assert relay.reconcile(session, healthy) == 1
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert payout.status == PayoutStatus.PAID and payout.transferred_fen == payout.net_fen
    assert healthy.keys("transfer") == dying.keys("transfer") == [payments.key(order, "transfer")]
    transfers = session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "payout.transfer"))
    assert transfers == 1


# ---- the provider away -----------------------------------------------------------------------------

def test_stripe_down_then_back_the_capture_waits_then_reconciliation_finishes(
        session, buyer, seller, operator, frozen):
    _enable_payouts(session, seller, stripe_gateway())
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    parts = urlsplit(STRIPE_BASE)
    proxy = FaultProxy(parts.hostname, parts.port)
    try:
        through = Recording(StripeGateway("sk_test_123", api_base=f"http://127.0.0.1:{proxy.port}", timeout=2,
                                          max_network_retries=0))
        proxy.down()
        orders.accept(session, buyer.user, order.id, gateway=through)
        session.commit()
        assert relay.relay(session, through) == {}
        [op] = _ops(session, order.id)
        held = session.get(Order, order.id)
        # Consistent while Stripe is away: accepted, money still held, the reason on the order.
        assert op.state == St.PENDING and op.attempts == 1 and op.last_error
        assert held.status == S.ACCEPTED and held.attention.startswith("capture pending")
        assert payments.payment_for(session, held).status == PaymentStatus.AUTHORISED
        assert relay.reconcile(session, through) == 0      # backing off: not due yet
        proxy.up()
        frozen.advance(relay.backoff(1))
        assert relay.reconcile(session, through) == 2
    finally:
        proxy.close()
    session.expire_all()
    done = session.get(Order, order.id)
    assert done.status == S.COMPLETED and done.attention is None
    assert set(through.keys("capture")) == {op.idempotency_key}


def test_bounded_attempts_then_an_operator_is_told(session, buyer, seller, operator, frozen):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    broken = Recording(stripe_gateway(), fail={"capture"})
    orders.accept(session, buyer.user, order.id, gateway=broken)
    session.commit()
    for attempt in range(1, relay.MAX_ATTEMPTS + 1):
        relay.reconcile(session, broken)
        frozen.advance(relay.backoff(attempt))
    assert len(broken.keys("capture")) == relay.MAX_ATTEMPTS
    assert len(set(broken.keys("capture"))) == 1
    [op] = operations.flagged(session)
    assert op.order_id == order.id and op.state == St.FAILED
    told = session.scalar(select(AuditLog).where(AuditLog.action == "payment_operation.failed"))
    assert told.target_id == str(order.id) and told.after["attempts"] == relay.MAX_ATTEMPTS
    relay.reconcile(session, broken)
    assert len(broken.keys("capture")) == relay.MAX_ATTEMPTS   # given up: no more calls
    assert session.get(Order, order.id).status == S.ACCEPTED


class ReadsBack(Recording):
    """Stripe as it stands a day later: the intent in `status` (the old key may be forgotten)."""

    def __init__(self, inner, status: str):
        super().__init__(inner)
        self.status = status

    def retrieve_intent(self, intent_id):
        from services.payments.gateway import Intent
        self.calls.append(("retrieve_intent", (intent_id,), {}))
        return Intent(id=intent_id, status=self.status, amount_fen=0, charge_id="ch_read_back")


@pytest.mark.parametrize("status,outcome", [("succeeded", "recorded"), ("requires_capture", "rekeyed"),
                                            ("canceled", "flagged")])
def test_past_the_key_window_a_capture_is_read_back_not_resent_blindly(
        session, buyer, seller, operator, frozen, status, outcome):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())
    dying = DiesAround(stripe_gateway(), "capture", "before")
    orders.accept(session, buyer.user, order.id, gateway=dying)
    session.commit()
    with pytest.raises(Killed):
        relay.relay(session, dying)
    frozen.advance(relay.KEY_WINDOW + timedelta(hours=1))   # nobody ran the job for a day
    gw = ReadsBack(stripe_gateway(), status)
    relay.reconcile(session, gw)
    [op] = _ops(session, order.id)
    done = session.get(Order, order.id)
    if outcome == "recorded":      # Stripe did capture: recorded, not captured again
        assert gw.names() == ["retrieve_intent"] and op.state == St.DONE and op.result["read_back"]
        assert done.status == S.COMPLETED and payments.payment_for(session, done).charge_id == "ch_read_back"
    elif outcome == "rekeyed":     # it never happened: captured now, under a fresh key
        assert gw.names() == ["retrieve_intent", "capture"] and op.state == St.DONE
        assert gw.keys("capture")[0] != dying.keys("capture")[0] and op.idempotency_key == gw.keys("capture")[0]
        assert done.status == S.COMPLETED
    else:                          # the hold lapsed: a person decides
        assert gw.names() == ["retrieve_intent"] and op.state == St.FAILED and "canceled" in op.last_error
        assert done.status == S.ACCEPTED
