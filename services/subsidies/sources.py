"""Where a reservation's sale comes from when it is not a till sale: marketplace orders.

The orders domain registers, one line each ("module:function"):
- ORDER_READERS: (session, order_id, *, viewer, quote_request) -> `reservations.SaleFacts` or None
  (None when the order is unknown or not the viewer's to see: a 404). May raise a domain error
  when the order cannot take a subsidy (not a retailer's sale, already paid).
- ORDER_APPLIERS: (session, reservation, *, gateway, actor_id) -> None, once the reservation is
  held: the order takes it off what the buyer pays.
- ORDER_GUARDS: (session, reservation, action) -> None, before an order's reservation is
  redeemed, released or clawed back (by the API or by the order's own flow); raises to refuse.
  Called before the reservation's row is locked: a guard that locks the order keeps the order's
  lock first, as the order's own flows take it.
- ORDER_RELEASERS: (session, reservation, *, gateway, actor_id) -> None, as an order's
  reservation is released (after the guards, before the budget is given back): an order not paid
  yet stops taking it off what the buyer pays (a cancelled or refunded order is left as it is).
  Raises to refuse; the caller's transaction then rolls back.
Without a reader an order id is simply not found.
"""
from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

from services.errors import NotFound

ORDER_READERS: list[str] = [
    "services.orders.subsidy:sale_facts",
]
ORDER_APPLIERS: list[str] = [
    "services.orders.subsidy:apply_reservation",
]
ORDER_GUARDS: list[str] = [
    "services.orders.subsidy:check_transition",
]
ORDER_RELEASERS: list[str] = [
    "services.orders.subsidy:release_reservation",
]


def _fn(path: str):
    module, fn = path.split(":")
    return getattr(importlib.import_module(module), fn)


def order_facts(session: Session, order_id, *, viewer, quote_request: dict | None = None):
    """The facts of a marketplace order for a subsidy reservation, or None when unknown."""
    for path in ORDER_READERS:
        facts = _fn(path)(session, order_id, viewer=viewer, quote_request=quote_request)
        if facts is not None:
            return facts
    return None


def reserve_order(session: Session, viewer, order_id, *, quote_request: dict | None = None, gateway=None):
    """Reserve the subsidy of a marketplace order after it was placed, and apply it to the order.
    NotFound unless the viewer is its buyer, a member of the selling retailer or an operator."""
    from services.subsidies import reservations
    facts = order_facts(session, order_id, viewer=viewer, quote_request=quote_request)
    if facts is None or (facts.org_id not in viewer.org_ids() and facts.buyer_user_id != viewer.id
                         and not viewer.is_operator):
        raise NotFound("no such order")
    r = reservations.reserve(session, facts, actor_id=viewer.id)
    for path in ORDER_APPLIERS:
        _fn(path)(session, r, gateway=gateway, actor_id=viewer.id)
    return r


def check_order_transition(session: Session, reservation, action: str) -> None:
    """Raise when the order of `reservation` does not allow `action` now (no-op for till sales)."""
    if reservation.order_id is None:
        return
    for path in ORDER_GUARDS:
        _fn(path)(session, reservation, action)


def order_releasing(session: Session, reservation, *, gateway=None, actor_id=None) -> None:
    """Tell the order its reservation is being released (no-op for till sales)."""
    if reservation.order_id is None:
        return
    for path in ORDER_RELEASERS:
        _fn(path)(session, reservation, gateway=gateway, actor_id=actor_id)
