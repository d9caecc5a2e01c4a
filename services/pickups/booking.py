"""Booking a pickup (by the consumer, a retailer for its buyer, or a trade-in), rescheduling,
cancelling with a cut-off, and the pool that recyclers claim from."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services import clock, deps, identifiers, pagination
from services.accounts.interface import acting_org, require_verified
from services.accounts.models import OrgKind, Role, User
from services.credit.interface import record_event
from services.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from services.notifications import Notifier
from services.pickups import access, lifecycle, notify, slots
from services.pickups import items as item_rules
from services.pickups.availability import Address, filter_takers, hours_of, schedules, serving, takes
from services.pickups.models import Booking, BookingItem, BookingStatus as S, Recycler, StatusChange
from services.pickups.policy import Policy
from services.pickups.schedule import is_slot_start, slot_containing, slot_starts

POOL_WINDOW = timedelta(hours=2)
OPEN = (S.REQUESTED, S.CONFIRMED, S.ASSIGNED, S.EN_ROUTE, S.ARRIVED)


def _within_cap(session: Session, consumer_id, policy: Policy) -> None:
    """A consumer's own open bookings stay under the cap. The consumer's row is locked first so
    that concurrent bookings of one account are counted one after the other."""
    if not policy.max_open_bookings:
        return
    session.execute(select(User.id).where(User.id == consumer_id).with_for_update())
    held = session.scalar(select(func.count()).select_from(Booking).where(
        Booking.consumer_id == consumer_id, Booking.source == "consumer", Booking.status.in_(OPEN)))
    if held >= policy.max_open_bookings:
        raise Conflict(f"at most {policy.max_open_bookings} open pickups per account; cancel one or wait "
                       "until one is collected", code="too_many_open_bookings",
                       extra={"limit": policy.max_open_bookings})


def _check_time(starts_at: datetime, now: datetime, policy: Policy) -> datetime:
    """The slot start in UTC, if it is bookable now."""
    if starts_at.tzinfo is None:
        raise ValidationFailed("time without a zone", fields={"starts_at": ["Give a time zone offset."]})
    if starts_at < now:
        raise ValidationFailed("this slot is in the past", code="slot_in_past",
                               fields={"starts_at": ["The slot has already started."]})
    if starts_at < now + policy.lead:
        raise ValidationFailed("this slot is too soon", code="slot_too_soon",
                               fields={"starts_at": [f"Book at least {policy.lead} ahead."]})
    if starts_at > now + timedelta(days=policy.horizon_days):
        raise ValidationFailed("this slot is too far ahead", code="slot_too_far",
                               fields={"starts_at": [f"Book at most {policy.horizon_days} days ahead."]})
    return starts_at.astimezone(timezone.utc)


def _take_at(session: Session, r: Recycler, starts_at: datetime, items: list[dict]) -> uuid.UUID:
    vol, kg = item_rules.budget(items)
    if (r.slot_volume_l is not None and vol > r.slot_volume_l) or (r.slot_weight_kg is not None and kg > r.slot_weight_kg):
        raise ValidationFailed("the items exceed one slot's budget", code="exceeds_slot_budget",
                               fields={"items": [f"{vol} L / {kg} kg is more than one slot takes "
                                                 f"({r.slot_volume_l} L / {r.slot_weight_kg} kg)."]})
    slot_id = slots.take(session, r, starts_at, vol, kg)
    if slot_id is None:
        raise Conflict("this slot is full", code="slot_full", extra={"starts_at": starts_at.isoformat()})
    return slot_id


def _direct(session: Session, addr: Address, items: list[dict], recycler_id, starts_at: datetime):
    r = session.get(Recycler, recycler_id)
    if r is None or not r.active:
        raise NotFound("no such recycler")
    if r.id not in {x.id for x, _ in serving(session, addr)}:
        raise ValidationFailed("this recycler does not serve the address", code="outside_service_area",
                               fields={"recycler_id": ["The address is outside this recycler's service area."]})
    cats = item_rules.categories(items)
    if not takes(r, cats):
        if "vehicle" in cats and not r.authorised_dismantler:
            raise ValidationFailed("vehicles only go to an authorised dismantler", code="not_authorised_dismantler",
                                   fields={"recycler_id": ["This recycler is not an authorised dismantler."]})
        raise ValidationFailed("this recycler does not take these items", code="kind_not_accepted",
                               fields={"items": [f"Takes only {', '.join(r.kinds)}."]})
    if not is_slot_start(hours_of(r), starts_at):
        raise ValidationFailed("not one of this recycler's slots", code="not_a_slot",
                               fields={"starts_at": ["Pick a slot start from the availability query."]})
    return r, _take_at(session, r, starts_at, items)


def _nearest(session: Session, addr: Address, items: list[dict], starts_at: datetime):
    """The nearest recycler that takes the items and still has room at that time."""
    takers = [r.id for r, _ in filter_takers(serving(session, addr), items)]
    sched = schedules(session, takers)
    on_grid = [sched[i] for i in takers if is_slot_start(hours_of(sched[i]), starts_at)]
    if not on_grid:
        raise ValidationFailed("no recycler here has a slot starting then", code="not_a_slot",
                               fields={"starts_at": ["Pick a slot start from the availability query."]})
    vol, kg = item_rules.budget(items)
    for row in on_grid:
        slot_id = slots.take(session, row, starts_at, vol, kg)
        if slot_id is not None:
            return session.get(Recycler, row.id), slot_id
    raise Conflict("every recycler's slot at this time is full", code="slot_full",
                   extra={"starts_at": starts_at.isoformat()})


def _consumer_for(session: Session, actor: User, data: dict) -> tuple[uuid.UUID, uuid.UUID | None, str]:
    if actor.role == Role.CONSUMER:
        if data.get("consumer_id") not in (None, actor.id):
            raise Forbidden("consumers book for themselves", code="not_your_booking")
        return actor.id, None, "consumer"
    if actor.role == Role.RETAILER:
        if not data.get("consumer_id") or not data.get("order_id"):
            raise ValidationFailed("a retailer books for a buyer and an order",
                                   fields={k: ["Required when a retailer books."] for k in ("consumer_id", "order_id")
                                           if not data.get(k)})
        buyer = session.get(User, data["consumer_id"])
        if buyer is None or buyer.role != Role.CONSUMER:
            raise ValidationFailed("no such buyer", fields={"consumer_id": ["Not a consumer."]})
        return buyer.id, acting_org(actor, data.get("org_id")), "retailer"
    raise Forbidden("consumers and retailers book pickups", code="role_not_allowed")


def create_booking(session: Session, actor: User, addr: Address, items: list[dict], starts_at: datetime, *,
                   notifier: Notifier, recycler_id=None, dispatch: str | None = None, order_id=None,
                   consumer_id=None, org_id=None, trade_in_id=None, policy: Policy | None = None) -> Booking:
    """Book a pickup. `direct` (a recycler_id given) and `nearest` take a unit of slot capacity at
    once and are confirmed; `pool` waits, requested, for a serving recycler to claim it. Never
    overbooks: a full slot is a 409 `slot_full`. `policy` defaults to the app's booking rules."""
    now, policy = clock.now(session), policy or deps.of(session).pickup_policy
    cid, booker_org, source = _consumer_for(session, actor, {"consumer_id": consumer_id, "order_id": order_id,
                                                             "org_id": org_id})
    if trade_in_id:
        source = "trade_in"
    items = item_rules.normalise(items, identifiers.hasher(session))
    starts_at = _check_time(starts_at, now, policy)
    if source == "consumer":
        _within_cap(session, cid, policy)
    dispatch = dispatch or ("direct" if recycler_id else "nearest")
    b = Booking(id=uuid.uuid4(), consumer_id=cid, booked_by_id=actor.id, booked_by_org_id=booker_org,
                source=source, order_id=order_id, trade_in_id=trade_in_id, dispatch=dispatch,
                region_code=addr.region_code, lat=addr.lat, lon=addr.lon, address_line=addr.line,
                status=S.REQUESTED)
    b.history.append(StatusChange(from_status=None, to_status=S.REQUESTED.value, actor_id=actor.id, at=now))
    b.items = [BookingItem(position=n, **{k: i[k] for k in ("category", "kind", "description", "listing_id",
                                                              "device_hash", "device_last4", "volume_l",
                                                              "weight_kg")}) for n, i in enumerate(items)]
    b.volume_l, b.weight_kg = item_rules.budget(items)
    if dispatch == "pool":
        if not [r for r, _ in filter_takers(serving(session, addr), items) if r.accepts_pool]:
            raise ValidationFailed("no recycler here takes pool requests", code="no_pool_recycler",
                                   fields={"dispatch": ["Book a slot with a recycler instead."]})
        b.starts_at, b.ends_at = starts_at, starts_at + POOL_WINDOW
        session.add(b)
        session.flush()
        return b
    if dispatch == "direct":
        if not recycler_id:
            raise ValidationFailed("which recycler?", fields={"recycler_id": ["Required for direct dispatch."]})
        r, slot_id = _direct(session, addr, items, recycler_id, starts_at)
    else:
        r, slot_id = _nearest(session, addr, items, starts_at)
    _confirm(b, r, slot_id, starts_at, actor.id, at=clock.now(session))
    session.add(b)
    session.flush()
    notify.booking_confirmed(notifier, session, b)
    return b


