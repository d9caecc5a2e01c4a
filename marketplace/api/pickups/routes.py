"""Doorstep pickup resource: the blueprint and its route modules (split to keep each small)."""
from __future__ import annotations

from flask import Flask

from marketplace.api.pickups import bookings, recyclers, vouchers  # noqa: F401 - routes register on blp
from marketplace.api.pickups.blueprint import blp

__all__ = ["blp", "init_app"]


def init_app(app: Flask) -> None:
    """Choose the notifier (`NOTIFIER`, default the notification log)."""
    from services import notifications
    notifications.configure(app.config.get("NOTIFIER") or "log")
