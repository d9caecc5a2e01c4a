"""Reserve, redeem, release and claw back subsidies for marketplace orders and till sales.

Orders (services/orders) call, inside their own transaction:
    reserve_for_order(session, order_id, org_id=..., buyer=user, quote_request={...}, evidence={...})
    redeem_order(session, order_id, order_side=...)      # payment captured
    release_order(session, order_id, order_side=...)     # order cancelled before capture
    clawback_order(session, order_id, reason="refund", order_side=...)   # refund or return after capture
The *_order helpers are no-ops (return None) when the order has no active reservation.
An order's reservation is redeemed or released only in step with its order, whoever asks: every
move of an order's reservation takes the order's side as a typed port (`OrderSide`, implemented
by services.orders.subsidy.ORDER_SIDE) and refuses to move without it. Subsidies never import
orders; a reservation for an order placed earlier goes through services.flows.order_subsidies.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services import audit, clock
from services.accounts.interface import require_verified
from services.accounts.models import IdStatus, OrgKind, User
from services.errors import Conflict, InvalidState, NotFound, ValidationFailed
from services.notifications.interface import money, notify
from services.subsidies import pools, quoting, vouchers
from services.subsidies.campaigns import line as campaign_line
from services.subsidies.claims import detach_from_drafts
from services.subsidies.catalogue import programme
from services.subsidies.models import (AppliedSubsidy, QuotaLock, Reservation, ReservationStatus,
                                       TillSale)
from subsidies import HistoryEntry

S = ReservationStatus
TRANSITIONS = {
    S.RESERVED: {"redeem": S.REDEEMED, "release": S.RELEASED},
    S.REDEEMED: {"clawback": S.CLAWED_BACK},
    S.RELEASED: {},
    S.CLAWED_BACK: {},
}


@dataclass(frozen=True)
class SaleFacts:
    """What a reservation needs to know about a sale, whichever path it came by."""

    org_id: uuid.UUID                 # the retailer that sells and later claims
    buyer_id_hash: str | None         # keyed hash of the buyer's verified resident ID
    buyer_id_last4: str | None
    quote_request: dict[str, Any]     # the quote contract body (history is ignored)
    order_id: uuid.UUID | None = None
    sale_id: uuid.UUID | None = None
    buyer_user_id: uuid.UUID | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # masked: invoice_no, brand, model, ...
    extra_history: tuple[HistoryEntry, ...] = ()              # e.g. from the national platform


class OrderSide(Protocol):
    """What the order of a reservation says as the reservation moves (orders implement it)."""

    def check_transition(self, session: Session, reservation: Reservation, action: str) -> None:
        """Before an order's reservation is redeemed, released or clawed back (by the API or by
        the order's own flow): raise to refuse. Called before the reservation's row is locked: a
        guard that locks the order keeps the order's lock first, as the order's own flows take it."""

    def releasing(self, session: Session, reservation: Reservation, *, gateway, actor_id) -> None:
        """As the order's reservation is released (after the guard, before the budget is given
        back): an order not paid yet stops taking it off what the buyer pays. Raise to refuse;
        the caller's transaction then rolls back."""


