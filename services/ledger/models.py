"""Accounts, journal entries and postings of the store-credit ledger.

Each entry's postings sum to zero. A consumer's store-credit account can never go below zero
(a CHECK backs the conditional UPDATE that moves balances); an issuer account, the retailer's
(or the platform's) side of the credit it has granted, runs negative by design: its balance is
minus the credit outstanding.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class AccountKind(str, enum.Enum):
    STORE_CREDIT = "store_credit"   # a consumer's credit, spendable at one retailer (or the platform)
    ISSUER = "issuer"               # the retailer's or platform's counter account


class LedgerAccount(UUIDPk, Timestamps, Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (CheckConstraint("allow_negative OR balance_fen >= 0", name="no_negative_balance"),)

    # "store_credit:<user>:<org or platform>" or "issuer:<org or platform>": one account per holder.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    allow_negative: Mapped[bool] = mapped_column(default=False)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class JournalEntry(UUIDPk, Base):
    __tablename__ = "ledger_entries"

    kind: Mapped[str] = mapped_column(String(20))       # issue | spend | refund | clawback | adjustment
    ref_type: Mapped[str | None] = mapped_column(String(30))
    ref_id: Mapped[str | None] = mapped_column(String(64), index=True)
    memo: Mapped[str | None] = mapped_column(String(300))
    # Replaying a movement with the same key returns the first entry instead of moving money twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Posting(UUIDPk, Base):
    __tablename__ = "ledger_postings"
    __table_args__ = (CheckConstraint("amount_fen <> 0", name="non_zero"),)

    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)          # + credit to the holder, - debit
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
