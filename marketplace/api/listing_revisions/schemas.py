from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.api.listings.schemas import PhotoSchema
from marketplace.pagination import PageArgs
from services.listings import revisions
from services.listings.models import RevisionStatus

STATUSES = tuple(s.value for s in RevisionStatus)


class RevisionSchema(ma.Schema):
    """A material change to a published listing, held for review while the approved version stays on sale."""
    id = ma.fields.UUID(required=True)
    listing_id = ma.fields.UUID()
    status = ma.fields.Function(lambda r: r.status.value, metadata={"enum": list(STATUSES)})
    proposed_by = ma.fields.UUID()
    base_revision = ma.fields.Integer(metadata={"description": "The listing's revision the change was proposed on."})
    changes = ma.fields.Function(lambda r: revisions.shown(r.changes), metadata={
        "type": "object", "description": "Proposed values by listing field (identifiers masked)."})
    current = ma.fields.Function(revisions.current_values, metadata={
        "type": "object", "description": "The listing's values on sale now for the same fields."})
    photos_added = ma.fields.List(ma.fields.Nested(PhotoSchema), attribute="proposed_photos")
    photos_removed = ma.fields.List(ma.fields.String(), attribute="removed_photo_ids")
    reason = ma.fields.String(allow_none=True)
    decided_by = ma.fields.UUID(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class RevisionDecisionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=validate.OneOf(("approve", "reject", "withdraw")))
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class QueueArgs(PageArgs):
    status = ma.fields.String(load_default="pending", validate=validate.OneOf(STATUSES))
