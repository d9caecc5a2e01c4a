"""Retailer trade-in campaigns: a bonus per old-item kind (any category), own budget, and a
stacking rule with the government subsidy."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit, regions
from services.accounts.interface import require_verified
from services.accounts.models import OrgKind, User
from services.errors import Forbidden, NotFound, ValidationFailed
from services.subsidies.models import Campaign, Stacking
from subsidies import KINDS
from subsidies.text import KIND_NAMES, money

PROGRAMME_PREFIX = "campaign:"


def retailer_org(user: User, org_id: uuid.UUID | None = None) -> uuid.UUID:
    """The retailer organisation the user acts for (`org_id` when they belong to several)."""
    orgs = user.org_ids()
    if org_id is not None:
        if org_id not in orgs and not user.is_operator:
            raise Forbidden("not a member of that organisation", code="not_a_member")
        return org_id
    if user.role.value != "retailer" or not orgs:
        raise Forbidden("requires a retailer organisation", code="role_required")
    if len(orgs) > 1:
        raise ValidationFailed("several organisations", fields={"org_id": ["Say which organisation."]})
    return next(iter(orgs))


def verified_retailer_org(session: Session, user: User, org_id: uuid.UUID | None, doing: str) -> uuid.UUID:
    """`retailer_org`, when that organisation is a verified retailer (403
    `organisation_not_verified` otherwise)."""
    org = retailer_org(user, org_id)
    require_verified(session, org, OrgKind.RETAILER, doing)
    return org


def _validate(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
        errors["ends_on"] = ["Must not be before starts_on."]
    for code in data.get("regions") or []:
        if not regions.exists(code):
            errors.setdefault("regions", []).append(f"Unknown region {code}.")
    for kind in data.get("kinds") or []:
        if kind not in KINDS:
            errors.setdefault("kinds", []).append(f"Unknown kind {kind}.")
    for kind, fen in (data.get("bonuses") or {}).items():
        if kind not in KINDS:
            errors.setdefault("bonuses", []).append(f"Unknown old-item kind {kind}.")
        elif isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
            errors.setdefault("bonuses", []).append(f"Bonus for {kind} must be a positive number of fen.")
    if errors:
        raise ValidationFailed("invalid campaign", fields=errors)


def create_campaign(session: Session, user: User, data: dict) -> Campaign:
    """Create a campaign for the user's retailer organisation, once it is verified."""
    org_id = verified_retailer_org(session, user, data.get("org_id"), "run campaigns")
    _validate(data)
    c = Campaign(org_id=org_id, created_by=user.id, name=data["name"], starts_on=data["starts_on"],
                 ends_on=data["ends_on"], regions=list(data["regions"]), kinds=list(data["kinds"]),
                 bonuses=dict(data["bonuses"]), requires_handed_in=data.get("requires_handed_in", True),
                 stacking=Stacking(data.get("stacking", "discount")), budget_fen=data["budget_fen"],
                 reserved_fen=0, redeemed_fen=0, closed=False)
    session.add(c)
    session.flush()
    audit.record(session, user.id, "campaign.create", "campaign", c.id,
                 after={"budget_fen": c.budget_fen, "bonuses": c.bonuses})
    return c


def get_campaign(session: Session, campaign_id) -> Campaign:
    c = session.get(Campaign, campaign_id)
    if c is None:
        raise NotFound("no such campaign")
    return c


def list_campaigns(session: Session, *, org_id=None, active_on: dt.date | None = None):
    """A select of campaigns (for pagination), optionally of one retailer and active on a day."""
    stmt = select(Campaign)
    if org_id is not None:
        stmt = stmt.where(Campaign.org_id == org_id)
    if active_on is not None:
        stmt = stmt.where(Campaign.starts_on <= active_on, Campaign.ends_on >= active_on,
                          Campaign.closed == False)  # noqa: E712
    return stmt


