"""Cash payouts of trade-ins are Stripe transfers made after the settlement commits (issue 19):
the payout is recorded `pending` with a payment operation, the relay sends it right after the
commit and records the transfer id; a refusal is paid as platform store credit instead; a
sender that died between the commit and the call is finished by reconciliation, once."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.payments import relay
from services.payments.models import OperationState as St, PaymentOperation
from tests.factories.orders import Recording, stripe_gateway
from tests.factories.races import race
from tests.factories.tradeins import IPHONE_BASE, cash_trade_in_to_inspection, inspect, payout_account, phone_answers

pytestmark = pytest.mark.usefixtures("fast_passwords")


class Killed(BaseException):
    """The sending process dies (not an error anything handles)."""


class DiesBeforeTransfer(Recording):
    """The process is killed after claiming the operation, before Stripe is called."""

    def __getattr__(self, name):
        if name == "transfer":
            def die(*args, **kwargs):
                self.calls.append((name, args, kwargs))
                raise Killed()
            return die
        return super().__getattr__(name)


def _ops(session):
    session.expire_all()
    return list(session.scalars(select(PaymentOperation).where(PaymentOperation.kind == "tradein_payout")))


def _platform_credit(client, consumer) -> int:
    accounts = client.get("/api/v1/store-credit/accounts", headers=consumer.headers).json
    return sum(a["balance_fen"] for a in accounts)


def test_the_payout_is_sent_after_commit_and_shows_the_transfer(stripe_app, session, consumer, recycler, table,
                                                                use_gateway):
    payout_account(session, consumer.id)
    c = stripe_app.test_client()
    t, imei = cash_trade_in_to_inspection(c, consumer, recycler)
    gw = Recording(stripe_gateway())
    use_gateway(gw)
    r = inspect(c, recycler, t, phone_answers(), imei=imei)
    assert r.status_code == 200 and r.json["status"] == "paid" and r.json["paid_fen"] == IPHONE_BASE, r.json
    [p] = r.json["payouts"]
    assert (p["channel"], p["status"], p["error"]) == ("stripe", "sent", None) and p["reference"].startswith("tr_")
    assert r.json["payout"] == {"status": "sent", "reference": p["reference"]}
    [op] = _ops(session)
    assert op.state == St.DONE and gw.keys("transfer") == [op.idempotency_key]


def test_a_refused_transfer_is_paid_as_platform_store_credit(stripe_app, session, consumer, recycler, table,
                                                             use_gateway):
    payout_account(session, consumer.id)
    c = stripe_app.test_client()
    t, imei = cash_trade_in_to_inspection(c, consumer, recycler)
    use_gateway(Recording(stripe_gateway(), fail={"transfer"}, declined=True))
    r = inspect(c, recycler, t, phone_answers(), imei=imei)
    assert r.status_code == 200 and r.json["status"] == "paid", r.json
    [p] = r.json["payouts"]
    assert p["status"] == "failed" and p["reference"].startswith("ledger:") and "simulated" in p["error"]
    assert r.json["payout"]["status"] == "failed"
    assert _platform_credit(c, consumer) == IPHONE_BASE
    assert any("paid as platform store credit" in (e["note"] or "") for e in r.json["events"])
    [op] = _ops(session)
    assert op.state == St.FAILED
    # Nothing is sent or credited again: the relay and the reconciliation leave a refusal alone.
    assert relay.reconcile(session, stripe_gateway(), stale_after=timedelta(0)) == 0
    assert _platform_credit(c, consumer) == IPHONE_BASE


def test_a_sender_killed_between_commit_and_call_is_finished_by_reconciliation(
        stripe_app, session, consumer, recycler, table, use_gateway):
    payout_account(session, consumer.id)
    c = stripe_app.test_client()
    t, imei = cash_trade_in_to_inspection(c, consumer, recycler)
    dying = DiesBeforeTransfer(stripe_gateway())
    use_gateway(dying)
    with pytest.raises(Killed):
        inspect(c, recycler, t, phone_answers(), imei=imei)
    [op] = _ops(session)
    assert op.state == St.SENT and op.attempts == 1     # claimed, never answered
    got = c.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["status"] == "paid" and got["payout"] == {"status": "pending", "reference": None}

    healthy = Recording(stripe_gateway())
    assert relay.reconcile(session, healthy) == 0       # a sender may still be waiting for Stripe
    assert relay.reconcile(session, healthy, stale_after=timedelta(0)) == 1
    got = c.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["payout"]["status"] == "sent" and got["payout"]["reference"].startswith("tr_")
    assert healthy.keys("transfer") == dying.keys("transfer") == [op.idempotency_key]
    assert relay.reconcile(session, healthy, stale_after=timedelta(0)) == 0 and len(healthy.keys("transfer")) == 1


def test_two_senders_racing_transfer_once(stripe_app, session, consumer, recycler, table, use_gateway):
    payout_account(session, consumer.id)
    c = stripe_app.test_client()
    t, imei = cash_trade_in_to_inspection(c, consumer, recycler)
    use_gateway(Recording(stripe_gateway(), fail={"transfer"}))    # Stripe away: the payout waits
    assert inspect(c, recycler, t, phone_answers(), imei=imei).json["payout"]["status"] == "pending"
    [op] = _ops(session)
    session.commit()
    healthy = Recording(stripe_gateway())
    outcomes = race(stripe_app, [lambda s: relay.send(s, op.id, healthy)] * 4)
    assert sorted(outcomes) == ["done", "skipped", "skipped", "skipped"]
    assert len(healthy.keys("transfer")) == 1
    got = c.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["payout"]["status"] == "sent" and got["payouts"][0]["error"] is None
