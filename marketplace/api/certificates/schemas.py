from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, validate, validates_schema

from marketplace.api.listings.schemas import CertificateSummarySchema
from marketplace.fields import DeviceKindField
from services.certificates import draft as d
from services.certificates.models import CustodyKind


def _one_of(enum_cls):
    return validate.OneOf([m.value for m in enum_cls])


class _Aware(ma.fields.AwareDateTime):
    def __init__(self, **kw):
        super().__init__(format="iso", **kw)


class ToolRefSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=120))
    version = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))


class VerificationInSchema(ma.Schema):
    method = ma.fields.String(required=True, validate=_one_of(d.VerificationMethod))
    result = ma.fields.String(required=True, validate=_one_of(d.VerificationResult))


class MediumInSchema(ma.Schema):
    media_type = ma.fields.String(required=True, validate=_one_of(d.MediaType))
    interface = ma.fields.String(required=True, validate=validate.Length(min=1, max=30))
    capacity_bytes = ma.fields.Integer(required=True, strict=True,
                                       validate=validate.Range(min=1, max=2**53 - 1))
    removable = ma.fields.Boolean(load_default=False)
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    level = ma.fields.String(required=True, validate=_one_of(d.Level))
    technique = ma.fields.String(required=True, validate=_one_of(d.Technique))
    passes = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0, max=100))
    random_passes = ma.fields.Integer(load_default=None, strict=True,
                                      validate=validate.Range(min=0, max=100))
    encrypted_from_first_use = ma.fields.Boolean(load_default=None)
    hidden_areas = ma.fields.String(load_default="not_applicable", validate=_one_of(d.HiddenAreas))
    tool = ma.fields.Nested(ToolRefSchema, required=True)
    verification = ma.fields.Nested(VerificationInSchema, required=True)
    started_at = _Aware(required=True)
    completed_at = _Aware(required=True)
    outcome = ma.fields.String(required=True, validate=_one_of(d.Outcome))


class DeviceInSchema(ma.Schema):
    kind = DeviceKindField(required=True)
    make = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    imeis = ma.fields.List(ma.fields.String(validate=validate.Length(min=1, max=32)),
                           load_default=list, validate=validate.Length(max=2))
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class LocksSchema(ma.Schema):
    activation_lock = ma.fields.String(required=True, validate=_one_of(d.LockState))
    frp = ma.fields.String(required=True, validate=_one_of(d.LockState))
    mdm = ma.fields.String(required=True, validate=_one_of(d.LockState))


class CertificateRequestCreateSchema(ma.Schema):
    """A technician's wipe report. IMEIs and serials are hashed on arrival and never stored raw."""
    device = ma.fields.Nested(DeviceInSchema, required=True)
    media = ma.fields.List(ma.fields.Nested(MediumInSchema), required=True,
                           validate=validate.Length(max=16))
    locks = ma.fields.Nested(LocksSchema, required=True)
    destination = ma.fields.String(required=True, validate=_one_of(d.Destination))
    place = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    validator_id = ma.fields.UUID(required=True)


class CertificateRequestSchema(ma.Schema):
    id = ma.fields.UUID()
    certificate_id = ma.fields.UUID()
    status = ma.fields.Function(lambda r: r.status.value)
    technician_id = ma.fields.UUID()
    validator_id = ma.fields.UUID()
    supersedes_id = ma.fields.UUID(allow_none=True)
    reject_reason = ma.fields.String(allow_none=True)
    payload = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    decided_at = ma.fields.DateTime(allow_none=True)


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=3, max=500))


class CertificateSchema(ma.Schema):
    """The signed record (alg, kid, payload, signature) and its registry status."""
    id = ma.fields.UUID()
    status = ma.fields.Function(lambda c: c.status.value)
    status_reason = ma.fields.String(allow_none=True)
    supersedes_id = ma.fields.UUID(allow_none=True)
    superseded_by_id = ma.fields.UUID(allow_none=True)
    issued_at = ma.fields.DateTime()
    digest = ma.fields.String()
    envelope = ma.fields.Function(lambda c: c.envelope())


class VerifyArgs(ma.Schema):
    imei = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class VerificationSchema(ma.Schema):
    certificate_id = ma.fields.String()
    valid = ma.fields.Boolean()
    signature_valid = ma.fields.Boolean()
    kid = ma.fields.String()
    key_status = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": ["valid", "superseded", "revoked", "invalid"]})
    status_reason = ma.fields.String(allow_none=True)
    supersedes = ma.fields.String(allow_none=True)
    superseded_by = ma.fields.String(allow_none=True)
    issued_at = ma.fields.DateTime()
    digest = ma.fields.String()
    device = ma.fields.Dict()
    device_match = ma.fields.Boolean(allow_none=True)


class SigningKeySchema(ma.Schema):
    kid = ma.fields.String()
    alg = ma.fields.Constant("Ed25519")
    public_key = ma.fields.String()
    status = ma.fields.Function(lambda k: k.status.value)
    revoked_reason = ma.fields.String(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class ToolCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=120))
    version = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    assurance = ma.fields.String(load_default="", validate=validate.Length(max=500))


class ToolSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    version = ma.fields.String()
    assurance = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    retired_at = ma.fields.DateTime(allow_none=True)


class CustodyCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=_one_of(CustodyKind))
    at = _Aware(required=True)
    imei = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    note = ma.fields.String(load_default="", validate=validate.Length(max=500))
    org_id = ma.fields.UUID(load_default=None)

    @validates_schema
    def _one_identifier(self, data, **kw):
        if not data.get("imei") and not data.get("serial"):
            raise ValidationError("Give the device's imei or serial.", field_name="imei")


class CustodySchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.Function(lambda e: e.kind.value)
    at = ma.fields.DateTime()
    device_masked = ma.fields.Function(lambda e: "****" + e.device_last4)
    org_id = ma.fields.UUID(allow_none=True)
    note = ma.fields.String()


class LookupSchema(ma.Schema):
    """Exactly one identifier; it is hashed on arrival and never stored, logged or echoed."""
    imei = ma.fields.String(load_default=None, validate=validate.Length(min=15, max=32))
    serial = ma.fields.String(load_default=None, validate=validate.Length(min=4, max=64))

    @validates_schema
    def _exactly_one(self, data, **kw):
        if bool(data.get("imei")) == bool(data.get("serial")):
            raise ValidationError("Give exactly one of imei and serial.", field_name="imei")


class LookupResultSchema(ma.Schema):
    found = ma.fields.Boolean(required=True)
    certificate = ma.fields.Nested(CertificateSummarySchema, allow_none=True)


class OwnedCertificateSchema(CertificateSummarySchema):
    device = ma.fields.Dict(metadata={"description": "kind, make, model, masked IMEIs and serial"})
