"""Proof of recycling: the voucher (回收凭证) issued on collection, the vehicle's scrap
certificate and deregistration, items tracked through the facility network, and the read
interface the subsidies claim export uses."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.accounts.interface import require_verified
from services.accounts.models import OrgKind, User
from services.credit.interface import record_event
from services.errors import Conflict, NotFound, ValidationFailed
from services.notifications import Notifier
from services.pickups import access, lifecycle, notify
from services.pickups.booking import locked
from services.pickups.dispatch import item_arrives
from services.pickups.models import (Booking, BookingItem, BookingStatus as S, Facility, FacilityTier, Recycler,
                                     Voucher)
from services.pickups.offers import TIER_RANK
from services.pickups.schedule import local_date

_B32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud over the phone


@dataclass(frozen=True)
class VoucherView:
    """What a subsidy claim needs to show that the old item was recycled."""
    id: uuid.UUID
    number: str
    pickup_id: uuid.UUID
    consumer_id: uuid.UUID
    order_id: uuid.UUID | None
    trade_in_id: uuid.UUID | None
    collected_at: datetime
    recycler_org_id: uuid.UUID
    recycler_name: str
    collector_name: str
    facility_id: uuid.UUID
    facility_name: str
    facility_tier: str
    items: tuple[dict, ...]  # category, kind, weight_g, device_hash, device_last4
    total_weight_g: int
    scrap_certificate_no: str | None
    deregistered_at: datetime | None
    deregistration_ref: str | None

    @property
    def is_vehicle(self) -> bool:
        return any(i["category"] == "vehicle" for i in self.items)


def _view(v: Voucher) -> VoucherView:
    return VoucherView(v.id, v.number, v.booking_id, v.consumer_id, v.order_id, v.trade_in_id, v.collected_at,
                       v.recycler_org_id, v.recycler_name, v.collector_name, v.facility_id, v.facility_name,
                       v.facility_tier, tuple(v.items), v.total_weight_g, v.scrap_certificate_no,
                       v.deregistered_at, v.deregistration_ref)


def voucher_for(session: Session, *, voucher_id=None, number: str | None = None, pickup_id=None, order_id=None,
                trade_in_id=None, device_hash: str | None = None) -> VoucherView | None:
    """The recycling voucher found by any one key (its id, its printed number "RV…", the pickup,
    the order, the trade-in, or an item's VIN/IMEI hash with purpose "device"); None when there
    is none. The newest wins when several match."""
    stmt = select(Voucher)
    if voucher_id:
        stmt = stmt.where(Voucher.id == voucher_id)
    elif number:
        stmt = stmt.where(Voucher.number == number.strip().upper())
    elif pickup_id:
        stmt = stmt.where(Voucher.booking_id == pickup_id)
    elif order_id:
        stmt = stmt.where(Voucher.order_id == order_id)
    elif trade_in_id:
        stmt = stmt.where(Voucher.trade_in_id == trade_in_id)
    elif device_hash:
        stmt = stmt.where(Voucher.booking_id.in_(select(BookingItem.booking_id)
                                                 .where(BookingItem.device_hash == device_hash)))
    else:
        raise ValueError("give one key")
    v = session.scalars(stmt.order_by(Voucher.collected_at.desc()).limit(1)).first()
    return _view(v) if v else None


def get_public(session: Session, voucher_id) -> Voucher:
    """Anyone holding the id may check a voucher (the id is a random UUID: unguessable)."""
    v = session.get(Voucher, voucher_id)
    if v is None:
        raise NotFound("no such voucher")
    return v


def _number(at: datetime) -> str:
    return f"RV{local_date(at):%Y%m%d}{''.join(secrets.choice(_B32) for _ in range(8))}"


def collect(session: Session, actor: User, booking_id, weights: dict, facility_id, *, notifier: Notifier,
            scrap_certificate_no: str | None = None) -> Voucher:
    """The collector takes the items: each is weighed, the pickup becomes `collected`, and a
    voucher naming the destination facility is issued. Both sides' kept pickup is recorded.
    A trade-in's pickup also moves the trade-in: services.flows.collection.collect does both."""
    now = clock.now(session)
    b = access.require_view(actor, locked(session, booking_id))
    access.require_recycler_side(actor, b)
    lifecycle.require_can(b, S.COLLECTED)
    require_verified(session, b.recycler.org_id, OrgKind.RECYCLER, "issue recycling vouchers")
    if b.collector is None:
        raise Conflict("assign a collector first", code="no_collector")
    missing = [str(i.id) for i in b.items if str(i.id) not in weights]
    unknown = set(weights) - {str(i.id) for i in b.items}
    if missing or unknown:
        raise ValidationFailed("weigh every item of this pickup", fields={
            "items": [f"missing: {', '.join(missing)}" if missing else f"not in this pickup: {', '.join(sorted(unknown))}"]})
    f = _destination(session, b, facility_id)
    vehicle = any(i.category == "vehicle" for i in b.items)
    if scrap_certificate_no and not vehicle:
        raise ValidationFailed("only vehicles have a scrap certificate",
                               fields={"scrap_certificate_no": ["This pickup has no vehicle."]})
    for i in b.items:
        i.weight_g = weights[str(i.id)]
    lifecycle.move(b, S.COLLECTED, actor.id, at=clock.now(session))
    v = Voucher(id=uuid.uuid4(), number=_number(now), booking_id=b.id, consumer_id=b.consumer_id,
                order_id=b.order_id, trade_in_id=b.trade_in_id, recycler_org_id=b.recycler.org_id,
                recycler_name=b.recycler.org.name, collector_id=b.collector.id, collector_name=b.collector.name,
                facility_id=f.id, facility_name=f.name, facility_tier=f.tier.value, collected_at=now,
                items=[{"item_id": str(i.id), "category": i.category, "kind": i.kind, "weight_g": i.weight_g,
                        "device_hash": i.device_hash, "device_last4": i.device_last4} for i in b.items],
                total_weight_g=sum(i.weight_g for i in b.items), scrap_certificate_no=scrap_certificate_no)
    session.add(v)
    for subject in (b.consumer_id, b.recycler.org_id):
        record_event(session, subject, "pickup_kept", ref_type="pickup", ref_id=b.id)
    session.flush()
    notify.collected(notifier, session, b, str(v.id), v.number)
    return v


def _destination(session: Session, b: Booking, facility_id) -> Facility:
    f = session.get(Facility, facility_id)
    if f is None or f.org_id != b.recycler.org_id or not f.active:
        raise ValidationFailed("not one of this recycler's facilities",
                               fields={"facility_id": ["Not an active facility of this recycler."]})
    vehicle = any(i.category == "vehicle" for i in b.items)
    if vehicle and f.tier != FacilityTier.DISMANTLER:
        raise ValidationFailed("vehicles go to a dismantler", code="not_authorised_dismantler",
                               fields={"facility_id": ["Vehicles go to a dismantling facility."]})
    if not vehicle and f.tier == FacilityTier.DISMANTLER:
        raise ValidationFailed("a dismantler takes vehicles only", fields={"facility_id": ["Vehicles only."]})
    return f


def record_vehicle(session: Session, actor: User, voucher_id, data: dict) -> Voucher:
    """Record the scrap certificate (报废机动车回收证明) number and the deregistration."""
    v = session.scalar(select(Voucher).where(Voucher.id == voucher_id).with_for_update())
    if v is None or not (actor.is_operator or access.is_member(actor, v.recycler_org_id)):
        raise NotFound("no such voucher")
    access.require_staff(actor, v.recycler_org_id)
    if not any(i["category"] == "vehicle" for i in v.items):
        raise ValidationFailed("this voucher has no vehicle", fields={"scrap_certificate_no": ["No vehicle."]})
    if v.scrap_certificate_no and data.get("scrap_certificate_no") not in (None, v.scrap_certificate_no):
        raise Conflict("the scrap certificate number is already recorded", code="certificate_recorded")
    if data.get("deregistered_at") and not (data.get("scrap_certificate_no") or v.scrap_certificate_no):
        raise ValidationFailed("deregistration follows the scrap certificate",
                               fields={"deregistered_at": ["Record the scrap certificate first."]})
    for k in ("scrap_certificate_no", "deregistered_at", "deregistration_ref"):
        if data.get(k) is not None:
            setattr(v, k, data[k].astimezone(timezone.utc) if k == "deregistered_at" else data[k])
    session.flush()
    return v


def move_item(session: Session, actor: User, item_id, facility_id) -> BookingItem:
    """An item moves up the network (collection point -> transfer station -> sorting centre;
    vehicles to a dismantler); staff of the facility it is at record it."""
    item = session.scalar(select(BookingItem).where(BookingItem.id == item_id).with_for_update())
    if item is None or item.facility_id is None:
        raise NotFound("no such item at a facility")
    here = session.get(Facility, item.facility_id)
    booking = session.get(Booking, item.booking_id)
    if not (actor.is_operator or access.is_member(actor, here.org_id) or access.can_view(actor, booking)):
        raise NotFound("no such item at a facility")
    access.require_staff(actor, here.org_id)
    there = session.get(Facility, facility_id)
    if there is None or not there.active:
        raise ValidationFailed("no such facility", fields={"facility_id": ["No such facility."]})
    if item.category == "vehicle":
        ok = there.tier == FacilityTier.DISMANTLER and _org_dismantles(session, there.org_id)
    else:
        ok = there.tier != FacilityTier.DISMANTLER and TIER_RANK[there.tier] > TIER_RANK[here.tier]
    if not ok:
        raise ValidationFailed("items move up the network", code="wrong_tier",
                               fields={"facility_id": [f"From a {here.tier.value} the item goes to a higher tier"
                                                      + (" (vehicles: an authorised dismantler)." if item.category == "vehicle" else ".")]})
    item_arrives(item, there.id, actor.id, clock.now(session))
    session.flush()
    return item


def _org_dismantles(session: Session, org_id) -> bool:
    return bool(session.scalar(select(Recycler.authorised_dismantler).where(Recycler.org_id == org_id)))
