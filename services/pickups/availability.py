"""Which recyclers serve an address and what they can still take: the free-slot query.

Slots exist as rows only once booked, so free capacity is the recycler's grid (from its hours)
minus the counters of the rows in range. Recyclers are considered nearest first and only as many
as the answer needs, which keeps the query flat as a city grows to hundreds of recyclers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from services import regions
from services.errors import ValidationFailed
from services.pickups import items as item_rules
from services.pickups.geo import KM_PER_DEGREE_LAT, haversine_km
from services.accounts.models import Organization
from services.pickups.models import Recycler, ServiceRegion, Slot
from services.pickups.policy import DEFAULT, Policy
from services.pickups.schedule import Hours, slot_starts


@dataclass(frozen=True)
class Address:
    region_code: str
    lat: float
    lon: float
    line: str = ""


class FreeSlot(NamedTuple):  # a tuple: hundreds are built per query
    starts_at: datetime
    ends_at: datetime
    remaining_count: int
    remaining_volume_l: int | None
    remaining_weight_kg: int | None


@dataclass(frozen=True)
class RecyclerSlots:
    recycler: Row  # a SCHEDULE_COLUMNS row
    distance_km: float
    slots: list[FreeSlot]


# Plain rows, no ORM identity map: matching reads a few columns of every recycler in the area,
# the slot arithmetic reads the schedule of only the few it answers with.
MATCH_COLUMNS = (Recycler.id, Recycler.kinds, Recycler.authorised_dismantler, Recycler.accepts_pool,
                 Recycler.depot_lat, Recycler.depot_lon, Recycler.radius_km)
SCHEDULE_COLUMNS = (Recycler.id, Recycler.org_id, Organization.name, Recycler.working_hours, Recycler.holidays,
                    Recycler.slot_minutes, Recycler.slot_capacity, Recycler.slot_volume_l, Recycler.slot_weight_kg)


def address(region_code: str, lat: float | None, lon: float | None, line: str = "") -> Address:
    """A checked address; without coordinates, the region's centre stands in."""
    region = regions.get(region_code)
    if region is None:
        raise ValidationFailed("unknown region", fields={"region_code": ["Not a GB/T 2260 code."]})
    if (lat is None) != (lon is None):
        raise ValidationFailed("give both coordinates or neither", fields={"lat": ["Give lat and lon together."]})
    return Address(region_code, region.lat if lat is None else lat, region.lon if lon is None else lon, line)


def hours_of(r) -> Hours:
    return Hours.parse(r.working_hours, r.holidays, r.slot_minutes)


def serving(session: Session, addr: Address) -> list[tuple[Row, float]]:
    """Active recyclers (MATCH_COLUMNS rows) whose region codes or radius cover the address,
    nearest depot first. Raises a 422 `outside_service_area` when there are none."""
    codes = regions.chain(addr.region_code)
    by_region = select(ServiceRegion.recycler_id).where(ServiceRegion.region_code.in_(codes))
    # Latitude band as a cheap pre-filter for radius areas; the exact test is the haversine below.
    near = and_(Recycler.radius_km.is_not(None),
                func.abs(Recycler.depot_lat - addr.lat) * KM_PER_DEGREE_LAT <= Recycler.radius_km)
    rows = session.execute(select(*MATCH_COLUMNS, Recycler.id.in_(by_region).label("in_region"))
                           .where(Recycler.active, or_(Recycler.id.in_(by_region), near))).all()
    out = []
    for r in rows:
        d = haversine_km(addr.lat, addr.lon, r.depot_lat, r.depot_lon)
        if r.in_region or (r.radius_km is not None and d <= r.radius_km):
            out.append((r, d))
    if not out:
        raise ValidationFailed("no recycler serves this address", code="outside_service_area",
                               fields={"region_code": ["Outside every recycler's service area."]})
    out.sort(key=lambda rd: (rd[1], str(rd[0].id)))
    return out


