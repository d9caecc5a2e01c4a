"""POST /api/v1/webhooks/stripe with payloads signed by stripe-python's own scheme: signature and
tolerance, replays, out-of-order delivery, and each event the order flow listens to."""
import json
import time

import pytest
from sqlalchemy import func, select

from services.audit import AuditEntry
from services.credit.events import CreditEvent
from services.disputes.models import Dispute, DisputeKind, DisputeStatus
from services.listings.models import Listing, Status as LS
from services.orders import service as orders
from services.orders.models import OrderStatus as S
from services.payments import service as payments
from services.payments.models import PaymentStatus, Payout, PayoutStatus, StripeEvent
from tests.factories.orders import event, intent_obj, order_in, post_event, sign, stripe_gateway

pytestmark = pytest.mark.usefixtures("stripe_app")


def _order(session, state, buyer, seller, operator):
    return order_in(session, state, buyer=buyer, seller=seller, operator=operator, gateway=stripe_gateway())


def _authorised(pay, **over):
    return event("payment_intent.amount_capturable_updated",
                 intent_obj(pay, amount_capturable=pay.amount_fen, status="requires_capture"), **over)


def _succeeded(pay, **over):
    return event("payment_intent.succeeded",
                 intent_obj(pay, amount_received=pay.amount_fen, status="succeeded", latest_charge="ch_test_1"), **over)


def _charge(pay, **over):
    obj = {"id": "ch_test_1", "object": "charge", "payment_intent": pay.intent_id, "amount": pay.amount_fen,
           "amount_captured": pay.amount_fen, "amount_refunded": 0, "captured": True, "currency": "cny"}
    obj.update(over)
    return obj


