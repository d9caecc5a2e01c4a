"""Periodic work on orders. Each job takes the session (plus gateway and settings), reads time
from services.clock, handles each order in its own savepoint so that one failure (e.g. the payment
provider is down) skips that order until the next run without undoing the others, and returns a
count.

`checkpoint` (the job runner passes `session.commit`) is called after each order: each order's
outcome is then committed on its own, so a crash or a failed final commit later in the batch
cannot undo what was already done at the payment provider for earlier orders."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services import clock
from services.errors import DomainError
from services.orders import service as orders, states
from services.orders.models import Order, OrderStatus as S
from services.orders.settings import BuyingSettings
from services.payments import interface as payments
from services.payments.interface import PaymentGateway
from services.payments.models import Payout, PayoutStatus

log = logging.getLogger(__name__)


Checkpoint = Callable[[], None]


def _no_checkpoint() -> None:
    pass


def _ids(session: Session, stmt) -> list:
    return list(session.scalars(stmt))


def expire_reservations(session: Session, *, gateway: PaymentGateway, settings: BuyingSettings,
                        checkpoint: Checkpoint = _no_checkpoint) -> int:
    """Cancel unpaid orders whose reservation ran out: listing published again, a card hold
    released after each order's commit."""
    due = _ids(session, select(Order.id).where(Order.status.in_(states.UNPAID), Order.reserved_until <= clock.now(session)))
    done = 0
    for order_id in due:
        try:
            with session.begin_nested():
                order = orders.lock(session, order_id)
                if order.status in states.UNPAID and order.reserved_until and order.reserved_until <= clock.now(session):
                    orders.cancel_order(session, order, gateway, actor_id=None, by="expiry",
                                        reason="reservation expired unpaid")
                    done += 1
        except DomainError as e:
            log.warning("expiry skipped", extra={"order_id": str(order_id), "code": e.code})
        checkpoint()
    # The card holds released above are released now, after their orders' commits (a Stripe
    # outage leaves them to the reconciliation job: the orders are cancelled either way).
    payments.relay(session, gateway, order_ids=due, kinds=(payments.CANCEL,))
    return done


def auto_capture(session: Session, *, gateway: PaymentGateway, settings: BuyingSettings,
                 checkpoint: Checkpoint = _no_checkpoint) -> int:
    """Accept handed-over orders whose acceptance window ended and capture them; retry captures
    of accepted orders that failed before. Disputed orders are never touched."""
    now = clock.now(session)
    due = _ids(session, select(Order.id).where(or_(
        (Order.status == S.HANDED_OVER) & (Order.accept_by <= now), Order.status == S.ACCEPTED)))
    done = 0
    for order_id in due:
        try:
            with session.begin_nested():
                order = orders.lock(session, order_id)
                if order.status == S.HANDED_OVER and order.accept_by and order.accept_by <= now:
                    orders.move(session, order, S.ACCEPTED, action="auto_accept",
                                reason=f"acceptance window of {settings.auto_capture_days} days ended")
                if order.status == S.ACCEPTED and orders.capture_accepted(session, order, gateway):
                    done += 1   # cash or store credit: nothing to call, done in place
        except DomainError as e:
            log.warning("auto-capture skipped", extra={"order_id": str(order_id), "code": e.code})
        checkpoint()
    # Card captures were recorded above (and made due again if an earlier try failed or its
    # worker died): each is made now, after its order's commit, and completes its order; the
    # payout transfer a completion records follows in the same pass.
    return done + payments.relay(session, gateway, order_ids=due)[payments.CAPTURE]


def settle_payouts(session: Session, *, gateway: PaymentGateway,
                   checkpoint: Checkpoint = _no_checkpoint) -> int:
    """Retry payouts that wait (account not ready, transfer or reversal failed, dispute closed).
    Counts payouts paid."""
    due = _ids(session, select(Payout.order_id).where(or_(
        Payout.status.in_((PayoutStatus.PENDING, PayoutStatus.HELD)),
        (Payout.status == PayoutStatus.PAID) & Payout.last_error.is_not(None))))
    paid = 0
    for order_id in due:
        try:
            with session.begin_nested():
                payout = payments.settle_payout(session, orders.lock(session, order_id), gateway)
                paid += int(payout is not None and payout.status == PayoutStatus.PAID and payout.last_error is None)
        except DomainError as e:
            log.warning("payout skipped", extra={"order_id": str(order_id), "code": e.code})
        checkpoint()
    # The transfers and reversals recorded above are made now, after commit.
    sent = payments.relay(session, gateway, order_ids=due, kinds=(payments.TRANSFER, payments.REVERSAL))
    return paid + sent[payments.TRANSFER]