def _confirm(b: Booking, r: Recycler, slot_id, starts_at: datetime, actor_id, reason: str | None = None, *,
             at: datetime) -> None:
    b.recycler_id, b.recycler, b.slot_id = r.id, r, slot_id
    b.starts_at, b.ends_at = starts_at, starts_at + timedelta(minutes=r.slot_minutes)
    lifecycle.move(b, S.CONFIRMED, actor_id, reason, at=at)


def _held(b: Booking) -> list[dict]:
    return [{"category": i.category, "volume_l": i.volume_l, "weight_kg": i.weight_kg} for i in b.items]


def locked(session: Session, booking_id) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())


def get(session: Session, actor: User | None, booking_id) -> Booking:
    return access.require_view(actor, session.get(Booking, booking_id))


def _before_cutoff(b: Booking, now: datetime, policy: Policy) -> None:
    if now >= b.starts_at - policy.cutoff:
        raise Conflict(f"changes close {policy.cutoff} before the slot", code="cutoff_passed",
                       extra={"cutoff_at": (b.starts_at - policy.cutoff).isoformat()})


def reschedule(session: Session, actor: User, booking_id, starts_at: datetime, *, notifier: Notifier,
               recycler_id=None, policy: Policy | None = None) -> Booking:
    """Move the pickup to another slot (same recycler unless one is named) before the cut-off.
    The new slot is taken before the old is given back, so a full slot leaves the booking as it was."""
    now, policy = clock.now(session), policy or deps.of(session).pickup_policy
    b = access.require_view(actor, locked(session, booking_id))
    access.require_consumer_side(actor, b)
    if b.status not in lifecycle.OPEN:
        raise InvalidState(b.status.value, S.CONFIRMED.value, lifecycle.allowed(b.status))
    _before_cutoff(b, now, policy)
    starts_at = _check_time(starts_at, now, policy)
    addr = Address(b.region_code, b.lat, b.lon, b.address_line)
    items = _held(b)
    if b.recycler_id is None:  # still in the pool: only the wished-for window moves
        b.starts_at, b.ends_at = starts_at, starts_at + POOL_WINDOW
        b.history.append(StatusChange(from_status=b.status.value, to_status=b.status.value, actor_id=actor.id,
                                      reason=f"rescheduled to {starts_at.isoformat()}", at=now))
        session.flush()
        return b
    target = recycler_id or b.recycler_id
    if target == b.recycler_id and starts_at == b.starts_at:
        raise ValidationFailed("already booked for this slot", fields={"starts_at": ["That is the current slot."]})
    r, slot_id = _direct(session, addr, items, target, starts_at)
    slots.give_back(session, b)
    b.collector_id, b.collector, b.reminder_sent_at = None, None, None
    _confirm(b, r, slot_id, starts_at, actor.id, reason=f"rescheduled to {starts_at.isoformat()}",
             at=clock.now(session))
    session.flush()
    notify.booking_confirmed(notifier, session, b)
    return b


