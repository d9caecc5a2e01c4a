"""App wiring for credit beyond the blueprint: the bureau adapter chosen by config."""
from __future__ import annotations

from flask import Flask

from services.credit import bureau


def init_app(app: Flask) -> None:
    bureau.configure(app.config.get("CREDIT_BUREAU_FILE"))
