"""Disputes: a buyer's complaint (platform) or a card chargeback (Stripe), one open per order."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class DisputeKind(str, enum.Enum):
    PLATFORM = "platform"       # opened by the buyer, resolved by an operator
    CHARGEBACK = "chargeback"   # opened by the card issuer, decided by the issuer


class DisputeReason(str, enum.Enum):
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"
    CHARGEBACK = "chargeback"   # the issuer's own reason is kept in `description`


class DisputeStatus(str, enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"


class Outcome(str, enum.Enum):
    RELEASE = "release"                  # the seller is paid in full
    REFUND = "refund"                    # the buyer gets everything back
    PARTIAL_REFUND = "partial_refund"    # the buyer gets `refund_fen` back, the seller the rest
    RETURN = "return"                    # the buyer sends the item back; refunded in full on its delivery
    RETURN_LAPSED = "return_lapsed"      # a `return` the buyer never sent in time: the seller is paid in full
    WON = "won"                          # chargeback decided for the seller
    LOST = "lost"                        # chargeback decided for the buyer


_OPEN_SQL = "status = 'open'"
_PLATFORM_SQL = "kind = 'platform'"
_RETURN_SQL = "outcome = 'return'"


class Dispute(UUIDPk, Timestamps, Base):
    __tablename__ = "disputes"
    __table_args__ = (
        Index("uq_disputes_open_per_order", "order_id", unique=True,
              postgresql_where=text(_OPEN_SQL), sqlite_where=text(_OPEN_SQL)),
        # The buyer may open one dispute per order.
        Index("uq_disputes_platform_per_order", "order_id", unique=True,
              postgresql_where=text(_PLATFORM_SQL), sqlite_where=text(_PLATFORM_SQL)),
        Index("ix_disputes_status_created", "status", "created_at"),
        # The lapse job (services/shipping/jobs.py lapse_returns) reads the `return` decisions whose
        # send window ended: few rows among all disputes, so a partial index by decision time.
        Index("ix_disputes_return_resolved_at", "resolved_at",
              postgresql_where=text(_RETURN_SQL), sqlite_where=text(_RETURN_SQL)),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[DisputeKind] = mapped_column(enum_column(DisputeKind))
    reason: Mapped[DisputeReason] = mapped_column(enum_column(DisputeReason))
    description: Mapped[str] = mapped_column(Text, default="")
    opened_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus), default=DisputeStatus.OPEN)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    refund_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    resolution_note: Mapped[str | None] = mapped_column(String(1000))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column()
    provider_dispute_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The seller's answer to a platform dispute (evidence.py): accept_refund | offer_partial_refund | contest
    seller_response: Mapped[str | None] = mapped_column(String(24))
    seller_offer_fen: Mapped[int | None] = mapped_column(BigInteger)
    seller_responded_at: Mapped[datetime | None] = mapped_column()


class EvidenceKind(str, enum.Enum):
    STATEMENT = "statement"
    PHOTO = "photo"


class DisputeEvidence(UUIDPk, Base):
    """A statement or photo one side put before the operator; never edited or deleted."""
    __tablename__ = "dispute_evidence"
    __table_args__ = (Index("ix_dispute_evidence_dispute_created", "dispute_id", "created_at"),)

    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(String(6))   # buyer | seller
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    text: Mapped[str] = mapped_column(Text, default="")
    photo_key: Mapped[str | None] = mapped_column(String(200))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
