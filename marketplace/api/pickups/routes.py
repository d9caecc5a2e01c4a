"""Doorstep pickup resource: the blueprint and its route modules (split to keep each small)."""
from __future__ import annotations

from marketplace.api.pickups import bookings, recyclers, vouchers  # noqa: F401 - routes register on blp
from marketplace.api.pickups.blueprint import blp

__all__ = ["blp"]
