"""Instant valuation and its acceptance: a quote is a trade-in in state `quoted`, valid for a set
time; accepting it picks the handover and the payout, once."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from services import clock, identifiers, regions
from services.accounts.models import Organization, OrgKind, Role, User
from services.db import Checkpoint, each_locked, no_checkpoint
from services.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from services.orders.models import Order
from services.tradeins import common, identity, pricing, prices, questionnaire, settlement, states
from services.tradeins.models import Handover, PayoutMethod, Status, TradeIn
from services.deps import of as app_deps
from services.tradeins.ports import Deps

MAX_AGE_MONTHS = 600


def _org(session: Session, org_id, kinds: tuple[OrgKind, ...]) -> Organization | None:
    org = session.get(Organization, org_id) if org_id else None
    return org if org is not None and org.kind in kinds else None


def create_quote(session: Session, user: User, data: dict, deps: Deps) -> TradeIn:
    """Price the consumer's old item and keep the quote for `quote_valid_days`.

    Raises ValidationFailed naming each bad field (category, answers.*, imei/vin check digits,
    unknown model, unknown retailer) and DeviceBlocked when the item is on the blocklist.
    """
    if user.role != Role.CONSUMER:
        raise Forbidden("trade-ins are for consumers", code="role_required")
    category, kind = data.get("category"), data.get("kind")
    errors = questionnaire.validate(category, data.get("answers"), declaring=True)
    if category in questionnaire.CATEGORIES:
        errors.update(identity.errors(category, kind, data))
        if kind is not None and kind not in prices.KINDS[category]:
            errors["kind"] = [f"One of: {', '.join(prices.KINDS[category])}."]
    age = data.get("age_months")
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE_MONTHS:
        errors["age_months"] = [f"A whole number of months between 0 and {MAX_AGE_MONTHS}."]
    org_id = data.get("org_id")
    if org_id and _org(session, org_id, (OrgKind.RETAILER,)) is None:
        errors["org_id"] = ["No such retailer."]
    if errors:
        raise ValidationFailed("invalid trade-in request", fields=errors)
    price = prices.lookup(session, category, data["brand"], data["model"], org_id)
    if kind is not None and kind != price.kind:
        raise ValidationFailed("kind does not match the model",
                               fields={"kind": [f"{price.brand} {price.model} is a {price.kind}."]})
    ids = identity.hashed(identifiers.hasher(session), category, data)
    identity.refuse_blocked(session, category, ids)
    label = f"{price.brand} {price.model}"
    val = pricing.value(category=category, label=label, base_fen=price.base_fen, answers=data["answers"],
                        age_months=age, bonus_fen=price.bonus_fen, bonus_label=price.bonus_label)
    now = clock.now(session)
    t = TradeIn(id=uuid.uuid4(), consumer_id=user.id, org_id=org_id, status=Status.QUOTED, category=category,
                kind=price.kind, brand=price.brand, model=price.model, age_months=age,
                device_hash=ids.device_hash, device_last4=ids.device_last4, serial_hash=ids.serial_hash,
                serial_last4=ids.serial_last4, declared=dict(data["answers"]), price_entry_id=price.entry_id,
                base_price_fen=price.base_fen, bonus_fen=price.bonus_fen, bonus_label=price.bonus_label,
                quoted_fen=val.amount_fen, quote_lines=[ln.as_dict() for ln in val.lines],
                expires_at=now + timedelta(days=deps.settings.quote_valid_days), prepaid_fen=0, paid_fen=0)
    session.add(t)
    common.record(session, t, None, Status.QUOTED, user.id)
    session.flush()
    return t


def _handover_errors(session: Session, t: TradeIn, h: dict) -> tuple[dict, Organization | None]:
    errors: dict[str, list[str]] = {}
    method, handler = h.get("method"), None
    now = clock.now(session)
    if method == Handover.PICKUP.value:
        if not (h.get("address") or "").strip():
            errors["handover.address"] = ["Missing data for required field."]
        if not h.get("region_code") or not regions.exists(h["region_code"]):
            errors["handover.region_code"] = ["Unknown GB/T 2260 region code."]
        if not h.get("starts_at"):
            errors["handover.starts_at"] = ["The pickup slot's start (see GET /api/v1/pickups/availability)."]
        elif h["starts_at"] < now:
            errors["handover.starts_at"] = ["The slot has already started."]
    elif method == Handover.DROPOFF.value:
        handler = _org(session, h.get("collection_point_org_id"), (OrgKind.RETAILER, OrgKind.RECYCLER))
        if handler is None or not handler.is_verified:  # devices go only to vetted hands
            handler = None
            errors["handover.collection_point_org_id"] = ["No such collection point (a verified retailer or recycler)."]
    elif method == Handover.WITH_DELIVERY.value:
        order = session.get(Order, h["order_id"]) if h.get("order_id") else None
        if t.org_id is None:
            errors["handover.method"] = ["送新取旧 needs a quote from the retailer that delivers (org_id)."]
        elif order is None or order.buyer_id != t.consumer_id or order.seller_org_id != t.org_id:
            errors["handover.order_id"] = ["Your order from this retailer whose delivery takes the old item away."]
        else:
            handler = session.get(Organization, t.org_id)
    else:
        errors["handover.method"] = [f"One of: {', '.join(m.value for m in Handover)}."]
    return errors, handler


def _payout_errors(p: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if p.get("method") not in [m.value for m in PayoutMethod]:
        errors["payout.method"] = [f"One of: {', '.join(m.value for m in PayoutMethod)}."]
    return errors


def accept(session: Session, user: User, tradein_id, data: dict, deps: Deps) -> TradeIn:
    """Accept a live quote with a handover and a payout choice. Of concurrent acceptances exactly
    one succeeds (a conditional UPDATE); an expired quote is a 409 `quote_expired`. Trusted
    consumers are paid now (prepayment)."""
    t = common.get(session, user, tradein_id)
    common.require_consumer(user, t)
    states.check_action(t.status, "accept")
    h, p = data.get("handover") or {}, data.get("payout") or {}
    errors, handler = _handover_errors(session, t, h)
    errors.update(_payout_errors(p))
    if errors:
        raise ValidationFailed("invalid acceptance", fields=errors)
    identity.refuse_blocked(session, t.category, identity.Ids(t.device_hash, t.device_last4, t.serial_hash,
                                                              t.serial_last4))
    now = clock.now(session)
    won = session.execute(
        update(TradeIn).where(TradeIn.id == t.id, TradeIn.status == Status.QUOTED, TradeIn.expires_at > now,
                              TradeIn.consumer_id == user.id)
        .values(status=Status.ACCEPTED, accepted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(t)
    if won != 1:
        if t.status == Status.QUOTED:
            raise Conflict(f"this quote expired at {t.expires_at.isoformat()}; ask for a new one",
                           code="quote_expired")
        raise InvalidState(t.status.value, Status.ACCEPTED.value, [s.value for s in states.TRANSITIONS[t.status]])
    common.record(session, t, Status.QUOTED, Status.ACCEPTED, user.id)
    t.handover_method = Handover(h["method"])
    details = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, uuid.UUID) else v)
               for k, v in h.items() if k != "method" and v is not None}
    t.handler_org_id = handler.id if handler is not None else None
    if t.handover_method == Handover.PICKUP:
        booked = deps.pickups.book(session, user, t, h)
        details["booking_id"] = booked.booking_id
        t.handler_org_id = booked.handler_org_id
    t.handover = details
    t.payout_method = PayoutMethod(p["method"])
    settlement.prepay(session, t, deps)
    session.flush()
    return t


def cancel(session: Session, user: User, tradein_id, deps: Deps) -> TradeIn:
    """The consumer walks away before handing the item over; a prepayment is clawed back."""
    t = common.lock(session, user, tradein_id)
    common.require_consumer(user, t)
    common.move(session, t, Status.CANCELLED, user.id, "cancelled by the consumer", action="cancel")
    settlement.claw_back_prepayment(session, t, deps, "cancelled after prepayment")
    session.flush()
    return t


def expire_due(session: Session, deps: Deps | None = None, *, checkpoint: Checkpoint = no_checkpoint) -> int:
    """Periodic: quotes past their validity expire; unanswered counter-offers become free
    returns; overdue clawbacks become unpaid. Returns how many rows moved. `deps` defaults to the
    app's trade-in ports; `checkpoint` after each row (one transaction per item under the job
    runner)."""
    deps, now, n = deps or app_deps(session).tradeins, clock.now(session), 0
    for t in each_locked(session, TradeIn, TradeIn.status == Status.QUOTED, TradeIn.expires_at <= now):
        common.move(session, t, Status.EXPIRED, None, "quote expired", action="expire")
        session.flush()
        checkpoint()
        n += 1
    for t in each_locked(session, TradeIn, TradeIn.status == Status.COUNTER_OFFERED, TradeIn.offer_expires_at <= now):
        common.move(session, t, Status.RETURNING, None, "counter-offer not answered in time: free return",
                    action="offer_timeout")
        settlement.claw_back_prepayment(session, t, deps, "counter-offer expired, item returned")
        session.flush()
        checkpoint()
        n += 1
    return n + settlement.mark_overdue(session, checkpoint=checkpoint)