def takes(r, cats: set[str]) -> bool:
    """The recycler takes every category; vehicles only from an authorised dismantler."""
    if "vehicle" in cats and not r.authorised_dismantler:
        return False
    return cats <= set(r.kinds)


def filter_takers(candidates: list[tuple[Row, float]], items: list[dict]) -> list[tuple[Row, float]]:
    """Those that take the items; a 422 naming why when none does."""
    cats = item_rules.categories(items)
    out = [(r, d) for r, d in candidates if takes(r, cats)]
    if out:
        return out
    if "vehicle" in cats:
        raise ValidationFailed("no authorised dismantler serves this address", code="not_authorised_dismantler",
                               fields={"items": ["Vehicles are collected only by authorised dismantlers."]})
    raise ValidationFailed("no recycler here takes these items", code="kind_not_accepted",
                           fields={"items": [f"No recycler serving this address takes {', '.join(sorted(cats))}."]})


def schedules(session: Session, ids) -> dict:
    """recycler id -> its SCHEDULE_COLUMNS row."""
    rows = session.execute(select(*SCHEDULE_COLUMNS).join(Organization, Organization.id == Recycler.org_id)
                           .where(Recycler.id.in_(list(ids))))
    return {r.id: r for r in rows}


def free_slots(session: Session, recyclers: list[Row], start: datetime, end: datetime,
               volume_l: int, weight_kg: int) -> dict:
    """recycler id -> free slots in [start, end) that still fit one pickup of this bulk."""
    if not recyclers:
        return {}
    booked: dict = {r.id: {} for r in recyclers}
    for row in session.execute(
            select(Slot.recycler_id, Slot.starts_at, Slot.ends_at, Slot.capacity_count, Slot.booked_count,
                   Slot.capacity_volume_l, Slot.booked_volume_l, Slot.capacity_weight_kg, Slot.booked_weight_kg)
            .where(Slot.recycler_id.in_([r.id for r in recyclers]), Slot.starts_at >= start, Slot.starts_at < end)):
        booked[row.recycler_id][row.starts_at] = row
    out = {}
    for r in recyclers:
        step = timedelta(minutes=r.slot_minutes)
        mine = booked[r.id]
        slots = []
        for s in slot_starts(hours_of(r), start, end):
            row = mine.get(s)
            if row is None:
                count, vol, kg, ends = r.slot_capacity, r.slot_volume_l, r.slot_weight_kg, s + step
            else:
                count = row.capacity_count - row.booked_count
                vol = None if row.capacity_volume_l is None else row.capacity_volume_l - row.booked_volume_l
                kg = None if row.capacity_weight_kg is None else row.capacity_weight_kg - row.booked_weight_kg
                ends = row.ends_at
            if count >= 1 and (vol is None or vol >= volume_l) and (kg is None or kg >= weight_kg):
                slots.append(FreeSlot(s, ends, count, vol, kg))
        out[r.id] = slots
    return out


def availability(session: Session, addr: Address, items: list[dict], *, now: datetime, days: int = 7,
                 limit: int = 10, policy: Policy = DEFAULT) -> list[RecyclerSlots]:
    """Up to `limit` recyclers (nearest first) that serve the address, take the items and have
    at least one free slot in the next `days` days, with those slots."""
    items = item_rules.normalise(items)
    takers = filter_takers(serving(session, addr), items)
    vol, kg = item_rules.budget(items)
    start = now + policy.lead
    end = now + timedelta(days=min(days, policy.horizon_days))
    out: list[RecyclerSlots] = []
    for i in range(0, len(takers), limit):
        chunk = takers[i:i + limit]
        sched = schedules(session, [r.id for r, _ in chunk])
        slots = free_slots(session, list(sched.values()), start, end, vol, kg)
        for r, d in chunk:
            if slots[r.id]:
                out.append(RecyclerSlots(sched[r.id], round(d, 2), slots[r.id]))
                if len(out) == limit:
                    return out
    return out
