"""Trade-ins: one blueprint (blueprint.py) and the modules that declare their routes on it, split
to keep each small. A new route module is added to ROUTE_MODULES."""
from __future__ import annotations

from marketplace.api.tradeins import handling_routes, price_routes, routes
from marketplace.api.tradeins.blueprint import blp

ROUTE_MODULES = (handling_routes, price_routes, routes)

__all__ = ["ROUTE_MODULES", "blp"]
