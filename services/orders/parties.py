"""Who an order's parties are: its buyer, its seller (a person or a retailer's staff), operators."""
from __future__ import annotations

from services.accounts.models import User
from services.errors import NotFound
from services.orders.models import Order


def is_seller(user: User, order: Order) -> bool:
    return user.id == order.seller_id or (order.seller_org_id is not None and order.seller_org_id in user.org_ids())


def side(user: User, order: Order) -> str:
    """'buyer', 'seller' or 'operator'; NotFound for anyone else (an order's existence is private)."""
    if user.id == order.buyer_id:
        return "buyer"
    if is_seller(user, order):
        return "seller"
    if user.is_operator:
        return "operator"
    raise NotFound("no such order")
