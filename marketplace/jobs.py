"""Background jobs and schedules.

With REDIS_URL, jobs go through RQ and `flask worker` runs them (plus the periodic schedule,
guarded by a Redis lock so that several workers do not double-run a tick). Without it (the
embedded default), `flask serve` runs the schedule in a thread and `enqueue` runs jobs inline.

A job is "module:function" taking (session) and returning a count of things it did.
Domains add their periodic jobs to PERIODIC_JOBS with one line.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask

log = logging.getLogger("marketplace.jobs")


@dataclass(frozen=True)
class Periodic:
    path: str
    every_seconds: int


PERIODIC_JOBS: list[Periodic] = [
    Periodic("services.pickups.jobs:send_reminders", 600), Periodic("marketplace.api.pickups.blueprint:close_missed_job", 900),
    Periodic("marketplace.api.search.wiring:relay_job", 15),
    Periodic("services.credit.service:recompute_stale", 60),
    Periodic("marketplace.alerts:saved_search_alerts", 300), Periodic("marketplace.alerts:price_drop_alerts", 600),
    Periodic("marketplace.storage_jobs:sweep_staged_files", 1800),  # uploads a crash left staged
    Periodic("marketplace.api.orders.jobs:reconcile_payment_operations", 60),  # stuck Stripe calls
    Periodic("marketplace.api.tradeins.deps:expire_job", 300),  # quotes, counter-offers, clawbacks
    *(Periodic(f"marketplace.api.orders.jobs:{fn}", s) for fn, s in (("expire_reservations", 60), ("auto_capture", 300), ("settle_payouts", 600), ("expire_offers", 300), ("publish_reviews", 900))),  # buying
]


def _resolve(path: str):
    mod, fn = path.split(":")
    return getattr(importlib.import_module(mod), fn)


def run_job(app: Flask, path: str, *args) -> int:
    """Run one job in its own session and transaction."""
    from marketplace.extensions import db
    with app.app_context():
        session = db.factory()
        try:
            result = _resolve(path)(session, *args)
            session.commit()
            return result or 0
        except Exception:
            session.rollback()
            log.exception("job failed", extra={"job": path})
            raise
        finally:
            session.close()


def _rq_task(path: str, *args) -> int:
    # Runs inside the RQ worker process, which builds its own app.
    from marketplace import create_app
    return run_job(create_app(), path, *args)


def enqueue(app: Flask, path: str, *args) -> None:
    if app.config["JOBS_INLINE"]:
        run_job(app, path, *args)
        return
    from redis import Redis
    from rq import Queue
    Queue("default", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(_rq_task, path, *args)


def run_due(app: Flask, last_run: dict[str, float], now: float) -> list[str]:
    """Run (inline) or enqueue (RQ) each periodic job whose interval has passed."""
    ran = []
    for job in PERIODIC_JOBS:
        if now - last_run.get(job.path, 0) >= job.every_seconds:
            last_run[job.path] = now
            if app.config["JOBS_INLINE"] or _take_tick(app, job, now):
                try:
                    enqueue(app, job.path)
                except Exception:  # noqa: BLE001 - one failing job must not stop the schedule
                    log.exception("periodic job failed", extra={"job": job.path})
                ran.append(job.path)
    return ran


def _take_tick(app: Flask, job: Periodic, now: float) -> bool:
    from redis import Redis
    r = Redis.from_url(app.config["REDIS_URL"])
    return bool(r.set(f"huanxin:tick:{job.path}", int(now), nx=True, ex=max(1, job.every_seconds - 1)))


def start_scheduler_thread(app: Flask, stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    def loop():
        last: dict[str, float] = {}
        while not stop.is_set():
            run_due(app, last, time.time())
            stop.wait(tick)

    t = threading.Thread(target=loop, name="huanxin-scheduler", daemon=True)
    t.start()
    return t
