"""The price table: base prices per model kept by operators, and retailers' campaign entries
(their own base price and/or a bonus, for a time window)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, false, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit, clock, pagination
from services.accounts.interface import acting_org, require_verified
from services.accounts.models import Organization, OrgKind, Role, User
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.listings.interface import APPLIANCE_KINDS, ELECTRONICS_KINDS
from services.tradeins.models import PriceEntry
from services.tradeins.questionnaire import CATEGORIES

KINDS = {"electronics": ELECTRONICS_KINDS, "appliance": APPLIANCE_KINDS, "vehicle": ("passenger_car",)}
EDITABLE = ("kind", "brand", "model", "base_price_fen", "campaign_bonus_fen", "campaign_name", "starts_at",
            "ends_at", "active")
MAX_FEN = 100_000_000_00


def model_key(brand: str, model: str) -> str:
    """Case-, width- and spacing-insensitive key: "ＡＰＰＬＥ  iphone 13" finds "Apple iPhone 13"."""
    norm = [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s or "")).strip().lower() for s in (brand, model)]
    return "|".join(norm)


def _errors(data: dict, *, creating: bool, org_id) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    cat = data.get("category")
    if creating and cat not in CATEGORIES:
        errors["category"] = [f"One of: {', '.join(CATEGORIES)}."]
    if cat in KINDS and "kind" in data and data["kind"] not in KINDS[cat]:
        errors["kind"] = [f"One of: {', '.join(KINDS[cat])}."]
    for f in ("base_price_fen", "campaign_bonus_fen"):
        v = data.get(f)
        if v is not None and not (0 <= v <= MAX_FEN):
            errors[f] = [f"Must be between 0 and {MAX_FEN} fen."]
    if creating and org_id is None and data.get("base_price_fen") is None:
        errors["base_price_fen"] = ["The platform table needs a base price."]
    s, e = data.get("starts_at"), data.get("ends_at")
    if s and e and e <= s:
        errors["ends_at"] = ["Must be after starts_at."]
    return errors


def _org_for(actor: User, org_id) -> object:
    """The organisation an entry belongs to: operators keep the platform table (or any org's),
    retailers only their own organisation's campaign entries."""
    if actor.role == Role.OPERATOR:
        return org_id
    if actor.role != Role.RETAILER:
        raise Forbidden("only operators and retailers edit trade-in prices", code="role_required")
    org_id = acting_org(actor, org_id)
    if org_id is None:
        raise Forbidden("not a member of that organisation")
    return org_id


def _may_edit(actor: User, entry: PriceEntry) -> None:
    if actor.role == Role.OPERATOR:
        return
    if actor.role != Role.RETAILER or entry.org_id is None or entry.org_id not in actor.org_ids():
        raise Forbidden("this price entry is not yours to edit")


def _snapshot(e: PriceEntry) -> dict:
    return {"base_price_fen": e.base_price_fen, "campaign_bonus_fen": e.campaign_bonus_fen,
            "campaign_name": e.campaign_name, "active": e.active,
            "starts_at": e.starts_at.isoformat() if e.starts_at else None,
            "ends_at": e.ends_at.isoformat() if e.ends_at else None}


def create_entry(session: Session, actor: User, data: dict) -> PriceEntry:
    """Add a model to the platform table (operators) or a campaign entry (retailers). Audited."""
    org_id = _org_for(actor, data.get("org_id"))
    if org_id and actor.role == Role.RETAILER:  # a campaign entry: verified retailers only
        require_verified(session, org_id, OrgKind.RETAILER, "run trade-in campaigns")
    errors = _errors(data, creating=True, org_id=org_id)
    org = session.get(Organization, org_id) if org_id else None
    if org_id and (org is None or org.kind != OrgKind.RETAILER):
        errors["org_id"] = ["No such retailer."]
    if errors:
        raise ValidationFailed("invalid price entry", fields=errors)
    entry = PriceEntry(org_id=org_id, category=data["category"], kind=data["kind"], brand=data["brand"].strip(),
                       model=data["model"].strip(), model_key=model_key(data["brand"], data["model"]),
                       base_price_fen=data.get("base_price_fen"),
                       campaign_bonus_fen=data.get("campaign_bonus_fen") or 0,
                       campaign_name=data.get("campaign_name"), starts_at=data.get("starts_at"),
                       ends_at=data.get("ends_at"), active=data.get("active", True), updated_by=actor.id)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise Conflict("this model already has an entry in that table; edit it instead",
                       code="price_entry_exists") from None
    audit.record(session, actor.id, "tradein_price.create", "tradein_price", entry.id, after=_snapshot(entry))
    return entry


def update_entry(session: Session, actor: User, entry_id, data: dict) -> PriceEntry:
    """Change an entry's prices, bonus, window or model name. Issued quotes keep their snapshot."""
    entry = session.scalar(select(PriceEntry).where(PriceEntry.id == entry_id).with_for_update())
    if entry is None:
        raise NotFound("no such price entry")
    _may_edit(actor, entry)
    if entry.org_id is not None and actor.role == Role.RETAILER:
        require_verified(session, entry.org_id, OrgKind.RETAILER, "run trade-in campaigns")
    merged = {"category": entry.category, "starts_at": entry.starts_at, "ends_at": entry.ends_at, **data}
    errors = _errors(merged, creating=False, org_id=entry.org_id)
    if entry.org_id is None and "base_price_fen" in data and data["base_price_fen"] is None:
        errors["base_price_fen"] = ["The platform table needs a base price."]
    if errors:
        raise ValidationFailed("invalid price entry", fields=errors)
    before = _snapshot(entry)
    for f in EDITABLE:
        if f in data:
            setattr(entry, f, data[f].strip() if f in ("brand", "model") else data[f])
    entry.model_key = model_key(entry.brand, entry.model)
    entry.updated_by = actor.id
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("another entry has this model", code="price_entry_exists") from None
    audit.record(session, actor.id, "tradein_price.update", "tradein_price", entry.id, before=before,
                 after=_snapshot(entry))
    return entry


def get_entry(session: Session, entry_id) -> PriceEntry:
    entry = session.get(PriceEntry, entry_id)
    if entry is None:
        raise NotFound("no such price entry")
    return entry


@dataclass(frozen=True)
class TextTerm:
    """One word of a price-table search, already through the listing search's text pipeline:
    satisfied by an entry of one of ``kinds`` (冰箱 names refrigerators) or whose brand and model
    contain every token of one of ``alternatives`` (the word and its synonyms, normalised)."""
    kinds: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TextMatch:
    """The words of a search and how many of them an entry must satisfy."""
    terms: tuple[TextTerm, ...]
    required: int


def _like(token: str):
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return PriceEntry.model_key.like(f"%{escaped}%", escape="\\")


def _text_condition(text: TextMatch):
    conds = []
    for term in text.terms:
        options = [and_(*[_like(t) for t in alt]) for alt in term.alternatives if alt]
        if term.kinds:
            options.append(PriceEntry.kind.in_(term.kinds))
        conds.append(or_(*options) if options else false())
    if text.required >= len(conds):
        return and_(*conds)
    return sum((case((c, 1), else_=0) for c in conds), literal(0)) >= text.required


def browse(session: Session, *, cursor: str | None, limit: int, category: str | None = None,
           org_id=None, platform_only: bool = False, text: TextMatch | None = None):
    """Active entries, newest first, of a category, a retailer's table or the platform's, and
    matching ``text`` when given (literal tokens: ``%`` and ``_`` are not wildcards)."""
    stmt = select(PriceEntry).where(PriceEntry.active.is_(True))
    if category:
        stmt = stmt.where(PriceEntry.category == category)
    if platform_only:
        stmt = stmt.where(PriceEntry.org_id.is_(None))
    elif org_id:
        stmt = stmt.where(PriceEntry.org_id == org_id)
    if text is not None and text.terms:
        stmt = stmt.where(_text_condition(text))
    return pagination.page(session, stmt, PriceEntry, cursor, limit)


@dataclass(frozen=True)
class Price:
    kind: str
    brand: str
    model: str
    base_fen: int
    bonus_fen: int
    bonus_label: str | None
    entry_id: object


def _live(now: datetime):
    return and_(PriceEntry.active.is_(True), or_(PriceEntry.starts_at.is_(None), PriceEntry.starts_at <= now),
                or_(PriceEntry.ends_at.is_(None), PriceEntry.ends_at > now))


def lookup(session: Session, category: str, brand: str, model: str, org_id=None) -> Price:
    """The price that applies now: the retailer's live campaign entry over the platform's base.
    Raises ValidationFailed naming `model` when neither table knows the model."""
    key, now = model_key(brand, model), clock.now(session)
    rows = list(session.scalars(select(PriceEntry).where(
        PriceEntry.category == category, PriceEntry.model_key == key, _live(now),
        or_(PriceEntry.org_id.is_(None), PriceEntry.org_id == org_id) if org_id else PriceEntry.org_id.is_(None))))
    platform = next((r for r in rows if r.org_id is None), None)
    campaign = next((r for r in rows if r.org_id is not None), None)
    base_row = campaign if campaign is not None and campaign.base_price_fen is not None else platform
    if base_row is None:
        raise ValidationFailed("unknown model", fields={"model": [
            f"No trade-in price for {brand} {model} in category {category}; see GET /api/v1/tradeins/prices."]})
    bonus_row = campaign if campaign is not None else platform
    bonus, label = (bonus_row.campaign_bonus_fen, bonus_row.campaign_name) if bonus_row else (0, None)
    return Price(base_row.kind, base_row.brand, base_row.model, base_row.base_price_fen, bonus, label,
                 (campaign or base_row).id)
