"""Schemas of trade-ins, their price table and questionnaires. Shapes only: the questionnaire
answers, check digits and the price lookup are checked by the service, field by field."""
from __future__ import annotations

import marshmallow as ma

from marketplace.api.listings.schemas import CertificateSummarySchema
from marketplace.pagination import PageArgs
from flask import url_for
from marshmallow import validate

from services import identifiers
from services.tradeins import states
from services.tradeins.models import Handover, PayoutMethod, Status
from services.tradeins.questionnaire import CATEGORIES

CATEGORY = validate.OneOf(CATEGORIES)
REGION = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit GB/T 2260 region code.")
FEN = validate.Range(min=0, max=100_000_000_00)


class QuoteCreateSchema(ma.Schema):
    category = ma.fields.String(required=True, validate=CATEGORY)
    kind = ma.fields.String(load_default=None, validate=validate.Length(max=30),
                            metadata={"description": "Optional; checked against the model's kind."})
    brand = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    age_months = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=600))
    answers = ma.fields.Dict(required=True, metadata={
        "description": "The category's questionnaire (GET /tradeins/questionnaires/{category}): "
                       "electronics: powers_on, screen, body, battery_health_pct, activation_lock_off (must be true); "
                       "appliance: works, damage; vehicle: mileage_km, accident_history, emission_standard."})
    imei = ma.fields.String(validate=validate.Length(min=1, max=20), metadata={"description": "Phones: required, Luhn-checked."})
    vin = ma.fields.String(validate=validate.Length(min=1, max=20), metadata={"description": "Vehicles: required, check digit verified."})
    serial_number = ma.fields.String(validate=validate.Length(min=1, max=40))
    org_id = ma.fields.UUID(load_default=None, metadata={"description": "Trade in at this retailer (its campaign prices and store credit)."})


class HandoverSchema(ma.Schema):
    method = ma.fields.String(required=True, validate=validate.OneOf([m.value for m in Handover]))
    # pickup (上门取件)
    region_code = ma.fields.String(validate=REGION)
    address = ma.fields.String(validate=validate.Length(min=1, max=200))
    lat = ma.fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    starts_at = ma.fields.AwareDateTime(metadata={"description": "A pickup slot start (GET /pickups/availability)."})
    recycler_id = ma.fields.UUID(allow_none=True)
    dispatch = ma.fields.String(allow_none=True, validate=validate.OneOf(["direct", "nearest", "pool"]))
    # dropoff
    collection_point_org_id = ma.fields.UUID(metadata={"description": "The retailer or recycler running the collection point."})
    # with_delivery (送新取旧)
    order_id = ma.fields.UUID(metadata={"description": "The order whose delivery takes the old item away."})


class PayoutChoiceSchema(ma.Schema):
    method = ma.fields.String(required=True, validate=validate.OneOf([m.value for m in PayoutMethod]), metadata={
        "description": "store_credit at the retailer (or the platform); cash: a Stripe transfer to your Connect "
                       "account (POST /payments/seller-account) when Stripe is configured, else paid offline."})


class AcceptSchema(ma.Schema):
    handover = ma.fields.Nested(HandoverSchema, required=True)
    payout = ma.fields.Nested(PayoutChoiceSchema, required=True)


class InspectionSchema(ma.Schema):
    answers = ma.fields.Dict(required=True, metadata={"description": "The category's checklist, as found."})
    imei = ma.fields.String(validate=validate.Length(min=1, max=20))
    vin = ma.fields.String(validate=validate.Length(min=1, max=20))
    serial_number = ma.fields.String(validate=validate.Length(min=1, max=40))
    notes = ma.fields.String(load_default=None, validate=validate.Length(max=1000))
    cosmetic_grade = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "Electronics: premium, excellent, good or fair (the listings' scale); the resale "
                       "listing inherits it."})
    grade_facts = ma.fields.Dict(load_default=None, allow_none=True, metadata={
        "description": "battery_health_pct, screen, body, functions_checked, functions_ok, genuine_parts."})


class ReturnShipmentSchema(ma.Schema):
    carrier = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    tracking_no = ma.fields.String(required=True, validate=validate.Length(min=4, max=60))


class ReleaseReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=2, max=300))


class ClawbackPaymentSchema(ma.Schema):
    amount_fen = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100_000_000_00))
    reference = ma.fields.String(load_default=None, validate=validate.Length(max=120))
    note = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class TradeInListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in Status]))


class LineSchema(ma.Schema):
    code = ma.fields.String()
    zh = ma.fields.String()
    en = ma.fields.String()
    factor = ma.fields.String(allow_none=True)
    amount_fen = ma.fields.Integer(allow_none=True)
    running_fen = ma.fields.Integer()


class EventSchema(ma.Schema):
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    actor_id = ma.fields.UUID(allow_none=True)
    note = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


class InspectionPhotoSchema(ma.Schema):
    id = ma.fields.UUID()
    content_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    url = ma.fields.Function(lambda p: url_for("tradeins.get_photo", photo_id=p.id))


class PayoutSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    method = ma.fields.Function(lambda p: p.method.value)
    channel = ma.fields.String()
    amount_fen = ma.fields.Integer()
    deducted_fen = ma.fields.Integer(metadata={"description": "Part of the amount applied to open clawbacks."})
    reference = ma.fields.String(allow_none=True, metadata={
        "description": "The Stripe transfer id once sent; `ledger:<entry>` for store credit (also what a "
                       "refused transfer was paid as instead)."})
    status = ma.fields.String(metadata={
        "description": "pending (a Stripe transfer to be made after commit), sent, or failed (refused by "
                       "Stripe: paid as platform store credit instead)."})
    error = ma.fields.String(allow_none=True, metadata={"description": "The provider's last failure or refusal."})
    created_at = ma.fields.DateTime()


class PayoutStateSchema(ma.Schema):
    status = ma.fields.String()
    reference = ma.fields.String(allow_none=True)


class ClawbackSchema(ma.Schema):
    id = ma.fields.UUID()
    amount_fen = ma.fields.Integer()
    recovered_fen = ma.fields.Integer()
    outstanding_fen = ma.fields.Function(lambda c: c.amount_fen - c.recovered_fen)
    status = ma.fields.String()
    due_at = ma.fields.DateTime()
    closed_at = ma.fields.DateTime(allow_none=True)


class TradeInSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    status = ma.fields.Function(lambda t: t.status.value)
    next_states = ma.fields.Function(lambda t: sorted(s.value for s in states.TRANSITIONS[t.status]))
    consumer_id = ma.fields.UUID()
    org_id = ma.fields.UUID(allow_none=True)
    handler_org_id = ma.fields.UUID(allow_none=True)
    category = ma.fields.String()
    kind = ma.fields.String()
    brand = ma.fields.String()
    model = ma.fields.String()
    age_months = ma.fields.Integer()
    device_masked = ma.fields.Function(lambda t: identifiers.mask(t.device_last4))
    serial_masked = ma.fields.Function(lambda t: identifiers.mask(t.serial_last4))
    declared = ma.fields.Dict()
    quoted_fen = ma.fields.Integer()
    quote_lines = ma.fields.List(ma.fields.Nested(LineSchema))
    bonus_fen = ma.fields.Integer()
    bonus_label = ma.fields.String(allow_none=True)
    expires_at = ma.fields.DateTime()
    accepted_at = ma.fields.DateTime(allow_none=True)
    handover_method = ma.fields.Function(lambda t: t.handover_method.value if t.handover_method else None)
    handover = ma.fields.Dict(allow_none=True)
    payout_method = ma.fields.Function(lambda t: t.payout_method.value if t.payout_method else None)
    inspection = ma.fields.Dict(allow_none=True)
    inspected_at = ma.fields.DateTime(allow_none=True)
    offer_fen = ma.fields.Integer(allow_none=True)
    offer_lines = ma.fields.List(ma.fields.Nested(LineSchema), allow_none=True)
    offer_expires_at = ma.fields.DateTime(allow_none=True)
    final_fen = ma.fields.Integer(allow_none=True)
    prepaid_fen = ma.fields.Integer()
    paid_fen = ma.fields.Integer()
    return_carrier = ma.fields.String(allow_none=True)
    return_tracking_no = ma.fields.String(allow_none=True)
    status_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class TradeInDetailSchema(TradeInSchema):
    events = ma.fields.List(ma.fields.Nested(EventSchema))
    photos = ma.fields.List(ma.fields.Nested(InspectionPhotoSchema))
    payouts = ma.fields.List(ma.fields.Nested(PayoutSchema))
    payout = ma.fields.Nested(PayoutStateSchema, allow_none=True, metadata={
        "description": "The latest payout's state (null before any payout)."})
    clawbacks = ma.fields.List(ma.fields.Nested(ClawbackSchema))
    certificate = ma.fields.Nested(CertificateSummarySchema, allow_none=True, metadata={
        "description": "The traded-in device's data-wipe certificate once its handler has wiped it "
                       "(null until then, and for devices that hold no personal data)."})


