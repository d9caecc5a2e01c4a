"""Quotes over the official programmes plus a retailer's campaign, with the buyer's own
records and the pools' state. Used by the quote endpoint and by reservations alike."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services import regions
from services.errors import ValidationFailed
from services.subsidies import campaigns, pools
from services.subsidies.catalogue import catalogue
from services.subsidies.models import AppliedSubsidy, Reservation, ReservationStatus, Stacking
from subsidies import HistoryEntry, Quote, QuoteRequest, RequestError, parse_request, quote as engine_quote


@dataclass
class Outcome:
    request: QuoteRequest
    government: Quote
    bonus: campaigns.Bonus | None = None
    refused: list[campaigns.Refused] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return self.government.total_fen + (self.bonus.amount_fen if self.bonus else 0)

    def as_dict(self) -> dict[str, Any]:
        """The quote contract's response body; campaign lines carry `campaign_id` besides."""
        body = self.government.as_dict()
        if self.bonus:
            body["lines"].insert(0, campaigns.line(self.bonus, self.request.price_fen))
        body["ineligible"].extend(campaigns.refusal(r) for r in self.refused)
        body["total_fen"] = self.total_fen
        body["eligible"] = bool(body["lines"])
        return body


def own_history(session: Session, id_hash: str) -> list[HistoryEntry]:
    """The person's subsidised purchases on record: active reservations, and clawed-back ones
    whose slot stays used. One entry per purchase; campaign bonuses do not count."""
    rows = session.execute(
        select(Reservation.id, Reservation.purchase_date, Reservation.kind, AppliedSubsidy.scheme)
        .join(AppliedSubsidy, AppliedSubsidy.reservation_id == Reservation.id)
        .where(Reservation.buyer_id_hash == id_hash, AppliedSubsidy.campaign_id.is_(None),
               or_(Reservation.status.in_([ReservationStatus.RESERVED, ReservationStatus.REDEEMED]),
                   (Reservation.status == ReservationStatus.CLAWED_BACK) & Reservation.slot_consumed))
        .order_by(Reservation.purchase_date)).all()
    seen, out = set(), []
    for r in rows:
        if r.id not in seen:
            seen.add(r.id)
            out.append(HistoryEntry(r.purchase_date, r.kind, r.scheme))
    return out


def parse(body: dict, today: dt.date | None = None) -> QuoteRequest:
    """Validate a quote body; a bad one is a 422 naming each field."""
    try:
        return parse_request(body, today=today, region_exists=regions.exists)
    except RequestError as exc:
        raise ValidationFailed("the quote request is invalid", fields=exc.as_dict()) from None


def compute(session: Session | Callable[[], Session], body: dict | QuoteRequest, *,
            history: Iterable[HistoryEntry] = (), org_id=None, today: dt.date | None = None,
            fresh_pools: bool = False, pools_cache: pools.PoolSnapshot | None = None) -> Outcome:
    """Quote `body` for a purchase from retailer `org_id` (None: government programmes only).

    The best of the retailer's active campaigns is applied as its stacking rule says: a
    `discount` bonus lowers the price the government subsidy is computed on; an `exclusive`
    one pays only when no government subsidy does. `session` may be a callable returning one,
    so that a quote that needs no database never opens a session (give `pools_cache`, the app's
    PoolSnapshot, then).
    """
    req = body if isinstance(body, QuoteRequest) else parse(body, today)
    closed = pools.closed_programmes(session, req.region, max_age=0 if fresh_pools else None,
                                     cache=pools_cache)
    history = tuple(history)
    bonus, refused = None, []
    if org_id is not None:
        db = session() if callable(session) else session
        for c in campaigns.candidates(db, org_id, req.region, req.kind, req.date):
            result = campaigns.evaluate(c, req.values)
            if isinstance(result, campaigns.Refused):
                refused.append(result)
            elif bonus is None or result.amount_fen > bonus.amount_fen:
                bonus = result
    gov_req = req
    if bonus and bonus.campaign.stacking == Stacking.DISCOUNT:
        reduced = req.price_fen - bonus.amount_fen
        if reduced <= 0:
            return Outcome(req, Quote((), ()), bonus, refused)
        discounts = (req.values.get("purchase.discounts_fen") or 0) + bonus.amount_fen
        gov_req = dataclasses.replace(req, price_fen=reduced, values={
            **req.values, "purchase.price_fen": reduced, "purchase.discounts_fen": discounts})
    try:
        government = engine_quote(gov_req, catalogue(), history, closed=closed)
    except RequestError as exc:
        raise ValidationFailed("the quote request is invalid", fields=exc.as_dict()) from None
    if bonus and bonus.campaign.stacking == Stacking.EXCLUSIVE and government.lines:
        refused.append(campaigns.Refused(bonus.campaign, "EXCLUSIVE_WITH",
                                         "本活动不与政府补贴同享", "this campaign does not combine with a government subsidy"))
        bonus = None
    return Outcome(req, government, bonus, refused)
