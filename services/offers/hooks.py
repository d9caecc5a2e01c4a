"""Offers end when the item is sold: a session hook on the orders' rows, so that orders (below
offers in the services layers) never reach up into offers (docs/CONVENTIONS.md, "Cross-domain
hooks": a higher domain's hook on a lower one's rows, loaded by services/models.py).

When an order becomes completed, every offer still pending on its listing is declined, in the
same flush (and so the same transaction) as the order's move.
"""
from __future__ import annotations

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from services import clock
from services.offers.models import Offer, OfferStatus
from services.orders.models import Order, OrderStatus

PENDING = "offers.sold_listings"


def _completed_now(order: Order) -> bool:
    if order.status != OrderStatus.COMPLETED:
        return False
    history = inspect(order).attrs["status"].history
    return history.has_changes() or inspect(order).pending


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    sold = {o.listing_id for o in (*session.new, *session.dirty) if isinstance(o, Order) and _completed_now(o)}
    if sold:
        session.info.setdefault(PENDING, set()).update(sold)


@event.listens_for(Session, "after_flush_postexec")
def _decline(session: Session, flush_context) -> None:
    sold = session.info.pop(PENDING, None)
    if not sold:
        return
    session.execute(update(Offer).where(Offer.listing_id.in_(sorted(sold)), Offer.status == OfferStatus.PENDING)
                    .values(status=OfferStatus.DECLINED, responded_at=clock.now(session))
                    .execution_options(synchronize_session=False))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    # A flush that failed after _collect must not decline offers in the next transaction.
    session.info.pop(PENDING, None)
