"""Doorstep pickup: recyclers' offer (service areas, hours, capacity), facilities of the
three-tier network, collectors, slots with their booked counts, bookings with their items and
status history, item movements and recycling vouchers (回收凭证)."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint,
                        Uuid)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.accounts.models import Organization
from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class FacilityTier(str, enum.Enum):
    COLLECTION_POINT = "collection_point"
    TRANSFER_STATION = "transfer_station"
    SORTING_CENTRE = "sorting_centre"
    DISMANTLER = "dismantler"  # 报废机动车回收拆解企业: vehicles only


class BookingStatus(str, enum.Enum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    COLLECTED = "collected"
    DELIVERED_TO_FACILITY = "delivered_to_facility"
    PROCESSED = "processed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Recycler(UUIDPk, Timestamps, Base):
    """A recycler organisation's pickup offer (one per organisation)."""
    __tablename__ = "pickup_recyclers"
    __table_args__ = (CheckConstraint("slot_minutes >= 15 AND slot_minutes <= 720", name="slot_minutes_range"),
                      CheckConstraint("slot_capacity >= 0", name="slot_capacity_nonneg"))

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    kinds: Mapped[list] = mapped_column(JSON, default=list)  # item categories taken
    # Set by an operator after checking the licence: vehicles are taken only when true.
    authorised_dismantler: Mapped[bool] = mapped_column(default=False)
    dismantler_licence_no: Mapped[str | None] = mapped_column(String(64))
    depot_lat: Mapped[float] = mapped_column()
    depot_lon: Mapped[float] = mapped_column()
    radius_km: Mapped[float | None] = mapped_column()
    working_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    holidays: Mapped[list] = mapped_column(JSON, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=120)
    slot_capacity: Mapped[int] = mapped_column(Integer, default=4)
    slot_volume_l: Mapped[int | None] = mapped_column(Integer)
    slot_weight_kg: Mapped[int | None] = mapped_column(Integer)
    accepts_pool: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    org: Mapped[Organization] = relationship(lazy="selectin")
    regions: Mapped[list[ServiceRegion]] = relationship(cascade="all, delete-orphan")

    @property
    def region_codes(self) -> list[str]:
        return sorted(r.region_code for r in self.regions)


class ServiceRegion(Base):
    """A GB/T 2260 code a recycler serves; a city or province code covers everything below it."""
    __tablename__ = "pickup_service_regions"

    recycler_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_recyclers.id", ondelete="CASCADE"),
                                                   primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True, index=True)


class Facility(UUIDPk, Timestamps, Base):
    __tablename__ = "pickup_facilities"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    tier: Mapped[FacilityTier] = mapped_column(enum_column(FacilityTier))
    region_code: Mapped[str] = mapped_column(String(6))
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    address: Mapped[str] = mapped_column(String(200), default="")
    # The next tier up this facility sends to (collection point -> transfer station -> sorting centre).
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pickup_facilities.id"))
    active: Mapped[bool] = mapped_column(default=True)


class Collector(UUIDPk, Timestamps, Base):
    __tablename__ = "pickup_collectors"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)


class Slot(UUIDPk, Base):
    """A recycler's time slot, created on first booking; the counters never pass the capacity
    (conditional UPDATE in the service, and the check constraints as a last line)."""
    __tablename__ = "pickup_slots"
    __table_args__ = (
        UniqueConstraint("recycler_id", "starts_at"),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity_count", name="count_within"),
        CheckConstraint("booked_volume_l >= 0 AND booked_weight_kg >= 0", name="budget_nonneg"),
    )

    recycler_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_recyclers.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    capacity_count: Mapped[int] = mapped_column(Integer)
    booked_count: Mapped[int] = mapped_column(Integer, default=0)
    capacity_volume_l: Mapped[int | None] = mapped_column(Integer)
    booked_volume_l: Mapped[int] = mapped_column(Integer, default=0)
    capacity_weight_kg: Mapped[int | None] = mapped_column(Integer)
    booked_weight_kg: Mapped[int] = mapped_column(Integer, default=0)


