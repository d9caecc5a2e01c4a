"""Withdrawing platform store credit as cash to the consumer's own payout account (Stripe Connect:
the account onboarded with POST /payments/seller-account). A retailer's credit is a voucher of
that retailer and is not withdrawn. A flow of two domains (the ledger and payments' gateway), so it
lives above both.

One withdrawal is one balanced journal entry (consumer's platform account -> the platform's
issuer account, kind "withdrawal") and one Stripe transfer, both keyed by the client's
Idempotency-Key: a replay returns the first entry, and a resend repeats the same transfer at
Stripe instead of paying twice. The debit and the transfer (a payment operation) are recorded in
the caller's transaction; the transfer is made after commit, with no lock held
(services/payments/relay.py). If Stripe refuses it, the credit is given back by a mirror entry; if
Stripe is away, the reconciliation job sends it once Stripe is back.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Conflict, ValidationFailed
from services.ledger.models import JournalEntry
from services.ledger.interface import PLATFORM, Leg, Spent, issuer_account, plan, post, store_credit_account
from services.payments import interface as payments

log = logging.getLogger(__name__)
KIND = "withdrawal"


def _entry_key(user_id, key: str) -> str:
    return f"withdrawal:{user_id}:{key}"[:120]


def withdraw(session: Session, user, amount_fen: int, *, key: str,
             owes: Callable[[Session, object], int] | None = None) -> JournalEntry:
    """Move `amount_fen` of the user's platform store credit to their Connect account.

    Returns the ledger entry (ref_type "stripe_transfer", ref_id the transfer id). Replaying the
    same `key` returns the first entry and moves nothing. Raises ValidationFailed (amount, key),
    Conflict `insufficient_store_credit` (naming the platform balance), Conflict
    `payout_account_required` (no Connect account that can receive payouts), Conflict
    `clawback_open` while `owes(session, user_id)` says the user owes money back (a trade-in
    clawback is recovered from credit before any of it leaves as cash). The transfer follows
    after commit (`transfer_status`: pending, paid, or refused with the credit given back)."""
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationFailed("amount must be a positive number of fen", fields={"amount_fen": ["Must be > 0."]})
    if not key:
        raise ValidationFailed("a withdrawal needs an Idempotency-Key", fields={"Idempotency-Key": ["Required."]})
    prior = session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == _entry_key(user.id, key)))
    if prior is not None:
        return prior
    account = payments.account_for(session, owner_user_id=user.id)
    if account is None or not account.payouts_enabled:
        raise Conflict("store credit is withdrawn to your payout account: finish onboarding first "
                       "(POST /api/v1/payments/seller-account)", code="payout_account_required")
    owed = owes(session, user.id) if owes is not None else 0
    if owed > 0:
        raise Conflict(f"you owe {owed} fen back on a trade-in: settle it before withdrawing store credit",
                       code="clawback_open", extra={"owed_fen": owed})
    [leg] = plan(session, user.id, seller_org_id=None, amount_fen=amount_fen, issuer=PLATFORM)
    entry = _debit(session, user.id, leg, key)
    # Every parameter derives from the key, never from this attempt's rows: Stripe refuses a
    # replayed key whose parameters differ, and a resend must replay the same transfer. The
    # transfer is made after commit (services/payments/relay.py), never under the account lock.
    ref = _entry_key(user.id, key)
    payments.request_operation(session, payments.WITHDRAWAL, order_id=None, key=f"huanxin-{ref}", amount_fen=amount_fen,
                       args={"account_id": account.stripe_account_id, "ref": ref, "entry_id": str(entry.id)})
    session.flush()
    return entry


def transfer_status(entry: JournalEntry) -> str:
    """`pending` until Stripe confirmed the transfer, then `paid`; `refused` when Stripe refused
    it and the credit was given back."""
    if entry.ref_type == "refused_transfer":
        return "refused"
    return "paid" if entry.ref_id else "pending"


def _debit(session: Session, user_id, leg: Spent, key: str) -> JournalEntry:
    src, dst = store_credit_account(session, user_id, None), issuer_account(session, None)
    return post(session, KIND, [Leg(src.id, -leg.amount_fen), Leg(dst.id, leg.amount_fen)],
                ref_type="stripe_transfer", memo="withdrawn to the payout account",
                idempotency_key=_entry_key(user_id, key), actor_id=user_id)
