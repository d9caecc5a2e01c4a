"""`flask search relay` (the worker that ships the outbox) and `flask search reindex`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from marketplace.api.search.wiring import wiring
from marketplace.extensions import db
from search import sync
from services.listings.models import Listing

search_cli = AppGroup("search", help="Search index: relay the outbox, rebuild the index.")


@search_cli.command("relay")
@click.option("--once", is_flag=True, help="Drain the outbox once and exit (non-zero if the backend is down).")
@click.option("--batch-size", default=sync.DEFAULT_BATCH, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--idle", default=1.0, show_default=True, help="Seconds to wait when the outbox is empty.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 8),
              help="With --once: relays in parallel (disjoint batches via SKIP LOCKED).")
def relay_cmd(once: bool, batch_size: int, idle: float, workers: int):
    """Ship listing changes from the outbox to the search backends (bulk, external versions)."""
    backends = wiring(current_app).all
    if once:
        with db.factory() as s:
            waiting = sync.pending(s)
        with click.progressbar(length=waiting, label="outbox rows") as bar:
            try:
                total = sync.drain_parallel(db.factory, backends, batch_size, workers,
                                            progress=lambda r: bar.update(r.claimed))
            except sync.SearchUnavailable as exc:
                raise click.ClickException(f"search backend unavailable: {exc}") from None
        click.echo(f"relayed {total.claimed} rows: {total.shipped} written, {total.stale} already current, "
                   f"{total.failed} to retry")
        return
    click.echo(f"relaying to {', '.join(b.name for b in backends)} (Ctrl-C to stop)")

    def report(result: sync.RelayResult) -> None:
        if result.claimed:
            click.echo(f"relayed {result.claimed} rows ({result.shipped} written, {result.stale} current, "
                       f"{result.failed} to retry)")

    try:
        sync.run_forever(db.factory, backends, batch_size, idle_seconds=idle, on_result=report)
    except KeyboardInterrupt:
        pass


@search_cli.command("reindex")
def reindex_cmd():
    """Build a fresh index from the database and swap it in atomically (searches keep working)."""
    with db.factory() as s:
        count = s.scalar(select(func.count()).select_from(Listing)) or 0
    for backend in wiring(current_app).all:
        with click.progressbar(length=count, label=f"{backend.name} documents") as bar:
            written = sync.reindex(db.factory, backend, progress=bar.update)
        click.echo(f"{backend.name}: {written} documents indexed and swapped in")