class ChoiceSchema(ma.Schema):
    value = ma.fields.String()
    label_zh = ma.fields.String()
    label_en = ma.fields.String()


class QuestionSchema(ma.Schema):
    name = ma.fields.String()
    type = ma.fields.String(metadata={"description": "bool | int | choice"})
    label_zh = ma.fields.String()
    label_en = ma.fields.String()
    choices = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    minimum = ma.fields.Integer()
    maximum = ma.fields.Integer()
    must_be = ma.fields.Boolean()


class QuestionnaireSchema(ma.Schema):
    category = ma.fields.String()
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema))


class PriceCreateSchema(ma.Schema):
    org_id = ma.fields.UUID(load_default=None, metadata={"description": "Retailers: your organisation (default: your first)."})
    category = ma.fields.String(required=True, validate=CATEGORY)
    kind = ma.fields.String(required=True, validate=validate.Length(min=1, max=30))
    brand = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    base_price_fen = ma.fields.Integer(strict=True, allow_none=True, load_default=None, validate=FEN, metadata={
        "description": "As-new trade-in value; a retailer entry may leave it empty to add only a bonus."})
    campaign_bonus_fen = ma.fields.Integer(strict=True, load_default=0, validate=FEN)
    campaign_name = ma.fields.String(allow_none=True, load_default=None, validate=validate.Length(max=120))
    starts_at = ma.fields.AwareDateTime(allow_none=True, load_default=None)
    ends_at = ma.fields.AwareDateTime(allow_none=True, load_default=None)
    active = ma.fields.Boolean(load_default=True)


class PriceUpdateSchema(ma.Schema):
    kind = ma.fields.String(validate=validate.Length(min=1, max=30))
    brand = ma.fields.String(validate=validate.Length(min=1, max=60))
    model = ma.fields.String(validate=validate.Length(min=1, max=80))
    base_price_fen = ma.fields.Integer(strict=True, allow_none=True, validate=FEN)
    campaign_bonus_fen = ma.fields.Integer(strict=True, validate=FEN)
    campaign_name = ma.fields.String(allow_none=True, validate=validate.Length(max=120))
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    active = ma.fields.Boolean()


class PriceSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID(allow_none=True)
    category = ma.fields.String()
    kind = ma.fields.String()
    brand = ma.fields.String()
    model = ma.fields.String()
    base_price_fen = ma.fields.Integer(allow_none=True)
    campaign_bonus_fen = ma.fields.Integer()
    campaign_name = ma.fields.String(allow_none=True)
    starts_at = ma.fields.DateTime(allow_none=True)
    ends_at = ma.fields.DateTime(allow_none=True)
    active = ma.fields.Boolean()
    updated_at = ma.fields.DateTime()


class PriceListArgs(PageArgs):
    category = ma.fields.String(load_default=None, validate=CATEGORY)
    org_id = ma.fields.UUID(load_default=None)
    platform_only = ma.fields.Boolean(load_default=False)
    q = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=80))


class TradeInPhotoUploadSchema(ma.Schema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ResaleCertificateSchema(ma.Schema):
    certificate_id = ma.fields.UUID()
    tradein_id = ma.fields.UUID()
