from __future__ import annotations

import marshmallow as ma

from marketplace import container
from marketplace.pagination import PageArgs
from marshmallow import validate

from services.disputes import evidence
from services.disputes.models import DisputeStatus


class DisputeCreateSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(("not_received", "not_as_described")))
    description = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ResolveSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(("release", "refund", "partial_refund", "return")),
                             metadata={"description": "return: the buyer ships the item back (POST "
                                       "/orders/{id}/returns) and is refunded in full when it is delivered."})
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
    outcome = ma.fields.Function(lambda d: d.outcome.value if d.outcome else None, allow_none=True, metadata={
        "description": "release | refund | partial_refund | return | return_lapsed (a `return` the buyer did not "
                       "send within RETURN_WINDOW_DAYS: the seller was paid, refund_fen 0) | won | lost (chargebacks)."})
    refund_fen = ma.fields.Integer()
    resolution_note = ma.fields.String(allow_none=True)
    resolved_by = ma.fields.UUID(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    seller_response = ma.fields.String(allow_none=True, metadata={
        "description": "accept_refund | offer_partial_refund | contest; null until the seller answers."})
    seller_offer_fen = ma.fields.Integer(allow_none=True)
    seller_responded_at = ma.fields.DateTime(allow_none=True)
    evidence_due_at = ma.fields.Method("_evidence_due", metadata={"description": "Evidence is taken until then."})
    response_due_at = ma.fields.Method("_response_due", metadata={"description": "The seller answers until then."})

    def _evidence_due(self, d):
        return _due(d, "evidence_due_at")

    def _response_due(self, d):
        return _due(d, "response_due_at")


def _due(dispute, name: str) -> str:
    # the deadlines follow the app's settings
    settings = container.current().deps.disputes
    return evidence.deadlines(dispute, settings)[name].isoformat()


class EvidenceStatementSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=4000))


class EvidenceSchema(ma.Schema):
    id = ma.fields.UUID()
    dispute_id = ma.fields.UUID()
    author_id = ma.fields.UUID()
    side = ma.fields.String(metadata={"description": "buyer | seller"})
    kind = ma.fields.Function(lambda e: e.kind.value, metadata={"description": "statement | photo"})
    text = ma.fields.String()
    photo_url = ma.fields.Function(lambda e: f"/api/v1/disputes/evidence/photos/{e.id}" if e.photo_key else None)
    created_at = ma.fields.DateTime()


class EvidencePhotoUploadSchema(ma.Schema):
    file = ma.fields.Raw(metadata={"type": "string", "format": "binary"})


class DisputeResponseSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=validate.OneOf(evidence.RESPONSES))
    amount_fen = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1),
                                   metadata={"description": "With offer_partial_refund: what the buyer gets back."})
    statement = ma.fields.String(load_default="", validate=validate.Length(max=4000))


class DisputeListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in DisputeStatus]))
