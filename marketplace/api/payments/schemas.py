from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate


class SellerAccountSchema(ma.Schema):
    id = ma.fields.UUID()
    owner_user_id = ma.fields.UUID(allow_none=True)
    owner_org_id = ma.fields.UUID(allow_none=True)
    charges_enabled = ma.fields.Boolean()
    payouts_enabled = ma.fields.Boolean()
    details_submitted = ma.fields.Boolean()
    onboarding_url = ma.fields.String(allow_none=True,
                                      metadata={"description": "Stripe's hosted onboarding form; single use."})


class SellerPayoutSchema(ma.Schema):
    id = ma.fields.UUID()
    order_id = ma.fields.UUID()
    gross_fen = ma.fields.Integer()
    fee_fen = ma.fields.Integer()
    net_fen = ma.fields.Integer()
    status = ma.fields.Function(lambda p: p.status.value)
    transferred_fen = ma.fields.Integer()
    reversed_fen = ma.fields.Integer()
    last_error = ma.fields.String(allow_none=True)
    paid_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class PayoutPageArgs(PageArgs):
    """Cursor and limit only."""
