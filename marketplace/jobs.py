"""Background jobs and schedules.

With REDIS_URL, jobs go through RQ and `flask worker` runs them (plus the periodic schedule,
guarded by a Redis lock so that several workers do not double-run a tick). Without it (the
embedded default), `flask serve` runs the schedule in a thread and `enqueue` runs jobs inline.

A job is a function taking (session, ...) and returning a count of things it did. Periodic jobs
are domain functions (`services/<domain>/jobs.py` and the like) listed in PERIODIC_JOBS with
one line: `Periodic(function, every_seconds)`, plus `bind=` when the function needs the app's
collaborators (a gateway, settings, a policy) as keyword arguments.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session

from marketplace import alerts, storage_jobs
from marketplace.api.payments.wiring import gateway, settings
from marketplace.api.pickups.blueprint import policy as pickup_policy
from marketplace.api.search import wiring as search_wiring
from marketplace.api.tradeins.deps import deps as tradein_deps
from marketplace.container import current as current_container
from marketplace.extensions import db
from search import jobs as search_jobs
from services.credit import service as credit
from services.flows.addresses import ADDRESSES
from services.notifications import delivery as notification_delivery
from services.offers import service as offers
from services.orders import jobs as orders, reminders as order_reminders
from services.payments import relay as payment_relay
from services.pickups import jobs as pickups
from services.reviews import service as reviews
from services.shipping import jobs as shipping
from services.tradeins import quotes as tradein_quotes

log = logging.getLogger("marketplace.jobs")
APP_FACTORY = "huanxin.app_factory"  # create_app, for the RQ worker to build its own app


def _no_collaborators(session: Session) -> dict:
    return {}


@dataclass(frozen=True)
class Periodic:
    """A job run every `every_seconds`: `run(session, **bind(session))`. `bind` runs inside the
    app context and returns the collaborators the domain function takes as keywords."""
    run: Callable[..., int]
    every_seconds: int
    bind: Callable[[Session], dict] = field(default=_no_collaborators)

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"

    def __call__(self, session: Session, *args) -> int:
        return self.run(session, *args, **self.bind(session))


# Collaborators from the app (module-level functions, not lambdas: RQ pickles the job).
def _payments(session: Session) -> dict:
    # Jobs that call the payment provider commit after each order (one transaction per item).
    return {"gateway": gateway(), "settings": settings(), "checkpoint": session.commit}


def _payouts(session: Session) -> dict:
    return {"gateway": gateway(), "checkpoint": session.commit}


def _gateway(session: Session) -> dict:
    return {"gateway": gateway()}


def _buying_settings(session: Session) -> dict:
    return {"settings": settings()}


def _per_item(session: Session) -> dict:
    # Batch jobs commit after each item (one transaction per item): a crash or a failed commit
    # late in a batch undoes nothing done for earlier items, and one row is locked at a time.
    return {"checkpoint": session.commit}


def _pickup_policy(session: Session) -> dict:
    # the no-show grace (PICKUP_NO_SHOW_GRACE_MINUTES)
    return {"policy": pickup_policy(), **_per_item(session)}


def _tradein_deps(session: Session) -> dict:
    return {"deps": tradein_deps(), **_per_item(session)}


def _search_relay(session: Session) -> dict:
    return {"session_factory": db.factory, "backends": search_wiring.wiring().all,
            "max_batches": search_wiring.INLINE_MAX_BATCHES}


def _notification_channels(session: Session) -> dict:
    # Each delivery is claimed and committed before it is sent (at most once per channel).
    deps = current_container().deps
    return {"mailer": deps.mailer, "sms": deps.sms, "addresses": ADDRESSES, "checkpoint": session.commit}


def _carrier(session: Session) -> dict:
    return {"carrier": current_container().deps.carrier}


PERIODIC_JOBS: list[Periodic] = [
    Periodic(notification_delivery.deliver_due, 60, bind=_notification_channels),  # retries; new ones start after commit
    Periodic(shipping.poll_carrier, 300, bind=_carrier),  # the stand-in carrier moves the demo's parcels
    Periodic(shipping.notify_missed_deadlines, 900),  # buyers may cancel unshipped orders in full
    Periodic(shipping.lapse_returns, 900, bind=_payouts),  # agreed returns never sent: the seller is paid
    Periodic(pickups.send_reminders, 600, bind=_per_item),
    Periodic(pickups.close_missed, 900, bind=_pickup_policy),
    Periodic(search_jobs.relay_backlog, 15, bind=_search_relay),
    Periodic(credit.recompute_stale, 60),
    Periodic(alerts.saved_search_alerts, 300),
    Periodic(alerts.price_drop_alerts, 600),
    Periodic(storage_jobs.sweep_staged_files, 1800),  # uploads a crash left staged
    Periodic(tradein_quotes.expire_due, 300, bind=_tradein_deps),  # quotes, counter-offers, clawbacks
    # buying
    Periodic(orders.expire_reservations, 60, bind=_payments),
    Periodic(orders.auto_capture, 300, bind=_payments),
    Periodic(order_reminders.remind_acceptance_closing, 900),
    Periodic(orders.settle_payouts, 600, bind=_payouts),
    Periodic(offers.expire_due, 300),
    Periodic(reviews.publish_due, 900, bind=_buying_settings),
    Periodic(payment_relay.reconcile, 60, bind=_gateway),  # Stripe calls a crash or an outage left unfinished
]


def scheduled(run: Callable[..., int]) -> Periodic:
    """The schedule's entry for a domain function (LookupError when it is not scheduled)."""
    for job in PERIODIC_JOBS:
        if job.run is run:
            return job
    raise LookupError(f"{run.__module__}.{run.__qualname__} is not in PERIODIC_JOBS")


