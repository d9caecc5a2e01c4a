"""Which search backends the app uses, the inline relay after commit, and the readiness check.

SEARCH_BACKEND=elasticsearch (ELASTICSEARCH_URL) or database (the embedded default: SQLite FTS5,
or PostgreSQL full-text search when DATABASE_URL is PostgreSQL). SEARCH_FALLBACK=database keeps
the database backend in step as well and answers from it while Elasticsearch is down; without
it, searches answer 503 with Retry-After. Listing writes never depend on either.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app

from marketplace import health
from marketplace import container
from marketplace.extensions import database_of, db
from marketplace.uow import after_commit_hooks
from search import analysis, sync
from search.backends.base import SearchBackend, SearchUnavailable
from search.backends.database import DatabaseBackend

log = logging.getLogger(__name__)
INLINE_MAX_BATCHES = 20  # after one commit; a larger backlog is left to `flask search relay`


@dataclass
class SearchWiring:
    primary: SearchBackend
    fallback: SearchBackend | None

    @property
    def all(self) -> list[SearchBackend]:
        return [self.primary] + ([self.fallback] if self.fallback else [])


def build(app: Flask) -> SearchWiring:
    cfg = app.config
    database = DatabaseBackend(database_of(app).engine)
    if cfg["SEARCH_BACKEND"] == "elasticsearch":
        # Lazy: the Elasticsearch client stack loads only for apps configured to use it.
        from search.backends.elasticsearch import ElasticsearchBackend, make_client
        if not cfg["ELASTICSEARCH_URL"]:
            raise RuntimeError("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
        primary = ElasticsearchBackend(make_client(cfg["ELASTICSEARCH_URL"], cfg["ELASTICSEARCH_TIMEOUT"]),
                                       alias=cfg["SEARCH_INDEX"])
        fallback = database if cfg["SEARCH_FALLBACK"] == "database" else None
        return SearchWiring(primary, fallback)
    if cfg["SEARCH_BACKEND"] != "database":
        raise RuntimeError(f"unknown SEARCH_BACKEND {cfg['SEARCH_BACKEND']!r}: elasticsearch or database")
    return SearchWiring(database, None)


def wiring(app: Flask | None = None) -> SearchWiring:
    return (app or current_app).extensions["huanxin.search"]


def relay_inline(app: Flask) -> None:
    """After-commit hook of the embedded default: ship what this commit queued, never fail it."""
    try:
        sync.drain(database_of(app).factory, wiring(app).all, max_batches=INLINE_MAX_BATCHES)
    except SearchUnavailable as exc:
        log.warning("inline search relay deferred", extra={"error": str(exc)})


def _readiness(app: Flask):
    w = wiring(app)
    if w.primary.healthy():
        return True, w.primary.name
    if w.fallback is not None and w.fallback.healthy():
        return True, f"{w.primary.name} down, answering from {w.fallback.name}"
    return False, f"{w.primary.name} down"


def init_app(app: Flask) -> None:
    # Built once by create_app into the container (it needs the engine).
    app.extensions["huanxin.search"] = container.of(app).search
    # jieba's dictionary takes ~1 s (more on a busy machine) to load: not on the first search.
    threading.Thread(target=analysis.warm, name="search-warm", daemon=True).start()
    health.add_check(app, "search", _readiness)
    inline = app.config.get("SEARCH_RELAY_INLINE")
    if inline is None:
        inline = app.config["JOBS_INLINE"]
    elif isinstance(inline, str):
        inline = inline.lower() in ("1", "true", "yes", "on")
    if inline:
        after_commit_hooks(app).append(relay_inline)
