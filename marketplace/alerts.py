"""Alert jobs that need both the search engine and the domain: saved-search matches and price
drops on favourites. The batch index for saved searches is a small SQLite database built by the
real migrations once per app and emptied after each run."""
from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine

from marketplace.api.search.routes import VOCABULARIES
from marketplace.migrate import upgrade
from search import alerts
from search.backends.database import DatabaseBackend
from search.documents import from_listing
from search.query import QueryError, parse_params
from services import clock, deps
from services.watchlist import service as watchlist

_BATCH_INDEX = "huanxin.alert_batch_index"
_BATCH_LOCK = "huanxin.alert_batch_lock"


def _lock():
    """The app's lock around its batch index (dict.setdefault is atomic: one lock per app)."""
    return current_app.extensions.setdefault(_BATCH_LOCK, threading.RLock())


def batch_index() -> DatabaseBackend:
    """The app's empty SQLite index for batches of new listings (made on first use)."""
    app = current_app._get_current_object()
    with _lock():
        backend = app.extensions.get(_BATCH_INDEX)
        if backend is None:
            path = Path(tempfile.mkdtemp(prefix="huanxin-alerts-")) / "batch.db"
            url = f"sqlite:///{path}"
            upgrade(url)
            backend = app.extensions[_BATCH_INDEX] = DatabaseBackend(create_engine(url))
    return backend


def saved_search_alerts(session) -> int:
    """Tell each due saved search's owner about new listings that match it (one message per
    search and period). Returns how many messages were sent."""
    settings = deps.of(session).alerts
    due = watchlist.due_searches(session, settings)
    if not due:
        return 0
    until = clock.now(session)
    fresh = watchlist.new_listings(session, min(s.checked_until for s in due), until)
    queries = []
    for saved in due:
        try:
            queries.append((saved.id, parse_params(saved.params, vocabularies=VOCABULARIES)))
        except QueryError:   # a vocabulary changed under a saved search: it matches nothing
            continue
    with _lock():
        matched = alerts.match(batch_index(), [from_listing(l) for l in fresh], queries)
    by_id = {str(l.id): l for l in fresh}
    sent = 0
    notifier = deps.of(session).notifier
    for saved in due:
        hits = [by_id[i] for i in matched.get(saved.id, ()) if by_id[i].published_at > saved.checked_until]
        sent += watchlist.record_search_matches(session, notifier, saved, hits, until)
    session.flush()
    return sent


def price_drop_alerts(session) -> int:
    return watchlist.price_drop_alerts(session, deps.of(session).notifier, deps.of(session).alerts)
