"""A sale, seen from the domains above orders: when an order completes, the open offers on its
listing end (declined). Orders call it through their `SaleHooks` port (services/orders/ports.py);
this replaces the session hook offers used to keep on the orders' rows."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.offers import interface as offers
from services.orders.models import Order


@dataclass(frozen=True)
class Sales:
    """services.orders.ports.SaleHooks for the real offers domain."""

    def completed(self, session: Session, order: Order) -> None:
        offers.end_on_sale(session, order.listing_id)


SALES = Sales()
