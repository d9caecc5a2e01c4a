"""Append-only audit log of operator and money-moving actions: who, what, when, before, after."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.db import Base, UUIDPk, utcnow


class AuditEntry(UUIDPk, Base):
    __tablename__ = "audit_log"

    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record(session: Session, actor_id: uuid.UUID | None, action: str, target_type: str,
           target_id, *, before: dict | None = None, after: dict | None = None,
           reason: str | None = None) -> AuditEntry:
    """Add one audit row in the caller's transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(actor_id=actor_id, action=action, target_type=target_type,
                       target_id=str(target_id), before=before, after=after, reason=reason)
    session.add(entry)
    return entry
