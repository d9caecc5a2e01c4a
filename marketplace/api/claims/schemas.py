"""Schemas of reimbursement claims."""
from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from services.subsidies import claim_files


class ClaimCreateSchema(ma.Schema):
    org_id = ma.fields.UUID()
    programme = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    period_start = ma.fields.Date(required=True)
    period_end = ma.fields.Date(required=True)


class ClaimSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    programme = ma.fields.String(attribute="programme_id")
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    status = ma.fields.Function(lambda c: c.status.value)
    items_count = ma.fields.Integer()
    total_fen = ma.fields.Integer()
    decision_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    submitted_at = ma.fields.DateTime(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    paid_at = ma.fields.DateTime(allow_none=True)


class ClaimTransitionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=validate.OneOf(["submit", "approve", "reject", "pay"]))
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class ClaimExportArgs(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]),
                              metadata={"description": "json (UTC times), csv (UTF-8 with BOM) or xlsx; "
                                        "files show times in China Standard Time"})
    header = ma.fields.String(load_default="code", validate=validate.OneOf(claim_files.HEADER_STYLES),
                              metadata={"description": "column headers of a csv or xlsx file: code "
                                        "(stable, for systems), zh (中文) or en"})


class ClaimEvidenceArgs(ClaimExportArgs):
    org_id = ma.fields.UUID(load_default=None)
    programme = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    period_start = ma.fields.Date(required=True)
    period_end = ma.fields.Date(required=True)


class ClaimListArgs(PageArgs):
    """Cursor and limit only."""


class ClaimAuditSchema(ma.Schema):
    action = ma.fields.String()
    actor_id = ma.fields.UUID(allow_none=True)
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


class ClaimEvidenceRowSchema(ma.Schema):
    reservation_id = ma.fields.String()
    source = ma.fields.String()
    order_id = ma.fields.String(allow_none=True)
    sale_id = ma.fields.String(allow_none=True)
    invoice_no = ma.fields.String(allow_none=True)
    purchase_date = ma.fields.String()
    region = ma.fields.String()
    kind = ma.fields.String()
    brand = ma.fields.String(allow_none=True)
    model = ma.fields.String(allow_none=True)
    energy_grade = ma.fields.Integer(allow_none=True)
    water_grade = ma.fields.Integer(allow_none=True)
    device = ma.fields.String(allow_none=True, metadata={"description": "Serial or IMEI, masked."})
    price_fen = ma.fields.Integer(allow_none=True)
    basis_fen = ma.fields.Integer()
    subsidy_fen = ma.fields.Integer()
    programme = ma.fields.String()
    rule = ma.fields.String()
    buyer = ma.fields.String(metadata={"description": "Resident ID, masked."})
    old_item_kind = ma.fields.String(allow_none=True)
    recycler = ma.fields.String(allow_none=True)
    recycling_voucher_no = ma.fields.String(allow_none=True)
    wipe_certificate_id = ma.fields.String(allow_none=True)
    wipe_certificate_status = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    recycling_voucher_status = ma.fields.String(metadata={
        "description": "verified: a voucher the recycler issued on collection (by the recorded number, the "
                       "order's pickup or the old device); recorded: only what the till recorded; missing."})
    recycled_at = ma.fields.String(allow_none=True, metadata={"description": "When the old item was collected (UTC)."})
    recycling_facility = ma.fields.String(allow_none=True)
    recycling_facility_tier = ma.fields.String(allow_none=True)
    scrap_certificate_no = ma.fields.String(allow_none=True, metadata={"description": "Vehicles: 报废机动车回收证明."})
    vehicle_deregistered_at = ma.fields.String(allow_none=True)
    recycling_voucher_conflict = ma.fields.String(allow_none=True, metadata={
        "description": "Fraud signal on the recycling voucher (one old item handed in backs one subsidy); null when "
                       "fine. voucher_reused: the same voucher (the verified voucher, else the recorded number, "
                       "stripped and upper-cased) backs more purchases that spend it than it lists items they can "
                       "be (of the old item's kind; a recorded number counts as one item), of any retailer "
                       "(reserved or redeemed, or clawed back: a return does not give the voucher back); "
                       "voucher_other_person: a verified voucher of someone other than the buyer (the buyer's "
                       "account for orders, the verified resident ID for till sales, when known); "
                       "voucher_other_item: a verified voucher with no item of the old item's kind.",
        "enum": ["voucher_reused", "voucher_other_person", "voucher_other_item", None]})


class ClaimExportSchema(ma.Schema):
    claim = ma.fields.Nested(ClaimSchema, allow_none=True)
    items = ma.fields.List(ma.fields.Nested(ClaimEvidenceRowSchema))
