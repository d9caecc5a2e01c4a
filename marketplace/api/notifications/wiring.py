"""After a unit of work that notified someone commits, send the outside-channel deliveries in a
job (inline in the embedded mode, RQ otherwise). Sending never fails the request: the job records
failures on the delivery rows and the periodic run retries them."""
from __future__ import annotations

import logging

from flask import Flask

from marketplace import jobs
from marketplace.extensions import db
from marketplace.uow import after_commit_hooks
from services.notifications import delivery, feed

log = logging.getLogger(__name__)


def send_after_commit(app: Flask) -> None:
    if not db.session.info.pop(feed.PENDING, False):
        return
    try:
        jobs.enqueue(app, jobs.scheduled(delivery.deliver_due))
    except Exception:  # noqa: BLE001 - the periodic run sends what this could not
        log.exception("notification delivery not started; the periodic job retries")


def init_app(app: Flask) -> None:
    after_commit_hooks(app).append(send_after_commit)
