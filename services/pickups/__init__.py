"""Doorstep pickup (上门回收): recyclers' offer, slot booking that never overbooks, dispatch,
tracking and recycling vouchers.

For other domains, in services.pickups.interface (re-exported here):
- `voucher_for(session, voucher_id=|pickup_id=|order_id=|trade_in_id=|device_hash=)` -> VoucherView | None
  (subsidy claims).
- `book_for_trade_in(session, actor, ...)` (trade-ins) and `for_order(session, order_id)` (orders).
- `booking_parties(session, pickup_id)` -> (consumer_id, recycler_org_id) | None (wipe requests).
"""
from services.pickups.interface import book_for_trade_in, booking_parties, for_order, voucher_for  # noqa: F401

__all__ = ["book_for_trade_in", "booking_parties", "for_order", "voucher_for"]
