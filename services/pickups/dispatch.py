"""After booking: a collector is assigned, goes, arrives; no-shows on either side; the
collector's day in travel order."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.accounts.models import User
from services.credit.interface import record_event
from services.errors import Conflict, NotFound, ValidationFailed
from services.notifications import Notifier
from services.pickups import access, lifecycle, notify
from services.pickups.booking import locked
from services.pickups.models import (Booking, BookingItem, BookingStatus as S, Collector, ItemMove, Recycler,
                                     Voucher)
from services.pickups.routing import path_length, plan_day
from services.clock import SHANGHAI

# Moves the recycler side makes through the generic transition endpoint; collection, claims,
# assignment, cancellation and no-shows have their own functions because they carry data.
STEPS = (S.EN_ROUTE, S.ARRIVED, S.DELIVERED_TO_FACILITY, S.PROCESSED, S.FAILED)


def _local_day(d: date) -> tuple[datetime, datetime]:
    start = datetime.combine(d, time(0), SHANGHAI)
    return start, start + timedelta(days=1)


def assign(session: Session, actor: User, booking_id, collector_id=None) -> Booking:
    """Give the pickup to one of the recycler's collectors (the least busy that day if none named)."""
    b = access.require_view(actor, locked(session, booking_id))
    access.require_recycler_side(actor, b)
    lifecycle.require_can(b, S.ASSIGNED)
    org_id = b.recycler.org_id
    if collector_id:
        c = session.get(Collector, collector_id)
        if c is None or c.org_id != org_id or not c.active:
            raise ValidationFailed("not one of this recycler's collectors",
                                   fields={"collector_id": ["Not an active collector of this recycler."]})
    else:
        c = _least_busy(session, org_id, b.starts_at)
    b.collector_id, b.collector = c.id, c
    lifecycle.move(b, S.ASSIGNED, actor.id, f"collector {c.name}", at=clock.now(session))
    session.flush()
    return b


def _least_busy(session: Session, org_id, at: datetime) -> Collector:
    start, end = _local_day(at.astimezone(SHANGHAI).date())
    load = func.count(Booking.id)
    row = session.execute(
        select(Collector, load).outerjoin(Booking, (Booking.collector_id == Collector.id)
                                          & (Booking.starts_at >= start) & (Booking.starts_at < end)
                                          & Booking.status.not_in(lifecycle.TERMINAL))
        .where(Collector.org_id == org_id, Collector.active)
        .group_by(Collector.id).order_by(load, Collector.name, Collector.id).limit(1)).first()
    if row is None:
        raise Conflict("this recycler has no active collector", code="no_collector")
    return row[0]


def advance(session: Session, actor: User, booking_id, to: str, reason: str | None = None, *,
            notifier: Notifier) -> Booking:
    """A recycler-side step: en_route, arrived, delivered_to_facility (the items arrive at the
    voucher's facility), processed, or failed (with a reason)."""
    target = S(to)
    if target not in STEPS:
        raise ValidationFailed("use the dedicated endpoint", fields={"to": [f"One of {[s.value for s in STEPS]}."]})
    b = access.require_view(actor, locked(session, booking_id))
    access.require_recycler_side(actor, b)
    lifecycle.require_can(b, target)
    if target == S.FAILED and not reason:
        raise ValidationFailed("a failure needs a reason", fields={"reason": ["Say why the pickup failed."]})
    if target == S.FAILED:
        b.failure_reason = "other"
    if target == S.PROCESSED and any(i.facility_id is None for i in b.items):
        raise Conflict("deliver the items to the facility first", code="not_delivered")
    lifecycle.move(b, target, actor.id, reason, at=clock.now(session))
    if target == S.DELIVERED_TO_FACILITY:
        facility_id = session.scalar(select(Voucher.facility_id).where(Voucher.booking_id == b.id))
        for item in b.items:
            item_arrives(item, facility_id, actor.id, clock.now(session))
    session.flush()
    if target == S.EN_ROUTE:
        notify.collector_en_route(notifier, session, b)
    return b


def item_arrives(item: BookingItem, facility_id, actor_id, at) -> None:
    item.moves.append(ItemMove(facility_id=facility_id, actor_id=actor_id, at=at))
    item.facility_id = facility_id


def no_show(session: Session, actor: User, booking_id, side: str, note: str | None = None) -> Booking:
    """Record that one side did not turn up; the pickup fails and the credit history keeps it.

    The consumer's no-show is reported by the recycler once the collector has arrived; the
    recycler's by the consumer (or an operator) once the slot has ended without an arrival."""
    now = clock.now(session)
    b = access.require_view(actor, locked(session, booking_id))
    if side == "consumer":
        access.require_recycler_side(actor, b)
        if b.status != S.ARRIVED:
            raise Conflict("the collector must have arrived first", code="not_arrived",
                           extra={"current": b.status.value})
        subject = b.consumer_id
    elif side == "recycler":
        access.require_consumer_side(actor, b)
        if b.recycler is None or b.status not in (S.CONFIRMED, S.ASSIGNED, S.EN_ROUTE):
            raise Conflict("only a confirmed pickup that nobody came for", code="not_a_no_show",
                           extra={"current": b.status.value})
        if now < b.ends_at:
            raise Conflict("the slot has not ended yet", code="slot_not_over", extra={"ends_at": b.ends_at.isoformat()})
        subject = b.recycler.org_id
    else:
        raise ValidationFailed("side is consumer or recycler", fields={"side": ["consumer or recycler"]})
    mark_no_show(session, b, side, subject, actor.id, note)
    return b


def mark_no_show(session: Session, b: Booking, side: str, subject, actor_id, note: str | None = None) -> None:
    lifecycle.move(b, S.FAILED, actor_id, note or f"{side} did not show", at=clock.now(session))
    b.failure_reason = f"{side}_no_show"
    record_event(session, subject, "pickup_no_show", ref_type="pickup", ref_id=b.id, detail={"side": side})
    session.flush()


def collector_day(session: Session, actor: User, collector_id, day: date) -> tuple[Collector, list[Booking], float]:
    """The collector's pickups that day in visiting order: slot by slot, each slot's stops
    ordered by nearest neighbour + 2-opt from where the previous slot ended (the depot first);
    with the route's length in km from the depot."""
    c = session.get(Collector, collector_id)
    if c is None or not (actor.is_operator or access.is_member(actor, c.org_id)):
        raise NotFound("no such collector")
    depot = session.scalar(select(Recycler).where(Recycler.org_id == c.org_id))
    start, end = _local_day(day)
    rows = list(session.scalars(select(Booking).where(
        Booking.collector_id == c.id, Booking.starts_at >= start, Booking.starts_at < end,
        Booking.status.in_((S.ASSIGNED, S.EN_ROUTE, S.ARRIVED))).order_by(Booking.starts_at, Booking.id)))
    windows: dict[datetime, list[Booking]] = defaultdict(list)
    for b in rows:
        windows[b.starts_at].append(b)
    origin = (depot.depot_lat, depot.depot_lon) if depot else (rows[0].lat, rows[0].lon) if rows else (0.0, 0.0)
    ordered = plan_day(origin, [windows[k] for k in sorted(windows)], lambda b: (b.lat, b.lon))
    return c, ordered, path_length(origin, [(b.lat, b.lon) for b in ordered])
