"""Doorstep pickup (上门回收): recyclers' offer, slot booking that never overbooks, dispatch,
tracking and recycling vouchers.

For other domains:
- `voucher_for(session, voucher_id=|pickup_id=|order_id=|trade_in_id=|device_hash=)` -> VoucherView | None
  (subsidy claims).
- `book_for_trade_in(session, actor, ...)` (trade-ins) and `for_order(session, order_id)` (orders).
"""
from services.pickups.api import book_for_trade_in, for_order, voucher_for  # noqa: F401

__all__ = ["book_for_trade_in", "for_order", "voucher_for"]
