"""Every order and payment flow that moves money at Stripe makes its call with no transaction open
and no row locked anywhere in the database: the call is recorded by the flow's transaction and
made after its commit (services/payments/relay.py). Each test drives one flow the way a client or
the scheduler does (HTTP, the job runner, a signed webhook) through a gateway that asks
PostgreSQL before each call (tests/factories/lock_audit.py; test_payment_operations.py shows it
does see a call made under a lock)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import jobs as job_runner
from services.accounts.models import Role
from services.disputes.models import Dispute
from services.ledger import service as ledger
from services.ledger.models import JournalEntry
from services.orders import jobs as orders_jobs
from services.orders.models import Order, OrderStatus as S
from services.payments import service as payments
from services.payments.models import PaymentStatus, Refund, SellerAccount
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.lock_audit import LockAuditor
from tests.factories.orders import event, intent_obj, order_in, post_event, publish, stripe_gateway
from tests.factories.subsidies import open_pool, resident_id
from tests.factories.tradeins import cash_trade_in_to_inspection, inspect, payout_account, phone_answers

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
def audited(db_url, session, use_gateway):
    """`audited()`: from now on the app calls Stripe through a LockAuditor (the test's session is
    closed first, so it holds nothing either); returns the auditor."""
    def start():
        session.commit()
        session.close()
        auditor = LockAuditor(stripe_gateway(), db_url)
        use_gateway(auditor)
        return auditor
    return start


def _assert_no_call_under_a_lock(auditor, expected: list[str]) -> None:
    assert sorted(n for n, _, _ in auditor.seen) == sorted(expected), auditor.seen
    assert all(open_tx == 0 and locks == 0 for _, open_tx, locks in auditor.seen), auditor.seen


def _order(session, state, buyer, seller, operator):
    return order_in(session, state, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())


def test_cancel(stripe_app, session, buyer, seller, operator, audited):
    order = _order(session, S.PAID_HELD, buyer, seller, operator)
    auditor = audited()
    r = stripe_app.test_client().post(f"/api/v1/orders/{order.id}/cancel", json={"reason": "changed my mind"},
                                      headers=buyer.headers)
    # The answer already shows the hold released: the call was made right after the commit.
    assert r.status_code == 200 and r.json["status"] == "cancelled", r.json
    assert r.json["payment"]["status"] == "cancelled"
    _assert_no_call_under_a_lock(auditor, ["cancel"])


def test_reservation_expiry_job(stripe_app, session, buyer, seller, operator, audited, frozen):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    frozen.advance(timedelta(minutes=31))
    auditor = audited()
    assert job_runner.run_job(stripe_app, job_runner.scheduled(orders_jobs.expire_reservations)) == 1
    _assert_no_call_under_a_lock(auditor, ["cancel"])
    assert payments.payment_for(session, session.get(Order, order.id)).status == PaymentStatus.CANCELLED


@pytest.mark.parametrize("amount", [None, 1234])
def test_refund_full_and_partial(stripe_app, session, buyer, seller, operator, audited, amount):
    order = _order(session, S.COMPLETED, buyer, seller, operator)
    auditor = audited()
    r = stripe_app.test_client().post(f"/api/v1/orders/{order.id}/refunds",
                                      json={"reason": "scratched", **({"amount_fen": amount} if amount else {})},
                                      headers=seller.headers)
    assert r.status_code in (200, 201), r.json
    assert r.json["status"] == ("refunded" if amount is None else "completed")
    assert r.json["refunded_fen"] == (order.payable_fen if amount is None else amount)
    assert r.json["attention"] is None
    _assert_no_call_under_a_lock(auditor, ["refund"])
    [row] = session.scalars(select(Refund))
    assert row.status != payments.REFUND_PENDING and row.provider_refund_id


@pytest.mark.parametrize("outcome,call,status", [("release", "capture", "completed"),
                                                 ("partial_refund", "capture", "completed"),
                                                 ("refund", "cancel", "refunded")])
def test_dispute_resolution(stripe_app, session, buyer, seller, operator, audited, outcome, call, status):
    order = _order(session, S.DISPUTED, buyer, seller, operator)
    dispute_id = session.scalar(select(Dispute.id).where(Dispute.order_id == order.id))
    auditor = audited()
    client = stripe_app.test_client()
    r = client.post(f"/api/v1/disputes/{dispute_id}/resolve",
                    json={"outcome": outcome, "amount_fen": 500 if outcome == "partial_refund" else None, "note": "n"},
                    headers=operator.headers)
    assert r.status_code == 200 and r.json["status"] == "resolved", r.json
    _assert_no_call_under_a_lock(auditor, [call])
    o = client.get(f"/api/v1/orders/{order.id}", headers=buyer.headers).json
    assert o["status"] == status
    assert o["payment"]["status"] == ("captured" if call == "capture" else "cancelled")
    assert o["refunded_fen"] == {"release": 0, "partial_refund": 500}.get(outcome, order.payable_fen)


def test_webhook_late_authorisation_release(stripe_app, session, buyer, seller, operator, audited):
    order = _order(session, S.CANCELLED, buyer, seller, operator)
    pay = payments.payment_for(session, order)
    late = event("payment_intent.amount_capturable_updated",
                 intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture"))
    auditor = audited()
    r = post_event(stripe_app.test_client(), late)
    assert r.status_code == 200 and r.json["outcome"] == "releasing_late_authorisation"
    _assert_no_call_under_a_lock(auditor, ["cancel"])


def test_store_credit_withdrawal(stripe_app, session, buyer, audited):
    ledger.issue_store_credit(session, buyer.id, None, 50000, ref_type="tradein", ref_id=uuid.uuid4(),
                              idempotency_key=f"test-{uuid.uuid4()}")
    session.add(SellerAccount(owner_user_id=buyer.id, stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
                              charges_enabled=True, payouts_enabled=True, details_submitted=True, synced_event_at=0))
    auditor = audited()
    r = stripe_app.test_client().post("/api/v1/store-credit/withdrawals", json={"amount_fen": 20000},
                                      headers={**buyer.headers, "Idempotency-Key": "lock-audit"})
    assert r.status_code == 201 and r.json["balance_fen"] == 30000, r.json
    _assert_no_call_under_a_lock(auditor, ["transfer"])
    assert session.get(JournalEntry, uuid.UUID(r.json["id"])).ref_id.startswith("tr_")


def test_subsidy_changes_the_intent_amount(stripe_app, session, retailer, operator, audited):
    client = stripe_app.test_client()
    open_pool(client, operator, "CN-2025-appliance", "140000", 10_000_000)
    buyer = make_user(session, Role.CONSUMER, verified_id=resident_id())
    listing = publish(session, retailer, operator, fridge_payload(price_fen=300000))
    r = client.post("/api/v1/orders", json={"listing_id": str(listing.id)}, headers=buyer.headers)
    assert r.status_code == 201, r.json
    auditor = audited()
    r = client.post("/api/v1/subsidies/reservations", headers=retailer.headers, json={
        "order_id": r.json["id"], "quote_request": {"region": "141100", "date": "2025-06-01"}})
    assert r.status_code == 201, r.json
    _assert_no_call_under_a_lock(auditor, ["update_amount"])
    order = client.get(f"/api/v1/orders/{r.json['order_id']}", headers=buyer.headers).json
    assert order["payable_fen"] == order["payment"]["amount_fen"] == 240000


@pytest.mark.parametrize("method", ["card", "alipay", "wechat_pay"])
def test_placement_creates_the_intent_after_commit(stripe_app, session, buyer, seller, operator, audited, method):
    """Issue 19: the intent used to be created inside the placement, with the listing and the
    order locked while Stripe answered. Now it is an `intent` operation sent after the commit;
    the answer already carries what the buyer needs to pay."""
    listing = publish(session, seller, operator)
    auditor = audited()
    r = stripe_app.test_client().post("/api/v1/orders", json={"listing_id": str(listing.id), "payment_method": method},
                                      headers={**buyer.headers, "Idempotency-Key": f"place-{method}"})
    assert r.status_code == 201, r.json
    _assert_no_call_under_a_lock(auditor, ["create_intent"])
    # The stored (replayable) answer was written with the placement, before the intent existed:
    # it says `wait`; by the time the client has it, the intent has landed.
    assert r.json["next_action"] == {"type": "wait"} and r.json["payment_method"] == method
    o = stripe_app.test_client().get(r.headers["Location"], headers=buyer.headers).json
    assert o["payment"]["client_secret"] and o["next_action"]["client_secret"] == o["payment"]["client_secret"]
    assert o["next_action"]["type"] == {"card": "confirm_card", "alipay": "alipay_handle_redirect",
                                             "wechat_pay": "wechat_pay_display_qr_code"}[method]


def test_tradein_cash_payout(stripe_app, session, consumer, recycler, table, audited):
    payout_account(session, consumer.id)
    client = stripe_app.test_client()
    t, imei = cash_trade_in_to_inspection(client, consumer, recycler)
    auditor = audited()
    # The inspection agrees the value and settles it, with the trade-in row locked; the transfer
    # waits for the commit.
    r = inspect(client, recycler, t, phone_answers(), imei=imei)
    assert r.status_code == 200 and r.json["status"] == "paid", r.json
    _assert_no_call_under_a_lock(auditor, ["transfer"])
    assert r.json["payout"]["status"] == "sent" and r.json["payout"]["reference"].startswith("tr_")
