"""What payments tell people (the in-app feed, then email/SMS by their preferences)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from services.notifications.interface import money, notify
from services.payments.models import Payout

if TYPE_CHECKING:  # payments sits below orders: the order is only read here
    from services.orders.models import Order


def payout_sent(session: Session, order: Order, payout: Payout) -> None:
    """The seller's transfer landed at the provider: the seller is told once per payout (a
    re-applied answer of the same transfer notifies nobody twice)."""
    notify(session, order.seller_id, "payout_sent", event_key=f"payout:{payout.id}",
           params={"title": order.listing.title, "amount": money(payout.transferred_fen)},
           ref_type="order", ref_id=order.id)
