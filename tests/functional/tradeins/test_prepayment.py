"""Prepayment for trusted consumers and the clawbacks that follow a lower value, over HTTP.

The trust comes from the credit-score stand-in (TRADEIN_CREDIT_SOURCE=standin) so that a test
controls it; cash goes through stripe-mock to the consumer's Connect account."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace import jobs
from services.credit.events import CreditEvent
from services.payments import relay
from services.payments.models import PaymentOperation
from services.tradeins import quotes
from tests.factories.app import make_app
from tests.factories.orders import STRIPE_BASE, stripe_gateway
from tests.factories.tradeins import (IPHONE_BASE, accept_dropoff, inspect, payout_account, phone_answers, phone_quote,
                                      receive_and_photo)


@pytest.fixture
def trusted_app(db_url, instance_dir):
    return make_app(db_url, instance_dir, TRADEIN_CREDIT_SOURCE="standin", TRADEIN_STANDIN_SCORE=700,
                    TRADEIN_STANDIN_LIMIT_FEN=500000, STRIPE_API_KEY="sk_test_huanxin", STRIPE_API_BASE=STRIPE_BASE)


@pytest.fixture
def tc(trusted_app):
    return trusted_app.test_client()


@pytest.fixture
def connect_account(session, consumer):
    return payout_account(session, consumer.id)


def _quote(c, consumer):
    body = phone_quote()
    t = c.post("/api/v1/tradeins", json=body, headers=consumer.headers).json
    return t, body["imei"]


def _events(session, consumer):
    session.expire_all()
    return [(e.kind, e.value) for e in session.scalars(
        select(CreditEvent).where(CreditEvent.subject_id == consumer.id).order_by(CreditEvent.occurred_at))]


def _balance(c, consumer):
    return sum(a["balance_fen"] for a in c.get("/api/v1/store-credit/accounts", headers=consumer.headers).json)


def test_trusted_consumer_is_paid_on_acceptance_and_the_difference_is_clawed_back_from_store_credit(
        tc, session, consumer, recycler, table):
    t, imei = _quote(tc, consumer)
    t = accept_dropoff(tc, consumer, t["id"], recycler.org_id)
    assert t["prepaid_fen"] == t["paid_fen"] == IPHONE_BASE and t["payouts"][0]["kind"] == "prepayment"
    assert _balance(tc, consumer) == IPHONE_BASE
    receive_and_photo(tc, recycler, t["id"])
    assert inspect(tc, recycler, t, phone_answers(screen="cracked"), imei=imei).json["offer_fen"] == 165000
    r = tc.post(f"/api/v1/tradeins/{t['id']}/offer/accept", headers=consumer.headers)
    assert r.json["status"] == "paid"
    [cb] = r.json["clawbacks"]
    assert (cb["amount_fen"], cb["recovered_fen"], cb["status"]) == (IPHONE_BASE - 165000, IPHONE_BASE - 165000, "paid")
    assert _balance(tc, consumer) == 165000
    assert _events(session, consumer) == [("inspection_mismatch", 135000), ("clawback_paid", 135000)]


def test_matching_inspection_pays_nothing_more(tc, consumer, recycler, table):
    t, imei = _quote(tc, consumer)
    accept_dropoff(tc, consumer, t["id"], recycler.org_id)
    receive_and_photo(tc, recycler, t["id"])
    r = inspect(tc, recycler, t, phone_answers(), imei=imei)
    assert r.json["status"] == "paid" and [p["kind"] for p in r.json["payouts"]] == ["prepayment"]
    assert _balance(tc, consumer) == IPHONE_BASE


def test_cash_prepayment_by_stripe_transfer_then_clawback_from_a_later_payout(
        tc, session, consumer, recycler, connect_account, table):
    t, imei = _quote(tc, consumer)
    t = accept_dropoff(tc, consumer, t["id"], recycler.org_id, payout="cash")
    pay = t["payouts"][0]
    # Sent right after the acceptance committed: the answer already shows the transfer.
    assert (pay["channel"], pay["amount_fen"]) == ("stripe", IPHONE_BASE) and pay["reference"].startswith("tr_")
    assert pay["status"] == "sent"
    receive_and_photo(tc, recycler, t["id"])
    inspect(tc, recycler, t, phone_answers(body="broken"), imei=imei)
    r = tc.post(f"/api/v1/tradeins/{t['id']}/offer/decline", headers=consumer.headers)
    [cb] = r.json["clawbacks"]
    assert r.json["status"] == "returning" and (cb["outstanding_fen"], cb["status"]) == (IPHONE_BASE, "open")
    # the next trade-in's payout settles the debt first
    t2, imei2 = _quote(tc, consumer)
    t2 = accept_dropoff(tc, consumer, t2["id"], recycler.org_id, payout="store_credit")
    assert t2["payouts"][0]["deducted_fen"] == IPHONE_BASE and _balance(tc, consumer) == 0
    got = tc.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["clawbacks"][0]["status"] == "paid"
    assert [k for k, _ in _events(session, consumer)] == ["inspection_mismatch", "clawback_paid"]


def test_unrecovered_clawback_turns_unpaid_then_an_operator_records_payment(
        trusted_app, tc, session, consumer, recycler, operator, connect_account, table, freeze):
    expire_job = jobs.scheduled(quotes.expire_due)  # with the app's trade-in collaborators
    fc = freeze(datetime(2026, 4, 1, 2, tzinfo=timezone.utc))
    t, _ = _quote(tc, consumer)
    accept_dropoff(tc, consumer, t["id"], recycler.org_id, payout="cash")
    r = tc.post(f"/api/v1/tradeins/{t['id']}/cancel", headers=consumer.headers)
    [cb] = r.json["clawbacks"]
    assert r.json["status"] == "cancelled" and cb["status"] == "open"
    fc.advance(timedelta(days=30, seconds=1))
    with trusted_app.app_context():
        assert expire_job(session) == 1
        session.commit()
    assert _events(session, consumer) == [("clawback_unpaid", IPHONE_BASE)]
    url = f"/api/v1/tradeins/clawbacks/{cb['id']}/payments"
    assert tc.post(url, json={"amount_fen": 1}, headers=consumer.headers).status_code == 403
    r = tc.post(url, json={"amount_fen": IPHONE_BASE + 1}, headers=operator.headers)
    assert r.status_code == 422 and "amount_fen" in r.json["errors"]
    r = tc.post(url, json={"amount_fen": IPHONE_BASE, "reference": "bank 9981"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "paid" and r.json["outstanding_fen"] == 0


def test_untrusted_consumer_is_not_prepaid(db_url, instance_dir, consumer, recycler, table):
    c = make_app(db_url, instance_dir, TRADEIN_CREDIT_SOURCE="standin", TRADEIN_STANDIN_SCORE=599).test_client()
    t, _ = _quote(c, consumer)
    assert accept_dropoff(c, consumer, t["id"], recycler.org_id)["prepaid_fen"] == 0


def test_stripe_away_leaves_the_payout_pending_until_it_is_sent(db_url, instance_dir, consumer, recycler, session,
                                                                table):
    payout_account(session, consumer.id, "acct_x")
    # No Stripe listening there: the value is agreed and recorded as paid, the transfer waits.
    c = make_app(db_url, instance_dir, STRIPE_API_KEY="sk_test_x", STRIPE_API_BASE="http://127.0.0.1:9",
                 STRIPE_TIMEOUT_SECONDS=1).test_client()
    t, imei = _quote(c, consumer)
    accept_dropoff(c, consumer, t["id"], recycler.org_id, payout="cash")
    receive_and_photo(c, recycler, t["id"])
    r = inspect(c, recycler, t, phone_answers(), imei=imei)
    assert r.status_code == 200 and r.json["status"] == "paid" and r.json["paid_fen"] == IPHONE_BASE
    [p] = r.json["payouts"]
    assert p["status"] == "pending" and p["reference"] is None and p["error"].startswith("transfer failed")
    # Stripe is back: the operation is sent again with its key and the transfer is recorded.
    op_id = session.scalar(select(PaymentOperation.id).where(PaymentOperation.kind == "tradein_payout"))
    assert relay.send(session, op_id, stripe_gateway()) == "done"
    got = c.get(f"/api/v1/tradeins/{t['id']}", headers=consumer.headers).json
    assert got["payout"]["status"] == "sent" and got["payout"]["reference"].startswith("tr_")
    assert got["payouts"][0]["error"] is None


def test_the_credit_service_decides_trust_and_the_band_sets_the_limit(client, session, consumer, recycler, operator,
                                                                      table):
    """Default configuration: services/credit's score and privileges (no stand-in)."""
    from services.credit import service as credit
    t, _ = _quote(client, consumer)
    assert accept_dropoff(client, consumer, t["id"], recycler.org_id)["prepaid_fen"] == 0  # a new, thin file
    credit.add_override(session, operator.user, consumer.id, kind="score", score=660, reason="verified offline")
    session.commit()
    limit = credit.privileges_for(session, consumer.id).privileges.tradein_prepayment_limit_fen
    assert limit > 0
    t, _ = _quote(client, consumer)
    t = accept_dropoff(client, consumer, t["id"], recycler.org_id)
    assert t["prepaid_fen"] == min(IPHONE_BASE, limit)
