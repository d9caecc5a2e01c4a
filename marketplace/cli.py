"""flask commands: migrate, seed, serve (embedded default), worker, create-operator.
Domains add their command groups to COMMAND_GROUPS ("module:click_group")."""
from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

log = logging.getLogger("marketplace.cli")
ROOT = Path(__file__).resolve().parent.parent

COMMAND_GROUPS: list[str] = [
    "marketplace.api.subsidies.cli:subsidies_cli",
    "marketplace.api.search.cli:search_cli",
    "marketplace.api.credit.cli:credit",
    "marketplace.api.certificates.cli:certificates_cli",
]


def alembic_config(url: str):
    from alembic.config import Config
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    from alembic import command
    command.upgrade(alembic_config(url), "heads")


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
    from marketplace.extensions import db
    from services import demo
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
    from marketplace.extensions import db
    from services.accounts import service
    with db.factory() as s:
        service.create_operator(s, email=email, password=password, display_name=name)
        s.commit()
    click.echo(f"operator {email} created")


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@with_appcontext
def serve_cmd(host, port):
    """Serve in the foreground on the embedded default, running scheduled jobs in-process."""
    from marketplace import jobs
    app = current_app._get_current_object()
    stop = threading.Event()
    if app.config["JOBS_INLINE"]:
        jobs.start_scheduler_thread(app, stop)
    log.warning("serving on http://%s:%s (database: %s, search: %s, payments: %s)", host, port,
                app.config["DATABASE_URL"].split(":")[0], app.config["SEARCH_BACKEND"],
                "stripe" if app.config["STRIPE_API_KEY"] else "offline (cash on handover)")
    try:
        from werkzeug.serving import run_simple
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop.set()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run queued jobs and the due schedule once, then exit.")
@with_appcontext
def worker_cmd(burst: bool):
    """Run background jobs from Redis (RQ) and the periodic schedule."""
    import time
    from redis import Redis
    from rq import Queue, Worker
    from marketplace import jobs
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
    for cmd in (migrate_cmd, seed_cmd, create_operator_cmd, serve_cmd, worker_cmd):
        app.cli.add_command(cmd)
    for path in COMMAND_GROUPS:
        mod, name = path.split(":")
        app.cli.add_command(getattr(importlib.import_module(mod), name))
