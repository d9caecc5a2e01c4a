"""One review per side per completed order, hidden until both sides wrote or the window closed."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UUIDPk, utcnow


class Review(UUIDPk, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_id", "author_role"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_reviews_subject_published", "subject_id", "published_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(6))   # buyer | seller
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column()
