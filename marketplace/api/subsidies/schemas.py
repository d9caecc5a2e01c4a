"""Schemas of the subsidy quote contract, budget pools, till sales and reservations."""
from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from subsidies.vocabulary import DISPOSALS, EMISSION_STANDARDS, KINDS, POWERTRAINS, SCHEMES

REGION = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit GB/T 2260 region code.")


def _fen(**kw):
    return ma.fields.Integer(strict=True, validate=validate.Range(min=0), **kw)


def _opt(field_cls, *args, **kw):
    return field_cls(*args, allow_none=True, **kw)


class QuotePurchaseSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(sorted(KINDS)))
    price_fen = ma.fields.Integer(strict=True, required=True, metadata={
        "description": "Final tax-inclusive price after every merchant, manufacturer and operator discount."})
    list_price_fen = _opt(_fen)
    discounts_fen = _opt(_fen)
    energy_grade = _opt(ma.fields.Integer, strict=True, validate=validate.Range(min=1, max=5))
    water_grade = _opt(ma.fields.Integer, strict=True, validate=validate.Range(min=1, max=5))
    powertrain = _opt(ma.fields.String, validate=validate.OneOf(sorted(POWERTRAINS)))
    displacement_l = _opt(ma.fields.Float, validate=validate.Range(min=0, min_inclusive=False, max=20))
    in_purchase_tax_exemption_catalog = _opt(ma.fields.Boolean)
    bare_price_fen = _opt(_fen)
    registration_date = _opt(ma.fields.Date)
    registered_in = _opt(ma.fields.String, validate=REGION)
    # 以旧换再 (remanufactured car parts)
    remanufactured = _opt(ma.fields.Boolean, metadata={"description": "Sold as 再制造 (remanufactured), marked as such."})
    new_price_fen = _opt(_fen, metadata={"description": "Price of the same part new (原型新品)."})
    in_remanufacturing_pilot_catalogue = _opt(ma.fields.Boolean)
    has_cma_test_report = _opt(ma.fields.Boolean)
    warranty_months = _opt(ma.fields.Integer, strict=True, validate=validate.Range(min=0, max=600))
    new_warranty_months = _opt(ma.fields.Integer, strict=True, validate=validate.Range(min=0, max=600))


class QuoteTradeInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(sorted(KINDS)))
    handed_in = _opt(ma.fields.Boolean)
    disposal = _opt(ma.fields.String, validate=validate.OneOf(sorted(DISPOSALS)))
    powertrain = _opt(ma.fields.String, validate=validate.OneOf(sorted(POWERTRAINS)))
    emission_standard = _opt(ma.fields.String, validate=validate.OneOf(EMISSION_STANDARDS))
    first_registration_date = _opt(ma.fields.Date)
    registered_to_applicant_since = _opt(ma.fields.Date)
    registered_in = _opt(ma.fields.String, validate=REGION)
    scrap_certificate_date = _opt(ma.fields.Date)
    deregistration_date = _opt(ma.fields.Date)
    transfer_date = _opt(ma.fields.Date)
    core_recovery_price_fen = _opt(_fen, metadata={"description": "以旧换再: what the old part is credited at."})


class QuoteHistoryEntrySchema(ma.Schema):
    date = ma.fields.Date(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(sorted(KINDS)))
    scheme = _opt(ma.fields.String, validate=validate.OneOf(sorted(SCHEMES)))
    amount_fen = _opt(_fen)


class QuoteBodySchema(ma.Schema):
    """The purchase to quote (the contract of issue 5)."""
    region = ma.fields.String(required=True, validate=REGION, metadata={"description": "Buyer's GB/T 2260 code."})
    date = ma.fields.Date(metadata={"description": "Purchase (invoice) date; default today in Asia/Shanghai."})
    application_date = _opt(ma.fields.Date, metadata={"description": "Default: the purchase date."})
    purchase = ma.fields.Nested(QuotePurchaseSchema, required=True)
    trade_in = ma.fields.Nested(QuoteTradeInSchema, allow_none=True)
    history = ma.fields.List(ma.fields.Nested(QuoteHistoryEntrySchema))


