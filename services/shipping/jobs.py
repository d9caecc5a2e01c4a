"""Periodic work of shipping."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services import clock, deps
from services.db import Checkpoint, each_locked, no_checkpoint
from services.disputes.models import Dispute, DisputeKind, DisputeStatus, Outcome
from services.errors import DomainError
from services.notifications.interface import notify
from services.orders.models import Fulfilment, Order, OrderStatus as S
from services.payments import interface as payments
from services.payments.interface import PaymentGateway
from services.shipping import returns, tracking
from services.shipping.models import Direction, Shipment, TrackingStatus
from services.shipping.ports import Carrier

log = logging.getLogger(__name__)


def poll_carrier(session: Session, *, carrier: Carrier, ahead: timedelta = timedelta(0)) -> int:
    """Ask the carrier for news of every undelivered shipment (the stand-in moves the demo's
    parcels along; a pushing carrier has none); returns events applied. `ahead` asks as if that
    much more time had passed (`flask shipping advance` in the demo)."""
    now = clock.now(session) + ahead
    open_ids = list(session.scalars(select(Shipment.id).where(Shipment.status != TrackingStatus.DELIVERED)))
    applied = 0
    for shipment_id in open_ids:
        shipment = session.get(Shipment, shipment_id)
        for event in carrier.poll(shipment, now):
            applied += tracking.apply(session, shipment.carrier, event) == tracking.APPLIED
    return applied


def notify_missed_deadlines(session: Session) -> int:
    """Tell each buyer whose paid order was not shipped by its deadline that they may cancel for a
    full refund (once per order); returns how many were told."""
    deadline = deps.of(session).shipping.deadline
    shipped = select(Shipment.order_id).where(Shipment.direction == Direction.OUTBOUND)
    # A meet-up order has no shipping deadline: it is handed over in person.
    due = session.scalars(select(Order).options(selectinload(Order.listing)).where(
        Order.status == S.PAID_HELD, Order.fulfilment == Fulfilment.SHIPPED, Order.paid_at <= clock.now(session) - deadline, Order.id.not_in(shipped)))
    told = 0
    for order in due:
        note = notify(session, order.buyer_id, "shipping_deadline_missed", event_key=f"order:{order.id}:ship_by",
                           params={"title": order.listing.title,
                                   "ship_by": clock.local_text(order.paid_at + deadline)},
                           ref_type="order", ref_id=order.id)
        told += note is not None
    return told


def lapse_returns(session: Session, *, gateway: PaymentGateway, checkpoint: Checkpoint = no_checkpoint,
                  ahead: timedelta = timedelta(0)) -> int:
    """Agreed returns the buyer did not record within RETURN_WINDOW_DAYS of the decision lapse:
    each such order (still `disputed`, no return parcel) is locked in turn and `returns.lapse`
    pays the seller; `checkpoint` after each order (one transaction per item under the job
    runner). Card captures the lapses recorded are made after those commits, in the same pass
    (the reconciliation job finishes one a Stripe outage delayed). Returns the orders lapsed.
    `ahead` judges as if that much more time had passed (`flask shipping lapse-returns`, the demo)."""
    closed_before = clock.now(session) + ahead - deps.of(session).buying.return_window
    # ix_disputes_return_resolved_at (partial on outcome = 'return'), then each order by key.
    decided = select(Dispute.order_id).where(Dispute.outcome == Outcome.RETURN, Dispute.resolved_at < closed_before,
                                             Dispute.kind == DisputeKind.PLATFORM,
                                             Dispute.status == DisputeStatus.RESOLVED)
    sent = select(Shipment.order_id).where(Shipment.direction == Direction.RETURN)
    lapsed = []
    for order in each_locked(session, Order, Order.status == S.DISPUTED, Order.id.in_(decided), Order.id.not_in(sent)):
        try:
            with session.begin_nested():   # one order that cannot be paid (a payment not capturable) skips only itself
                if returns.lapse(session, order.id, gateway=gateway, ahead=ahead):
                    lapsed.append(order.id)
        except DomainError as e:
            log.warning("return lapse skipped", extra={"order_id": str(order.id), "code": e.code})
        checkpoint()
    if lapsed:
        payments.relay(session, gateway, order_ids=lapsed)
    return len(lapsed)