def cancel(session: Session, actor: User, booking_id, reason: str | None, *, policy: Policy | None = None) -> Booking:
    """Cancel. The consumer side only before the cut-off; the recycler side at any time before
    arrival, but after the cut-off that counts as the recycler's no-show."""
    now, policy = clock.now(session), policy or deps.of(session).pickup_policy
    b = access.require_view(actor, locked(session, booking_id))
    lifecycle.require_can(b, S.CANCELLED)
    late = now >= b.starts_at - policy.cutoff
    if access.is_recycler_side(actor, b) and not access.is_consumer_side(actor, b):
        if late:
            record_event(session, b.recycler.org_id, "pickup_cancelled_late", ref_type="pickup", ref_id=b.id,
                         detail={"side": "recycler"})
    elif not actor.is_operator:
        access.require_consumer_side(actor, b)
        if late:
            _before_cutoff(b, now, policy)
    slots.give_back(session, b)
    lifecycle.move(b, S.CANCELLED, actor.id, reason, at=clock.now(session))
    session.flush()
    return b


def pool(session: Session, actor: User, *, limit: int = 50) -> list[Booking]:
    """Requested pool bookings the actor's recycler could claim (serves the address, takes the items)."""
    offers = list(session.scalars(select(Recycler).where(Recycler.org_id.in_(actor.org_ids()), Recycler.active,
                                                         Recycler.accepts_pool)))
    if not offers:
        return []
    mine = {r.id for r in offers}
    out = []
    for b in session.scalars(select(Booking).where(Booking.status == S.REQUESTED, Booking.recycler_id.is_(None),
                                                   Booking.starts_at > clock.now(session)).order_by(Booking.starts_at)):
        cats = {i.category for i in b.items}
        try:
            near = serving(session, Address(b.region_code, b.lat, b.lon))
        except ValidationFailed:
            continue
        if any(r.id in mine and takes(r, cats) for r, _ in near):
            out.append(b)
            if len(out) == limit:
                break
    return out