def _lock_person(session: Session, id_hash: str) -> None:
    """Serialise quota checks per person: upsert their lock row, then hold it FOR UPDATE."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(QuotaLock).values(id_hash=id_hash).on_conflict_do_nothing())
    session.execute(select(QuotaLock.id_hash).where(QuotaLock.id_hash == id_hash).with_for_update())


def _active(session: Session, *, order_id=None, sale_id=None) -> Reservation | None:
    col, value = (Reservation.order_id, order_id) if order_id is not None else (Reservation.sale_id, sale_id)
    return session.scalar(select(Reservation).where(
        col == value, Reservation.status.in_([S.RESERVED, S.REDEEMED])))


def reserve(session: Session, facts: SaleFacts, *, actor_id=None, today: dt.date | None = None) -> Reservation:
    """Quote the sale and hold every line against its budget and the buyer's quota, atomically.

    Raises ValidationFailed (bad request, buyer not verified), Conflict `not_eligible` (nothing
    to reserve, with the refusals), Conflict `budget_exhausted` / `no_pool` (a programme's pool
    for the region is missing, closed or short), Conflict `already_reserved`, or Conflict
    `voucher_other_item` / `voucher_already_used` (the old item's recycling voucher lists no such
    item, or each one already backs another purchase: services/subsidies/vouchers.py). Nothing is held
    unless everything is: the caller's transaction rolls back on any error. Only a verified
    retailer sells with subsidies (it claims them back later): 403 `organisation_not_verified`.
    """
    require_verified(session, facts.org_id, OrgKind.RETAILER, "sell with subsidies")
    if not facts.buyer_id_hash:
        raise ValidationFailed("a subsidy needs the buyer's verified resident ID",
                               fields={"buyer": ["A verified resident ID is required."]})
    if (facts.order_id is None) == (facts.sale_id is None):
        raise ValueError("exactly one of order_id and sale_id")
    if _active(session, order_id=facts.order_id, sale_id=facts.sale_id):
        raise Conflict("this sale already has a subsidy reservation", code="already_reserved")
    voucher = vouchers.backing(session, facts.evidence, facts.order_id, facts.quote_request)
    vouchers.check(session, voucher, order_id=facts.order_id)
    body = {k: v for k, v in facts.quote_request.items() if k != "history"}
    req = quoting.parse(body, today)
    _lock_person(session, facts.buyer_id_hash)
    history = quoting.own_history(session, facts.buyer_id_hash) + list(facts.extra_history)
    outcome = quoting.compute(session, req, history=history, org_id=facts.org_id, fresh_pools=True)
    if outcome.total_fen <= 0:
        refusals = outcome.as_dict()["ineligible"]
        if any(r["code"] == "BUDGET_CLOSED" for r in refusals):
            raise Conflict("the budget for this sale's region is closed or spent", code="budget_exhausted",
                           extra={"ineligible": refusals})
        raise Conflict("nothing to reserve: no programme or campaign pays for this sale",
                       code="not_eligible", extra={"ineligible": refusals})
    lines = []
    for line in outcome.government.lines:
        pool = pools.find_pool(session, line.programme, req.region)
        if pool is None:
            raise Conflict(f"no budget pool for {line.programme} in region {req.region}", code="no_pool",
                           extra={"programme": line.programme})
        if not pools.reserve(session, pool.id, line.amount_fen):
            raise Conflict(f"the budget of {line.programme} for this region is closed or spent",
                           code="budget_exhausted", extra={"programme": line.programme})
        p = programme(line.programme)
        lines.append(AppliedSubsidy(
            programme_id=line.programme, programme_version=p.version if p else None, pool_id=pool.id,
            rule=line.rule, code=line.code, scheme=line.scheme, basis_fen=line.basis_fen,
            amount_fen=line.amount_fen, explanation_zh=line.zh[:500], explanation_en=line.en[:500]))
    if outcome.bonus:
        b = outcome.bonus
        if not pools.reserve_campaign(session, b.campaign.id, b.amount_fen):
            raise Conflict("the campaign's budget is spent", code="budget_exhausted",
                           extra={"campaign_id": str(b.campaign.id)})
        cl = campaign_line(b, req.price_fen)
        lines.insert(0, AppliedSubsidy(
            programme_id="campaign", campaign_id=b.campaign.id, rule=cl["rule"], code=cl["code"],
            basis_fen=req.price_fen, amount_fen=b.amount_fen,
            explanation_zh=cl["explanation"]["zh"][:500], explanation_en=cl["explanation"]["en"][:500]))
    for i, applied in enumerate(lines):
        applied.position = i
    reservation = Reservation(
        source="order" if facts.order_id else "till_sale", order_id=facts.order_id, sale_id=facts.sale_id,
        org_id=facts.org_id, buyer_user_id=facts.buyer_user_id, buyer_id_hash=facts.buyer_id_hash,
        buyer_id_last4=facts.buyer_id_last4 or "", region_code=req.region, purchase_date=req.date,
        kind=req.kind, status=S.RESERVED, total_fen=outcome.total_fen, evidence=dict(facts.evidence),
        quote_request=_jsonable(body), reserved_at=clock.now(session), lines=lines)
    session.add(reservation)
    session.flush()
    vouchers.claim(session, reservation, voucher)   # last: every reservation locks pools, then a voucher
    if reservation.buyer_user_id is not None:
        notify(session, reservation.buyer_user_id, "subsidy_reserved", event_key=f"subsidy:{reservation.id}",
                    params={"amount": money(reservation.total_fen)}, ref_type="subsidy_reservation",
                    ref_id=reservation.id)
    audit.record(session, actor_id, "subsidy.reserve", "subsidy_reservation", reservation.id,
                 after={"total_fen": reservation.total_fen,
                        "lines": [[a.programme_id, a.rule, a.amount_fen] for a in lines]})
    return reservation


def _jsonable(body: dict) -> dict:
    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        if v is not None and not isinstance(v, (str, int, float, bool)):
            return str(v)
        return v
    return conv(body)


def get(session: Session, reservation_id) -> Reservation:
    r = session.get(Reservation, reservation_id)
    if r is None:
        raise NotFound("no such reservation")
    return r


def _transition(session: Session, reservation_id, action: str, *, actor_id=None,
                reason: str | None = None, gateway=None, order_side: OrderSide | None = None) -> Reservation:
    r = session.get(Reservation, reservation_id)
    if r is None:
        raise NotFound("no such reservation")
    if action not in TRANSITIONS[r.status]:
        raise InvalidState(r.status.value, action, list(TRANSITIONS[r.status]))
    if r.order_id is not None and order_side is None:
        raise ValueError("an order's reservation moves with its order: pass order_side")
    # An order's reservation follows the order. The guard locks the order before this row is
    # locked, the order's own flows (cancel, capture, refund) lock the order first too.
    if r.order_id is not None:
        order_side.check_transition(session, r, action)
    r = session.get(Reservation, reservation_id, with_for_update=True, populate_existing=True)
    allowed = TRANSITIONS[r.status]
    if action not in allowed:   # moved while we waited
        raise InvalidState(r.status.value, action, list(allowed))
    if action == "release" and r.order_id is not None:
        # An unpaid order's price goes back up first (at the payment provider): a refusal leaves
        # everything as it was, and no pool row is locked while the provider answers.
        order_side.releasing(session, r, gateway=gateway, actor_id=actor_id)
    before = r.status.value
    for line in r.lines:
        pools.settle(session, pool_id=line.pool_id, campaign_id=line.campaign_id,
                     amount=line.amount_fen, transition=action)
    r.status = allowed[action]
    now = clock.now(session)
    if action == "redeem":
        r.redeemed_at = now
    elif action == "release":
        r.released_at = now
        vouchers.free(session, r)
    else:
        r.clawed_back_at, r.clawback_reason = now, reason
        # The slot stays used unless every government programme on it says a return frees it.
        gov = [programme(a.programme_id) for a in r.lines if a.campaign_id is None]
        r.slot_consumed = not (gov and all(p is not None and p.return_frees_slot for p in gov))
        if not r.slot_consumed:   # the voucher follows the slot (see vouchers.py)
            vouchers.free(session, r)
        detach_from_drafts(session, [line.id for line in r.lines])
    session.flush()
    audit.record(session, actor_id, f"subsidy.{action}", "subsidy_reservation", r.id,
                 before={"status": before}, after={"status": r.status.value}, reason=reason)
    return r


def redeem(session: Session, reservation_id, *, actor_id=None, order_side: OrderSide | None = None) -> Reservation:
    """Payment captured: the reserved money becomes redeemed (claimable). An order's reservation
    needs `order_side` (ValueError without it)."""
    return _transition(session, reservation_id, "redeem", actor_id=actor_id, order_side=order_side)


def release(session: Session, reservation_id, *, actor_id=None, reason: str | None = None,
            gateway=None, order_side: OrderSide | None = None) -> Reservation:
    """Cancelled (or undone) before capture: the money, the buyer's quota slot and the recycling
    voucher are freed. An order that has not been paid stops taking the subsidy off its price:
    its payment amount goes back up (through `gateway`, needed when the order has a payment).
    An order's reservation needs `order_side` (ValueError without it)."""
    return _transition(session, reservation_id, "release", actor_id=actor_id, reason=reason, gateway=gateway,
                       order_side=order_side)


