"""App wiring for pickups beyond the blueprint: the notifier that reminders and dispatch use."""
from __future__ import annotations

from flask import Flask

from services import notifications


def init_app(app: Flask) -> None:
    """Choose the notifier (`NOTIFIER`, default the notification log)."""
    notifications.configure(app.config.get("NOTIFIER") or "log")
