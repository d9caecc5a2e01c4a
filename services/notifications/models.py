"""The notification log: every message sent, whatever the channel. With the default (log)
channel this table is the delivery itself."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, String, Text, Uuid
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
