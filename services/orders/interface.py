"""What other domains use of orders (the rows they join on are in services.orders.models): reading
and locking an order, the sides of a trade, the moves that disputes, offers, reviews and shipping
make (shipping's deadline cancels), the buying settings, and an order's side of subsidies
(`ORDER_SIDE`, `sale_facts`, `apply_reservation`: the order_subsidies flow), and what the settlement
flow (services.flows.settlement) does to an order when its money moves at the provider
(`platform_credit_owed` is what a payout adds for platform credit), and the return window
(services/orders/returns.py) that disputes and shipping's returns enforce."""
from __future__ import annotations

from services.orders.hooks import store_credit_refund, subsidy_release
from services.orders.parties import side
from services.orders.returns import ask_deadline as return_ask_deadline, check_open as check_return_window
from services.orders.returns import send_deadline as return_send_deadline
from services.orders.service import (accept, apply_refund, cancel_order, complete, get, hand_over, lock,
                                     mark_authorised, move, payment, place, platform_credit_owed, refund_money)
from services.orders.settings import BuyingSettings
from services.orders.subsidy import ORDER_SIDE, apply_reservation, sale_facts

__all__ = ["BuyingSettings", "ORDER_SIDE", "accept", "apply_refund", "apply_reservation", "cancel_order", "check_return_window", "complete",
           "get", "hand_over", "lock", "mark_authorised", "move", "payment", "place", "platform_credit_owed", "refund_money", "return_ask_deadline", "return_send_deadline", "sale_facts",
           "side", "store_credit_refund", "subsidy_release"]