def _dispute(pay, status="needs_response", dispute_id="dp_test_1"):
    return {"id": dispute_id, "object": "dispute", "charge": "ch_test_1", "payment_intent": pay.intent_id,
            "amount": pay.amount_fen, "currency": "cny", "reason": "product_not_received", "status": status}


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("tamper", ["wrong_secret", "body_changed", "too_old", "missing", "garbage"])
def test_bad_signature_is_400_and_changes_nothing(stripe_client, session, buyer, seller, operator, tamper):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    pay = orders.payment(session, order)
    evt = _authorised(pay)
    payload = json.dumps(evt)
    header = {"wrong_secret": sign(payload, "whsec_other"),
              "body_changed": sign(payload.replace("requires_capture", "requires_capturE")),
              "too_old": sign(payload, ts=int(time.time()) - 301),
              "missing": "", "garbage": "t=abc,v1=zz"}[tamper]
    if tamper == "body_changed":
        payload = payload.replace("requires_capture", "requires_capturf")
    r = stripe_client.post("/api/v1/webhooks/stripe", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": header} if header else {})
    assert r.status_code == 400 and r.json["code"] == "invalid_signature"
    session.refresh(order)
    assert order.status == S.PAYMENT_PENDING and _count(session, StripeEvent) == 0


def test_signature_within_tolerance_is_accepted(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    r = post_event(stripe_client, _authorised(orders.payment(session, order)), ts=int(time.time()) - 250)
    assert r.status_code == 200 and r.json == {"received": True, "outcome": "processed"}


def test_authorisation_moves_the_order_and_a_replay_is_harmless(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    pay = orders.payment(session, order)
    evt = _authorised(pay)
    assert post_event(stripe_client, evt).json["outcome"] == "processed"
    session.refresh(order)
    session.refresh(pay)
    assert order.status == S.PAID_HELD and pay.status == PaymentStatus.AUTHORISED and pay.authorised_fen == 150000
    audit_rows = _count(session, AuditEntry)
    r = post_event(stripe_client, evt)   # the same event id again, freshly signed
    assert r.status_code == 200 and r.json["outcome"] == "duplicate"
    assert _count(session, StripeEvent) == 1
    assert _count(session, AuditEntry) == audit_rows


def test_capture_before_authorisation_event_completes_and_the_late_event_is_stale(stripe_client, session, buyer,
                                                                               seller, operator):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    pay = orders.payment(session, order)
    late = _authorised(pay, created=int(time.time()) - 60)
    assert post_event(stripe_client, _succeeded(pay)).json["outcome"] == "processed"
    session.refresh(order)
    assert order.status == S.COMPLETED
    assert post_event(stripe_client, late).json["outcome"] == "stale"
    session.refresh(order)
    session.refresh(pay)
    assert order.status == S.COMPLETED and pay.status == PaymentStatus.CAPTURED and pay.charge_id == "ch_test_1"
    assert session.get(Listing, order.listing_id).status == LS.SOLD


def test_payment_failure_is_recorded_once_and_a_stale_failure_changes_nothing(stripe_client, session, buyer, seller,
                                                                            operator):
    order = _order(session, S.PAYMENT_PENDING, buyer, seller, operator)
    pay = orders.payment(session, order)
    failed = event("payment_intent.payment_failed",
                   intent_obj(pay, last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds"}))
    assert post_event(stripe_client, failed).json["outcome"] == "processed"
    assert post_event(stripe_client, failed).json["outcome"] == "duplicate"
    session.refresh(order)
    assert order.status == S.PAYMENT_PENDING
    kinds = list(session.scalars(select(CreditEvent.kind).where(CreditEvent.subject_id == buyer.id)))
    assert kinds.count("payment_failed") == 1
    post_event(stripe_client, _authorised(pay))
    assert post_event(stripe_client, event("payment_intent.payment_failed", intent_obj(pay))).json["outcome"] == "stale"
    session.refresh(order)
    assert order.status == S.PAID_HELD


def test_intent_canceled_at_stripe_cancels_the_order_and_relists(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.PAID_HELD, buyer, seller, operator)
    pay = orders.payment(session, order)
    evt = event("payment_intent.canceled", intent_obj(pay, status="canceled", cancellation_reason="automatic"))
    assert post_event(stripe_client, evt).json["outcome"] == "processed"
    session.refresh(order)
    assert order.status == S.CANCELLED and session.get(Listing, order.listing_id).status == LS.PUBLISHED


def test_lapsed_authorisation_after_handover_needs_an_operator(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.HANDED_OVER, buyer, seller, operator)
    pay = orders.payment(session, order)
    evt = event("payment_intent.canceled", intent_obj(pay, status="canceled", cancellation_reason="automatic"))
    assert post_event(stripe_client, evt).json["outcome"] == "attention"
    session.refresh(order)
    assert order.status == S.HANDED_OVER and "lapsed" in order.attention


def test_refunds_seen_at_stripe_partial_then_full_and_out_of_order(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.COMPLETED, buyer, seller, operator)
    pay = orders.payment(session, order)
    partial = event("charge.refunded", _charge(pay, amount_refunded=40000), created=int(time.time()) - 10)
    full = event("charge.refunded", _charge(pay, amount_refunded=150000))
    assert post_event(stripe_client, full).json["outcome"] == "processed"
    assert post_event(stripe_client, partial).json["outcome"] == "stale"
    session.refresh(order)
    assert order.status == S.REFUNDED and order.refunded_fen == 150000


def test_partial_refund_seen_at_stripe(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.COMPLETED, buyer, seller, operator)
    pay = orders.payment(session, order)
    post_event(stripe_client, event("charge.refunded", _charge(pay, amount_refunded=40000)))
    session.refresh(order)
    assert order.status == S.COMPLETED and order.refunded_fen == 40000


def _payout_ready(session, seller):
    account, _ = payments.onboard(session, seller.user, stripe_gateway(), refresh_url="http://x", return_url="http://x")
    session.commit()
    return account


def test_chargeback_freezes_the_payout_and_lost_refunds(stripe_client, session, buyer, seller, operator):
    order = _order(session, S.COMPLETED, buyer, seller, operator)   # seller not onboarded: payout pending
    pay = orders.payment(session, order)
    assert post_event(stripe_client, event("charge.dispute.created", _dispute(pay))).json["outcome"] == "processed"
    session.refresh(order)
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert order.status == S.DISPUTED and payout.status == PayoutStatus.HELD
    cb = session.scalar(select(Dispute).where(Dispute.order_id == order.id))
    assert cb.kind == DisputeKind.CHARGEBACK and cb.status == DisputeStatus.OPEN
    assert session.scalar(select(CreditEvent.kind).where(CreditEvent.subject_id == buyer.id,
                                                         CreditEvent.kind == "chargeback")) == "chargeback"
    post_event(stripe_client, event("charge.dispute.closed", _dispute(pay, status="lost")))
    session.refresh(order)
    session.refresh(payout)
    assert order.status == S.REFUNDED and payout.status == PayoutStatus.CANCELLED


def test_chargeback_closed_before_created_won_pays_the_seller(stripe_client, session, buyer, seller, operator):
    account = _payout_ready(session, seller)
    order = _order(session, S.COMPLETED, buyer, seller, operator)
    pay = orders.payment(session, order)
    closed = event("charge.dispute.closed", _dispute(pay, status="won"))
    created = event("charge.dispute.created", _dispute(pay), created=int(time.time()) - 3600)
    # the payout waits for the account; then the chargeback arrives out of order
    assert post_event(stripe_client, closed).json["outcome"] == "processed"
    assert post_event(stripe_client, created).json["outcome"] == "processed"   # idempotent: already known
    session.refresh(order)
    assert order.status == S.COMPLETED
    assert _count(session, Dispute) == 1
    upd = event("account.updated", {"id": account.stripe_account_id, "object": "account", "charges_enabled": True,
                                    "payouts_enabled": True, "details_submitted": True})
    assert post_event(stripe_client, upd).json["outcome"] == "processed"
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert payout.status == PayoutStatus.PAID


def test_account_updates_out_of_order_keep_the_newest(stripe_client, session, seller):
    account = _payout_ready(session, seller)
    now = int(time.time())
    newer = event("account.updated", {"id": account.stripe_account_id, "payouts_enabled": True,
                                      "charges_enabled": True, "details_submitted": True}, created=now)
    older = event("account.updated", {"id": account.stripe_account_id, "payouts_enabled": False,
                                      "charges_enabled": False, "details_submitted": False}, created=now - 100)
    assert post_event(stripe_client, newer).json["outcome"] == "processed"
    assert post_event(stripe_client, older).json["outcome"] == "stale"
    session.refresh(account)
    assert account.payouts_enabled and account.details_submitted


def test_unknown_things(stripe_client, session):
    other = event("payment_intent.succeeded", {"id": "pi_not_ours", "object": "payment_intent", "metadata": {}})
    assert post_event(stripe_client, other).json["outcome"] == "ignored"
    ours_not_yet = event("payment_intent.succeeded", {"id": "pi_racing", "metadata": {"order_id": "x"}})
    r = post_event(stripe_client, ours_not_yet)
    assert r.status_code == 409 and r.json["code"] == "webhook_retry_later"
    assert post_event(stripe_client, ours_not_yet).status_code == 409   # not stored: Stripe may retry
    assert post_event(stripe_client, event("customer.created", {"id": "cus_1"})).json["outcome"] == "ignored"
    r = stripe_client.post("/api/v1/webhooks/stripe", data="[]", content_type="application/json",
                           headers={"Stripe-Signature": sign("[]")})
    assert r.status_code == 400
    r = stripe_client.post("/api/v1/webhooks/stripe", data='{"id": 1}', content_type="application/json",
                           headers={"Stripe-Signature": sign('{"id": 1}')})
    assert r.status_code == 422


def test_webhooks_are_off_without_a_secret(client):
    r = client.post("/api/v1/webhooks/stripe", data="{}", content_type="application/json",
                    headers={"Stripe-Signature": sign("{}")})
    assert r.status_code == 404


def test_webhook_is_not_rate_limited_like_client_writes(db_url, instance_dir, session, buyer, seller, operator):
    from tests.factories.app import make_app
    from tests.factories.orders import STRIPE_BASE, WEBHOOK_SECRET
    limited = make_app(db_url, instance_dir, RATELIMIT_ENABLED=True, RATE_LIMIT_WRITE="2/minute", REDIS_URL=None,
                       STRIPE_API_KEY="sk_test_123", STRIPE_API_BASE=STRIPE_BASE, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    c = limited.test_client()
    codes = [post_event(c, event("customer.created", {"id": f"cus_{i}"})).status_code for i in range(4)]
    assert codes == [200] * 4
    codes = [c.post("/api/v1/orders", json={}, headers=buyer.headers).status_code for _ in range(3)]
    assert codes[-1] == 429
