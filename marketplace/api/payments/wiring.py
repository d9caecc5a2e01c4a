"""Chooses the payment gateway from config (Stripe with STRIPE_API_KEY, otherwise cash on
handover) and builds the buying settings; routes, webhooks and jobs read both from the app."""
from __future__ import annotations

import logging

from flask import Flask, current_app

from marketplace.extensions import db
from marketplace.uow import after_commit_hooks
from services.orders.settings import BuyingSettings
from services.payments import operations, relay
from services.payments.gateway import PaymentGateway
from services.payments.offline import OfflineGateway
from services.payments.stripe_gateway import StripeGateway

log = logging.getLogger(__name__)

GATEWAY = "huanxin.payment_gateway"
SETTINGS = "huanxin.buying_settings"


def build_gateway(cfg) -> PaymentGateway:
    if cfg.get("STRIPE_API_KEY"):
        return StripeGateway(cfg["STRIPE_API_KEY"], api_base=cfg.get("STRIPE_API_BASE"),
                             timeout=float(cfg.get("STRIPE_TIMEOUT_SECONDS") or 10))
    return OfflineGateway()


def init_app(app: Flask) -> None:
    app.extensions[GATEWAY] = build_gateway(app.config)
    app.extensions[SETTINGS] = BuyingSettings.from_config(app.config)
    after_commit_hooks(app).append(relay_after_commit)   # payment operations recorded by the request
    limiter = app.extensions.get("huanxin.limiter")
    view = app.view_functions.get("webhooks.stripe_webhook")
    if limiter is not None and view is not None:
        # Stripe's deliveries are authenticated by signature and come in bursts from few addresses:
        # the per-client write limit would only make Stripe retry later.
        limiter.exempt(view)


def gateway() -> PaymentGateway:
    return current_app.extensions[GATEWAY]


def settings() -> BuyingSettings:
    return current_app.extensions[SETTINGS]


def relay_after_commit(app: Flask) -> None:
    """Send the payment operations the request's transaction recorded, now that it committed, so
    the caller's answer already shows the capture or transfer. The relay's own session commits
    before each provider call: nothing is locked or open while the provider answers."""
    touched = db.session.info.pop(operations.TOUCHED, None)
    if not touched:
        return
    session = db.factory()
    try:
        relay.relay(session, app.extensions[GATEWAY], order_ids=touched)
    except Exception:  # noqa: BLE001 - the answer stands; the reconciliation job finishes the rest
        log.exception("payment relay after commit failed", extra={"orders": len(touched)})
        session.rollback()
    finally:
        session.close()
    # The request's own objects were loaded before the relay applied the provider's answers.
    db.session.expire_all()
