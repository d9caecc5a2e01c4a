"""NEV traction batteries at scrappage (issue 22.4): operator-kept recipients, the battery recorded
against the VIN, and its custody log with reporting deadlines. Tables keep their reman_ names."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class RecipientType(str, enum.Enum):
    """Who may take a removed traction battery (报废机动车回收管理办法实施细则)."""
    OEM_COLLECTION_POINT = "oem_collection_point"   # 车企回收服务网点
    CASCADE_USE = "cascade_use"                     # 梯次利用企业
    RECYCLING = "recycling"                         # 综合利用(再生利用)企业


class BatteryRecipient(UUIDPk, Timestamps, Base):
    __tablename__ = "reman_battery_recipients"
    __table_args__ = (
        Index("uq_reman_recipients_live_code", "credit_code", "recipient_type", unique=True,
              postgresql_where=text("withdrawn_at IS NULL"), sqlite_where=text("withdrawn_at IS NULL")),
    )

    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    recipient_type: Mapped[RecipientType] = mapped_column(enum_column(RecipientType))
    # Where the operator found it: the MIIT 规范条件 announcement or the maker's network list.
    list_ref: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(String(6))
    added_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    withdrawn_at: Mapped[datetime | None] = mapped_column()


class BatteryStatus(str, enum.Enum):
    MISSING = "missing"          # vehicle handed in without its battery (incomplete)
    IN_CUSTODY = "in_custody"    # with the recycler
    HANDED_OVER = "handed_over"  # with a listed recipient


class TractionBattery(UUIDPk, Timestamps, Base):
    """A scrapped NEV's traction battery as its recycler recorded it against the VIN."""
    __tablename__ = "reman_traction_batteries"
    __table_args__ = (
        Index("uq_reman_batteries_vin", "vin_hash", unique=True),
        Index("ix_reman_batteries_org_created", "recycler_org_id", "created_at"),
    )

    recycler_org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The scrappage voucher (pickups domain) or the recycler's own 回收证明 number.
    voucher_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    scrap_certificate_no: Mapped[str | None] = mapped_column(String(64))
    vin_hash: Mapped[str] = mapped_column(String(64))
    vin_last4: Mapped[str] = mapped_column(String(4))
    # GB/T 34014 pack code: a product code, not personal data; the platform keys on it.
    pack_code: Mapped[str | None] = mapped_column(String(40), index=True)
    battery_type: Mapped[str | None] = mapped_column(String(40))
    rated_capacity_kwh: Mapped[float | None] = mapped_column()
    swap_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    vehicle_incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date] = mapped_column(Date)  # local (Asia/Shanghai) day the vehicle came in
    status: Mapped[BatteryStatus] = mapped_column(enum_column(BatteryStatus))
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reman_battery_recipients.id"))

    events: Mapped[list[BatteryEvent]] = relationship(order_by="BatteryEvent.at", lazy="selectin",
                                                      cascade="all, delete-orphan")
    recipient: Mapped[BatteryRecipient | None] = relationship(lazy="selectin")


class BatteryEvent(UUIDPk, Base):
    """One step of the custody log, with its reporting deadline to the national traceability
    platform (新能源汽车国家监测与动力蓄电池回收利用溯源综合管理平台)."""
    __tablename__ = "reman_custody_events"

    battery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reman_traction_batteries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # vehicle_received | battery_removed | battery_handed_over
    happened_on: Mapped[date] = mapped_column(Date)  # local day of the event
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reman_battery_recipients.id"))
    report_due_on: Mapped[date] = mapped_column(Date)
    reported_at: Mapped[datetime | None] = mapped_column()
    platform_ref: Mapped[str | None] = mapped_column(String(64))
    reported_late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why a step is recorded after its reporting deadline had already passed (required then).
    late_reason: Mapped[str | None] = mapped_column(String(300))
