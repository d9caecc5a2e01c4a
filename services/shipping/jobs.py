"""Periodic work of shipping."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services import clock, deps
from services.notifications.interface import notify
from services.orders.models import Fulfilment, Order, OrderStatus as S
from services.shipping import tracking
from services.shipping.models import Direction, Shipment, TrackingStatus
from services.shipping.ports import Carrier


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
