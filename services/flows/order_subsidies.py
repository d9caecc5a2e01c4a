"""The subsidies API on a marketplace order: reserve a subsidy for an order placed earlier, and
redeem, release or claw back a reservation by id. Orders depend on subsidies (they reserve,
redeem and release in their own flows); this is the way back, one level above both, with the
order's side passed down as the typed port `services.orders.subsidy.ORDER_SIDE`."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.models import User
from services.errors import NotFound
from services.orders.interface import ORDER_SIDE, apply_reservation, sale_facts
from services.subsidies import interface as reservations
from services.subsidies.models import Reservation


def reserve_order(session: Session, viewer: User, order_id, *, quote_request: dict | None = None,
                  gateway=None) -> Reservation:
    """Reserve the subsidy of a marketplace order after it was placed, and apply it to the order
    (its `subsidy_fen` and payment amount). NotFound unless the viewer is its buyer, a member of
    the selling retailer or an operator; the errors of `reservations.reserve` and of
    `services.orders.subsidy.sale_facts`/`apply_reservation` otherwise."""
    facts = sale_facts(session, order_id, viewer=viewer, quote_request=quote_request)
    if facts is None or (facts.org_id not in viewer.org_ids() and facts.buyer_user_id != viewer.id
                         and not viewer.is_operator):
        raise NotFound("no such order")
    r = reservations.reserve(session, facts, actor_id=viewer.id)
    apply_reservation(session, r, gateway=gateway, actor_id=viewer.id)
    return r


def redeem(session: Session, reservation_id, *, actor_id=None) -> Reservation:
    """reservations.redeem, in step with the reservation's order if it has one."""
    return reservations.redeem(session, reservation_id, actor_id=actor_id, order_side=ORDER_SIDE)


def release(session: Session, reservation_id, *, actor_id=None, reason: str | None = None,
            gateway=None) -> Reservation:
    """reservations.release, in step with the reservation's order if it has one (an unpaid order
    pays the full price again, through `gateway`)."""
    return reservations.release(session, reservation_id, actor_id=actor_id, reason=reason, gateway=gateway,
                                order_side=ORDER_SIDE)


def clawback(session: Session, reservation_id, *, actor_id=None, reason: str | None = None) -> Reservation:
    """reservations.clawback, in step with the reservation's order if it has one."""
    return reservations.clawback(session, reservation_id, actor_id=actor_id, reason=reason,
                                 order_side=ORDER_SIDE)
