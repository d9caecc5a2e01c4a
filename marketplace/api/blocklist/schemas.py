"""Schemas of the device blocklist. Values come in raw and never go out: only the last four."""
from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from services.blocklist.models import Kind, Reason

KIND = validate.OneOf([k.value for k in Kind])


class BlockCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=KIND)
    value = ma.fields.String(required=True, validate=validate.Length(min=4, max=40),
                             metadata={"description": "The IMEI, VIN or serial number (stored as a keyed hash)."})
    reason = ma.fields.String(required=True, validate=validate.OneOf([r.value for r in Reason]))
    reference = ma.fields.String(load_default=None, validate=validate.Length(max=80),
                                 metadata={"description": "e.g. the police report number"})
    note = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class BlockCheckSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=KIND)
    value = ma.fields.String(required=True, validate=validate.Length(min=4, max=40))


class RemovalSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=2, max=500))


class BlockSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.Function(lambda b: b.kind.value)
    masked = ma.fields.Function(lambda b: "****" + b.last4)
    reason = ma.fields.Function(lambda b: b.reason.value)
    reference = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    added_by = ma.fields.UUID()
    created_at = ma.fields.DateTime()
    removed_at = ma.fields.DateTime(allow_none=True)
    removal_reason = ma.fields.String(allow_none=True)


class BlockCheckResultSchema(ma.Schema):
    blocked = ma.fields.Boolean()
    entry = ma.fields.Nested(BlockSchema, allow_none=True)


class BlockListArgs(PageArgs):
    kind = ma.fields.String(load_default=None, validate=KIND)
    include_removed = ma.fields.Boolean(load_default=False)
