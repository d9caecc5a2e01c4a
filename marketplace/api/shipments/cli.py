"""`flask shipping advance`: move the stand-in carrier's parcels along now; `flask shipping
lapse-returns`: run the return lapse now, optionally as if days had passed (the demo)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace import jobs
from marketplace.api.payments.wiring import gateway
from marketplace.container import current
from marketplace.extensions import db
from services.notifications import delivery, feed
from services.shipping import jobs as shipping_jobs

shipping_cli = AppGroup("shipping", help="Shipping: the stand-in carrier of the demo.")


@shipping_cli.command("advance")
@click.option("--hours", default=36, show_default=True, type=click.IntRange(0, 24 * 30),
              help="Poll the carrier as if this many hours had passed (36: every stand-in parcel is delivered).")
def advance_cmd(hours: int):
    """Apply the carrier's tracking events to every undelivered parcel (delivery hands the order over)."""
    applied = _then_send_notices(lambda session: shipping_jobs.poll_carrier(
        session, carrier=current().deps.carrier, ahead=timedelta(hours=hours)))
    click.echo(f"applied {applied} tracking events")


@shipping_cli.command("lapse-returns")
@click.option("--days", default=0, show_default=True, type=click.IntRange(0, 60),
              help="Judge the send deadlines as if this many more days had passed (8: the seeded return lapses).")
def lapse_returns_cmd(days: int):
    """Agreed returns not sent by their deadline lapse now: the seller is paid (the job `lapse_returns`)."""
    lapsed = _then_send_notices(lambda session: shipping_jobs.lapse_returns(
        session, gateway=gateway(), checkpoint=session.commit, ahead=timedelta(days=days)))
    click.echo(f"lapsed {lapsed} returns")


def _then_send_notices(work):
    """Run `work(session)` in its own session and commit; then, if it queued notices, start the
    job that sends their email and SMS (as the scheduled jobs do). Returns what `work` returned."""
    session = db.factory()
    try:
        result = work(session)
        session.commit()
        notified = session.info.pop(feed.PENDING, False)
    finally:
        session.close()
    if notified:
        jobs.enqueue(current_app._get_current_object(), jobs.scheduled(delivery.deliver_due))
    return result