def clawback(session: Session, reservation_id, *, actor_id=None, reason: str | None = None,
             order_side: OrderSide | None = None) -> Reservation:
    """Refund or return after capture: the subsidy goes back to the budget (the retailer returns
    it, or never claims it); the buyer's slot stays used unless the programme says otherwise.
    An order's reservation needs `order_side` (ValueError without it)."""
    return _transition(session, reservation_id, "clawback", actor_id=actor_id, reason=reason,
                       order_side=order_side)


# --- the order path -------------------------------------------------------------------------

def reserve_for_order(session: Session, order_id: uuid.UUID, *, org_id: uuid.UUID, buyer: User,
                      quote_request: dict, evidence: dict | None = None,
                      extra_history: Iterable[HistoryEntry] = ()) -> Reservation:
    """Reserve the subsidy for a marketplace order of a retailer's new product.
    The buyer must have a verified resident ID (their quota is keyed by its hash)."""
    verified = buyer.id_status == IdStatus.VERIFIED and buyer.id_hash
    return reserve(session, SaleFacts(
        org_id=org_id, buyer_id_hash=buyer.id_hash if verified else None,
        buyer_id_last4=buyer.id_last4, quote_request=quote_request, order_id=order_id,
        buyer_user_id=buyer.id, evidence=dict(evidence or {}), extra_history=tuple(extra_history)),
        actor_id=buyer.id)