def _name(job: Callable) -> str:
    return job.name if isinstance(job, Periodic) else f"{job.__module__}.{job.__qualname__}"


def run_job(app: Flask, job: Callable[..., int], *args) -> int:
    """Run one job (a Periodic, or a function taking a session) in its own session and transaction."""
    with app.app_context():
        session = db.factory()
        try:
            result = job(session, *args)
            session.commit()
            return result or 0
        except Exception:
            session.rollback()
            log.exception("job failed", extra={"job": _name(job)})
            raise
        finally:
            session.close()


def _rq_task(app_factory: Callable[[], Flask], job: Callable[..., int], *args) -> int:
    # Runs inside the RQ worker process, which builds its own app.
    return run_job(app_factory(), job, *args)


def enqueue(app: Flask, job: Callable[..., int], *args) -> None:
    if app.config["JOBS_INLINE"]:
        run_job(app, job, *args)
        return
    Queue("default", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
        _rq_task, app.extensions[APP_FACTORY], job, *args)


def run_due(app: Flask, last_run: dict[str, float], now: float) -> list[str]:
    """Run (inline) or enqueue (RQ) each periodic job whose interval has passed; returns their names."""
    ran = []
    for job in PERIODIC_JOBS:
        if now - last_run.get(job.name, 0) >= job.every_seconds:
            last_run[job.name] = now
            if app.config["JOBS_INLINE"] or _take_tick(app, job, now):
                try:
                    enqueue(app, job)
                except Exception:  # noqa: BLE001 - one failing job must not stop the schedule
                    log.exception("periodic job failed", extra={"job": job.name})
                ran.append(job.name)
    return ran


def _take_tick(app: Flask, job: Periodic, now: float) -> bool:
    r = Redis.from_url(app.config["REDIS_URL"])
    return bool(r.set(f"huanxin:tick:{job.name}", int(now), nx=True, ex=max(1, job.every_seconds - 1)))


def start_scheduler_thread(app: Flask, stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    def loop():
        last: dict[str, float] = {}
        while not stop.is_set():
            run_due(app, last, time.time())
            stop.wait(tick)

    t = threading.Thread(target=loop, name="huanxin-scheduler", daemon=True)
    t.start()
    return t
