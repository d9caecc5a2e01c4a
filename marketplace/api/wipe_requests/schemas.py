"""Consumers' wipe requests to recyclers, followed to their certificate."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.api.listings.schemas import verify_path
from marketplace.fields import DeviceKindField
from marketplace.pagination import PageArgs
from services.certificates import draft as d
from services.certificates.models import WipeRequestStatus
from services.certificates.wipe_requests import MODES


class DeviceSchema(ma.Schema):
    """The device to wipe. IMEI and serial are hashed on arrival; only their last four are kept."""
    kind = DeviceKindField(required=True)
    make = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    imei = ma.fields.String(load_default=None, validate=validate.Length(min=15, max=20))
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=4, max=40))


class WipeRequestCreateSchema(ma.Schema):
    recycler_org_id = ma.fields.UUID(required=True)
    mode = ma.fields.String(required=True, validate=validate.OneOf(MODES))
    pickup_id = ma.fields.UUID(load_default=None, metadata={"description": "Your pickup booking (mode pickup)"})
    device = ma.fields.Nested(DeviceSchema, required=True)
    note = ma.fields.String(load_default="", validate=validate.Length(max=300))


class DeclineSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=3, max=300))


class FulfilSchema(ma.Schema):
    certificate_id = ma.fields.UUID(required=True)


class WipeRequestArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in WipeRequestStatus]))


def _masked(last4):
    return "****" + last4 if last4 else None


class WipeRequestSchema(ma.Schema):
    id = ma.fields.UUID()
    consumer_id = ma.fields.UUID()
    recycler_org_id = ma.fields.UUID()
    mode = ma.fields.String()
    pickup_id = ma.fields.UUID(allow_none=True)
    device = ma.fields.Function(lambda r: {"kind": d.shared_name(r.device_kind), "make": r.make, "model": r.model,
                                           "imei": _masked(r.device_last4), "serial": _masked(r.serial_last4)})
    note = ma.fields.String()
    status = ma.fields.Function(lambda r: r.status.value)
    decline_reason = ma.fields.String(allow_none=True)
    certificate_id = ma.fields.UUID(allow_none=True)
    verify_url = ma.fields.Function(lambda r: verify_path(r.certificate_id) if r.certificate_id else None,
                                    metadata={"description": "The certificate's public page once certified"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
