"""Which store credit pays for an order, and errors that say which balance and which issuer.

Two kinds of credit exist (services.ledger.models): credit issued by the platform (a platform
trade-in's payout) is spendable on any marketplace order, and the platform pays the seller that
part; credit issued by a retailer is spendable only on that retailer's listings (the retailer
simply receives less). The buyer names the issuer, or lets the order take the seller's own
retailer credit first and platform credit for the rest.

The cause of "not enough store credit" on a covered balance (issue 13): every spend used to be
taken from the buyer's account at the *seller's* organisation, so platform credit was never
looked at and the empty retailer account answered 409.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import Organization
from services.errors import Conflict, ValidationFailed
from services.ledger.models import LedgerAccount
from services.ledger.service import Leg, issuer_account, post, store_credit_account, store_credit_key

PLATFORM = "platform"
FIELD = "store_credit_issuer"


@dataclass(frozen=True)
class Spent:
    """One leg of an order's store credit: `org_id` None is platform-issued credit."""
    org_id: uuid.UUID | None
    amount_fen: int


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _name(session: Session, org_id) -> str:
    if org_id is None:
        return "the platform"
    org = session.get(Organization, org_id)
    return org.name if org is not None else str(org_id)


def describe(session: Session, org_id, balance_fen: int) -> dict:
    """A balance as an error shows it: which issuer, and how much is there."""
    return {"issuer": PLATFORM if org_id is None else "retailer", "org_id": None if org_id is None else str(org_id),
            "issuer_name": _name(session, org_id), "balance_fen": balance_fen}


def parse_issuer(value: str | None):
    """`None` (auto), the platform, or a retailer's organisation id; 422 naming the field otherwise."""
    if value is None:
        return None
    if value == PLATFORM:
        return PLATFORM
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed("unknown store credit issuer", fields={
            FIELD: ["'platform' or the id of the retailer that issued the credit."]}) from None


def _locked_balance(session: Session, user_id, org_id) -> int:
    # Read, never create: looking at a retailer's credit the buyer never had leaves no empty account.
    acc = session.scalar(select(LedgerAccount).where(LedgerAccount.key == store_credit_key(user_id, org_id))
                         .with_for_update().execution_options(populate_existing=True))
    return max(acc.balance_fen, 0) if acc is not None else 0


def plan(session: Session, user_id, *, seller_org_id, amount_fen: int, issuer=None) -> list[Spent]:
    """Where `amount_fen` of the buyer's credit comes from, with the accounts locked (FOR UPDATE)
    until the caller's transaction ends. `issuer`: PLATFORM, a retailer's org id, or None (the
    seller's retailer credit first, then platform credit). Raises ValidationFailed when a
    retailer's credit is offered at another seller, Conflict `insufficient_store_credit` naming
    each balance and its issuer when they do not cover the amount."""
    if isinstance(issuer, uuid.UUID) and issuer != seller_org_id:
        name = _name(session, issuer)
        raise ValidationFailed(f"store credit issued by {name} is spent only on {name}'s listings",
                               fields={FIELD: [f"Credit from {name} is not accepted by this seller; "
                                               "use 'platform' credit or pay otherwise."]})
    sources = ([None] if issuer == PLATFORM else [issuer] if issuer is not None
               else ([seller_org_id] if seller_org_id else []) + [None])
    # A retailer account before the platform one, always: two orders of one buyer cannot deadlock.
    have = {org: _locked_balance(session, user_id, org) for org in sources}
    out, left = [], amount_fen
    for org in sources:
        take = min(left, have[org])
        if take:
            out.append(Spent(org, take))
            left -= take
    if left:
        balances = [describe(session, org, have[org]) for org in sources]
        listed = ", ".join(f"{_yuan(b['balance_fen'])} from {b['issuer_name']}" for b in balances)
        raise Conflict(f"not enough store credit for {_yuan(amount_fen)}: you have {listed}",
                       code="insufficient_store_credit",
                       extra={"requested_fen": amount_fen, "balances": balances})
    return out


def spend(session: Session, user_id, legs: list[Spent], *, order_id) -> None:
    """Move each planned leg from the buyer's account to its issuer's, one balanced entry each,
    idempotent per order and account (a retry moves nothing twice)."""
    for leg in legs:
        src, dst = store_credit_account(session, user_id, leg.org_id), issuer_account(session, leg.org_id)
        post(session, "spend", [Leg(src.id, -leg.amount_fen), Leg(dst.id, leg.amount_fen)], ref_type="order",
             ref_id=order_id, idempotency_key=f"spend:{order_id}:{src.id}")
