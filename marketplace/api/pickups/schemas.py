from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

import marshmallow as ma

from marketplace import i18n
from marketplace.fields import MultiValue
from marketplace.pagination import PageArgs
from marshmallow import validate

from services import identifiers
from services.clock import local_iso
from services.pickups.items import CATEGORIES
from services.pickups.models import BookingStatus, FacilityTier

REGION = validate.Regexp(r"^\d{6}$", error="A 6-digit GB/T 2260 code.")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="HH:MM")
LAT, LON = validate.Range(min=-90, max=90), validate.Range(min=-180, max=180)


def _v(x):
    return x.value if hasattr(x, "value") else x


# --- the recycler's offer --------------------------------------------------------------------

class DepotSchema(ma.Schema):
    lat = ma.fields.Float(required=True, validate=LAT)
    lon = ma.fields.Float(required=True, validate=LON)


class SlotCapacitySchema(ma.Schema):
    count = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=500),
                              metadata={"description": "Pickups per slot."})
    volume_l = ma.fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=10**6),
                                 metadata={"description": "Bulky-appliance volume budget per slot, litres."})
    weight_kg = ma.fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=10**6),
                                  metadata={"description": "Bulky-appliance weight budget per slot, kg."})


class PickupOfferSchema(ma.Schema):
    kinds = ma.fields.List(ma.fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                           validate=validate.Length(min=1, max=4))
    region_codes = ma.fields.List(ma.fields.String(validate=REGION), load_default=list,
                                  validate=validate.Length(max=500))
    depot = ma.fields.Nested(DepotSchema, required=True)
    radius_km = ma.fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0.1, max=500))
    working_hours = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf([str(d) for d in range(1, 8)])),
        values=ma.fields.List(ma.fields.List(ma.fields.String(validate=HHMM), validate=validate.Length(equal=2)),
                              validate=validate.Length(max=6)),
        required=True, metadata={"example": {"1": [["08:00", "12:00"], ["13:00", "18:00"]]},
                                 "description": "ISO weekday (1 = Monday) -> windows of Beijing time."})
    holidays = ma.fields.List(ma.fields.Date(), load_default=list, validate=validate.Length(max=366))
    slot_minutes = ma.fields.Integer(load_default=120, strict=True, validate=validate.Range(min=15, max=720))
    capacity = ma.fields.Nested(SlotCapacitySchema, required=True)
    accepts_pool = ma.fields.Boolean(load_default=True)
    active = ma.fields.Boolean(load_default=True)
    dismantler_licence_no = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=4, max=64))


class RecyclerSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    name = ma.fields.Function(lambda r: r.org.name)
    kinds = ma.fields.List(ma.fields.String())
    authorised_dismantler = ma.fields.Boolean()
    dismantler_licence_no = ma.fields.String(allow_none=True)
    region_codes = ma.fields.List(ma.fields.String())
    depot = ma.fields.Function(lambda r: {"lat": r.depot_lat, "lon": r.depot_lon})
    radius_km = ma.fields.Float(allow_none=True)
    working_hours = ma.fields.Dict()
    holidays = ma.fields.List(ma.fields.String())
    slot_minutes = ma.fields.Integer()
    capacity = ma.fields.Function(lambda r: {"count": r.slot_capacity, "volume_l": r.slot_volume_l,
                                             "weight_kg": r.slot_weight_kg})
    accepts_pool = ma.fields.Boolean()
    active = ma.fields.Boolean()


class DismantlerAuthorisationSchema(ma.Schema):
    authorised_dismantler = ma.fields.Boolean(required=True)
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=500))


class PickupFacilityCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    tier = ma.fields.String(required=True, validate=validate.OneOf([t.value for t in FacilityTier]))
    region_code = ma.fields.String(required=True, validate=REGION)
    lat = ma.fields.Float(required=True, validate=LAT)
    lon = ma.fields.Float(required=True, validate=LON)
    address = ma.fields.String(load_default="", validate=validate.Length(max=200))
    parent_id = ma.fields.UUID(load_default=None, allow_none=True)


class PickupFacilitySchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    name = ma.fields.String()
    tier = ma.fields.Function(lambda f: _v(f.tier))
    region_code = ma.fields.String()
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    address = ma.fields.String()
    parent_id = ma.fields.UUID(allow_none=True)


class PickupCollectorCreateSchema(ma.Schema):
    user_id = ma.fields.UUID(required=True)
    name = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=80))


class PickupCollectorSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    user_id = ma.fields.UUID()
    name = ma.fields.String()
    active = ma.fields.Boolean()


# --- availability and booking -------------------------------------------------------------------

