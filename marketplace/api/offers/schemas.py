from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from marketplace.api.orders.schemas import OrderSchema
from services.offers.models import OfferStatus


class OfferCreateSchema(ma.Schema):
    amount_fen = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    message = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class CounterSchema(OfferCreateSchema):
    pass


class OfferSchema(ma.Schema):
    id = ma.fields.UUID()
    listing_id = ma.fields.UUID()
    buyer_id = ma.fields.UUID()
    seller_id = ma.fields.UUID()
    made_by = ma.fields.Function(lambda o: o.made_by.value)
    amount_fen = ma.fields.Integer()
    message = ma.fields.String(allow_none=True)
    status = ma.fields.Function(lambda o: o.status.value)
    parent_id = ma.fields.UUID(allow_none=True)
    order_id = ma.fields.UUID(allow_none=True)
    expires_at = ma.fields.DateTime()
    responded_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class OfferResultSchema(ma.Schema):
    offer = ma.fields.Nested(OfferSchema)
    order = ma.fields.Nested(OrderSchema, allow_none=True)


class OfferListArgs(PageArgs):
    role = ma.fields.String(load_default=None, validate=validate.OneOf(("buyer", "seller")))
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in OfferStatus]))
