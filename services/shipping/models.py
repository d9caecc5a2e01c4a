"""Shipments (outbound to the buyer, or a return to the seller) and the carrier's tracking events."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, Timestamps, UUIDPk, enum_column, utcnow


class Direction(str, enum.Enum):
    OUTBOUND = "outbound"   # seller -> buyer
    RETURN = "return"       # buyer -> seller, after a dispute


class TrackingStatus(str, enum.Enum):
    SHIPPED = "shipped"                     # recorded by the sender, no carrier scan yet
    PICKED_UP = "picked_up"                 # 已揽收
    IN_TRANSIT = "in_transit"               # 运输中
    OUT_FOR_DELIVERY = "out_for_delivery"   # 派送中
    DELIVERED = "delivered"                 # 已签收: final
    EXCEPTION = "exception"                 # 异常 (returned to sender, lost...): needs a person


class FeePayer(str, enum.Enum):
    BUYER = "buyer"     # 到付 / added to what the buyer pays
    SELLER = "seller"   # 包邮


class Shipment(UUIDPk, Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier", "tracking_number", name="uq_shipments_carrier_tracking"),
        # One live parcel per order and direction.
        Index("uq_shipments_order_direction", "order_id", "direction", unique=True),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    carrier: Mapped[str] = mapped_column(String(10))
    tracking_number: Mapped[str] = mapped_column(String(40))
    status: Mapped[TrackingStatus] = mapped_column(enum_column(TrackingStatus))
    # The carrier's own time of the event that set `status`: a later-arriving older event never wins.
    status_at: Mapped[datetime] = mapped_column()
    shipping_fee_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_payer: Mapped[FeePayer] = mapped_column(enum_column(FeePayer))
    shipped_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime | None] = mapped_column()


class ShipmentEvent(UUIDPk, Base):
    __tablename__ = "shipment_events"
    __table_args__ = (UniqueConstraint("carrier", "event_id", name="uq_shipment_events_carrier_event"),)

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str] = mapped_column(String(100))   # the carrier's id: a replay is a no-op
    status: Mapped[TrackingStatus] = mapped_column(enum_column(TrackingStatus))
    occurred_at: Mapped[datetime] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(100))
    applied: Mapped[bool] = mapped_column(default=False)  # False: older than the shipment's status
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