class PickupAvailabilityArgs(ma.Schema):
    region_code = ma.fields.String(required=True, validate=REGION)
    lat = ma.fields.Float(load_default=None, validate=LAT)
    lon = ma.fields.Float(load_default=None, validate=LON)
    items = MultiValue(ma.fields.String(validate=validate.Regexp(r"^[a-z_]{2,20}(:[a-z_]{2,30})?$")),
                       required=True, validate=validate.Length(min=1, max=20),
                       metadata={"description": "category:kind, e.g. items=appliance:refrigerator,electronics:laptop."})
    days = ma.fields.Integer(load_default=7, validate=validate.Range(min=1, max=14))
    limit = ma.fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class FreeSlotSchema(ma.Schema):
    starts_at = ma.fields.DateTime(metadata={"description": "UTC"})
    ends_at = ma.fields.DateTime(metadata={"description": "UTC"})
    starts_at_local = ma.fields.String(metadata={
        "description": "The same instant in China Standard Time with its offset, for showing: "
                       "2026-12-05T09:00:00+08:00"})
    ends_at_local = ma.fields.String(metadata={"description": "ends_at in China Standard Time with its offset"})
    remaining_count = ma.fields.Integer()
    remaining_volume_l = ma.fields.Integer(allow_none=True)
    remaining_weight_kg = ma.fields.Integer(allow_none=True)


# Slot bounds repeat across recyclers and requests (a few hundred distinct values a week). Cached
# for UTC values only: equal instants in other zones hash alike but render differently.
_iso_utc = lru_cache(maxsize=4096)(datetime.isoformat)


def _iso(dt: datetime) -> str:
    return _iso_utc(dt) if dt.tzinfo is timezone.utc else dt.isoformat()


_local_utc = lru_cache(maxsize=4096)(local_iso)


def _local(dt: datetime) -> str:
    return _local_utc(dt) if dt.tzinfo is timezone.utc else local_iso(dt)


class _FreeSlots(ma.fields.List):
    """Documented as a list of FreeSlotSchema; rendered directly, because an availability answer
    holds hundreds of slots and a nested schema per slot dominated the request's time."""

    def _serialize(self, value, attr, obj, **kwargs):
        iso, local = _iso, _local
        return [{"starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at),
                 "starts_at_local": local(s.starts_at), "ends_at_local": local(s.ends_at),
                 "remaining_count": s.remaining_count, "remaining_volume_l": s.remaining_volume_l,
                 "remaining_weight_kg": s.remaining_weight_kg} for s in value]


class RecyclerSlotsSchema(ma.Schema):
    recycler_id = ma.fields.Function(lambda o: str(o.recycler.id))
    org_id = ma.fields.Function(lambda o: str(o.recycler.org_id))
    name = ma.fields.Function(lambda o: o.recycler.name)
    distance_km = ma.fields.Float()
    slots = _FreeSlots(ma.fields.Nested(FreeSlotSchema))


class PickupAvailabilitySchema(ma.Schema):
    region_code = ma.fields.String()
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    recyclers = ma.fields.List(ma.fields.Nested(RecyclerSlotsSchema))


class PickupAddressSchema(ma.Schema):
    region_code = ma.fields.String(required=True, validate=REGION)
    lat = ma.fields.Float(load_default=None, allow_none=True, validate=LAT)
    lon = ma.fields.Float(load_default=None, allow_none=True, validate=LON)
    line = ma.fields.String(load_default="", validate=validate.Length(max=200),
                            metadata={"description": "Street address; shown to the consumer, booker and recycler only."})


class PickupItemInSchema(ma.Schema):
    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    kind = ma.fields.String(load_default="other", validate=validate.Length(min=2, max=30))
    description = ma.fields.String(load_default="", validate=validate.Length(max=200))
    listing_id = ma.fields.UUID(load_default=None, allow_none=True)
    vin = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=17))
    imei = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=15, max=15))
    volume_l = ma.fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=5000))
    weight_kg = ma.fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=5000))


class PickupCreateSchema(ma.Schema):
    address = ma.fields.Nested(PickupAddressSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(PickupItemInSchema), required=True, validate=validate.Length(min=1, max=20))
    starts_at = ma.fields.AwareDateTime(required=True, metadata={"description": "A slot start from the availability query."})
    recycler_id = ma.fields.UUID(load_default=None, allow_none=True)
    dispatch = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("direct", "nearest", "pool")),
                                metadata={"description": "direct (recycler_id given), nearest (default), or pool."})
    order_id = ma.fields.UUID(load_default=None, allow_none=True)
    consumer_id = ma.fields.UUID(load_default=None, allow_none=True,
                                 metadata={"description": "The buyer, when a retailer books."})
    org_id = ma.fields.UUID(load_default=None, allow_none=True)


class PickupItemSchema(ma.Schema):
    id = ma.fields.UUID()
    category = ma.fields.String()
    kind = ma.fields.String()
    description = ma.fields.String()
    listing_id = ma.fields.UUID(allow_none=True)
    device_masked = ma.fields.Function(lambda i: identifiers.mask(i.device_last4))
    volume_l = ma.fields.Integer()
    weight_kg = ma.fields.Integer()
    weight_g = ma.fields.Integer(allow_none=True)
    facility_id = ma.fields.UUID(allow_none=True)
    trail = ma.fields.Function(lambda i: [{"facility_id": str(m.facility_id), "facility": m.facility.name,
                                           "tier": _v(m.facility.tier), "at": m.at.isoformat()} for m in i.moves])


class PickupStatusChangeSchema(ma.Schema):
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    at = ma.fields.DateTime()


class PickupSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Function(lambda b: _v(b.status))
    labels = i18n.labels_field({"status": "pickup.status"})
    failure_reason = ma.fields.String(allow_none=True)
    dispatch = ma.fields.String()
    source = ma.fields.String()
    consumer_id = ma.fields.UUID()
    booked_by_id = ma.fields.UUID()
    order_id = ma.fields.UUID(allow_none=True)
    trade_in_id = ma.fields.UUID(allow_none=True)
    recycler_id = ma.fields.UUID(allow_none=True)
    recycler_name = ma.fields.Function(lambda b: b.recycler.org.name if b.recycler else None)
    collector = ma.fields.Function(lambda b: {"id": str(b.collector.id), "name": b.collector.name} if b.collector else None)
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    address = ma.fields.Function(lambda b: {"region_code": b.region_code, "lat": b.lat, "lon": b.lon,
                                            "line": b.address_line})
    items = ma.fields.List(ma.fields.Nested(PickupItemSchema))
    voucher = ma.fields.Function(lambda b: {"id": str(b.voucher.id), "number": b.voucher.number}
                                 if b.voucher else None, metadata={"description": "The recycling voucher, once collected."})
    history = ma.fields.List(ma.fields.Nested(PickupStatusChangeSchema))
    created_at = ma.fields.DateTime()


class PoolPickupSchema(ma.Schema):
    """What a recycler sees before claiming: no street address."""
    id = ma.fields.UUID()
    region_code = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    items = ma.fields.Function(lambda b: [{"category": i.category, "kind": i.kind, "volume_l": i.volume_l,
                                           "weight_kg": i.weight_kg} for i in b.items])


class PickupListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf([s.value for s in BookingStatus]))
    order_id = ma.fields.UUID(load_default=None)


class PickupRescheduleSchema(ma.Schema):
    starts_at = ma.fields.AwareDateTime(required=True)
    recycler_id = ma.fields.UUID(load_default=None, allow_none=True)


class PickupReasonSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class PickupAssignSchema(ma.Schema):
    collector_id = ma.fields.UUID(load_default=None, allow_none=True,
                                  metadata={"description": "Omit to give it to the least busy collector that day."})


class PickupTransitionSchema(ma.Schema):
    to = ma.fields.String(required=True, validate=validate.OneOf(
        ("en_route", "arrived", "delivered_to_facility", "processed", "failed")))
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class PickupNoShowSchema(ma.Schema):
    side = ma.fields.String(required=True, validate=validate.OneOf(("consumer", "recycler")))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class PickupWeightSchema(ma.Schema):
    item_id = ma.fields.UUID(required=True)
    weight_g = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=50_000_000))


class PickupCollectSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PickupWeightSchema), required=True, validate=validate.Length(min=1, max=20))
    facility_id = ma.fields.UUID(required=True, metadata={"description": "Where the items are taken."})
    scrap_certificate_no = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=4, max=64))


class CollectorRouteArgs(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "Local (Beijing) date."})


class CollectorRouteSchema(ma.Schema):
    collector = ma.fields.Nested(PickupCollectorSchema)
    date = ma.fields.Date()
    distance_km = ma.fields.Float()
    stops = ma.fields.List(ma.fields.Nested(PickupSchema))


# --- vouchers and items ------------------------------------------------------------------------------

class RecyclingVoucherSchema(ma.Schema):
    id = ma.fields.UUID()
    number = ma.fields.String()
    pickup_id = ma.fields.UUID(attribute="booking_id")
    collected_at = ma.fields.DateTime()
    recycler = ma.fields.Function(lambda v: {"org_id": str(v.recycler_org_id), "name": v.recycler_name})
    collector = ma.fields.Function(lambda v: {"id": str(v.collector_id), "name": v.collector_name})
    destination = ma.fields.Function(lambda v: {"facility_id": str(v.facility_id), "name": v.facility_name,
                                                "tier": v.facility_tier})
    items = ma.fields.Function(lambda v: [{"item_id": i["item_id"], "category": i["category"], "kind": i["kind"],
                                           "weight_g": i["weight_g"],
                                           "device_masked": identifiers.mask(i.get("device_last4"))}
                                          for i in v.items])
    total_weight_g = ma.fields.Integer()
    vehicle = ma.fields.Function(lambda v: {"scrap_certificate_no": v.scrap_certificate_no,
                                            "deregistered_at": v.deregistered_at.isoformat() if v.deregistered_at else None,
                                            "deregistration_ref": v.deregistration_ref}
                                 if any(i["category"] == "vehicle" for i in v.items) else None)


class VehicleScrapRecordSchema(ma.Schema):
    scrap_certificate_no = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=4, max=64))
    deregistered_at = ma.fields.AwareDateTime(load_default=None, allow_none=True)
    deregistration_ref = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=64))


class ItemMoveSchema(ma.Schema):
    facility_id = ma.fields.UUID(required=True)


class ItemResaleCertificateSchema(ma.Schema):
    certificate_id = ma.fields.UUID()
    item_id = ma.fields.UUID()
