"""Store credit: issue it (trade-in payouts), spend it on an order, refund a spend, take it back
(clawbacks), and read an account's statement. Every movement is one balanced journal entry."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, pagination
from services.errors import Conflict, NotFound, ValidationFailed
from services.ledger.models import AccountKind, JournalEntry, LedgerAccount, Posting

PLATFORM = "platform"


def _holder(org_id) -> str:
    return str(org_id) if org_id else PLATFORM


def store_credit_key(user_id, org_id) -> str:
    return f"store_credit:{user_id}:{_holder(org_id)}"


def issuer_key(org_id) -> str:
    return f"issuer:{_holder(org_id)}"


def _get_or_create(session: Session, key: str, **fields) -> LedgerAccount:
    acc = session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))
    if acc is not None:
        return acc
    try:
        with session.begin_nested():  # a concurrent first movement may create it at the same time
            acc = LedgerAccount(key=key, balance_fen=0, **fields)
            session.add(acc)
            session.flush()
        return acc
    except IntegrityError:
        return session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))


def store_credit_account(session: Session, user_id, org_id=None) -> LedgerAccount:
    """The consumer's store-credit account at the retailer `org_id` (None: platform-wide credit)."""
    return _get_or_create(session, store_credit_key(user_id, org_id), kind=AccountKind.STORE_CREDIT,
                          user_id=user_id, org_id=org_id, allow_negative=False)


def issuer_account(session: Session, org_id=None) -> LedgerAccount:
    return _get_or_create(session, issuer_key(org_id), kind=AccountKind.ISSUER, org_id=org_id,
                          allow_negative=True)


@dataclass(frozen=True)
class Leg:
    account_id: uuid.UUID
    amount_fen: int


def post(session: Session, kind: str, legs: list[Leg], *, ref_type: str | None = None, ref_id=None,
         memo: str | None = None, idempotency_key: str | None = None,
         actor_id: uuid.UUID | None = None) -> JournalEntry:
    """Record one balanced entry and move the balances, or raise and move nothing.

    Raises ValueError for an unbalanced or empty entry (a programming error) and Conflict
    (code insufficient_store_credit) when a leg would take an account below zero. With an
    `idempotency_key` that was used before, returns the earlier entry unchanged.
    """
    if idempotency_key:
        prior = session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == idempotency_key))
        if prior is not None:
            return prior
    legs = [leg for leg in legs if leg.amount_fen]
    if len(legs) < 2 or sum(leg.amount_fen for leg in legs) != 0:
        raise ValueError(f"journal entry {kind!r} is not balanced: {legs}")
    now = clock.now(session)
    entry = JournalEntry(id=uuid.uuid4(), kind=kind, ref_type=ref_type, ref_id=None if ref_id is None else str(ref_id),
                         memo=memo, idempotency_key=idempotency_key, created_by=actor_id, created_at=now)
    # A savepoint: when a later leg is refused, the legs already applied are undone with it, so a
    # caller that catches the Conflict (and, say, asks for another payment method) keeps a
    # ledger that still balances.
    with session.begin_nested():
        session.add(entry)
        session.flush()
        # Always in account-id order, so two entries touching the same accounts cannot deadlock.
        for leg in sorted(legs, key=lambda leg: str(leg.account_id)):
            row = session.execute(
                update(LedgerAccount)
                .where(LedgerAccount.id == leg.account_id,
                       or_(LedgerAccount.allow_negative, LedgerAccount.balance_fen + leg.amount_fen >= 0))
                .values(balance_fen=LedgerAccount.balance_fen + leg.amount_fen, updated_at=now)
                .returning(LedgerAccount.balance_fen)
                .execution_options(synchronize_session=False)).first()
            if row is None:
                raise Conflict("not enough store credit", code="insufficient_store_credit")
            session.add(Posting(entry_id=entry.id, account_id=leg.account_id, amount_fen=leg.amount_fen,
                                balance_after_fen=row[0], created_at=now))
        session.flush()
    for leg in legs:  # the in-memory accounts must show the balances just written
        acc = session.get(LedgerAccount, leg.account_id)
        if acc is not None:
            session.refresh(acc)
    return entry


def _positive(amount_fen: int) -> None:
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ValidationFailed("amount must be a positive number of fen", fields={"amount_fen": ["Must be > 0."]})