def claim(session: Session, actor: User, booking_id, *, notifier: Notifier) -> Booking:
    """A recycler takes a pool booking into its slot that covers the wished-for time."""
    b = locked(session, booking_id)
    if b is None or b.dispatch != "pool":
        raise NotFound("no such pickup in the pool")
    if b.status != S.REQUESTED or b.recycler_id is not None:
        raise Conflict("already claimed or closed", code="already_claimed")
    r = session.scalar(select(Recycler).where(Recycler.org_id.in_(actor.org_ids()), Recycler.active))
    if actor.role != Role.RECYCLER or r is None:
        raise Forbidden("only a recycler with a pickup offer claims", code="not_recycler_staff")
    require_verified(session, r.org_id, OrgKind.RECYCLER, "take pickups")
    addr = Address(b.region_code, b.lat, b.lon, b.address_line)
    if r.id not in {x.id for x, _ in serving(session, addr)}:
        raise ValidationFailed("the address is outside your service area", code="outside_service_area")
    h = hours_of(r)
    items = _held(b)
    if not takes(r, item_rules.categories(items)):
        raise ValidationFailed("you do not take these items", code="kind_not_accepted")
    start = slot_containing(h, b.starts_at) or next(iter(slot_starts(h, b.starts_at, b.ends_at)), None)
    if start is None:
        raise ValidationFailed("you have no slot in the wished-for window", code="not_a_slot")
    _confirm(b, r, _take_at(session, r, start, items), start, actor.id, reason="claimed from the pool",
             at=clock.now(session))
    session.flush()
    notify.booking_confirmed(notifier, session, b)
    return b


def list_for(session: Session, actor: User, *, cursor: str | None, limit: int, status: str | None = None,
             order_id=None):
    """Pickups the actor takes part in (all for operators), newest first."""
    stmt = select(Booking)
    if not actor.is_operator:
        orgs = actor.org_ids()
        conds = [Booking.consumer_id == actor.id, Booking.booked_by_id == actor.id]
        if orgs:
            conds.append(Booking.booked_by_org_id.in_(orgs))
            if actor.role == Role.RECYCLER:
                conds.append(Booking.recycler_id.in_(select(Recycler.id).where(Recycler.org_id.in_(orgs))))
        stmt = stmt.where(or_(*conds))
    if status:
        stmt = stmt.where(Booking.status == S(status))
    if order_id:
        stmt = stmt.where(Booking.order_id == order_id)
    return pagination.page(session, stmt, Booking, cursor, limit)


def for_order(session: Session, order_id) -> list[Booking]:
    """Pickups linked to an order (for the orders domain: delivery and pickup share the visit)."""
    return list(session.scalars(select(Booking).where(Booking.order_id == order_id).order_by(Booking.created_at)))
