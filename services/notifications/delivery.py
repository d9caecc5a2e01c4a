"""Sending the feed's deliveries on outside channels, after commit, in a job.

At most once per (notification, channel): the delivery row is unique per channel, and it is
claimed (pending -> sending, attempts + 1) by a conditional UPDATE that is committed *before* the
provider is called. A second worker, or the same job retried, finds it no longer pending. A
failed send goes back to pending with a growing delay (up to MAX_ATTEMPTS), then `failed`. A
worker that dies between the claim and the outcome leaves the row `sending`: never sent twice, at
the price of maybe never (an operator sees it)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import clock
from services.notifications.channels import Addresses, Mailer, NoAddress, SendFailed, SmsSender
from services.notifications.models import Notification, NotificationDelivery as D
from services.notifications.templates import render

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 100


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** attempts)   # 2, 4, 8, 16 minutes


def _claim(session: Session, delivery_id) -> bool:
    done = session.execute(update(D).where(D.id == delivery_id, D.status == "pending")
                           .values(status="sending", attempts=D.attempts + 1)
                           .execution_options(synchronize_session=False))
    return bool(done.rowcount)


def _send(session: Session, d: D, note: Notification, mailer: Mailer, sms: SmsSender, addresses: Addresses) -> None:
    zh, en = render(note.kind, note.params, "zh"), render(note.kind, note.params, "en")
    if d.channel == "email":
        to = addresses.email_of(session, note.recipient_id)
        if not to:
            raise NoAddress("no email address")
        mailer.send(to, f"{zh[0]} / {en[0]}", f"{zh[1]}\n\n{en[1]}\n\n— 换新 Huanxin")
    else:
        to = addresses.phone_of(session, note.recipient_id)
        if not to:
            raise NoAddress("no phone number")
        sms.send(to, f"【换新】{zh[1]}")


def deliver_due(session: Session, *, mailer: Mailer, sms: SmsSender, addresses: Addresses,
                checkpoint: Callable[[], None]) -> int:
    """Send every due pending delivery once; returns how many were sent. `checkpoint` commits
    (the claim before each send, the outcome after it)."""
    now = clock.now(session)
    due = list(session.scalars(select(D.id).where(D.status == "pending", D.due_at <= now)
                               .order_by(D.due_at).limit(BATCH)))
    sent = 0
    for delivery_id in due:
        if not _claim(session, delivery_id):
            continue        # another worker has it
        checkpoint()
        d = session.get(D, delivery_id, populate_existing=True)
        note = session.get(Notification, d.notification_id)
        try:
            _send(session, d, note, mailer, sms, addresses)
        except Exception as e:  # noqa: BLE001 - any provider failure is retried, never raised
            error = str(e) if isinstance(e, SendFailed) else f"{type(e).__name__}: {e}"
            d.last_error = error[:200]
            retry = d.attempts < MAX_ATTEMPTS and not isinstance(e, NoAddress)
            d.status = "pending" if retry else "failed"
            d.due_at = clock.now(session) + _backoff(d.attempts)
            log.warning("notification not sent", extra={"delivery_id": str(d.id), "channel": d.channel,
                                                        "attempts": d.attempts, "error": d.last_error})
        else:
            d.status, d.sent_at, d.last_error = "sent", clock.now(session), None
            sent += 1
        checkpoint()
    return sent
