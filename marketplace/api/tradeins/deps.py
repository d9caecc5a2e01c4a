"""The trade-in flow's collaborators, built once per app from its configuration."""
from __future__ import annotations

from flask import current_app

from marketplace.api.payments.wiring import build_gateway
from services.storage import LocalDiskStorage
from services.tradeins.ports import (CreditServicePort, Deps, DoorstepPickups, FixedScoreCredit, GatewayPayouts,
                                     Settings)

KEY = "huanxin.tradeins.deps"


def build(cfg) -> Deps:
    settings = Settings(quote_valid_days=cfg["TRADEIN_QUOTE_VALID_DAYS"], offer_valid_days=cfg["TRADEIN_OFFER_VALID_DAYS"],
                        clawback_due_days=cfg["TRADEIN_CLAWBACK_DUE_DAYS"],
                        prepay_min_score=cfg["TRADEIN_PREPAY_MIN_SCORE"],
                        prepay_limit_fen=cfg["TRADEIN_STANDIN_LIMIT_FEN"])
    if cfg["TRADEIN_CREDIT_SOURCE"] == "standin":
        credit = FixedScoreCredit(int(cfg["TRADEIN_STANDIN_SCORE"]), settings.prepay_min_score,
                                  settings.prepay_limit_fen)
    else:
        credit = CreditServicePort(settings.prepay_min_score, cfg.get("CREDIT_PRIVILEGES_FILE"))
    cash = GatewayPayouts(build_gateway(cfg))
    return Deps(settings=settings, credit=credit, cash=cash, storage=LocalDiskStorage(cfg["STORAGE_DIR"]),
                pickups=DoorstepPickups())


def deps() -> Deps:
    app = current_app._get_current_object()
    if KEY not in app.extensions:
        app.extensions[KEY] = build(app.config)
    return app.extensions[KEY]
