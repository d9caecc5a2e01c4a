"""A property over random order histories (issue 16 item 2): whatever buyers, sellers, operators
and Stripe do to an order, in any order (pay, hand over, accept, refund part or all, dispute and
resolve, cancel), once the provider calls have been made the money adds up: the payment, its
refunds, the order's `refunded_fen`, the seller's payout (transferred minus reversed), the
platform's fee and the buyer's store credit in the ledger. Runs on PostgreSQL and stripe-mock
for each payment method and both ways of holding the money (manual capture and escrow)."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from services.disputes import service as disputes
from services.disputes.models import Dispute, DisputeStatus
from services.errors import DomainError
from services.ledger import service as ledger
from services.orders import service as orders
from services.orders.models import Order, OrderStatus as S
from services.flows import settlement
from services.payments import fees, relay, service as payments
from services.payments.models import (OperationState, PaymentOperation, PaymentStatus, Payout, PayoutStatus, Refund,
                                      SellerAccount)
from tests.factories.accounts import make_user
from tests.factories.listings import fridge_payload
from tests.factories.orders import SETTINGS, deliver, event, intent_obj, publish, stripe_gateway

pytestmark = pytest.mark.usefixtures("fast_passwords")

CREDIT = 20_000   # platform store credit each buyer starts with

ACTIONS = ("pay", "hand_over", "accept", "refund_part", "refund_all", "dispute", "resolve_release",
           "resolve_refund", "resolve_partial", "cancel", "payout_account")
# Histories start from a prefix a real order often has, so that most examples get far enough
# for refunds, disputes and payouts to meet; the random tail does the rest.
PREFIXES = ([], ["pay"], ["pay", "hand_over"], ["payout_account", "pay", "hand_over", "dispute"],
            ["payout_account", "pay", "hand_over", "accept"])
HISTORIES = st.tuples(st.sampled_from(PREFIXES), st.lists(st.sampled_from(ACTIONS), max_size=7)).map(
    lambda t: t[0] + t[1])


def _act(session, gw, order_id, action, buyer, seller, operator):
    order = session.get(Order, order_id)
    if action == "pay":
        pay = orders.payment(session, order)
        if pay.capture_method == payments.AUTOMATIC:
            evt = event("payment_intent.succeeded", intent_obj(
                pay, status="succeeded", capture_method="automatic", amount_received=pay.amount_fen,
                latest_charge=f"ch_{uuid.uuid4().hex[:16]}"))
        else:
            evt = event("payment_intent.amount_capturable_updated", intent_obj(
                pay, status="requires_capture", amount_capturable=pay.amount_fen))
        settlement.handle(session, evt, gateway=gw)
    elif action == "hand_over" and order.fulfilment.value == "shipped":
        deliver(session, order, seller)   # a shipped order's handover is the carrier's delivery report
    elif action == "hand_over":
        orders.hand_over(session, seller.user, order_id, settings=SETTINGS)
    elif action == "accept":
        orders.accept(session, buyer.user, order_id, gateway=gw)
    elif action == "refund_part":
        orders.refund(session, seller.user, order_id, gateway=gw, amount_fen=777, reason="a scratch")
    elif action == "refund_all":
        orders.refund(session, operator.user, order_id, gateway=gw, amount_fen=None, reason="returned")
    elif action == "dispute":
        disputes.open_dispute(session, buyer.user, order_id, reason="not_as_described")
    elif action.startswith("resolve_"):
        dispute_id = session.scalar(select(Dispute.id).where(Dispute.order_id == order_id,
                                                             Dispute.status == DisputeStatus.OPEN))
        if dispute_id is None:
            return
        outcome = action.removeprefix("resolve_")
        disputes.resolve(session, operator.user, dispute_id, outcome="partial_refund" if outcome == "partial" else outcome,
                         amount_fen=1_000 if outcome == "partial" else None, note="decided", gateway=gw)
    elif action == "cancel":
        orders.cancel(session, buyer.user, order_id, gateway=gw, reason="changed my mind")
    elif action == "payout_account":
        if session.scalar(select(SellerAccount.id).where(SellerAccount.owner_user_id == seller.id)) is None:
            session.add(SellerAccount(owner_user_id=seller.id, stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
                                      charges_enabled=True, payouts_enabled=True, details_submitted=True,
                                      synced_event_at=0))
            session.flush()
        payout = session.scalar(select(Payout).where(Payout.order_id == order_id))
        if payout is not None:
            payments.settle_payout(session, orders.lock(session, order_id), gw)


def _assert_money_adds_up(session, order_id, buyer_id):
    session.expire_all()
    order = session.get(Order, order_id)
    pay = orders.payment(session, order)
    in_flight = session.scalar(select(func.count()).select_from(PaymentOperation).where(
        PaymentOperation.order_id == order_id, PaymentOperation.state.in_((OperationState.PENDING, OperationState.SENT))))
    assert in_flight == 0, "every provider call was made"
    assert session.scalar(select(func.count()).select_from(PaymentOperation).where(
        PaymentOperation.order_id == order_id, PaymentOperation.state == OperationState.FAILED)) == 0
    # The payment: refunds never exceed the capture, and the confirmed refund rows are the refunded total.
    assert 0 <= pay.refunded_fen <= pay.captured_fen <= max(pay.authorised_fen, pay.captured_fen) <= order.payable_fen
    confirmed = session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == pay.id, Refund.status != payments.REFUND_PENDING)) or 0
    assert confirmed == pay.refunded_fen
    if pay.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) and order.status != S.PAID_HELD:
        # What the buyer got back on the order: the part never captured plus the refunds.
        assert order.refunded_fen == order.payable_fen - pay.captured_fen + pay.refunded_fen
    if order.status == S.REFUNDED:
        assert pay.refunded_fen == pay.captured_fen and order.refunded_fen == order.payable_fen
    for dispute in session.scalars(select(Dispute).where(Dispute.order_id == order_id,
                                                         Dispute.status == DisputeStatus.RESOLVED)):
        assert order.refunded_fen >= dispute.refund_fen, "what a dispute decided went back to the buyer"
    if order.status == S.CANCELLED:
        assert pay.captured_fen == pay.refunded_fen, "a cancelled order keeps none of the buyer's money"
    # The payout: the seller's share of what the platform kept, never more than it holds.
    kept = pay.captured_fen - pay.refunded_fen
    payout = session.scalar(select(Payout).where(Payout.order_id == order_id))
    paid_out = 0
    if payout is not None:
        gross = kept + orders.platform_credit_owed(order)
        assert payout.gross_fen == gross and payout.fee_fen == fees.fee(gross, order.fee_bps)
        assert payout.net_fen == payout.gross_fen - payout.fee_fen
        paid_out = payout.transferred_fen - payout.reversed_fen
        if payout.status == PayoutStatus.PAID:
            assert paid_out == payout.net_fen
        else:
            assert paid_out == 0
    if order.status not in (S.COMPLETED, S.REFUNDED):
        assert paid_out == 0, "nothing is paid out before acceptance"
    assert 0 <= paid_out <= kept + orders.platform_credit_owed(order)
    # The ledger: store credit spent on the order is spent while it lives and given back when it ends.
    spent = order.store_credit_fen if order.status not in (S.CANCELLED, S.REFUNDED) else 0
    assert ledger.balance(session, buyer_id, None) == CREDIT - spent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(method=st.sampled_from(["card", "alipay", "wechat_pay"]), fulfilment=st.sampled_from(["meetup", "shipped"]),
       credit=st.sampled_from([None, 5_000]), actions=HISTORIES)
def test_money_adds_up_over_any_order_history(session, operator, method, fulfilment, credit, actions):
    gw = stripe_gateway()
    buyer, seller = make_user(session), make_user(session)   # fresh each example (listing limits, balances)
    ledger.issue_store_credit(session, buyer.id, None, CREDIT, ref_type="test", ref_id=uuid.uuid4(),
                              idempotency_key=f"test-{uuid.uuid4()}")
    listing = publish(session, seller, operator, {**fridge_payload(), "shipping_fee_fen": 0})
    order = orders.place(session, buyer.user, listing.id, gateway=gw, settings=SETTINGS, payment_method=method,
                         fulfilment=fulfilment, store_credit_fen=credit, store_credit_issuer="platform" if credit else None)
    order_id = order.id
    session.commit()
    relay.relay(session, gw, order_ids=[order_id])
    _assert_money_adds_up(session, order_id, buyer.id)
    for action in actions:
        try:
            _act(session, gw, order_id, action, buyer, seller, operator)
            session.commit()
        except DomainError:
            session.rollback()   # refused in this state: nothing may have changed
        relay.relay(session, gw, order_ids=[order_id])
        _assert_money_adds_up(session, order_id, buyer.id)
