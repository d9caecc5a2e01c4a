"""A doorstep pickup is collected: pickups issues the recycling voucher; a trade-in's pickup
also puts the trade-in in transit. Trade-ins book pickups (tradeins -> pickups), so pickups
cannot call back into trade-ins: this flow calls both, in the caller's transaction."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts.models import User
from services.notifications import Notifier
from services.pickups import interface as pickups
from services.pickups.models import Voucher
from services.tradeins.interface import on_pickup_collected


def collect(session: Session, actor: User, booking_id, weights: dict, facility_id, *, notifier: Notifier,
            scrap_certificate_no: str | None = None) -> Voucher:
    """services.pickups.vouchers.collect (same rules and errors); then, when the pickup was booked
    for a trade-in, the trade-in goes in transit unless staff already moved it on."""
    v = pickups.collect(session, actor, booking_id, weights, facility_id, notifier=notifier,
                         scrap_certificate_no=scrap_certificate_no)
    if v.trade_in_id:
        on_pickup_collected(session, v.trade_in_id, v.recycler_org_id, v.number)
    return v
