"""Shipping: the seller records the parcel, carriers push tracking events (signed), the buyer
cancels when the seller missed the shipping deadline."""
from __future__ import annotations

import json
import time

from flask import request
from sqlalchemy import select

from marketplace.api.orders.routes import present
from marketplace.api.orders.schemas import OrderSchema
from marketplace.api.payments.wiring import gateway
from marketplace.api.shipments import schemas as s
from marketplace.auth import public, require_user
from marketplace.container import current
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.uow import unit_of_work
from marketplace.webhooks.routes import BadWebhook
from services.errors import NotFound
from services.shipping import returns, service, signing, tracking
from services.shipping.carriers import CARRIERS
from services.shipping.models import Shipment, ShipmentEvent

blp = Blueprint("shipments", __name__, description="Shipping across cities: parcels and their tracking")


def shipment_view(row: Shipment) -> dict:
    events = db.session.scalars(select(ShipmentEvent).where(ShipmentEvent.shipment_id == row.id)
                                .order_by(ShipmentEvent.occurred_at))
    return {**{c: getattr(row, c) for c in ("id", "order_id", "carrier", "tracking_number", "status_at",
                                            "shipping_fee_fen", "delivered_at", "created_at")},
            "direction": row.direction.value, "status": row.status.value, "fee_payer": row.fee_payer.value,
            "carrier_name": CARRIERS[row.carrier].name_zh,
            "events": [{"status": e.status.value, "occurred_at": e.occurred_at, "location": e.location,
                        "applied": e.applied} for e in events]}


def _order_shipments(order_id) -> dict:
    user = require_user()
    order, rows = service.shipments_of(db.session, user, order_id)
    return {"order_id": order.id, "order_status": order.status.value, "ship_by": service.ship_by(db.session, order),
            "shipments": [shipment_view(r) for r in rows]}


@blp.route("/carriers", methods=["GET"])
@public
@blp.response(200, s.CarrierSchema(many=True))
def list_carriers():
    """The carriers a seller may ship with, with an example of each one's waybill number."""
    return [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "example": c.example}
            for c in CARRIERS.values()]


@blp.route("/orders/<uuid:order_id>/shipments", methods=["POST"])
@idempotent
@blp.arguments(s.ShipmentCreateSchema)
@blp.response(201, s.OrderShipmentsSchema)
def create_shipment(data, order_id):
    """Seller: the paid item was sent. The carrier and waybill number are checked (422 names the
    expected format); the buyer is notified; delivery reported by the carrier starts the
    acceptance window."""
    user = require_user()
    with unit_of_work() as session:
        service.ship(session, user, order_id, **data)
    return _order_shipments(order_id), 201


@blp.route("/orders/<uuid:order_id>/returns", methods=["POST"])
@idempotent
@blp.arguments(s.ShipmentCreateSchema)
@blp.response(201, s.OrderShipmentsSchema)
def create_return(data, order_id):
    """Buyer: the item was sent back after a dispute decided as `return` (409 `return_not_agreed`
    otherwise). Same carriers and waybill checks as a shipment; the seller is notified; the
    carrier's delivery report refunds the buyer in full. Listed with `direction: return`."""
    user = require_user()
    with unit_of_work() as session:
        returns.ship_return(session, user, order_id, **data)
    return _order_shipments(order_id), 201


@blp.route("/orders/<uuid:order_id>/shipments", methods=["GET"])
@blp.response(200, s.OrderShipmentsSchema)
def list_shipments(order_id):
    """The order's parcels and their tracking, for its buyer, seller and operators."""
    return _order_shipments(order_id)


@blp.route("/orders/<uuid:order_id>/cancel-unshipped", methods=["POST"])
@blp.response(200, OrderSchema)
def cancel_unshipped(order_id):
    """Buyer: the seller did not ship by `ship_by`. The order is cancelled with the money released
    in full, and the seller's credit record notes it."""
    user = require_user()
    with unit_of_work() as session:
        order = service.cancel_unshipped(session, user, order_id, gateway=gateway())
    return present(db.session, order, user)


@blp.route("/webhooks/carriers/<string:carrier>", methods=["POST"])
@public
@blp.response(200, s.CarrierAckSchema)
@blp.alt_response(400, description="Missing or invalid X-Carrier-Signature / X-Carrier-Timestamp")
def carrier_webhook(carrier):
    """A carrier's tracking event, signed: `X-Carrier-Timestamp` (unix seconds) and
    `X-Carrier-Signature: sha256=` HMAC-SHA256 of "<timestamp>.<raw body>" with CARRIER_SECRET_<CODE>.
    Replays and late, older events are answered 200 and change nothing."""
    shipping = current().deps.shipping
    secret = shipping.secrets.get(carrier) if carrier in CARRIERS else None
    if not secret:
        raise NotFound(f"no webhook for carrier {carrier!r}")
    raw = request.get_data(cache=False)
    try:
        signing.verify(secret, raw, request.headers.get("X-Carrier-Timestamp"),
                       request.headers.get("X-Carrier-Signature"), now=time.time(),
                       tolerance=shipping.webhook_tolerance_seconds)
    except signing.BadSignature as e:
        raise BadWebhook(str(e), code="invalid_signature") from None
    try:
        payload = json.loads(raw)
    except ValueError:
        raise BadWebhook("the body is not JSON") from None
    event = tracking.parse(payload)
    with unit_of_work() as session:
        outcome = tracking.apply(session, carrier, event)
    return {"received": True, "outcome": outcome}
