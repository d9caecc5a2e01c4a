"""stripe-mock never declines, so the gateway is made to fail at each step. Whatever fails, the
order stays consistent: never a capture without an order, never an order cancelled with its
money captured, never a listing sold or published out of step with its order."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from services.disputes import service as disputes
from services.disputes.models import Dispute, DisputeStatus
from services.errors import ValidationFailed
from services.listings.models import Listing, Status as LS
from services.orders import jobs, service as orders
from services.orders.models import Order, OrderStatus as S
from services.payments import relay, service as payments
from services.payments.models import Payment, PaymentOperation, PaymentStatus, Payout, PayoutStatus, Refund
from tests.factories.orders import SETTINGS, Recording, commit_and_relay, order_in, publish, stripe_gateway

LISTING_FOR = {S.PAYMENT_PENDING: LS.RESERVED, S.PAID_HELD: LS.RESERVED, S.HANDED_OVER: LS.RESERVED,
               S.ACCEPTED: LS.RESERVED, S.DISPUTED: LS.RESERVED, S.COMPLETED: LS.SOLD}


def assert_consistent(session):
    """Invariants that must hold after any failure."""
    session.expire_all()
    for order in session.scalars(select(Order)):
        pay = session.scalar(select(Payment).where(Payment.order_id == order.id))
        listing = session.get(Listing, order.listing_id)
        if order.status == S.CANCELLED:
            assert pay is None or pay.status not in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)
            assert listing.status == LS.PUBLISHED
        if pay is not None and pay.status == PaymentStatus.CAPTURED:
            assert order.status in (S.COMPLETED, S.DISPUTED, S.REFUNDED)
        if order.status in LISTING_FOR:
            assert listing.status == LISTING_FOR[order.status], (order.status, listing.status)
    # no payment row without its order, no payout without a capture
    assert session.scalar(select(func.count()).select_from(Payment).where(~Payment.order_id.in_(select(Order.id)))) == 0
    for payout in session.scalars(select(Payout)):
        pay = session.scalar(select(Payment).where(Payment.order_id == payout.order_id))
        assert pay.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED)


@pytest.fixture
def failing():
    return Recording(stripe_gateway())


def test_intent_outage_after_placement_keeps_the_order_and_the_retry_reuses_the_key(session, buyer, seller,
                                                                                   operator, failing):
    """The intent is created after the placement committed (issue 19): a provider outage leaves
    the order waiting (`payment.last_error`), never rolls it back, and the resend repeats the key."""
    listing = publish(session, seller, operator)
    failing.fail = {"create_intent"}
    order = orders.place(session, buyer.user, listing.id, gateway=failing, settings=SETTINGS)
    commit_and_relay(session, failing)
    pay = orders.payment(session, order)
    assert order.status == S.PAYMENT_PENDING and payments.intent_pending(pay)
    assert pay.last_error.startswith("payment could not start")
    assert_consistent(session)
    failing.fail = set()
    [op_id] = [o.id for o in session.scalars(select(PaymentOperation).where(PaymentOperation.order_id == order.id))]
    session.execute(update(PaymentOperation).where(PaymentOperation.id == op_id)
                    .values(next_attempt_at=PaymentOperation.created_at))   # its back-off is over
    commit_and_relay(session, failing)
    session.refresh(pay)
    assert pay.intent_id.startswith("pi_") and pay.client_secret and pay.last_error is None
    first, second = failing.keys("create_intent")
    assert first == second == f"huanxin-order-{order.id}-intent"


def test_intent_refused_after_placement_cancels_the_order_and_frees_the_listing(session, buyer, seller, operator,
                                                                                failing):
    listing = publish(session, seller, operator)
    failing.fail, failing.declined = {"create_intent"}, True
    order = orders.place(session, buyer.user, listing.id, gateway=failing, settings=SETTINGS)
    commit_and_relay(session, failing)
    session.refresh(order)
    assert order.status == S.CANCELLED and "refused" in order.cancel_reason
    assert session.get(Listing, listing.id).status == LS.PUBLISHED
    assert orders.payment(session, order).status == PaymentStatus.CANCELLED
    assert_consistent(session)


def test_capture_failure_keeps_the_acceptance_and_the_job_captures_once(session, buyer, seller, operator, failing):
    order = order_in(session, S.HANDED_OVER, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    failing.fail = {"capture"}
    orders.accept(session, buyer.user, order.id, gateway=failing)
    session.commit()
    relay.relay(session, failing)   # the capture is made after the acceptance committed
    session.refresh(order)
    assert order.status == S.ACCEPTED and order.attention.startswith("capture pending")
    pay = orders.payment(session, order)
    assert pay.status == PaymentStatus.AUTHORISED and pay.last_error
    assert session.scalar(select(func.count()).select_from(Payout)) == 0
    assert_consistent(session)
    failing.fail = set()
    assert jobs.auto_capture(session, gateway=failing, settings=SETTINGS) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.COMPLETED and order.attention is None
    keys = failing.keys("capture")
    assert len(keys) == 2 and keys[0] == keys[1]   # the retry repeats the same idempotency key
    assert_consistent(session)


def test_cancel_while_stripe_fails_is_kept_and_the_hold_released_once_it_is_back(
        session, buyer, seller, operator, failing, frozen):
    order = order_in(session, S.PAID_HELD, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    failing.fail = {"cancel"}
    orders.cancel(session, buyer.user, order.id, gateway=failing)
    commit_and_relay(session, failing)   # the release is tried after the commit, and fails
    session.refresh(order)
    pay = orders.payment(session, order)
    # The cancellation stands (the listing is back on sale); the hold waits to be released.
    assert order.status == S.CANCELLED and pay.status == PaymentStatus.AUTHORISED
    assert pay.last_error.startswith("cancel failed")
    assert_consistent(session)
    failing.fail = set()
    frozen.advance(relay.backoff(1) + timedelta(seconds=1))
    assert relay.reconcile(session, failing) == 1
    session.expire_all()
    assert orders.payment(session, order).status == PaymentStatus.CANCELLED
    keys = failing.keys("cancel")
    assert len(keys) == 2 and keys[0] == keys[1] == payments.key(order, "cancel")
    assert relay.reconcile(session, failing) == 0 and len(failing.keys("cancel")) == 2
    assert_consistent(session)


def test_a_captured_order_cannot_be_cancelled_and_the_provider_is_not_asked(session, buyer, seller, operator, failing):
    from services.errors import InvalidState
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    n = len(failing.calls)
    with pytest.raises(InvalidState):
        orders.cancel(session, buyer.user, order.id, gateway=failing)
    session.rollback()
    assert len(failing.calls) == n
    assert_consistent(session)


def test_refund_while_stripe_fails_stays_pending_then_is_refunded_exactly_once(
        session, buyer, seller, operator, failing, frozen):
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    failing.fail = {"refund"}
    orders.refund(session, seller.user, order.id, gateway=failing, amount_fen=1000, reason="scratch")
    commit_and_relay(session, failing)
    session.refresh(order)
    [row] = session.scalars(select(Refund))
    assert order.status == S.COMPLETED and order.refunded_fen == 0 and order.attention.startswith("refund pending")
    assert row.status == payments.REFUND_PENDING and row.provider_refund_id is None
    pay = orders.payment(session, order)
    assert pay.refunded_fen == 0
    # What is pending counts: the rest can be refunded, never more than was captured.
    with pytest.raises(ValidationFailed):
        orders.refund(session, seller.user, order.id, gateway=failing, amount_fen=pay.captured_fen - 999, reason="x")
    session.rollback()
    assert_consistent(session)
    failing.fail = set()
    frozen.advance(relay.backoff(1) + timedelta(seconds=1))
    assert relay.reconcile(session, failing) >= 1
    session.expire_all()
    order = session.get(Order, order.id)
    [row] = session.scalars(select(Refund))
    assert order.refunded_fen == 1000 and order.attention is None and order.status == S.COMPLETED
    assert orders.payment(session, order).refunded_fen == 1000 and row.status != payments.REFUND_PENDING
    keys = failing.keys("refund")
    assert len(keys) == 2 and keys[0] == keys[1]
    relay.reconcile(session, failing)
    assert len(failing.keys("refund")) == 2
    assert_consistent(session)


def test_transfer_failure_leaves_the_payout_pending_for_the_job(session, buyer, seller, operator, failing):
    account, _ = payments.onboard(session, seller.user, failing, refresh_url="http://x", return_url="http://x")
    account.payouts_enabled = True
    session.commit()
    failing.fail = {"transfer"}
    order = order_in(session, S.COMPLETED, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    payout = session.scalar(select(Payout).where(Payout.order_id == order.id))
    assert order.status == S.COMPLETED and payout.status == PayoutStatus.PENDING and "transfer failed" in payout.last_error
    failing.fail = set()
    jobs.settle_payouts(session, gateway=failing)
    session.commit()
    session.refresh(payout)
    assert payout.status == PayoutStatus.PAID and len(set(failing.keys("transfer"))) == 1
    assert_consistent(session)


@pytest.mark.parametrize("outcome,step,final", [("release", "capture", S.COMPLETED),
                                                 ("refund", "cancel", S.REFUNDED),
                                                 ("partial_refund", "capture", S.COMPLETED)])
def test_a_dispute_resolved_while_stripe_fails_is_finished_by_reconciliation(
        session, buyer, seller, operator, failing, frozen, outcome, step, final):
    order = order_in(session, S.DISPUTED, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    dispute = session.scalar(select(Dispute).where(Dispute.order_id == order.id))
    failing.fail = {step}
    disputes.resolve(session, operator.user, dispute.id, outcome=outcome, amount_fen=100, note="n", gateway=failing)
    commit_and_relay(session, failing)
    session.expire_all()
    # The operator's decision stands; the money waits for Stripe.
    assert session.get(Dispute, dispute.id).status == DisputeStatus.RESOLVED
    pay = orders.payment(session, order)
    assert pay.status == PaymentStatus.AUTHORISED and pay.last_error
    assert session.get(Order, order.id).status == (S.REFUNDED if outcome == "refund" else S.DISPUTED)
    assert_consistent(session)
    failing.fail = set()
    frozen.advance(relay.backoff(1) + timedelta(seconds=1))
    relay.reconcile(session, failing)
    session.expire_all()
    done = session.get(Order, order.id)
    pay = orders.payment(session, done)
    assert done.status == final
    if step == "capture":
        assert pay.status == PaymentStatus.CAPTURED
        assert pay.captured_fen == order.payable_fen - (100 if outcome == "partial_refund" else 0)
        assert done.refunded_fen == (100 if outcome == "partial_refund" else 0)
    else:
        assert pay.status == PaymentStatus.CANCELLED
    keys = failing.keys(step)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert_consistent(session)


def test_expiry_cancels_while_stripe_is_down_and_the_hold_is_released_after(
        session, buyer, seller, operator, failing, frozen):
    order = order_in(session, S.PAYMENT_PENDING, buyer=buyer, seller=seller, operator=operator, gateway=failing)
    frozen.advance(timedelta(minutes=31))
    failing.fail = {"cancel"}
    assert jobs.expire_reservations(session, gateway=failing, settings=SETTINGS) == 1
    session.commit()
    session.refresh(order)
    assert order.status == S.CANCELLED
    assert orders.payment(session, order).status == PaymentStatus.REQUIRES_PAYMENT
    assert_consistent(session)
    failing.fail = set()
    frozen.advance(relay.backoff(1) + timedelta(seconds=1))
    assert relay.reconcile(session, failing) == 1
    session.expire_all()
    assert orders.payment(session, order).status == PaymentStatus.CANCELLED
    keys = failing.keys("cancel")
    assert len(keys) == 2 and keys[0] == keys[1]
    assert jobs.expire_reservations(session, gateway=failing, settings=SETTINGS) == 0
    assert_consistent(session)