class Booking(UUIDPk, Timestamps, Base):
    __tablename__ = "pickup_bookings"
    __table_args__ = (Index("ix_pickup_bookings_recycler_starts", "recycler_id", "starts_at"),
                      Index("ix_pickup_bookings_status_starts", "status", "starts_at"))

    consumer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    booked_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    booked_by_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    source: Mapped[str] = mapped_column(String(12))  # consumer | retailer | trade_in
    # Plain references into the orders and trade-in domains (no foreign key across domains).
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    trade_in_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    dispatch: Mapped[str] = mapped_column(String(10))  # direct | nearest | pool
    recycler_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pickup_recyclers.id"))
    slot_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pickup_slots.id"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    region_code: Mapped[str] = mapped_column(String(6))
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    address_line: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus))
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(300))
    collector_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pickup_collectors.id"), index=True)
    # The share of the slot's bulk budget this booking holds, released exactly on cancel.
    volume_l: Mapped[int] = mapped_column(Integer, default=0)
    weight_kg: Mapped[int] = mapped_column(Integer, default=0)
    reminder_sent_at: Mapped[datetime | None] = mapped_column()

    items: Mapped[list[BookingItem]] = relationship(order_by="BookingItem.position", lazy="selectin",
                                                    cascade="all, delete-orphan")
    history: Mapped[list[StatusChange]] = relationship(order_by="StatusChange.at", lazy="selectin",
                                                       cascade="all, delete-orphan")
    recycler: Mapped[Recycler | None] = relationship(lazy="selectin")
    collector: Mapped[Collector | None] = relationship(lazy="selectin")
    voucher: Mapped[Voucher | None] = relationship(lazy="selectin", viewonly=True,
                                                   primaryjoin="Booking.id == foreign(Voucher.booking_id)")


class BookingItem(UUIDPk, Base):
    __tablename__ = "pickup_items"

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_bookings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200), default="")
    listing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # VIN or IMEI, keyed hash
    device_last4: Mapped[str | None] = mapped_column(String(4))
    volume_l: Mapped[int] = mapped_column(Integer, default=0)
    weight_kg: Mapped[int] = mapped_column(Integer, default=0)
    weight_g: Mapped[int | None] = mapped_column(Integer)  # measured at collection
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pickup_facilities.id"))

    moves: Mapped[list[ItemMove]] = relationship(order_by="ItemMove.at", lazy="selectin",
                                                 cascade="all, delete-orphan")


class ItemMove(UUIDPk, Base):
    """An item arrived at a facility: the trail from the doorstep to its destination."""
    __tablename__ = "pickup_item_moves"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_items.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_facilities.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    facility: Mapped[Facility] = relationship(lazy="selectin")


class StatusChange(UUIDPk, Base):
    __tablename__ = "pickup_status_changes"

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_bookings.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Voucher(UUIDPk, Timestamps, Base):
    """回收凭证: proof that the items were collected for recycling. Names and items are snapshots,
    so the voucher reads the same after a facility or collector is renamed."""
    __tablename__ = "pickup_vouchers"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_bookings.id"), unique=True)
    consumer_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    trade_in_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    recycler_org_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    recycler_name: Mapped[str] = mapped_column(String(120))
    collector_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    collector_name: Mapped[str] = mapped_column(String(80))
    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pickup_facilities.id"))
    facility_name: Mapped[str] = mapped_column(String(120))
    facility_tier: Mapped[str] = mapped_column(String(20))
    collected_at: Mapped[datetime] = mapped_column()
    items: Mapped[list] = mapped_column(JSON)
    total_weight_g: Mapped[int] = mapped_column(Integer)
    # Vehicles: 报废机动车回收证明 number and the deregistration (注销登记) at the vehicle office.
    scrap_certificate_no: Mapped[str | None] = mapped_column(String(64))
    deregistered_at: Mapped[datetime | None] = mapped_column()
    deregistration_ref: Mapped[str | None] = mapped_column(String(64))
