"""Where a reservation's sale comes from when it is not a till sale: marketplace orders.

The orders domain registers a reader here with one line, "module:function", taking
(session, order_id) and returning a `reservations.SaleFacts` or None. Until one is registered
an order id is simply not found.
"""
from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

ORDER_READERS: list[str] = [
]


def order_facts(session: Session, order_id):
    """The facts of a marketplace order for a subsidy reservation, or None when unknown."""
    for path in ORDER_READERS:
        module, fn = path.split(":")
        facts = getattr(importlib.import_module(module), fn)(session, order_id)
        if facts is not None:
            return facts
    return None
