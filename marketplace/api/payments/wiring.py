"""The payment gateway (Stripe with STRIPE_API_KEY, otherwise cash on handover) and the buying
settings of the current app, both built once by create_app (marketplace/container.py); routes,
webhooks and jobs read them here."""
from __future__ import annotations

from flask import Flask

from marketplace import container
from services.orders.settings import BuyingSettings
from services.payments.gateway import PaymentGateway


def init_app(app: Flask) -> None:
    limiter = app.extensions.get("huanxin.limiter")
    view = app.view_functions.get("webhooks.stripe_webhook")
    if limiter is not None and view is not None:
        # Stripe's deliveries are authenticated by signature and come in bursts from few addresses:
        # the per-client write limit would only make Stripe retry later.
        limiter.exempt(view)


def gateway() -> PaymentGateway:
    return container.current().deps.gateway


def settings() -> BuyingSettings:
    return container.current().deps.buying