class QuoteRequestSchema(QuoteBodySchema):
    retailer_id = ma.fields.UUID(metadata={
        "description": "Quote this retailer's trade-in campaigns too (price_fen is then before the bonus)."})


class SubsidyExplanationSchema(ma.Schema):
    zh = ma.fields.String()
    en = ma.fields.String()


class QuoteLineSchema(ma.Schema):
    programme = ma.fields.String()
    rule = ma.fields.String()
    code = ma.fields.String()
    amount_fen = ma.fields.Integer()
    basis_fen = ma.fields.Integer()
    campaign_id = ma.fields.String()
    explanation = ma.fields.Nested(SubsidyExplanationSchema)
    labels = ma.fields.Dict(metadata={
        "type": "object", "properties": {"code": {"type": "string", "nullable": True}},
        "description": "`code` explained in the language asked for with Accept-Language (zh-CN by default, or en): "
                       "the matching side of `explanation`."})


class ProgrammeSourceSchema(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()
    url = ma.fields.String(allow_none=True, metadata={
        "description": "None when the notice was read only in reprints without a stable address."})


class QuoteRefusalSchema(ma.Schema):
    programme = ma.fields.String(allow_none=True, metadata={
        "description": "None only for `no_programme_in_force`, the quote's own answer."})
    rule = ma.fields.String(allow_none=True)
    code = ma.fields.String()
    campaign_id = ma.fields.String()
    explanation = ma.fields.Nested(SubsidyExplanationSchema)
    labels = ma.fields.Dict(metadata={
        "type": "object", "properties": {"code": {"type": "string", "nullable": True}},
        "description": "`code` explained in the language asked for with Accept-Language (zh-CN by default, or en): "
                       "the matching side of `explanation`."})
    file = ma.fields.String(allow_none=True, metadata={
        "description": "The programme file (subsidies/policies/) holding the rule that refuses."})
    clause = ma.fields.String(allow_none=True, metadata={
        "description": "That rule in the file: a condition's id or its path (window.start, limits[0], ...)."})
    source = ma.fields.Nested(ProgrammeSourceSchema, allow_none=True,
                              metadata={"description": "The notice the rule rests on."})
    secondary = ma.fields.Boolean(metadata={
        "description": "The rule rests only on secondary summaries of the notice."})


class QuoteWindowSchema(ma.Schema):
    programme = ma.fields.String()
    name = ma.fields.Nested(SubsidyExplanationSchema)
    start = ma.fields.Date(metadata={"description": "First purchase date in the buyer's region."})
    end = ma.fields.Date()
    file = ma.fields.String()
    relation = ma.fields.String(metadata={"description": "before (ended) | after (starts later)"})


BUDGET_STATUSES = ("available", "exhausted", "no_pool", "not_applicable")


class QuoteBudgetProgrammeSchema(ma.Schema):
    programme = ma.fields.String()
    status = ma.fields.String(validate=validate.OneOf(BUDGET_STATUSES[:3]))


class QuoteBudgetSchema(ma.Schema):
    """Whether the quote can be reserved now: `eligible` is the policy's verdict, this is the
    money's. `no_pool`: no budget pool funds a paying programme in this region (reserving answers
    409 no_pool); `exhausted`: a pool is closed or has less room than the line; `not_applicable`:
    nothing is eligible for other reasons. Read from a snapshot a few seconds old at most."""
    status = ma.fields.String(validate=validate.OneOf(BUDGET_STATUSES))
    reservable = ma.fields.Boolean(metadata={"description": "Eligible and every line's budget available now."})
    programmes = ma.fields.List(ma.fields.Nested(QuoteBudgetProgrammeSchema))


class QuoteSchema(ma.Schema):
    eligible = ma.fields.Boolean(metadata={"description": "The programmes' rules pay something (see `budget`)."})
    total_fen = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(QuoteLineSchema))
    ineligible = ma.fields.List(ma.fields.Nested(QuoteRefusalSchema))
    budget = ma.fields.Nested(QuoteBudgetSchema)
    nearest_windows = ma.fields.List(ma.fields.Nested(QuoteWindowSchema), metadata={
        "description": "Only when no programme is in force (`no_programme_in_force`): the "
                       "windows that ended last before the date and that start next after it."})


