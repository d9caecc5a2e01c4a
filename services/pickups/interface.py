"""The functions other domains call (trade-ins, orders, subsidies), and the flows' view of a pickup:
who may see it (`can_view`, `require_recycler_side`) and collecting it (`collect`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.accounts.models import User
from services import deps
from services.notifications import Notifier
from services.pickups.access import can_view, require_recycler_side
from services.pickups.availability import address
from services.pickups.booking import create_booking, for_order
from services.pickups.models import Booking
from services.pickups.policy import Policy
from services.pickups.vouchers import VoucherView, collect, voucher_for

__all__ = ["book_for_trade_in", "booking_parties", "can_view", "collect", "for_order", "require_recycler_side",
           "voucher_for", "VoucherView"]


def book_for_trade_in(session: Session, actor: User, *, trade_in_id, region_code: str, items: list[dict],
                      starts_at: datetime, lat: float | None = None, lon: float | None = None,
                      address_line: str = "", consumer_id=None, order_id=None, recycler_id=None,
                      dispatch: str | None = None, notifier: Notifier | None = None,
                      policy: Policy | None = None) -> Booking:
    """Book the pickup of a trade-in's old item(s), by the consumer or by the retailer on the
    buyer's behalf (then `consumer_id` and `order_id` are required). Same rules and errors as a
    booking through the API; the booking and, later, its voucher carry `trade_in_id`.

    The notifier and the booking rules default to the app's (services.deps).
    `items`: [{"category": "appliance", "kind": "refrigerator", "vin"/"imei": optional, ...}]."""
    return create_booking(session, actor, address(region_code, lat, lon, address_line), items, starts_at,
                          notifier=notifier or deps.of(session).notifier, recycler_id=recycler_id, dispatch=dispatch,
                          order_id=order_id, consumer_id=consumer_id, trade_in_id=trade_in_id,
                          policy=policy or deps.of(session).pickup_policy)


def booking_parties(session: Session, pickup_id) -> tuple | None:
    """(consumer_id, recycler org id or None) of a booking, or None when there is no such booking:
    the wipe requests of the certificates domain attach to a consumer's pickup with this."""
    b = session.get(Booking, pickup_id)
    if b is None:
        return None
    return b.consumer_id, (b.recycler.org_id if b.recycler is not None else None)
