"""The notifier interface and its default: the notification log."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.models import NotificationLog


@dataclass(frozen=True)
class Message:
    recipient_id: uuid.UUID
    kind: str
    title: str
    body: str
    ref_type: str | None = None
    ref_id: str | None = None
    data: dict = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, session: Session, message: Message) -> None:
        """Deliver (or durably queue) the message in the caller's transaction.

        Implementations that call an outside provider must do so after commit (a job reading
        the log), never inside the transaction, so that a rollback sends nothing."""


class LogNotifier:
    """Writes each message to `notification_log`: the delivery of the embedded default."""
    channel = "log"

    def send(self, session: Session, message: Message) -> None:
        session.add(NotificationLog(
            recipient_id=message.recipient_id, channel=self.channel, kind=message.kind,
            ref_type=message.ref_type, ref_id=message.ref_id, title=message.title[:200],
            body=message.body, data=message.data or None, status="sent"))


_NOTIFIERS = {"log": LogNotifier}


def build(name: str) -> Notifier:
    """The notifier named by config (`NOTIFIER`); ValueError for a name nobody implements."""
    if name not in _NOTIFIERS:
        raise ValueError(f"unknown notifier {name!r}; known: {', '.join(sorted(_NOTIFIERS))}")
    return _NOTIFIERS[name]()


def sent_to(session: Session, recipient_id: uuid.UUID, kind: str | None = None) -> list[NotificationLog]:
    """Messages logged for a recipient, oldest first (optionally of one kind)."""
    stmt = select(NotificationLog).where(NotificationLog.recipient_id == recipient_id)
    if kind:
        stmt = stmt.where(NotificationLog.kind == kind)
    return list(session.scalars(stmt.order_by(NotificationLog.created_at, NotificationLog.id)))