class LocalStartSchema(ma.Schema):
    region = ma.fields.String()
    start = ma.fields.Date()
    kinds = ma.fields.Function(lambda ls: sorted(ls.kinds) if ls.kinds is not None else None, allow_none=True)


class ProgrammeSchema(ma.Schema):
    id = ma.fields.String()
    version = ma.fields.Integer()
    name = ma.fields.Function(lambda p: {"zh": p.name_zh, "en": p.name_en})
    level = ma.fields.String()
    jurisdiction = ma.fields.List(ma.fields.String())
    categories = ma.fields.Function(lambda p: sorted(p.categories))
    kinds = ma.fields.Function(lambda p: sorted(p.kinds))
    scheme = ma.fields.String(allow_none=True)
    start = ma.fields.Date()
    end = ma.fields.Date()
    local_starts = ma.fields.List(ma.fields.Nested(LocalStartSchema), metadata={
        "description": "Regions that started the programme later than `start`."})
    sources = ma.fields.List(ma.fields.Nested(ProgrammeSourceSchema))


class PoolCreateSchema(ma.Schema):
    programme = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    region = ma.fields.String(required=True, validate=REGION)
    budget_fen = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class PoolUpdateSchema(ma.Schema):
    budget_fen = ma.fields.Integer(strict=True, validate=validate.Range(min=0))
    closed = ma.fields.Boolean()
    reason = ma.fields.String(validate=validate.Length(max=300))


class PoolSchema(ma.Schema):
    id = ma.fields.UUID()
    programme = ma.fields.String(attribute="programme_id")
    region = ma.fields.String(attribute="region_code")
    budget_fen = ma.fields.Integer()
    reserved_fen = ma.fields.Integer()
    redeemed_fen = ma.fields.Integer()
    remaining_fen = ma.fields.Integer()
    closed = ma.fields.Boolean()
    closed_reason = ma.fields.String(allow_none=True)


class PoolListArgs(ma.Schema):
    programme = ma.fields.String(load_default=None, validate=validate.Length(max=60))


class TillSaleOldItemSchema(ma.Schema):
    recycler_name = ma.fields.String(load_default=None, validate=validate.Length(max=120))
    recycling_voucher_no = ma.fields.String(load_default=None, validate=validate.Length(max=60))
    device_id = ma.fields.String(load_default=None, validate=validate.Length(min=4, max=40),
                                 metadata={"description": "Old device's IMEI, VIN or serial (hashed, never stored)."})
    wipe_certificate_id = ma.fields.UUID(load_default=None)


class TillSaleCreateSchema(QuoteBodySchema):
    """A sale at the retailer's own till: the quote fields plus the claim evidence."""
    org_id = ma.fields.UUID()
    invoice_no = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    buyer_id_number = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=15, max=20),
                                       metadata={"description": "Checked against the ID card; only its hash is kept."})
    brand = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    device_id = ma.fields.String(load_default=None, validate=validate.Length(min=4, max=40),
                                 metadata={"description": "IMEI (phones), VIN (cars) or serial number."})
    old_item = ma.fields.Nested(TillSaleOldItemSchema, load_default=None, allow_none=True)


class TillSaleSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    invoice_no = ma.fields.String()
    sold_on = ma.fields.Date()
    region = ma.fields.String(attribute="region_code")
    kind = ma.fields.String()
    brand = ma.fields.String()
    model = ma.fields.String()
    device_masked = ma.fields.Function(lambda s: "****" + s.device_last4 if s.device_last4 else None)
    buyer_masked = ma.fields.Function(lambda s: "****" + s.buyer_id_last4)
    price_fen = ma.fields.Integer()
    quote_request = ma.fields.Dict()
    recycler_name = ma.fields.String(allow_none=True)
    recycling_voucher_no = ma.fields.String(allow_none=True)
    wipe_certificate_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.DateTime()


