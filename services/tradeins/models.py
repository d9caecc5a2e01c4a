"""Trade-ins: the price table, the trade-in itself (a quote until accepted), its history,
inspection photos, payouts and clawbacks."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        Uuid, text)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class Status(str, enum.Enum):
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    COUNTER_OFFERED = "counter_offered"
    LOCKED = "locked"
    BLOCKED = "blocked"
    RETURNING = "returning"
    PAID = "paid"
    RETURNED = "returned"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Handover(str, enum.Enum):
    PICKUP = "pickup"                  # doorstep pickup (上门取件)
    DROPOFF = "dropoff"                # at a collection point
    WITH_DELIVERY = "with_delivery"    # taken away when the new purchase is delivered (送新取旧)


class PayoutMethod(str, enum.Enum):
    CASH = "cash"                      # a Stripe transfer to a connected account, or offline
    STORE_CREDIT = "store_credit"


class PriceEntry(UUIDPk, Timestamps, Base):
    """A base price per model: the platform's table (org_id NULL, kept by operators) or a
    retailer's campaign entry, which may override the base and add a bonus."""
    __tablename__ = "tradein_prices"
    __table_args__ = (
        CheckConstraint("base_price_fen IS NULL OR base_price_fen >= 0", name="base_not_negative"),
        CheckConstraint("campaign_bonus_fen >= 0", name="bonus_not_negative"),
        CheckConstraint("org_id IS NOT NULL OR base_price_fen IS NOT NULL", name="platform_has_base"),
        Index("uq_tradein_prices_platform_model", "category", "model_key", unique=True,
              postgresql_where=text("org_id IS NULL"), sqlite_where=text("org_id IS NULL")),
        Index("uq_tradein_prices_org_model", "org_id", "category", "model_key", unique=True,
              postgresql_where=text("org_id IS NOT NULL"), sqlite_where=text("org_id IS NOT NULL")),
    )

    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    category: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(30))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    model_key: Mapped[str] = mapped_column(String(160))
    base_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    campaign_bonus_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    campaign_name: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class TradeIn(UUIDPk, Timestamps, Base):
    __tablename__ = "tradeins"
    __table_args__ = (
        CheckConstraint("quoted_fen >= 0", name="quote_not_negative"),
        CheckConstraint("prepaid_fen >= 0 AND paid_fen >= 0", name="paid_not_negative"),
        Index("ix_tradeins_status_expires", "status", "expires_at"),
    )

    consumer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    # The retailer whose campaign prices it and whose store credit pays it, if any.
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The retailer or recycler that receives and inspects the item.
    handler_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.QUOTED)
    category: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(30))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(80))
    age_months: Mapped[int] = mapped_column(Integer)
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)   # IMEI or VIN
    device_last4: Mapped[str | None] = mapped_column(String(4))
    serial_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_last4: Mapped[str | None] = mapped_column(String(4))
    declared: Mapped[dict] = mapped_column(JSON)
    # Snapshot of the price used, so a later table edit never changes an issued quote.
    price_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    base_price_fen: Mapped[int] = mapped_column(BigInteger)
    bonus_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    bonus_label: Mapped[str | None] = mapped_column(String(120))
    quoted_fen: Mapped[int] = mapped_column(BigInteger)
    quote_lines: Mapped[list] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    handover_method: Mapped[Handover | None] = mapped_column(enum_column(Handover))
    handover: Mapped[dict | None] = mapped_column(JSON)
    payout_method: Mapped[PayoutMethod | None] = mapped_column(enum_column(PayoutMethod))
    payout_account: Mapped[str | None] = mapped_column(String(64))   # Stripe connected account id
    inspection: Mapped[dict | None] = mapped_column(JSON)
    inspected_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    inspected_at: Mapped[datetime | None] = mapped_column()
    offer_fen: Mapped[int | None] = mapped_column(BigInteger)
    offer_lines: Mapped[list | None] = mapped_column(JSON)
    offer_expires_at: Mapped[datetime | None] = mapped_column()
    final_fen: Mapped[int | None] = mapped_column(BigInteger)
    prepaid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    return_carrier: Mapped[str | None] = mapped_column(String(40))
    return_tracking_no: Mapped[str | None] = mapped_column(String(60))
    status_reason: Mapped[str | None] = mapped_column(String(300))


class TradeInEvent(UUIDPk, Base):
    """Every status change: who, when, from where to where and why."""
    __tablename__ = "tradein_events"

    tradein_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tradeins.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    note: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionPhoto(UUIDPk, Base):
    __tablename__ = "tradein_photos"

    tradein_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tradeins.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(30))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payout(UUIDPk, Base):
    """Money sent for a trade-in: a prepayment on acceptance or the settlement after inspection.
    `deducted_fen` went to the consumer's open clawbacks instead of to the consumer."""
    __tablename__ = "tradein_payouts"
    __table_args__ = (CheckConstraint("amount_fen > 0 AND deducted_fen >= 0 AND deducted_fen <= amount_fen",
                                      name="amounts_consistent"),)

    tradein_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tradeins.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))        # prepayment | settlement
    method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod))
    channel: Mapped[str] = mapped_column(String(12))     # stripe | offline | ledger
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    deducted_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reference: Mapped[str | None] = mapped_column(String(120))
    # A Stripe transfer is made after commit (services/payments/relay.py): `pending` until the
    # relay records its transfer id in `reference`, then `sent`; `failed` when Stripe refused it
    # and the amount was issued as platform store credit instead (`reference` names that entry).
    # Ledger and offline payouts are `sent` at once.
    status: Mapped[str] = mapped_column(String(8), default="sent", server_default="sent")
    error: Mapped[str | None] = mapped_column(String(200))   # the provider's last refusal or failure
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Clawback(UUIDPk, Timestamps, Base):
    """What a prepaid consumer owes back after inspection found less (or the item went back)."""
    __tablename__ = "tradein_clawbacks"
    __table_args__ = (CheckConstraint("amount_fen > 0 AND recovered_fen >= 0 AND recovered_fen <= amount_fen",
                                      name="amounts_consistent"),)

    tradein_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tradeins.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")   # open | paid | unpaid
    due_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class ClawbackRecovery(UUIDPk, Base):
    __tablename__ = "tradein_clawback_recoveries"

    clawback_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tradein_clawbacks.id", ondelete="CASCADE"),
                                                   index=True)
    source: Mapped[str] = mapped_column(String(14))    # store_credit | payout | payment
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
