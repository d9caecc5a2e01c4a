"""Schemas of the remanufacturing catalogue, battery recipients and NEV battery custody."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.pagination import PageArgs
from services import identifiers
from services.batteries.models import RecipientType
from services.remanufacturing.models import Basis

REGION = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit GB/T 2260 region code.")
_text = lambda n, **kw: ma.fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class RemanEntryCreateSchema(ma.Schema):
    enterprise_name = _text(120, required=True)
    credit_code = _text(30, required=True, metadata={"description": "统一社会信用代码 (check character verified)."})
    category = _text(40, required=True, metadata={"description": "e.g. 汽车零部件, 工程机械, 机床"})
    product_name = _text(120, required=True, metadata={"description": "e.g. 再制造发动机"})
    model = _text(80, required=True)
    basis = ma.fields.String(required=True, validate=validate.OneOf([b.value for b in Basis]), metadata={
        "description": "miit_catalogue (再制造产品目录), auto_parts_2021 (汽车零部件再制造规范管理暂行办法), "
                       "pilot_2015 (以旧换再 pilot list)."})
    announcement_no = _text(80, required=True, metadata={"description": "e.g. 工业和信息化部公告2011年第22号"})
    batch = ma.fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=100))
    warranty_months = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=600),
                                        metadata={"description": "The enterprise's public warranty commitment."})
    commitment_url = ma.fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=300))
    quality_not_below_new = ma.fields.Boolean(required=True)
    lawful_core_sourcing = ma.fields.Boolean(load_default=False)


class RemanEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    enterprise_name = ma.fields.String()
    credit_code = ma.fields.String()
    category = ma.fields.String()
    product_name = ma.fields.String()
    model = ma.fields.String()
    basis = ma.fields.Function(lambda e: e.basis.value)
    announcement_no = ma.fields.String()
    batch = ma.fields.Integer(allow_none=True)
    warranty_months = ma.fields.Integer()
    commitment_url = ma.fields.String(allow_none=True)
    quality_not_below_new = ma.fields.Boolean()
    lawful_core_sourcing = ma.fields.Boolean()
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    withdrawn_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class RemanEntryListArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=80))
    include_withdrawn = ma.fields.Boolean(load_default=False)


class RemanWithdrawalSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=2, max=300))


class RecipientCreateSchema(ma.Schema):
    name = _text(120, required=True)
    credit_code = _text(30, required=True)
    recipient_type = ma.fields.String(required=True, validate=validate.OneOf([t.value for t in RecipientType]),
                                      metadata={"description": "oem_collection_point (车企回收服务网点), cascade_use "
                                                               "(梯次利用企业) or recycling (再生利用企业)."})
    list_ref = _text(120, required=True, metadata={
        "description": "Where it is listed: the MIIT 规范条件 announcement or the maker's network list."})
    region_code = ma.fields.String(load_default=None, allow_none=True, validate=REGION)


class RecipientSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    credit_code = ma.fields.String()
    recipient_type = ma.fields.Function(lambda r: r.recipient_type.value)
    list_ref = ma.fields.String()
    region_code = ma.fields.String(allow_none=True)
    withdrawn_at = ma.fields.DateTime(allow_none=True)


class RecipientListArgs(PageArgs):
    recipient_type = ma.fields.String(load_default=None, validate=validate.OneOf([t.value for t in RecipientType]))


class BatteryCreateSchema(ma.Schema):
    org_id = ma.fields.UUID(load_default=None)
    vin = ma.fields.String(required=True, validate=validate.Length(min=17, max=20),
                           metadata={"description": "Kept only as a keyed hash and its last four characters."})
    voucher_number = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32),
                                      metadata={"description": "The scrappage voucher (回收凭证) listing this VIN."})
    scrap_certificate_no = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                                            metadata={"description": "报废机动车回收证明 number (without a voucher)."})
    battery_present = ma.fields.Boolean(required=True)
    pack_code = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                                 metadata={"description": "Battery pack code (GB/T 34014)."})
    battery_type = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    rated_capacity_kwh = ma.fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1000))
    swap_mode = ma.fields.Boolean(load_default=False, metadata={
        "description": "A battery-swap vehicle: outside 车电一体 (separate rules)."})
    received_on = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Day the vehicle came in (default: the voucher's collection day, else today)."})
    late_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300), metadata={
        "description": "Required when the step's reporting deadline has already passed."})


class BatteryEventSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    on = ma.fields.Date(attribute="happened_on")
    recipient_id = ma.fields.UUID(allow_none=True)
    report_due_on = ma.fields.Date()
    reported_at = ma.fields.DateTime(allow_none=True)
    platform_ref = ma.fields.String(allow_none=True)
    reported_late = ma.fields.Boolean()
    late_reason = ma.fields.String(allow_none=True)


class BatterySchema(ma.Schema):
    id = ma.fields.UUID()
    recycler_org_id = ma.fields.UUID()
    voucher_id = ma.fields.UUID(allow_none=True)
    scrap_certificate_no = ma.fields.String(allow_none=True)
    vin_masked = ma.fields.Function(lambda b: identifiers.mask(b.vin_last4))
    pack_code = ma.fields.String(allow_none=True)
    battery_type = ma.fields.String(allow_none=True)
    rated_capacity_kwh = ma.fields.Float(allow_none=True)
    swap_mode = ma.fields.Boolean()
    vehicle_incomplete = ma.fields.Boolean(metadata={
        "description": "Handed in without its battery (车电一体报废, from 2026-04-01)."})
    received_on = ma.fields.Date()
    status = ma.fields.Function(lambda b: b.status.value)
    recipient = ma.fields.Nested(RecipientSchema, allow_none=True)
    events = ma.fields.List(ma.fields.Nested(BatteryEventSchema))


class HandOverSchema(ma.Schema):
    recipient_id = ma.fields.UUID(required=True)
    on = ma.fields.Date(load_default=None, allow_none=True)
    late_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class BatteryReportSchema(ma.Schema):
    platform_ref = ma.fields.String(required=True, validate=validate.Length(min=1, max=64))


class BatteryDeadlineArgs(ma.Schema):
    org_id = ma.fields.UUID(load_default=None)
    overdue = ma.fields.Boolean(load_default=False)


class BatteryDeadlineSchema(ma.Schema):
    battery_id = ma.fields.UUID()
    event_id = ma.fields.UUID()
    kind = ma.fields.String()
    vin_masked = ma.fields.String()
    pack_code = ma.fields.String(allow_none=True)
    on = ma.fields.Date()
    due_on = ma.fields.Date()
    working_days_left = ma.fields.Integer(metadata={"description": "Negative once the deadline is missed."})
    overdue = ma.fields.Boolean()


class BatteryDeadlineListSchema(ma.Schema):
    rules = ma.fields.String(metadata={"description": "The reporting rule version the deadlines follow."})
    items = ma.fields.List(ma.fields.Nested(BatteryDeadlineSchema))


class BatteryListArgs(PageArgs):
    org_id = ma.fields.UUID(load_default=None)


class BatteryExportArgs(ma.Schema):
    org_id = ma.fields.UUID(load_default=None)
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))
    start = ma.fields.Date(load_default=None)
    end = ma.fields.Date(load_default=None)


class BatteryExportSchema(ma.Schema):
    columns = ma.fields.List(ma.fields.List(ma.fields.String()))
    items = ma.fields.List(ma.fields.Dict())
