"""A user's favourite listings (with the price they were last told about) and saved searches
(the search parameters, and up to when new listings were already checked)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UUIDPk, utcnow


class Favourite(UUIDPk, Base):
    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "listing_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The price the user last saw or was told about: a drop below it is worth an alert.
    known_price_fen: Mapped[int] = mapped_column(BigInteger)


class SavedSearch(UUIDPk, Base):
    __tablename__ = "saved_searches"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON)           # the /search query parameters, as lists of strings
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_until: Mapped[datetime] = mapped_column(index=True)   # listings published up to here were checked
    last_alert_at: Mapped[datetime | None] = mapped_column()
