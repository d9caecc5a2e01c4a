"""The return window (七天无理由 style), as pure rules on an order. Pure: no session, no I/O.

A shipped order's buyer has `return_window` after the carrier reported delivery to ask for a
return (a dispute, which an operator may decide as `return`), and never after accepting the item
(the escrow is released: from then on no return applies). Once a return is agreed, the buyer has
`return_window` from that decision to send the parcel back. A meet-up order is inspected at the
handover: its acceptance window (`accept_by`) governs disputes and it has no ask deadline."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.errors import Conflict
from services.orders.models import Fulfilment, Order, OrderStatus as S


def ask_deadline(order: Order, window: timedelta) -> datetime | None:
    """The last moment the buyer may ask for a return: `window` after delivery of a shipped order,
    and never past the acceptance window (`accept_by`); None for a meet-up order, before delivery
    and once the order left `handed_over` (accepted, disputed, refunded)."""
    if order.fulfilment != Fulfilment.SHIPPED or order.status != S.HANDED_OVER or order.handed_over_at is None:
        return None
    ends = order.handed_over_at + window
    return min(ends, order.accept_by) if order.accept_by else ends


def send_deadline(decided_at: datetime, window: timedelta) -> datetime:
    """The last moment the buyer may record the parcel of a return agreed at `decided_at`."""
    return decided_at + window


def check_open(deadline: datetime | None, now: datetime, what: str) -> None:
    """409 `return_window_closed`, with the deadline (`return_deadline`, UTC ISO), once `now` is
    past it."""
    if deadline is not None and now > deadline:
        raise Conflict(f"the return window closed: {what} by {deadline.astimezone(timezone.utc).isoformat()}",
                       code="return_window_closed",
                       extra={"return_deadline": deadline.astimezone(timezone.utc).isoformat()})
