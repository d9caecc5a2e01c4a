"""The payment gateway (Stripe with STRIPE_API_KEY, otherwise cash on handover) and the buying
settings of the current app, both built once by create_app (marketplace/container.py); routes,
webhooks and jobs read them here. Payment operations a request recorded are sent after its commit."""
from __future__ import annotations

import logging

from flask import Flask

from marketplace import container
from marketplace.extensions import db
from marketplace.uow import after_commit_hooks
from services.orders.settings import BuyingSettings
from services.payments import operations, relay
from services.payments.gateway import PaymentGateway

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    after_commit_hooks(app).append(relay_after_commit)   # payment operations recorded by the request
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


def relay_after_commit(app: Flask) -> None:
    """Send the payment operations the request's transaction recorded, now that it committed, so
    the caller's answer already shows the capture or transfer. The relay's own session commits
    before each provider call: nothing is locked or open while the provider answers."""
    touched = db.session.info.pop(operations.TOUCHED, None)
    touched_ops = db.session.info.pop(operations.TOUCHED_OPS, None)   # without an order (withdrawals)
    if not touched and not touched_ops:
        return
    session = db.factory()
    try:
        gateway_ = container.of(app).deps.gateway
        if touched:
            relay.relay(session, gateway_, order_ids=touched)
        if touched_ops:
            relay.relay(session, gateway_, op_ids=touched_ops)
    except Exception:  # noqa: BLE001 - the answer stands; the reconciliation job finishes the rest
        log.exception("payment relay after commit failed", extra={"orders": len(touched or ()),
                                                                 "operations": len(touched_ops or ())})
        session.rollback()
    finally:
        session.close()
    # The request's own objects were loaded before the relay applied the provider's answers.
    db.session.expire_all()
