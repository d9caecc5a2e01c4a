"""Listings of vehicles, appliances and electronics, their photos, price history and search outbox."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        Uuid, event, text)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class Category(str, enum.Enum):
    VEHICLE = "vehicle"
    APPLIANCE = "appliance"
    ELECTRONICS = "electronics"
    OTHER = "other"


class Condition(str, enum.Enum):
    NEW = "new"
    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    FOR_PARTS = "for_parts"
    REMANUFACTURED = "remanufactured"


class Status(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    RESERVED = "reserved"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


# States in which a listing holds its device (VIN or IMEI): at most one such listing per device.
ACTIVE_STATES = (Status.PENDING_REVIEW, Status.PUBLISHED, Status.RESERVED)
_ACTIVE_SQL = "status IN ('pending_review', 'published', 'reserved')"


class Listing(UUIDPk, Timestamps, Base):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("price_fen > 0", name="price_positive"),
        Index("uq_listings_active_device", "device_hash", unique=True,
              postgresql_where=text(_ACTIVE_SQL), sqlite_where=text(_ACTIVE_SQL)),
        # Keyset pages: the cursor's (created_at, id) is an index condition, so a page deep in the
        # catalogue costs what the first page does (migration scale_0001, docs/SCALING.md).
        Index("ix_listings_status_created_id", "status", "created_at", "id"),
        Index("ix_listings_status_category_created_id", "status", "category", "created_at", "id"),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    seller_type: Mapped[str] = mapped_column(String(12))  # consumer | retailer | recycler
    category: Mapped[Category] = mapped_column(enum_column(Category))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_fen: Mapped[int] = mapped_column(BigInteger)
    negotiable: Mapped[bool] = mapped_column(default=False)
    # Shipping across cities (跨城发货): None = meet-up only (面交); otherwise the carrier's fee, paid
    # by the buyer on top of the price, or by the seller out of the payout when `free_shipping` (包邮).
    shipping_fee_fen: Mapped[int | None] = mapped_column(Integer)
    free_shipping: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    condition: Mapped[Condition] = mapped_column(enum_column(Condition))
    remanufacturer: Mapped[str | None] = mapped_column(String(120))
    reman_cert_no: Mapped[str | None] = mapped_column(String(64))
    # A remanufactured listing's verified claim: its entry in the catalogue of recognised
    # remanufacturers (services.remanufacturing; a plain reference, no cross-domain foreign key)
    # and the warranty promised in months. remanufacturer/reman_cert_no are copied from the entry.
    reman_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    warranty_months: Mapped[int | None] = mapped_column(Integer)
    # Legal class apart from the cosmetic grade (services.remanufacturing.grading): new,
    # remanufactured, refurbished or used; electronics may carry a grade with its inspection facts.
    legal_class: Mapped[str] = mapped_column(String(16), default="used", server_default="used")
    cosmetic_grade: Mapped[str | None] = mapped_column(String(12))
    inspection: Mapped[dict | None] = mapped_column(JSON)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT)
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    # Typed attributes that search filters on; the rest of a category's attributes live in `attributes`.
    brand: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(80))
    year: Mapped[int | None] = mapped_column(Integer)
    mileage_km: Mapped[int | None] = mapped_column(Integer)
    powertrain: Mapped[str | None] = mapped_column(String(10))
    emission_standard: Mapped[str | None] = mapped_column(String(10))
    energy_grade: Mapped[int | None] = mapped_column(Integer)
    storage_gb: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    # VIN or IMEI as a keyed hash (uniqueness, certificate matching) and last four characters.
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    device_last4: Mapped[str | None] = mapped_column(String(4))
    serial_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_last4: Mapped[str | None] = mapped_column(String(4))
    published_at: Mapped[datetime | None] = mapped_column()
    # The price an operator last approved: rises beyond a threshold above it need a new review
    # (services/listings/revisions.py), so many small rises cannot add up to an unreviewed one.
    approved_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    # The device's data-wipe certificate as buyers see it ({id, status, level, organisation,
    # issued_at}), copied by the certificates domain when it is issued, revoked or checked at the
    # gate: the hot listing reads show it without a join (services/certificates/summary.py).
    wipe_certificate: Mapped[dict | None] = mapped_column(JSON)
    # Bumped on every change; the search index uses it as the document's external version.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    # The photos on show: a photo proposed by a pending revision joins them only when approved.
    photos: Mapped[list[ListingPhoto]] = relationship(
        primaryjoin="and_(Listing.id == ListingPhoto.listing_id, ListingPhoto.revision_id.is_(None))",
        order_by="ListingPhoto.position", lazy="selectin", cascade="all, delete-orphan", overlaps="listing")


class ListingPhoto(UUIDPk, Base):
    __tablename__ = "listing_photos"

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(30))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while the photo is part of a pending revision of a published listing (not on show yet).
    revision_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("listing_revisions.id", ondelete="CASCADE"), index=True)

    listing: Mapped[Listing] = relationship(overlaps="photos")


class PriceChange(UUIDPk, Base):
    __tablename__ = "listing_price_changes"

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    old_price_fen: Mapped[int] = mapped_column(BigInteger)
    new_price_fen: Mapped[int] = mapped_column(BigInteger)
    changed_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ListingRevision(UUIDPk, Timestamps, Base):
    """A material change to a published listing, held for review while the approved version stays
    on sale. `changes` maps listing columns to proposed values (identifiers only as hash and last
    four, like the listing); photos it adds point at it (ListingPhoto.revision_id)."""
    __tablename__ = "listing_revisions"
    __table_args__ = (
        # One pending revision per listing: later edits amend it.
        Index("uq_listing_revisions_pending", "listing_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_listing_revisions_status_created", "status", "created_at"),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    proposed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RevisionStatus] = mapped_column(enum_column(RevisionStatus), default=RevisionStatus.PENDING)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    removed_photo_ids: Mapped[list] = mapped_column(JSON, default=list)
    base_revision: Mapped[int] = mapped_column(Integer)  # the listing's revision when last amended
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decided_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(String(500))

    listing: Mapped[Listing] = relationship()
    proposed_photos: Mapped[list[ListingPhoto]] = relationship(
        viewonly=True, order_by="ListingPhoto.position", lazy="selectin")


class SearchOutbox(Base):
    """A listing changed at this revision: the search relay ships it. Plain data, no search import."""
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Session, "before_flush")
def _bump_revision_and_outbox(session: Session, flush_context, instances) -> None:
    # Every listing insert or change writes an outbox row in the same transaction, so the
    # search index can never miss a committed change (and never sees an uncommitted one).
    for obj in list(session.new):
        if isinstance(obj, Listing):
            obj.revision = obj.revision or 1
            session.add(SearchOutbox(listing_id=obj.id or _assign_id(obj), revision=obj.revision))
    for obj in list(session.dirty):
        if isinstance(obj, Listing) and session.is_modified(obj, include_collections=False):
            obj.revision = (obj.revision or 0) + 1
            session.add(SearchOutbox(listing_id=obj.id, revision=obj.revision))


def _assign_id(obj: Listing) -> uuid.UUID:
    obj.id = uuid.uuid4()
    return obj.id
