"""Periodic pickup jobs (marketplace/jobs.py PERIODIC_JOBS): reminders the day before, and the
sweep that closes pickups nobody came for."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from services import clock, deps
from services.clock import SHANGHAI
from services.db import Checkpoint, each_locked, no_checkpoint
from services.pickups import lifecycle, notify
from services.pickups.dispatch import mark_no_show
from services.pickups.models import Booking, BookingStatus as S
from services.pickups.policy import Policy


def send_reminders(session: Session, now: datetime | None = None, *, checkpoint: Checkpoint = no_checkpoint) -> int:
    """Remind consumers of pickups on the next local (Beijing) day, once each; `checkpoint` after
    each pickup (one transaction per item when the job runner passes `session.commit`)."""
    now = now or clock.now(session)
    tomorrow = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), SHANGHAI)
    notifier, n = deps.of(session).notifier, 0
    for b in each_locked(session, Booking, Booking.status.in_((S.CONFIRMED, S.ASSIGNED)),
                         Booking.reminder_sent_at.is_(None), Booking.starts_at >= start,
                         Booking.starts_at < start + timedelta(days=1)):
        notify.reminder(notifier, session, b)
        b.reminder_sent_at = now
        session.flush()
        checkpoint()
        n += 1
    return n


def close_missed(session: Session, now: datetime | None = None, policy: Policy | None = None, *,
                 checkpoint: Checkpoint = no_checkpoint) -> int:
    """Pickups whose slot ended `no_show_grace` ago with nobody arriving become the recycler's
    no-show; pool requests nobody claimed before their window fail without blame. The grace is
    `policy`'s, by default the app's (PICKUP_NO_SHOW_GRACE_MINUTES). `checkpoint` after each
    pickup (one transaction per item under the job runner)."""
    now = now or clock.now(session)
    policy = policy or deps.of(session).pickup_policy
    n = 0
    for b in each_locked(session, Booking, Booking.status.in_((S.CONFIRMED, S.ASSIGNED, S.EN_ROUTE)),
                         Booking.ends_at < now - policy.no_show_grace):
        mark_no_show(session, b, "recycler", b.recycler.org_id, None, "nobody arrived in the slot")
        session.flush()
        checkpoint()
        n += 1
    for b in each_locked(session, Booking, Booking.status == S.REQUESTED, Booking.starts_at < now):
        lifecycle.move(b, S.FAILED, None, "no recycler claimed the request", at=clock.now(session))
        b.failure_reason = "unclaimed"
        session.flush()
        checkpoint()
        n += 1
    return n
