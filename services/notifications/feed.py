"""The in-app feed: `notify` is what every domain calls when something happened that a user must
act on or would want to know. It writes the feed entry and, by the user's preferences, one
delivery row per outside channel, all in the caller's transaction (a rollback notifies nobody);
the sending happens after commit, in a job (services/notifications/delivery.py)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock, pagination
from services.errors import NotFound
from services.notifications import preferences
from services.notifications.models import Notification, NotificationDelivery
from services.notifications.templates import KINDS

# Set on a session that queued outside-channel deliveries: the edge starts the sending job after
# it commits (marketplace/api/notifications/wiring.py).
PENDING = "notifications_pending"


def notify(session: Session, recipient_id: uuid.UUID, kind: str, *, event_key: str, params: dict | None = None,
           ref_type: str | None = None, ref_id=None) -> Notification | None:
    """Notify `recipient_id` of one event. Promises: at most one feed entry per (recipient, kind,
    event_key), so a retried request or job notifies once (None the second time); one delivery row
    per outside channel the user wants; nothing is sent before the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = clock.now(session)
    note = Notification(id=uuid.uuid4(), recipient_id=recipient_id, kind=kind, event_key=str(event_key)[:120],
                        params=params or {}, ref_type=ref_type, ref_id=None if ref_id is None else str(ref_id),
                        created_at=now)
    try:
        with session.begin_nested():
            session.add(note)
            session.flush()
    except IntegrityError:
        return None
    for channel in preferences.channels(session, recipient_id, kind):
        session.add(NotificationDelivery(notification_id=note.id, channel=channel, status="pending",
                                         attempts=0, due_at=now))
        session.info[PENDING] = True
    session.flush()
    return note


def send_after_commit(session: Session) -> None:
    """Start the sending job after the caller commits even if it queued nothing: a caller whose
    answer must not tell whether it notified anyone (a password reset request) starts the same
    job either way."""
    session.info[PENDING] = True


def page_for(session: Session, user_id: uuid.UUID, *, unread: bool, cursor: str | None, limit: int):
    """The user's feed, newest first: (rows, next_cursor)."""
    stmt = select(Notification).where(Notification.recipient_id == user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return pagination.page(session, stmt, Notification, cursor, limit)


def unread_count(session: Session, user_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user_id: uuid.UUID, notification_id) -> Notification:
    """Mark one of the user's own notifications read (404 for anyone else's); idempotent."""
    note = session.get(Notification, notification_id)
    if note is None or note.recipient_id != user_id:
        raise NotFound("no such notification")
    if note.read_at is None:
        note.read_at = clock.now(session)
        session.flush()
    return note


def read_all(session: Session, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read; returns how many."""
    now: datetime = clock.now(session)
    result = session.execute(update(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)).values(read_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