class SaleListArgs(PageArgs):
    org_id = ma.fields.UUID(load_default=None)


class OrderPurchaseDetailsSchema(ma.Schema):
    """Details of the purchase the listing may not carry (cars). Kind, price and energy/water
    grades always come from the listing and the order: sending them is a 422."""
    powertrain = _opt(ma.fields.String, validate=validate.OneOf(sorted(POWERTRAINS)),
                      metadata={"description": "Ignored when the listing names its powertrain."})
    displacement_l = _opt(ma.fields.Float, validate=validate.Range(min=0, min_inclusive=False, max=20))
    in_purchase_tax_exemption_catalog = _opt(ma.fields.Boolean)
    bare_price_fen = _opt(_fen, metadata={"description": "Price before VAT; at most the order's price."})
    registration_date = _opt(ma.fields.Date)
    registered_in = _opt(ma.fields.String, validate=REGION)


class OrderQuoteSchema(ma.Schema):
    """The buyer's side of the quote for an order; what is bought comes from the order."""
    region = ma.fields.String(validate=REGION, metadata={
        "description": "Buyer's GB/T 2260 code; default: the listing's region (where the retailer sells)."})
    date = ma.fields.Date(metadata={"description": "Purchase date; default: the day the order was placed."})
    application_date = _opt(ma.fields.Date, metadata={"description": "Default: the purchase date."})
    purchase = ma.fields.Nested(OrderPurchaseDetailsSchema)
    trade_in = ma.fields.Nested(QuoteTradeInSchema, allow_none=True)


class ReservationCreateSchema(ma.Schema):
    sale_id = ma.fields.UUID(metadata={"description": "A till sale of your organisation."})
    order_id = ma.fields.UUID(metadata={"description": "A marketplace order of a retailer's listing, not paid yet."})
    quote_request = ma.fields.Nested(OrderQuoteSchema, metadata={
        "description": "With order_id only: region, date and trade-in of the order's quote."})

    @ma.validates_schema
    def _one(self, data, **kw):
        if ("sale_id" in data) == ("order_id" in data):
            raise ma.ValidationError("Give exactly one of sale_id and order_id.", "_schema")
        if "quote_request" in data and "order_id" not in data:
            raise ma.ValidationError("Only for an order: a till sale carries its own quote.", "quote_request")


class ReservationReasonSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=300))


class AppliedSubsidySchema(ma.Schema):
    programme = ma.fields.String(attribute="programme_id")
    programme_version = ma.fields.Integer(allow_none=True)
    campaign_id = ma.fields.UUID(allow_none=True)
    rule = ma.fields.String()
    code = ma.fields.String()
    basis_fen = ma.fields.Integer()
    amount_fen = ma.fields.Integer()
    explanation = ma.fields.Function(lambda a: {"zh": a.explanation_zh, "en": a.explanation_en})


class ReservationSchema(ma.Schema):
    id = ma.fields.UUID()
    source = ma.fields.String()
    order_id = ma.fields.UUID(allow_none=True)
    sale_id = ma.fields.UUID(allow_none=True)
    org_id = ma.fields.UUID()
    status = ma.fields.Function(lambda r: r.status.value)
    region = ma.fields.String(attribute="region_code")
    purchase_date = ma.fields.Date()
    kind = ma.fields.String()
    total_fen = ma.fields.Integer()
    buyer_masked = ma.fields.Function(lambda r: "****" + r.buyer_id_last4 if r.buyer_id_last4 else None)
    slot_consumed = ma.fields.Boolean()
    lines = ma.fields.List(ma.fields.Nested(AppliedSubsidySchema))
    reserved_at = ma.fields.DateTime()
    redeemed_at = ma.fields.DateTime(allow_none=True)
    released_at = ma.fields.DateTime(allow_none=True)
    clawed_back_at = ma.fields.DateTime(allow_none=True)
    clawback_reason = ma.fields.String(allow_none=True)