def issue_store_credit(session: Session, user_id, org_id, amount_fen: int, *, ref_type: str, ref_id,
                       idempotency_key: str, memo: str | None = None) -> JournalEntry:
    """Grant `amount_fen` of store credit at `org_id` (None: the platform) to the user."""
    _positive(amount_fen)
    src, dst = issuer_account(session, org_id), store_credit_account(session, user_id, org_id)
    return post(session, "issue", [Leg(src.id, -amount_fen), Leg(dst.id, amount_fen)], ref_type=ref_type,
                ref_id=ref_id, memo=memo, idempotency_key=idempotency_key)


def spend_store_credit(session: Session, user_id, org_id, amount_fen: int, *, order_id) -> JournalEntry:
    """Pay `amount_fen` of an order with the user's store credit at `org_id` (None: platform).

    Atomic and idempotent per order: a second call for the same order returns the first entry.
    Raises Conflict (insufficient_store_credit) when the balance is short; nothing moves then.
    """
    _positive(amount_fen)
    src, dst = store_credit_account(session, user_id, org_id), issuer_account(session, org_id)
    return post(session, "spend", [Leg(src.id, -amount_fen), Leg(dst.id, amount_fen)], ref_type="order",
                ref_id=order_id, idempotency_key=f"spend:{order_id}:{src.id}")


def refund_store_credit(session: Session, order_id) -> list[JournalEntry]:
    """Give back the store credit an order spent (cancelled or fully refunded), each spend to the
    account it came from (retailer credit to the retailer account, platform credit to the
    platform one). Idempotent; an empty list when the order spent no store credit."""
    spends = session.scalars(select(JournalEntry).where(
        JournalEntry.kind == "spend", JournalEntry.ref_type == "order",
        JournalEntry.ref_id == str(order_id)).order_by(JournalEntry.created_at, JournalEntry.id)).all()
    out = []
    for spent in spends:
        legs = [Leg(p.account_id, -p.amount_fen) for p in
                session.scalars(select(Posting).where(Posting.entry_id == spent.id))]
        out.append(post(session, "refund", legs, ref_type="order", ref_id=order_id,
                        idempotency_key=f"refund:{spent.id}"))
    return out


def take_up_to(session: Session, user_id, org_id, max_fen: int, *, ref_type: str, ref_id,
               idempotency_key: str, memo: str | None = None) -> tuple[int, JournalEntry | None]:
    """Take back as much store credit as there is, up to `max_fen` (a clawback). Returns
    (amount taken, entry or None)."""
    acc = session.scalar(select(LedgerAccount).where(LedgerAccount.key == store_credit_key(user_id, org_id))
                         .with_for_update())
    if acc is None or acc.balance_fen <= 0 or max_fen <= 0:
        return 0, None
    amount = min(acc.balance_fen, max_fen)
    dst = issuer_account(session, org_id)
    entry = post(session, "clawback", [Leg(acc.id, -amount), Leg(dst.id, amount)], ref_type=ref_type,
                 ref_id=ref_id, memo=memo, idempotency_key=idempotency_key)
    return amount, entry


def balance(session: Session, user_id, org_id=None) -> int:
    acc = session.scalar(select(LedgerAccount).where(LedgerAccount.key == store_credit_key(user_id, org_id)))
    return acc.balance_fen if acc else 0


def accounts_visible_to(session: Session, user) -> list[LedgerAccount]:
    """The caller's own store-credit accounts, their organisations' issuer accounts, or (operators) all."""
    stmt = select(LedgerAccount).order_by(LedgerAccount.created_at)
    if not user.is_operator:
        conds = [LedgerAccount.user_id == user.id]
        if user.org_ids():
            conds.append(and_(LedgerAccount.kind == AccountKind.ISSUER, LedgerAccount.org_id.in_(user.org_ids())))
        stmt = stmt.where(or_(*conds))
    return list(session.scalars(stmt.limit(500)))


def can_view(user, acc: LedgerAccount) -> bool:
    return user.is_operator or acc.user_id == user.id or (
        acc.kind == AccountKind.ISSUER and acc.org_id is not None and acc.org_id in user.org_ids())


def statement(session: Session, user, account_id, *, cursor: str | None, limit: int):
    """An account and its postings, newest first, each with its entry and the balance after it."""
    acc = session.get(LedgerAccount, account_id)
    if acc is None or not can_view(user, acc):
        raise NotFound("no such account")
    stmt = select(Posting).where(Posting.account_id == acc.id)
    rows, nxt = pagination.page(session, stmt, Posting, cursor, limit)
    entries = {e.id: e for e in session.scalars(select(JournalEntry).where(
        JournalEntry.id.in_([p.entry_id for p in rows])))} if rows else {}
    return acc, [(p, entries[p.entry_id]) for p in rows], nxt
