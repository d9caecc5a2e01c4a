"""The embedded search backend's document table.

One row per listing the index has heard of, at the revision it last applied (published or a
tombstone). Full-text matching: on PostgreSQL a weighted ``tsvector`` over our own tokens with a
GIN index; on SQLite an FTS5 table kept in step by triggers (created by the migration, since
SQLAlchemy cannot describe virtual tables).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


SELECTIVE_FILTERS = ("kind", "region_city", "region_code")


class SearchDocumentRow(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_published_at", "published", "published_at"),
        Index("ix_search_documents_price", "published", "price_fen"),
        # text_pattern_ops: PostgreSQL uses the index for LIKE 'prefix%' under any collation.
        *(Index(f"ix_search_documents_{c}", c, postgresql_ops={c: "text_pattern_ops"})
          for c in ("suggest_title", "suggest_brand", "suggest_model")),
        # The selective filters (a kind, a city, a county): a narrow search reads its matches, not
        # every document, so its page, total and facets do not grow with the catalogue (migration
        # scale_0001; docs/SCALING.md). Category, grade and province are too coarse to help.
        # (published, column), not a partial index WHERE published: the backend's `published IS
        # true` does not imply a partial index's predicate, but is an index condition on the column.
        *(Index(f"ix_search_documents_published_{c}", "published", c) for c in SELECTIVE_FILTERS),
    )

    # Integer key: SQLite's FTS5 table shares it as rowid.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(80))
    # Normalised (search.text.normalize) copies for prefix autocomplete.
    suggest_title: Mapped[str | None] = mapped_column(String(200))
    suggest_brand: Mapped[str | None] = mapped_column(String(60))
    suggest_model: Mapped[str | None] = mapped_column(String(160))
    title_tokens: Mapped[str] = mapped_column(Text, default="")
    brand_tokens: Mapped[str] = mapped_column(Text, default="")
    body_tokens: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    category: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(30))
    condition: Mapped[str | None] = mapped_column(String(20))
    energy_grade: Mapped[str | None] = mapped_column(String(2))
    powertrain: Mapped[str | None] = mapped_column(String(10))
    emission_standard: Mapped[str | None] = mapped_column(String(10))
    seller_type: Mapped[str | None] = mapped_column(String(12))
    legal_class: Mapped[str | None] = mapped_column(String(16))
    cosmetic_grade: Mapped[str | None] = mapped_column(String(12))
    region_code: Mapped[str | None] = mapped_column(String(6))
    region_province: Mapped[str | None] = mapped_column(String(2))
    region_city: Mapped[str | None] = mapped_column(String(4))
    price_fen: Mapped[int | None] = mapped_column(BigInteger)
    year: Mapped[int | None] = mapped_column(Integer)
    mileage_km: Mapped[int | None] = mapped_column(Integer)
    storage_gb: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    # The listing's device has a valid data-wipe certificate (filter `certified=`).
    certified: Mapped[bool | None] = mapped_column()
