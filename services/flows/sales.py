"""An order's sale, seen from the domains above orders (the orders' `OrderHooks` port,
services/orders/ports.py): when an order completes, the open offers on its listing end
(declined); when it enters or leaves `completed`, its buyer's and seller's completed trades are
recounted (seller standing). Explicit calls from orders, in the order's transaction: these used
to be session hooks of offers and standing on the orders' rows."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.offers import interface as offers
from services.orders.models import Order
from services.standing import interface as standing


@dataclass(frozen=True)
class Sales:
    """services.orders.ports.OrderHooks for the real offers and standing domains."""

    def completed(self, session: Session, order: Order) -> None:
        offers.end_on_sale(session, order.listing_id)

    def trades_changed(self, session: Session, order: Order) -> None:
        session.flush()   # the recount reads the order's new status from the database
        standing.recount(session, {order.buyer_id, order.seller_id})


SALES = Sales()
