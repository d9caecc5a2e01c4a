"""POST /api/v1/webhooks/stripe: verify Stripe-Signature on the raw body (300 s tolerance), then
hand the event to services.flows.settlement, which stores each event id once and dispatches it.
A bad signature is a 400 and touches nothing; a replay is a harmless 200."""
from __future__ import annotations

import json

import marshmallow as ma
import stripe
from flask import current_app, request

from marketplace.api.payments.wiring import gateway
from marketplace.auth import public
from marketplace.openapi import Blueprint
from marketplace.uow import unit_of_work
from services.errors import DomainError, NotFound
from services.flows import settlement

blp = Blueprint("webhooks", __name__, description="Webhooks from the payment provider")
TOLERANCE_SECONDS = 300


class BadWebhook(DomainError):
    status = 400
    title = "Bad webhook"
    code = "invalid_webhook"


class AckSchema(ma.Schema):
    received = ma.fields.Boolean()
    outcome = ma.fields.String()


@blp.route("/webhooks/stripe", methods=["POST"])
@public
@blp.response(200, AckSchema)
@blp.alt_response(400, description="Missing or invalid Stripe-Signature, or not an event")
def stripe_webhook():
    """Stripe events (payment intents, refunds, disputes, connected accounts). Authenticated by the
    Stripe-Signature header, not by a bearer token."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise NotFound("Stripe webhooks are not enabled (STRIPE_WEBHOOK_SECRET is unset)")
    header = request.headers.get("Stripe-Signature", "")
    raw = request.get_data(cache=False)
    try:
        payload = raw.decode("utf-8")
        # Signed bytes are checked exactly as received: re-serialised JSON would not match.
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        raise BadWebhook("invalid Stripe-Signature", code="invalid_signature") from None
    try:
        event = json.loads(payload)
    except ValueError:
        raise BadWebhook("the body is not JSON") from None
    if not isinstance(event, dict):
        raise BadWebhook("the body is not an event")
    with unit_of_work() as session:
        outcome = settlement.handle(session, event, gateway=gateway())
    return {"received": True, "outcome": outcome}
