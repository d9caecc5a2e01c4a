"""Which recyclers serve an address and what they can still take: the free-slot query.

Slots exist as rows only once booked, so free capacity is the recycler's grid (from its hours)
minus the counters of the rows in range. Recyclers are considered nearest first and only as many
as the answer needs, which keeps the query flat as a city grows to hundreds of recyclers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import islice
from math import cos, radians
from typing import Iterator, NamedTuple

from sqlalchemy import Row, String, and_, case, cast, func, or_, select, true
from sqlalchemy.orm import Session

from services import deps, identifiers, regions
from services.errors import ValidationFailed
from services.pickups import items as item_rules
from services.pickups.geo import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT, haversine_km
from services.accounts.interface import verified_ids
from services.accounts.models import Organization, OrgKind
from services.pickups.models import Recycler, ServiceRegion, Slot
from services.pickups.policy import Policy
from services.pickups.schedule import Hours, local_date, local_day_slots


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
    """Active recyclers of verified organisations (MATCH_COLUMNS rows) whose region codes or radius cover the address,
    nearest depot first. Raises a 422 `outside_service_area` when there are none."""
    codes = regions.chain(addr.region_code)
    by_region = select(ServiceRegion.recycler_id).where(ServiceRegion.region_code.in_(codes))
    # Latitude band as a cheap pre-filter for radius areas; the exact test is the haversine below.
    near = and_(Recycler.radius_km.is_not(None),
                func.abs(Recycler.depot_lat - addr.lat) * KM_PER_DEGREE_LAT <= Recycler.radius_km)
    rows = session.execute(select(*MATCH_COLUMNS, Recycler.id.in_(by_region).label("in_region"))
                           .where(Recycler.active, Recycler.org_id.in_(verified_ids(OrgKind.RECYCLER)),
                                  or_(Recycler.id.in_(by_region), near))).all()
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


# --- the availability query ----------------------------------------------------------------------
# Two set-based queries per answer: the nearest takers of the address with their whole offer,
# ranked and cut in SQL (below; JSON columns read as text, parsed once per distinct value and
# cached), then the booked slot rows of those takers over the horizon. Slot grids are epoch seconds per local
# day, computed once per (hours, day) and cached, so a request only merges integers.

OFFER_COLUMNS = (Recycler.id, Recycler.org_id, Organization.name, cast(Recycler.kinds, String).label("kinds"),
                 Recycler.authorised_dismantler, Recycler.depot_lat, Recycler.depot_lon, Recycler.radius_km,
                 cast(Recycler.working_hours, String).label("working_hours"),
                 cast(Recycler.holidays, String).label("holidays"), Recycler.slot_minutes, Recycler.slot_capacity,
                 Recycler.slot_volume_l, Recycler.slot_weight_kg)


@lru_cache(maxsize=1024)
def _kinds(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text) if text else ())


@lru_cache(maxsize=1024)
def _hours(working_hours: str | None, holidays: str | None, slot_minutes: int) -> Hours:
    return Hours.parse(json.loads(working_hours) if working_hours else {},
                       json.loads(holidays) if holidays else [], slot_minutes)


@lru_cache(maxsize=8192)
def _day_grid(working_hours: str | None, holidays: str | None, slot_minutes: int, day: date) -> tuple[int, ...]:
    """Slot starts (UTC epoch seconds) of one local day: schedule.local_day_slots, cached."""
    return tuple(int(s.timestamp()) for s in local_day_slots(_hours(working_hours, holidays, slot_minutes), day))


@lru_cache(maxsize=4096)
def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


# --- the nearest takers, ranked and cut in SQL ---------------------------------------------------
# The database computes the same great-circle distance as geo.haversine_km and returns the takers
# nearest first, a page at a time, so a city of 1,000 recyclers ships the dozen rows an answer uses
# instead of every one that serves the address. Python still decides: it recomputes each distance
# with haversine_km, applies the exact area and kinds tests and sorts by (distance, id); the SQL
# distance (another libm, maybe another rounding) only chooses which rows to read. A row not read
# yet is no nearer in SQL than the last row read, so its exact distance is at least that less the
# slack; a read row is handed out only once its exact distance is below that bound, when nothing
# unread can come before it. The answer is therefore the old full sort's, row for row.

SQL_SLACK_KM = 0.01  # far above any float disagreement between two haversines (they differ by ulps)


def _sql_km(addr: Address):
    """haversine_km(addr, depot) as a SQL expression (PostgreSQL, and SQLite's math functions)."""
    p1 = radians(addr.lat)
    half_dp = (func.radians(Recycler.depot_lat) - p1) / 2
    half_dl = func.radians(Recycler.depot_lon - addr.lon) / 2
    h = (func.sin(half_dp) * func.sin(half_dp)
         + cos(p1) * func.cos(func.radians(Recycler.depot_lat)) * func.sin(half_dl) * func.sin(half_dl))
    return 2 * EARTH_RADIUS_KM * func.asin(case((h >= 1.0, 1.0), else_=func.sqrt(h)))


def _takes_sql(cats: set[str]):
    """takes() in SQL: each category is a quoted string of the kinds' JSON text (checked again in Python)."""
    kinds = cast(Recycler.kinds, String)
    conds = [kinds.contains(f'"{c}"', autoescape=True) for c in sorted(cats)]
    if "vehicle" in cats:
        conds.append(Recycler.authorised_dismantler)
    return and_(true(), *conds)


def _offers(session: Session, addr: Address, cats: set[str], first: int) -> Iterator[tuple[Row, float]]:
    """OFFER_COLUMNS rows of the recyclers serving the address and taking `cats` with their
    haversine distance, nearest first (ties by id), read `first` rows and then twice as many at a
    time; the same 422s as serving() and filter_takers() when there are none (raised at once)."""
    codes = regions.chain(addr.region_code)
    in_region = Recycler.id.in_(select(ServiceRegion.recycler_id).where(ServiceRegion.region_code.in_(codes)))
    km = _sql_km(addr)
    # The latitude band is the old pre-filter, kept so that the rows considered are the same.
    near = and_(Recycler.radius_km.is_not(None),
                func.abs(Recycler.depot_lat - addr.lat) * KM_PER_DEGREE_LAT <= Recycler.radius_km,
                km <= Recycler.radius_km + SQL_SLACK_KM)
    # Ranked and cut on the recyclers' own columns; the offer's other columns and the name are
    # read for the page's rows only.
    ranked_ids = (select(Recycler.id, in_region.label("in_region"), km.label("sql_km"))
                  .where(Recycler.active, Recycler.org_id.in_(verified_ids(OrgKind.RECYCLER)),
                         _takes_sql(cats), or_(in_region, near))
                  .order_by(km, Recycler.id))
    vehicle = "vehicle" in cats

    def page(after: Row | None, size: int) -> tuple[list[tuple[Row, float]], Row | None]:
        """The exact takers among the next `size` rows after `after` in SQL order, and the last row
        read (None when nothing is left unread)."""
        cut = (ranked_ids if after is None else ranked_ids.where(
            or_(km > after.sql_km, and_(km == after.sql_km, Recycler.id > after.id)))).limit(size).subquery()
        rows = session.execute(select(*OFFER_COLUMNS, cut.c.in_region, cut.c.sql_km)
                               .join(cut, cut.c.id == Recycler.id)
                               .join(Organization, Organization.id == Recycler.org_id)
                               .order_by(cut.c.sql_km, cut.c.id)).all()
        out = []
        for r in rows:
            d = haversine_km(addr.lat, addr.lon, r.depot_lat, r.depot_lon)
            if not (r.in_region or (r.radius_km is not None and d <= r.radius_km)):
                continue
            if (vehicle and not r.authorised_dismantler) or not cats <= _kinds(r.kinds):
                continue
            out.append((r, d))
        return out, (rows[-1] if len(rows) == size else None)

    got, last, size = *page(None, first), first
    while not got and last is not None:  # the errors below are raised before any slot is read
        size *= 2
        got, last = page(last, size)
    if not got:
        serving(session, addr)  # raises outside_service_area when nothing serves the address
        filter_takers([], [{"category": c} for c in cats])  # raises the 422 naming why

    def ranked() -> Iterator[tuple[Row, float]]:
        pending, after, size_ = got, last, size
        while True:
            pending.sort(key=lambda rd: (rd[1], str(rd[0].id)))
            bound = None if after is None else after.sql_km - 2 * SQL_SLACK_KM
            i = 0
            while i < len(pending) and (bound is None or pending[i][1] < bound):
                yield pending[i]
                i += 1
            if after is None:
                return
            size_ *= 2
            more, last_row = page(after, size_)
            pending, after = pending[i:] + more, last_row

    return ranked()


def _free(session: Session, recyclers: list[Row], start: datetime, end: datetime,
          volume_l: int, weight_kg: int) -> dict:
    """recycler id -> FreeSlots in [start, end) that still fit one pickup of this bulk."""
    booked: dict = {r.id: {} for r in recyclers}
    for row in session.execute(
            select(Slot.recycler_id, Slot.starts_at, Slot.ends_at, Slot.capacity_count - Slot.booked_count,
                   Slot.capacity_volume_l - Slot.booked_volume_l, Slot.capacity_weight_kg - Slot.booked_weight_kg)
            .where(Slot.recycler_id.in_(list(booked)), Slot.starts_at >= start, Slot.starts_at < end)):
        booked[row[0]][int(row[1].timestamp())] = row
    lo, hi = start.timestamp(), end.timestamp()
    day, last = local_date(start), local_date(end)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    out = {}
    for r in recyclers:
        step = r.slot_minutes * 60
        cap, vol_cap, kg_cap = r.slot_capacity, r.slot_volume_l, r.slot_weight_kg
        fits_empty = cap >= 1 and (vol_cap is None or vol_cap >= volume_l) and (kg_cap is None or kg_cap >= weight_kg)
        mine = booked[r.id]
        slots = []
        for d in days:
            for s in _day_grid(r.working_hours, r.holidays, r.slot_minutes, d):
                if not lo <= s < hi:
                    continue
                row = mine.get(s)
                if row is None:
                    if fits_empty:
                        slots.append(FreeSlot(_utc(s), _utc(s + step), cap, vol_cap, kg_cap))
                    continue
                _, starts, ends, count, vol, kg = row
                if count >= 1 and (vol is None or vol >= volume_l) and (kg is None or kg >= weight_kg):
                    slots.append(FreeSlot(starts, ends, count, vol, kg))
        out[r.id] = slots
    return out


def availability(session: Session, addr: Address, items: list[dict], *, now: datetime, days: int = 7,
                 limit: int = 10, policy: Policy | None = None) -> list[RecyclerSlots]:
    """Up to `limit` recyclers (nearest first) that serve the address, take the items and have
    at least one free slot in the next `days` days, with those slots (`policy`: the app's by default)."""
    policy = policy or deps.of(session).pickup_policy
    items = item_rules.normalise(items, identifiers.hasher(session))
    # A few more rows than `limit` in the first read: most takers have a free slot.
    takers = _offers(session, addr, item_rules.categories(items), first=limit + 6)
    vol, kg = item_rules.budget(items)
    start = now + policy.lead
    end = now + timedelta(days=min(days, policy.horizon_days))
    out: list[RecyclerSlots] = []
    while chunk := list(islice(takers, limit)):
        slots = _free(session, [r for r, _ in chunk], start, end, vol, kg)
        for r, d in chunk:
            if slots[r.id]:
                out.append(RecyclerSlots(r, round(d, 2), slots[r.id]))
                if len(out) == limit:
                    return out
    return out
