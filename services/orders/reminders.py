"""Reminders about orders that a user must act on."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services import clock
from services.notifications.interface import notify
from services.orders.models import Order, OrderStatus as S

CLOSING_NOTICE = timedelta(hours=24)


def remind_acceptance_closing(session: Session) -> int:
    """Tell each buyer whose acceptance window ends within 24 hours that the order will be
    accepted automatically (once per order and window end); returns how many were told."""
    now = clock.now(session)
    due = session.scalars(select(Order).options(selectinload(Order.listing)).where(
        Order.status == S.HANDED_OVER, Order.accept_by > now, Order.accept_by <= now + CLOSING_NOTICE))
    told = 0
    for order in due:
        note = notify(session, order.buyer_id, "acceptance_closing",
                           event_key=f"order:{order.id}:closing:{order.accept_by.isoformat()}",
                           params={"title": order.listing.title,
                                   "accept_by": clock.local_text(order.accept_by)},
                           ref_type="order", ref_id=order.id)
        told += note is not None
    return told