def update_campaign(session: Session, user: User, campaign_id, data: dict) -> Campaign:
    """Change name, end date, budget (never below what is committed) or close it."""
    c = session.get(Campaign, campaign_id, with_for_update=True)
    if c is None:
        raise NotFound("no such campaign")
    if c.org_id not in user.org_ids() and not user.is_operator:
        raise NotFound("no such campaign")
    require_verified(session, c.org_id, OrgKind.RETAILER, "run campaigns")
    _validate({"starts_on": c.starts_on, "ends_on": data.get("ends_on", c.ends_on)})
    before = {"name": c.name, "ends_on": c.ends_on.isoformat(), "budget_fen": c.budget_fen, "closed": c.closed}
    if "budget_fen" in data and data["budget_fen"] < c.reserved_fen + c.redeemed_fen:
        raise ValidationFailed("budget below what is committed", fields={
            "budget_fen": [f"Must be at least {c.reserved_fen + c.redeemed_fen}."]})
    for key in ("name", "ends_on", "budget_fen", "closed"):
        if key in data:
            setattr(c, key, data[key])
    session.flush()
    audit.record(session, user.id, "campaign.update", "campaign", c.id, before=before,
                 after={"name": c.name, "ends_on": c.ends_on.isoformat(), "budget_fen": c.budget_fen,
                        "closed": c.closed})
    return c


@dataclass(frozen=True)
class Bonus:
    campaign: Campaign
    old_kind: str
    amount_fen: int


@dataclass(frozen=True)
class Refused:
    campaign: Campaign
    code: str
    zh: str
    en: str


def candidates(session: Session, org_id, region: str, kind: str, day: dt.date) -> list[Campaign]:
    rows = session.scalars(list_campaigns(session, org_id=org_id, active_on=day))
    return [c for c in rows if kind in c.kinds
            and any(region.startswith(regions.prefix(code)) for code in c.regions)]


def evaluate(c: Campaign, values: dict) -> Bonus | Refused:
    """Does this campaign pay a bonus for the quote's trade-in, and how much."""
    old_kind = values.get("trade_in.kind")
    if not values.get("trade_in.present") or old_kind is None:
        return Refused(c, "NOT_HANDED_IN", "本活动须交回旧品", "this campaign needs an old item handed in")
    if old_kind not in c.bonuses:
        return Refused(c, "TRADE_IN_KIND_MISMATCH", f"本活动不接受以{KIND_NAMES[old_kind][0]}换新",
                       f"this campaign takes no {KIND_NAMES[old_kind][1]} in trade")
    if c.requires_handed_in and not values.get("trade_in.handed_in"):
        return Refused(c, "NOT_HANDED_IN", "本活动须交回旧品", "this campaign needs the old item handed in")
    amount = min(int(c.bonuses[old_kind]), values["purchase.price_fen"])
    if c.reserved_fen + c.redeemed_fen + amount > c.budget_fen:
        return Refused(c, "BUDGET_CLOSED", "活动预算已用完", "the campaign's budget has run out")
    return Bonus(c, old_kind, amount)


def line(b: Bonus, basis_fen: int) -> dict:
    old = KIND_NAMES[b.old_kind]
    return {"programme": PROGRAMME_PREFIX + str(b.campaign.id), "rule": f"bonus:{b.old_kind}",
            "code": "CAMPAIGN_BONUS", "amount_fen": b.amount_fen, "basis_fen": basis_fen,
            "campaign_id": str(b.campaign.id),
            "explanation": {
                "zh": f"{b.campaign.name}：以旧{old[0]}换新，商家补贴{money(b.amount_fen, 'zh')}",
                "en": f"{b.campaign.name}: trade-in bonus for an old {old[1]}, {money(b.amount_fen, 'en')}"}}


def refusal(r: Refused) -> dict:
    return {"programme": PROGRAMME_PREFIX + str(r.campaign.id), "rule": None, "code": r.code,
            "campaign_id": str(r.campaign.id),
            "explanation": {"zh": f"{r.campaign.name}：{r.zh}", "en": f"{r.campaign.name}: {r.en}"}}
