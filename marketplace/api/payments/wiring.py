"""Chooses the payment gateway from config (Stripe with STRIPE_API_KEY, otherwise cash on
handover) and builds the buying settings; routes, webhooks and jobs read both from the app."""
from __future__ import annotations

from flask import Flask, current_app

from services.orders.settings import BuyingSettings
from services.payments.gateway import PaymentGateway
from services.payments.offline import OfflineGateway
from services.payments.stripe_gateway import StripeGateway

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
