"""Subsidy money: budget pools, reservations with snapshot lines, till sales, retailer
campaigns and reimbursement claims."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        UniqueConstraint, Uuid, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class BudgetPool(UUIDPk, Timestamps, Base):
    """The money a programme has for one region. reserved + redeemed never exceed budget:
    the check constraint backs up the conditional UPDATEs in pools.py."""
    __tablename__ = "subsidy_pools"
    __table_args__ = (
        UniqueConstraint("programme_id", "region_prefix"),
        CheckConstraint("reserved_fen >= 0 AND redeemed_fen >= 0", name="non_negative"),
        CheckConstraint("reserved_fen + redeemed_fen <= budget_fen", name="within_budget"),
    )

    programme_id: Mapped[str] = mapped_column(String(60), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    region_prefix: Mapped[str] = mapped_column(String(6))  # '14' for 140000: matched by prefix
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    reserved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    redeemed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[bool] = mapped_column(default=False)
    closed_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.reserved_fen - self.redeemed_fen


class QuotaLock(Base):
    """One row per subsidised person, locked FOR UPDATE while their quota is checked, so two
    concurrent purchases by the same person cannot both take the last slot."""
    __tablename__ = "subsidy_quota_locks"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class Stacking(str, enum.Enum):
    # The bonus is a merchant discount: the government subsidy is computed on price - bonus.
    DISCOUNT = "discount"
    # The bonus is paid only when no government subsidy applies.
    EXCLUSIVE = "exclusive"


class Campaign(UUIDPk, Timestamps, Base):
    """A retailer's own trade-in campaign, funded from its own budget."""
    __tablename__ = "subsidy_campaigns"
    __table_args__ = (
        CheckConstraint("reserved_fen >= 0 AND redeemed_fen >= 0", name="non_negative"),
        CheckConstraint("reserved_fen + redeemed_fen <= budget_fen", name="within_budget"),
        CheckConstraint("starts_on <= ends_on", name="window"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    regions: Mapped[list] = mapped_column(JSON)    # GB/T 2260 codes, matched by prefix
    kinds: Mapped[list] = mapped_column(JSON)      # kinds of the new item
    bonuses: Mapped[dict] = mapped_column(JSON)    # old-item kind -> bonus in fen
    requires_handed_in: Mapped[bool] = mapped_column(default=True)
    stacking: Mapped[Stacking] = mapped_column(enum_column(Stacking), default=Stacking.DISCOUNT)
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    reserved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    redeemed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[bool] = mapped_column(default=False)


class TillSale(UUIDPk, Base):
    """A sale a retailer made at its own till, with the evidence a reimbursement claim needs.
    Identifiers are keyed hashes plus last four characters, never raw."""
    __tablename__ = "subsidy_till_sales"
    __table_args__ = (UniqueConstraint("org_id", "invoice_no"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    invoice_no: Mapped[str] = mapped_column(String(40))
    sold_on: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6))
    buyer_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    buyer_id_last4: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(30))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # IMEI, VIN or serial
    device_last4: Mapped[str | None] = mapped_column(String(4))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    quote_request: Mapped[dict] = mapped_column(JSON)  # the quote body: no personal data
    recycler_name: Mapped[str | None] = mapped_column(String(120))
    recycling_voucher_no: Mapped[str | None] = mapped_column(String(60))
    old_device_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    old_device_last4: Mapped[str | None] = mapped_column(String(4))
    wipe_certificate_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReservationStatus(str, enum.Enum):
    RESERVED = "reserved"
    REDEEMED = "redeemed"
    RELEASED = "released"
    CLAWED_BACK = "clawed_back"


_ACTIVE = "status IN ('reserved', 'redeemed')"


class Reservation(UUIDPk, Base):
    """The subsidies held for one order or till sale: reserved -> redeemed (payment captured)
    -> clawed_back (refund or return); reserved -> released (cancelled)."""
    __tablename__ = "subsidy_reservations"
    __table_args__ = (
        Index("uq_subsidy_reservations_active_order", "order_id", unique=True,
              postgresql_where=text(_ACTIVE), sqlite_where=text(_ACTIVE)),
        Index("uq_subsidy_reservations_active_sale", "sale_id", unique=True,
              postgresql_where=text(_ACTIVE), sqlite_where=text(_ACTIVE)),
    )

    source: Mapped[str] = mapped_column(String(10))  # order | till_sale
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subsidy_till_sales.id"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    buyer_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    buyer_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    buyer_id_last4: Mapped[str] = mapped_column(String(4))
    region_code: Mapped[str] = mapped_column(String(6))
    purchase_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[ReservationStatus] = mapped_column(enum_column(ReservationStatus),
                                                      default=ReservationStatus.RESERVED)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    # After a clawback: does the buyer's per-person slot stay used (the programme's rule)?
    slot_consumed: Mapped[bool] = mapped_column(default=True)
    evidence: Mapped[dict] = mapped_column(JSON)  # masked evidence for claims
    quote_request: Mapped[dict] = mapped_column(JSON)
    reserved_at: Mapped[datetime] = mapped_column(default=utcnow)
    redeemed_at: Mapped[datetime | None] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()
    clawed_back_at: Mapped[datetime | None] = mapped_column()
    clawback_reason: Mapped[str | None] = mapped_column(String(300))

    lines: Mapped[list[AppliedSubsidy]] = relationship(
        back_populates="reservation", lazy="selectin", order_by="AppliedSubsidy.position")


_HELD = "freed_at IS NULL"


class VoucherClaim(UUIDPk, Base):
    """One old item of a recycling voucher backing a reservation: one old item handed in backs
    one subsidised purchase, of any retailer (a pickup that collected several items issues one
    voucher listing them all). Written in the reservation's transaction; the partial unique index
    on (voucher, item) makes tills racing for the same item end with one reservation each. Freed
    when the reservation is released; a claw-back keeps it (services/subsidies/vouchers.py says why)."""
    __tablename__ = "subsidy_voucher_claims"
    __table_args__ = (
        Index("uq_subsidy_voucher_claims_held", "voucher_key", "item_slot", unique=True,
              postgresql_where=text(_HELD), sqlite_where=text(_HELD)),
    )

    # The voucher's number as pickups issued it (verified), else as the till recorded it,
    # stripped and upper-cased. A pickups voucher's number is unique, so this is its id too.
    voucher_key: Mapped[str] = mapped_column(String(60))
    # The item's position in the verified voucher's item list (as issued, never reordered);
    # always 0 for a recorded number, whose items nobody knows.
    item_slot: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    voucher_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # pickups voucher, when verified
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_reservations.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    freed_at: Mapped[datetime | None] = mapped_column()


class AppliedSubsidy(UUIDPk, Base):
    """A snapshot of one quote line as reserved: later edits of a programme file never change it."""
    __tablename__ = "subsidy_applied"

    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_reservations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    programme_id: Mapped[str] = mapped_column(String(60), index=True)  # "campaign" for campaigns
    programme_version: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subsidy_campaigns.id"), index=True)
    pool_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subsidy_pools.id"), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40))
    scheme: Mapped[str | None] = mapped_column(String(20))
    basis_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    explanation_zh: Mapped[str] = mapped_column(String(500))
    explanation_en: Mapped[str] = mapped_column(String(500))
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subsidy_claims.id"), index=True)

    reservation: Mapped[Reservation] = relationship(back_populates="lines")


class ClaimStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


class Claim(UUIDPk, Timestamps, Base):
    """A retailer's reimbursement claim for one programme and period."""
    __tablename__ = "subsidy_claims"
    __table_args__ = (CheckConstraint("period_start <= period_end", name="period"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    programme_id: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus), default=ClaimStatus.DRAFT)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    items_count: Mapped[int] = mapped_column(Integer, default=0)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
