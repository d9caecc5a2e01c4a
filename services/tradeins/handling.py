"""After acceptance: the item travels to its handler, is received, photographed and inspected;
the consumer answers a counter-offer; a declined or unpayable item goes back, tracked."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import audit, clock, identifiers, remanufacturing
from services.accounts.models import User
from services.credit.interface import record_event
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings.interface import sanitise_photo
from services.storage import Storage, put_on_commit
from services.tradeins import common, identity, pricing, questionnaire, settlement, states
from services.tradeins.models import InspectionPhoto, Status, TradeIn
from services.tradeins.ports import Deps

log = logging.getLogger(__name__)

MAX_PHOTOS = 12


def _claim(t: TradeIn, actor: User) -> None:
    if t.handler_org_id is None:
        t.handler_org_id = next(iter(sorted(actor.org_ids())))


def collect(session: Session, actor: User, tradein_id) -> TradeIn:
    """Staff (or the courier's organisation) took the item from the consumer: accepted -> in_transit."""
    t = common.lock(session, actor, tradein_id)
    common.require_staff(actor, t, may_claim=True)
    common.move(session, t, Status.IN_TRANSIT, actor.id, "collected from the consumer", action="collect")
    _claim(t, actor)
    session.flush()
    return t


def mark_collected(session: Session, tradein_id, org_id: uuid.UUID, note: str | None = None) -> TradeIn:
    """For the pickup domain: its courier collected the item for `org_id`."""
    t = common.lock(session, None, tradein_id)
    if t.handler_org_id not in (None, org_id):
        raise Forbidden("another organisation handles this trade-in", code="not_handler")
    common.move(session, t, Status.IN_TRANSIT, None, note or "collected by pickup", action="collect")
    t.handler_org_id = org_id
    session.flush()
    return t


def on_pickup_collected(session: Session, tradein_id, org_id: uuid.UUID, voucher_number: str) -> TradeIn | None:
    """Called when the pickup's collector takes a traded-in item (services.flows.collection): the trade-in goes in
    transit unless staff already moved it on. Returns the trade-in, or None when there is none."""
    t = session.get(TradeIn, tradein_id)
    if t is None:
        log.warning("pickup collected for an unknown trade-in", extra={"trade_in_id": str(tradein_id)})
        return None
    if not states.allowed(t.status, Status.IN_TRANSIT):
        return t
    return mark_collected(session, tradein_id, org_id, note=f"collected by pickup, voucher {voucher_number}")


def receive(session: Session, actor: User, tradein_id) -> TradeIn:
    """The item arrived at the handler (or was dropped off there): -> received."""
    t = common.lock(session, actor, tradein_id)
    common.require_staff(actor, t, may_claim=True)
    common.move(session, t, Status.RECEIVED, actor.id, "received for inspection", action="receive")
    _claim(t, actor)
    session.flush()
    return t


def add_photo(session: Session, storage: Storage, actor: User, tradein_id, data: bytes) -> InspectionPhoto:
    """An inspection photo (type read from the bytes, EXIF removed) while the item is being inspected."""
    t = common.lock(session, actor, tradein_id)
    common.require_staff(actor, t)
    if t.status not in states.INSPECTABLE:
        raise Conflict(f"photos are taken during inspection, not when {t.status.value}", code="not_inspecting")
    count = session.scalar(select(func.count()).select_from(InspectionPhoto).where(InspectionPhoto.tradein_id == t.id))
    if count >= MAX_PHOTOS:
        raise Conflict(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
    clean, ctype, w, h = sanitise_photo(data)
    photo = InspectionPhoto(id=uuid.uuid4(), tradein_id=t.id, content_type=ctype, size_bytes=len(clean), width=w,
                            height=h, uploaded_by=actor.id, storage_key="", created_at=clock.now(session))
    photo.storage_key = f"tradeins/{t.id}/{photo.id}.{ctype.split('/')[1]}"
    put_on_commit(session, storage, photo.storage_key, clean, ctype)
    session.add(photo)
    session.flush()
    return photo


def get_photo(session: Session, viewer: User | None, photo_id) -> InspectionPhoto:
    photo = session.get(InspectionPhoto, photo_id)
    if photo is None or not common.can_view(viewer, session.get(TradeIn, photo.tradein_id)):
        raise NotFound("no such photo")
    return photo


def list_photos(session: Session, t: TradeIn) -> list[InspectionPhoto]:
    return list(session.scalars(select(InspectionPhoto).where(InspectionPhoto.tradein_id == t.id)
                                .order_by(InspectionPhoto.created_at)))


def inspect(session: Session, actor: User, tradein_id, data: dict, deps: Deps) -> TradeIn:
    """Record the checklist and decide: matches (inspected), worse (counter-offer by the same price
    model), locked (Activation Lock/FRP on: cannot be paid), blocklisted (held for review), or not
    the quoted device (returned)."""
    t = common.lock(session, actor, tradein_id)
    common.require_staff(actor, t)
    states.check_action(t.status, "inspect")
    errors = questionnaire.validate(t.category, data.get("answers"), declaring=False)
    errors.update(identity.errors(t.category, t.kind, data))
    if not list_photos(session, t):
        errors["photos"] = ["Upload at least one inspection photo first."]
    # The cosmetic grade on the same scale as listings, with its facts: the resale listing inherits it.
    grade, facts = data.get("cosmetic_grade"), data.get("grade_facts")
    for k, msgs in remanufacturing.grading.grade_errors(grade, facts, electronics=t.category == "electronics").items():
        errors[k.replace("inspection", "grade_facts", 1)] = msgs
    if errors:
        raise ValidationFailed("invalid inspection", fields=errors)
    answers, now = dict(data["answers"]), clock.now(session)
    seen = identity.hashed(identifiers.hasher(session), t.category, data)
    val = pricing.value(category=t.category, label=f"{t.brand} {t.model}", base_fen=t.base_price_fen,
                        answers=answers, age_months=t.age_months, bonus_fen=t.bonus_fen, bonus_label=t.bonus_label)
    diffs = questionnaire.differences(t.category, t.declared, answers)
    t.inspection = {"answers": answers, "differences": diffs, "notes": data.get("notes"),
                    "device_last4": seen.device_last4, "serial_last4": seen.serial_last4,
                    "repriced_fen": val.amount_fen, "lines": [ln.as_dict() for ln in val.lines],
                    "cosmetic_grade": grade, "grade_facts": facts}
    t.inspected_by, t.inspected_at = actor.id, now
    mismatch = (t.device_hash and seen.device_hash != t.device_hash) or \
        (t.serial_hash and seen.serial_hash and seen.serial_hash != t.serial_hash)
    if identity.blocked_entry(session, t.device_hash, t.serial_hash, seen.device_hash, seen.serial_hash):
        common.move(session, t, Status.BLOCKED, actor.id, "on the blocklist: held for operator review")
        settlement.claw_back_prepayment(session, t, deps, "device on the blocklist")
    elif mismatch:
        common.move(session, t, Status.RETURNING, actor.id, "not the device that was quoted (identifier differs)")
        record_event(session, t.consumer_id, "inspection_mismatch", ref_type="tradein", ref_id=t.id,
                     detail={"identifier": True}, occurred_at=now)
        settlement.claw_back_prepayment(session, t, deps, "device differs from the quote")
    elif t.category == "electronics" and answers.get("activation_lock_off") is False:
        common.move(session, t, Status.LOCKED, actor.id, "Activation Lock / FRP is on: remove it to be paid")
    elif val.amount_fen < t.quoted_fen:
        common.move(session, t, Status.COUNTER_OFFERED, actor.id, "inspection found the item worse than declared")
        t.offer_fen, t.offer_lines = val.amount_fen, [ln.as_dict() for ln in val.lines]
        t.offer_expires_at = now + timedelta(days=deps.settings.offer_valid_days)
        record_event(session, t.consumer_id, "inspection_mismatch", ref_type="tradein", ref_id=t.id,
                     value=t.quoted_fen - val.amount_fen, detail={"differences": [d["question"] for d in diffs]},
                     occurred_at=now)
    else:
        # As declared (or better): the quote stands; we never pay more than we promised, nor less.
        common.move(session, t, Status.INSPECTED, actor.id, "inspection matches the quote")
        t.final_fen = t.quoted_fen
    if grade and t.status in (Status.INSPECTED, Status.COUNTER_OFFERED, Status.LOCKED):
        remanufacturing.record_inspection(session, device_hash=t.device_hash or seen.device_hash,
                                          serial_hash=t.serial_hash or seen.serial_hash, org_id=t.handler_org_id,
                                          source="tradein", ref_id=t.id, grade=grade, facts=facts)
    session.flush()
    return t


def accept_offer(session: Session, user: User, tradein_id) -> TradeIn:
    """The consumer takes the counter-offer: the agreed value is the offer, payout follows."""
    t = common.lock(session, user, tradein_id)
    common.require_consumer(user, t)
    states.check_action(t.status, "accept_offer")
    if t.offer_expires_at and t.offer_expires_at <= clock.now(session):
        raise Conflict("the counter-offer expired; the item is being returned", code="offer_expired")
    common.move(session, t, Status.INSPECTED, user.id, "counter-offer accepted")
    t.final_fen = t.offer_fen
    session.flush()
    return t


def decline_offer(session: Session, user: User, tradein_id, deps: Deps) -> TradeIn:
    """The consumer declines: the item goes back free of charge; a prepayment is clawed back."""
    t = common.lock(session, user, tradein_id)
    common.require_consumer(user, t)
    common.move(session, t, Status.RETURNING, user.id, "counter-offer declined: free return", action="decline_offer")
    settlement.claw_back_prepayment(session, t, deps, "counter-offer declined, item returned")
    session.flush()
    return t


def give_up_locked(session: Session, user: User, tradein_id, deps: Deps) -> TradeIn:
    """The consumer cannot remove the lock and wants the device back."""
    t = common.lock(session, user, tradein_id)
    common.require_consumer(user, t)
    common.move(session, t, Status.RETURNING, user.id, "device locked: returned to the consumer",
                action="return_locked")
    settlement.claw_back_prepayment(session, t, deps, "device locked, returned")
    session.flush()
    return t


def ship_return(session: Session, actor: User, tradein_id, carrier: str, tracking_no: str) -> TradeIn:
    """Staff send the item back and record the tracking number."""
    t = common.lock(session, actor, tradein_id)
    common.require_staff(actor, t)
    states.check_action(t.status, "ship_return")
    t.return_carrier, t.return_tracking_no = carrier, tracking_no
    common.record(session, t, t.status, t.status, actor.id, f"return shipped: {carrier} {tracking_no}")
    session.flush()
    return t


def confirm_returned(session: Session, actor: User, tradein_id) -> TradeIn:
    """The consumer has the item back (confirmed by them or by the handler's staff)."""
    t = common.lock(session, actor, tradein_id)
    if actor.id != t.consumer_id:
        common.require_staff(actor, t)
    common.move(session, t, Status.RETURNED, actor.id, "item back with the consumer", action="confirm_returned")
    session.flush()
    return t


def release_blocked(session: Session, operator: User, tradein_id, reason: str) -> TradeIn:
    """An operator, having reviewed a blocklist hit, releases the item for return. Audited."""
    t = common.lock(session, operator, tradein_id)
    if not operator.is_operator:
        raise Forbidden("only operators release blocked items", code="role_required")
    common.move(session, t, Status.RETURNING, operator.id, f"released after review: {reason}", action="release")
    audit.record(session, operator.id, "tradein.release_blocked", "tradein", t.id,
                 before={"status": "blocked"}, after={"status": "returning"}, reason=reason)
    session.flush()
    return t
