"""What other domains use of orders (the rows they join on are in services.orders.models): reading
and locking an order, the sides of a trade, the moves that disputes, offers and reviews make, and
the buying settings. Payments still reach services.orders.service directly (the buying knot,
see .importlinter)."""
from __future__ import annotations

from services.orders.hooks import store_credit_refund, subsidy_release
from services.orders.parties import side
from services.orders.service import (accept, apply_refund, complete, get, hand_over, lock, mark_authorised, move,
                                     payment, place, refund_money)
from services.orders.settings import BuyingSettings

__all__ = ["BuyingSettings", "accept", "apply_refund", "complete", "get", "hand_over", "lock", "mark_authorised",
           "move", "payment", "place", "refund_money", "side", "store_credit_refund", "subsidy_release"]
