from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from services.disputes.models import DisputeStatus


class DisputeCreateSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(("not_received", "not_as_described")))
    description = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ResolveSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(("release", "refund", "partial_refund")))
    amount_fen = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1),
                                   metadata={"description": "For partial_refund: what the buyer gets back."})
    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DisputeSchema(ma.Schema):
    id = ma.fields.UUID()
    order_id = ma.fields.UUID()
    kind = ma.fields.Function(lambda d: d.kind.value)
    reason = ma.fields.Function(lambda d: d.reason.value)
    description = ma.fields.String()
    opened_by = ma.fields.UUID(allow_none=True)
    status = ma.fields.Function(lambda d: d.status.value)
    outcome = ma.fields.Function(lambda d: d.outcome.value if d.outcome else None, allow_none=True)
    refund_fen = ma.fields.Integer()
    resolution_note = ma.fields.String(allow_none=True)
    resolved_by = ma.fields.UUID(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class DisputeListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in DisputeStatus]))
