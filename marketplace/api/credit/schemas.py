from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.credit.service import OVERRIDE_KINDS


class CreditReasonSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "Stable reason code"})
    feature = ma.fields.String()
    points_lost = ma.fields.Float()
    bin = ma.fields.String()
    en = ma.fields.String()
    zh = ma.fields.String()


class CreditFactorSchema(ma.Schema):
    value = ma.fields.Raw(allow_none=True)
    bin = ma.fields.String()
    points = ma.fields.Float()


class CreditScoreSchema(ma.Schema):
    id = ma.fields.UUID()
    subject_id = ma.fields.UUID()
    score = ma.fields.Integer(metadata={"description": "350-950"})
    band = ma.fields.String(metadata={"description": "poor | fair | good | very_good | excellent"})
    scorecard_version = ma.fields.String()
    reasons = ma.fields.List(ma.fields.Nested(CreditReasonSchema),
                             metadata={"description": "At most four factors that cost the most points"})
    factors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(CreditFactorSchema))
    thin_file = ma.fields.Boolean()
    override_id = ma.fields.UUID(allow_none=True)
    trigger = ma.fields.String()
    computed_at = ma.fields.DateTime()


class CreditPrivilegesSchema(ma.Schema):
    band = ma.fields.String()
    tradein_prepayment = ma.fields.Boolean()
    tradein_prepayment_limit_fen = ma.fields.Integer()
    listing_limit = ma.fields.Integer()
    manual_review_new_listings = ma.fields.Boolean()


class CreditStepSchema(ma.Schema):
    feature = ma.fields.String()
    code = ma.fields.String()
    current_bin = ma.fields.String()
    next_bin = ma.fields.String()
    points_to_next_bin = ma.fields.Float()
    points_to_best_bin = ma.fields.Float()
    hint_en = ma.fields.String()
    hint_zh = ma.fields.String()
    time_only = ma.fields.Boolean()


class CreditPrivilegeViewSchema(ma.Schema):
    subject_id = ma.fields.UUID()
    score = ma.fields.Integer()
    band = ma.fields.String()
    privileges = ma.fields.Nested(CreditPrivilegesSchema)
    next_band = ma.fields.String(allow_none=True)
    next_band_privileges = ma.fields.Nested(CreditPrivilegesSchema, allow_none=True)
    points_to_next_band = ma.fields.Integer()
    reachable = ma.fields.Boolean()
    steps = ma.fields.List(ma.fields.Nested(CreditStepSchema),
                           metadata={"description": "What would raise the band, biggest gain first"})


class CreditRecordSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    value = ma.fields.Integer(allow_none=True)
    ref_type = ma.fields.String(allow_none=True)
    ref_id = ma.fields.String(allow_none=True)
    negative = ma.fields.Boolean()
    counts = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "counts | expired (negative, over five years) | voided"})
    explanation = ma.fields.String(allow_none=True)


class CreditExplanationSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CreditOverrideCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(OVERRIDE_KINDS))
    reason = ma.fields.String(required=True, validate=validate.Length(min=5, max=500))
    score = ma.fields.Integer(load_default=None, strict=True, validate=validate.Range(min=350, max=950))
    event_id = ma.fields.UUID(load_default=None)
    expires_at = ma.fields.AwareDateTime(load_default=None)


class CreditReasonArgsSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=5, max=500))


class CreditOverrideSchema(ma.Schema):
    id = ma.fields.UUID()
    subject_id = ma.fields.UUID()
    kind = ma.fields.String()
    score = ma.fields.Integer(allow_none=True)
    event_id = ma.fields.UUID(allow_none=True)
    reason = ma.fields.String()
    actor_id = ma.fields.UUID()
    created_at = ma.fields.DateTime()
    expires_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoke_reason = ma.fields.String(allow_none=True)


class CreditOverrideResultSchema(ma.Schema):
    override = ma.fields.Nested(CreditOverrideSchema)
    score = ma.fields.Nested(CreditScoreSchema)


class CreditScorecardSummarySchema(ma.Schema):
    version = ma.fields.String()
    source = ma.fields.String()
    status = ma.fields.String()
    metrics = ma.fields.Dict(allow_none=True)
    report_dir = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    promoted_at = ma.fields.DateTime(allow_none=True)
    promoted_by = ma.fields.UUID(allow_none=True)


class CreditScorecardSchema(CreditScorecardSummarySchema):
    document = ma.fields.Dict()


class CreditTrainArgsSchema(ma.Schema):
    version = ma.fields.String(load_default=None, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9._-]{0,59}$", error="Lower-case letters, digits, '.', '_' and '-', at most 60."))
    snapshots = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=12))
    seed = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))
