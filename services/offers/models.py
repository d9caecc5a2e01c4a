"""Offers and counter-offers on negotiable listings; a thread is one chain of `parent_id`."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column


class OfferStatus(str, enum.Enum):
    PENDING = "pending"        # waiting for the other side
    ACCEPTED = "accepted"      # became an order at this price
    DECLINED = "declined"
    COUNTERED = "countered"    # answered with a new offer (the child)
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"    # taken back by the side that made it


class Side(str, enum.Enum):
    BUYER = "buyer"
    SELLER = "seller"


_PENDING_SQL = "status = 'pending'"


class Offer(UUIDPk, Timestamps, Base):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        # One open negotiation per buyer and listing.
        Index("uq_offers_pending_thread", "listing_id", "buyer_id", unique=True,
              postgresql_where=text(_PENDING_SQL), sqlite_where=text(_PENDING_SQL)),
        Index("ix_offers_status_expires_at", "status", "expires_at"),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id"), index=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    made_by: Mapped[Side] = mapped_column(enum_column(Side))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus), default=OfferStatus.PENDING)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id"))
    expires_at: Mapped[datetime] = mapped_column()
    responded_at: Mapped[datetime | None] = mapped_column()
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
