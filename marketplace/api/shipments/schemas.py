"""Shipments: what the seller records, what buyer and seller see, a carrier's tracking event."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.shipping.carriers import CARRIERS
from services.shipping.models import FeePayer, TrackingStatus

_CARRIERS = ", ".join(f"{c.code} ({c.name_zh}, e.g. {c.example})" for c in CARRIERS.values())


class ShipmentCreateSchema(ma.Schema):
    # Carrier and number are checked together by the service (a field error names the format).
    carrier = ma.fields.String(required=True, validate=validate.Length(min=1, max=10),
                               metadata={"description": f"One of: {_CARRIERS}."})
    tracking_number = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    shipping_fee_fen = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0, max=10_000_000),
                                         metadata={"description": "The carrier's fee in fen. Omitted: the "
                                                   "order's `shipping_fee_fen` (a return: 0)."})
    fee_payer = ma.fields.String(load_default=None, validate=validate.OneOf([p.value for p in FeePayer]),
                                 metadata={"description": "seller (包邮) or buyer (到付). Omitted: the order's "
                                           "`shipping_paid_by` (a return: seller)."})


class TrackingEventSchema(ma.Schema):
    status = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    location = ma.fields.String(allow_none=True)
    applied = ma.fields.Boolean(metadata={"description": "False: older than the status it found, kept for the record."})


class ShipmentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID()
    direction = ma.fields.String()
    carrier = ma.fields.String()
    carrier_name = ma.fields.String()
    tracking_number = ma.fields.String()
    status = ma.fields.String(metadata={"description": " | ".join(s.value for s in TrackingStatus)})
    status_at = ma.fields.DateTime()
    shipping_fee_fen = ma.fields.Integer()
    fee_payer = ma.fields.String()
    delivered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    events = ma.fields.List(ma.fields.Nested(TrackingEventSchema))


class OrderShipmentsSchema(ma.Schema):
    order_id = ma.fields.UUID()
    order_status = ma.fields.String()
    ship_by = ma.fields.DateTime(allow_none=True, metadata={
        "description": "The seller ships by then; after it the buyer may cancel for a full refund."})
    shipments = ma.fields.List(ma.fields.Nested(ShipmentSchema))


class CarrierSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    example = ma.fields.String()


class CarrierAckSchema(ma.Schema):
    received = ma.fields.Boolean()
    outcome = ma.fields.String(metadata={"description": "applied | duplicate | stale | unknown_shipment"})
