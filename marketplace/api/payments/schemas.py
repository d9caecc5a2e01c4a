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


class PaymentOperationSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "capture | transfer | reversal | cancel | refund | withdrawal | tradein_payout"})
    order_id = ma.fields.UUID(allow_none=True, metadata={"description": "null for a store-credit withdrawal"})
    amount_fen = ma.fields.Integer()
    state = ma.fields.Function(lambda o: o.state.value, metadata={"description": "pending | sent | done | failed"})
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    idempotency_key = ma.fields.String(metadata={"description": "What to look the call up by at Stripe."})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PaymentOperationArgs(PageArgs):
    state = ma.fields.String(load_default="failed", validate=validate.OneOf(["pending", "sent", "done", "failed", "all"]),
                             metadata={"description": "Which operations; `failed` (the default) need an operator."})
