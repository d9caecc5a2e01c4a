"""One row per participant with the aggregates a buyer sees on every listing: rating, completed
trades, credit band. Kept current by services/standing/service.py when a review is published, an
order's status moves and a score is computed, so a page of listings reads it with one query
instead of aggregating reviews and orders per seller."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, utcnow


class SellerStanding(Base):
    __tablename__ = "seller_standing"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")      # stars of published reviews
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completed_trades: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # as buyer or seller
    credit_band: Mapped[str | None] = mapped_column(String(20))    # of the latest score of the user's subject
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
