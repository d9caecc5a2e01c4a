"""Doorstep pickups: one blueprint (blueprint.py) and the modules that declare their routes on it,
split to keep each small. A new route module is added to ROUTE_MODULES."""
from __future__ import annotations

from marketplace.api.pickups import bookings, recyclers, vouchers
from marketplace.api.pickups.blueprint import blp

ROUTE_MODULES = (bookings, recyclers, vouchers)

__all__ = ["ROUTE_MODULES", "blp"]
