"""flask commands: migrate, seed, serve (embedded default), worker, create-operator, confirm-email.
Domains add their command groups to COMMAND_GROUPS (the click group object, imported here)."""
from __future__ import annotations

import logging
import os
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Queue, Worker
from werkzeug.serving import run_simple

from marketplace import jobs
from marketplace.api.certificates.cli import certificates_cli
from marketplace.api.shipments.cli import shipping_cli
from marketplace.api.credit.cli import credit
from marketplace.api.search.cli import search_cli
from marketplace.api.subsidies.cli import subsidies_cli
from marketplace.extensions import db
from marketplace.migrate import alembic_config, upgrade
from services import demo
from services.accounts import service as accounts
from services.accounts import signup
from services.errors import DomainError

__all__ = ["COMMAND_GROUPS", "alembic_config", "init_app", "upgrade"]

log = logging.getLogger("marketplace.cli")

COMMAND_GROUPS: list[click.Group] = [
    subsidies_cli,
    search_cli,
    credit,
    certificates_cli,
    shipping_cli,
]


@click.command("migrate")
@with_appcontext
def migrate_cmd():
    """Apply every Alembic migration (all branch heads)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("migrations applied")


@click.command("seed")
@click.option("--listings", "n_listings", default=3000, show_default=True, help="How many listings.")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already.")
@click.option("--seed", "rng_seed", default=2026, show_default=True)
@with_appcontext
def seed_cmd(n_listings: int, if_empty: bool, rng_seed: int):
    """Create realistic demo data (users of every role, listings across the three categories)."""
    session = db.factory()
    try:
        if if_empty and demo.has_users(session):
            click.echo("database not empty: demo data not loaded")
            return
        with click.progressbar(length=n_listings, label="listings") as bar:
            summary = demo.seed(session, n_listings=n_listings, rng_seed=rng_seed, progress=bar.update,
                                keyring=current_app.extensions["huanxin.cert_keyring"])
        session.commit()
    finally:
        session.close()
    for line in summary:
        click.echo(line)


@click.command("create-operator")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True)
@click.option("--name", default="Operator")
@with_appcontext
def create_operator_cmd(email, password, name):
    """Create an operator account (operators cannot register themselves)."""
    with db.factory() as s:
        accounts.create_operator(s, email=email, password=password, display_name=name)
        s.commit()
    click.echo(f"operator {email} created")


@click.command("confirm-email")
@click.option("--email", required=True)
@with_appcontext
def confirm_email_cmd(email):
    """Confirm an account's address without its emailed code (support; development without a mailbox)."""
    with db.factory() as s:
        try:
            user = signup.confirm_by_support(s, email)
        except DomainError as e:
            raise click.ClickException(e.detail) from None
        s.commit()
        click.echo(f"{user.email} confirmed")


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@with_appcontext
def serve_cmd(host, port):
    """Serve in the foreground on the embedded default, running scheduled jobs in-process."""
    app = current_app._get_current_object()
    stop = threading.Event()
    if app.config["JOBS_INLINE"]:
        jobs.start_scheduler_thread(app, stop)
    log.warning("serving on http://%s:%s (database: %s, search: %s, payments: %s)", host, port,
                app.config["DATABASE_URL"].split(":")[0], app.config["SEARCH_BACKEND"],
                "stripe" if app.config["STRIPE_API_KEY"] else "offline (cash on handover)")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop.set()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run queued jobs and the due schedule once, then exit.")
@with_appcontext
def worker_cmd(burst: bool):
    """Run background jobs from Redis (RQ) and the periodic schedule."""
    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: the embedded default runs jobs inside `flask serve`")
    conn = Redis.from_url(app.config["REDIS_URL"])
    stop = threading.Event()
    if burst:
        jobs.run_due(app, {}, time.time())
    else:
        jobs.start_scheduler_thread(app, stop)
    try:
        Worker([Queue("default", connection=conn)], connection=conn).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()


def init_app(app: Flask) -> None:
    for cmd in (migrate_cmd, seed_cmd, create_operator_cmd, confirm_email_cmd, serve_cmd, worker_cmd):
        app.cli.add_command(cmd)
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