def for_order(session: Session, order_id) -> Reservation | None:
    """The order's reserved or redeemed reservation, if any."""
    return _active(session, order_id=order_id)


def redeem_order(session: Session, order_id, *, order_side: OrderSide, actor_id=None) -> Reservation | None:
    r = for_order(session, order_id)
    return redeem(session, r.id, actor_id=actor_id, order_side=order_side) if r and r.status == S.RESERVED else r


def release_order(session: Session, order_id, *, order_side: OrderSide, actor_id=None,
                  reason=None) -> Reservation | None:
    r = for_order(session, order_id)
    if r and r.status == S.RESERVED:
        return release(session, r.id, actor_id=actor_id, reason=reason, order_side=order_side)
    return r


def clawback_order(session: Session, order_id, *, order_side: OrderSide, actor_id=None,
                   reason=None) -> Reservation | None:
    r = for_order(session, order_id)
    if r is None:
        return None
    if r.status == S.RESERVED:
        return release(session, r.id, actor_id=actor_id, reason=reason, order_side=order_side)
    return clawback(session, r.id, actor_id=actor_id, reason=reason, order_side=order_side)


def sale_facts(session: Session, sale: TillSale) -> SaleFacts:
    return SaleFacts(org_id=sale.org_id, buyer_id_hash=sale.buyer_id_hash,
                     buyer_id_last4=sale.buyer_id_last4, quote_request=sale.quote_request,
                     sale_id=sale.id, evidence=sale_evidence(sale))


def sale_evidence(sale: TillSale) -> dict:
    return {"invoice_no": sale.invoice_no, "brand": sale.brand, "model": sale.model,
            "device_last4": sale.device_last4, "recycler_name": sale.recycler_name,
            "recycling_voucher_no": sale.recycling_voucher_no, "old_device_last4": sale.old_device_last4,
            "old_device_hash": sale.old_device_hash,
            "wipe_certificate_id": str(sale.wipe_certificate_id) if sale.wipe_certificate_id else None,
            "channel": "offline"}
