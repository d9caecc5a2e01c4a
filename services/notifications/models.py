"""The notification log (every message the `Notifier` sent), the in-app feed, its deliveries to
outside channels, and each user's channel preferences."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, UUIDPk, utcnow


class NotificationLog(UUIDPk, Base):
    __tablename__ = "notification_log"

    recipient_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    channel: Mapped[str] = mapped_column(String(10))  # log | sms | email
    kind: Mapped[str] = mapped_column(String(40), index=True)
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="sent")  # sent | failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(UUIDPk, Base):
    """One entry of a user's in-app feed: always written, whatever the preferences. `event_key`
    names the event that caused it, so an event retried never notifies twice."""
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("recipient_id", "kind", "event_key", name="uq_notifications_event"),
                      Index("ix_notifications_recipient_created", "recipient_id", "created_at"))

    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict] = mapped_column(JSON, default=dict)   # the template's values
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    read_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationDelivery(UUIDPk, Base):
    """A notification to send on one outside channel. Unique per (notification, channel): the
    row is claimed (pending -> sending) and committed before the provider is called, so a retried
    job never sends it twice."""
    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "channel", name="uq_notification_deliveries_channel"),
                      Index("ix_notification_deliveries_status_due", "status", "due_at"))

    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(10))           # email | sms
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column()


class NotificationPreference(Base):
    """Which outside channels a user wants for a kind (the in-app feed is always on). No row:
    the kind's default (services/notifications/templates.py)."""
    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean)
    sms: Mapped[bool] = mapped_column(Boolean)
