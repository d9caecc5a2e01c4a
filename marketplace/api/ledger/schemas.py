"""Schemas of store-credit accounts and statements."""
from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate


class AccountSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.Function(lambda a: a.kind.value, metadata={
        "description": "store_credit: a consumer's credit at a retailer (org_id) or the platform (org_id null); "
                       "issuer: the retailer's side, minus the credit it has outstanding."})
    user_id = ma.fields.UUID(allow_none=True)
    org_id = ma.fields.UUID(allow_none=True)
    balance_fen = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class StatementLineSchema(ma.Schema):
    id = ma.fields.UUID()
    entry_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "issue | spend | refund | clawback | withdrawal | adjustment"})
    ref_type = ma.fields.String(allow_none=True)
    ref_id = ma.fields.String(allow_none=True)
    memo = ma.fields.String(allow_none=True)
    amount_fen = ma.fields.Integer()
    balance_after_fen = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class StatementSchema(ma.Schema):
    account = ma.fields.Nested(AccountSchema)
    items = ma.fields.List(ma.fields.Nested(StatementLineSchema))
    next_cursor = ma.fields.String(allow_none=True)


class StatementArgs(PageArgs):
    """Cursor and limit only."""


class WithdrawalCreateSchema(ma.Schema):
    amount_fen = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))


class WithdrawalSchema(ma.Schema):
    id = ma.fields.UUID(metadata={"description": "The ledger entry of the withdrawal."})
    amount_fen = ma.fields.Integer()
    transfer_id = ma.fields.String(allow_none=True, metadata={
        "description": "The Stripe transfer to your Connect account (null while it is pending)."})
    status = ma.fields.String(metadata={"description": "pending (made after commit) | paid | refused"})
    balance_fen = ma.fields.Integer(metadata={"description": "Your platform store credit left."})
    created_at = ma.fields.DateTime()
