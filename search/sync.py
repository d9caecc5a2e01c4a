"""The transactional outbox relay into the search backends, and full reindexing.

Every listing change writes a ``search_outbox`` row in the change's own transaction (see
services/listings/models.py). The relay claims a batch of rows (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so concurrent relays take disjoint batches), reads the listings *as they are now*,
ships one document per listing with its revision as the external version, and deletes the rows
it shipped in the same transaction. If the backend is down nothing is deleted: the rows wait,
the relay backs off and retries, and the writes that produced them never noticed.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from sqlalchemy import String, any_, bindparam, delete, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger, Uuid

from search.backends.base import SearchBackend, SearchUnavailable
from search.documents import SearchDocument, from_listing
from services.listings.models import Listing, SearchOutbox

log = logging.getLogger(__name__)
DEFAULT_BATCH = 500
_LISTINGS = Listing.__table__
_OUTBOX = SearchOutbox.__table__
# Plain rows, not ORM objects: bulk indexing spends its time building documents, not tracking
# identities. Enum columns come back as their stored strings (the document wants the value,
# and converting each to an Enum member only to read ``.value`` back costs per row).
_ENUMS = ("status", "category", "condition")
_COLUMNS = [type_coerce(_LISTINGS.c[name], String).label(name) if name in _ENUMS else _LISTINGS.c[name]
            for name in ("id", "revision", "status", "title", "description", "brand", "model", "category",
                         "kind", "condition", "price_fen", "region_code", "energy_grade", "powertrain",
                         "emission_standard", "year", "mileage_km", "storage_gb", "seller_type", "lat",
                         "lon", "published_at", "wipe_certificate", "legal_class", "cosmetic_grade",
                         "negotiable", "seller_id")]
# On PostgreSQL a batch's ids travel as one array parameter (``= ANY(:ids)``): an expanding
# ``IN`` renders and parses a thousand placeholders per statement.
_PG_LISTINGS_BY_ID = select(*_COLUMNS).where(
    _LISTINGS.c.id == any_(bindparam("ids", type_=ARRAY(Uuid())))
)
_PG_DELETE_OUTBOX = delete(_OUTBOX).where(_OUTBOX.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger()))))
_sqlite_lock = threading.Lock()  # SQLite has no SKIP LOCKED: one relay per process at a time


@dataclass
class RelayResult:
    claimed: int = 0  # outbox rows taken
    shipped: int = 0  # documents written at a new revision
    stale: int = 0  # documents the index already had at this or a newer revision
    failed: int = 0  # documents to retry (their outbox rows stay)

    def __iadd__(self, other: "RelayResult") -> "RelayResult":
        self.claimed += other.claimed
        self.shipped += other.shipped
        self.stale += other.stale
        self.failed += other.failed
        return self


def documents_for(session: Session, listing_ids: Sequence[uuid.UUID],
                  outbox_revisions: dict[uuid.UUID, int] | None = None) -> list[SearchDocument]:
    """Current documents for these listings (tombstones for listings that no longer exist)."""
    conn = session.connection()  # Core execution: plain rows, no ORM result machinery
    if conn.dialect.name == "postgresql":
        rows = conn.execute(_PG_LISTINGS_BY_ID, {"ids": list(listing_ids)}).all()
    else:
        rows = conn.execute(select(*_COLUMNS).where(_LISTINGS.c.id.in_(listing_ids))).all()
    docs = [from_listing(r) for r in rows]
    found = {r.id for r in rows}
    for lid in listing_ids:
        if lid not in found:  # deleted outright: outrank every revision it ever had
            docs.append(SearchDocument.tombstone(str(lid), (outbox_revisions or {}).get(lid, 0) + 1))
    return docs


def relay_batch(session: Session, backends: Sequence[SearchBackend], batch_size: int = DEFAULT_BATCH,
                ) -> RelayResult:
    """Ship one batch of outbox rows to every backend; the caller commits.

    Raises SearchUnavailable (after nothing was deleted) when a backend cannot take the batch.
    """
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    stmt = select(_OUTBOX.c.id, _OUTBOX.c.listing_id, _OUTBOX.c.revision).order_by(_OUTBOX.c.id).limit(batch_size)
    if postgres:
        stmt = stmt.with_for_update(skip_locked=True)
    claimed = conn.execute(stmt).all()
    if not claimed:
        return RelayResult()
    revisions: dict[uuid.UUID, int] = {}
    for _id, lid, rev in claimed:
        revisions[lid] = max(rev, revisions.get(lid, 0))
    # Read after claiming: the listings' state is at least as new as every claimed row.
    docs = documents_for(session, list(revisions), revisions)
    result = RelayResult(claimed=len(claimed))
    failed: set[str] = set()
    outage: SearchUnavailable | None = None
    for backend in backends:
        # Every backend gets the batch even when another is down: a database fallback stays
        # current through an Elasticsearch outage (it sees the batch again later, as stale).
        try:
            report = backend.apply(docs)
        except SearchUnavailable as exc:
            outage = exc
            continue
        failed.update(report.failed)
        if backend is backends[0]:
            result.shipped, result.stale = report.applied, report.stale
    if outage is not None:
        raise outage
    result.failed = len(failed)
    done = [row[0] for row in claimed] if not failed else \
        [row_id for row_id, lid, _rev in claimed if str(lid) not in failed]
    if done and postgres:
        conn.execute(_PG_DELETE_OUTBOX, {"ids": done})
    elif done:
        conn.execute(delete(_OUTBOX).where(_OUTBOX.c.id.in_(done)))
    return result


def drain(session_factory: Callable[[], Session], backends: Sequence[SearchBackend],
          batch_size: int = DEFAULT_BATCH, max_batches: int | None = None,
          progress: Callable[[RelayResult], None] | None = None) -> RelayResult:
    """Relay batches, one transaction each, until the outbox is empty (or ``max_batches``)."""
    total = RelayResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        with _relay_guard(session_factory) as session:
            with session.begin():
                result = relay_batch(session, backends, batch_size)
        batches += 1
        total += result
        if progress is not None:
            progress(result)
        if result.claimed == 0 or result.claimed == result.failed:
            break
    return total


def drain_parallel(session_factory: Callable[[], Session], backends: Sequence[SearchBackend],
                   batch_size: int = DEFAULT_BATCH, workers: int = 2,
                   progress: Callable[[RelayResult], None] | None = None) -> RelayResult:
    """:func:`drain` in several threads: while one waits on the bulk request, another builds its
    batch. SKIP LOCKED gives each a disjoint batch (on SQLite they take turns)."""
    import concurrent.futures
    lock = threading.Lock()

    def report(result: RelayResult) -> None:
        if progress is not None:
            with lock:
                progress(result)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(drain, session_factory, backends, batch_size, None, report) for _ in range(workers)]
        total = RelayResult()
        for future in futures:
            total += future.result()
    return total


def run_forever(session_factory: Callable[[], Session], backends: Sequence[SearchBackend],
                batch_size: int = DEFAULT_BATCH, idle_seconds: float = 1.0, max_backoff: float = 60.0,
                stop: threading.Event | None = None, sleep: Callable[[float], None] = time.sleep,
                on_result: Callable[[RelayResult], None] | None = None) -> None:
    """The worker loop: drain, idle briefly, back off exponentially (with jitter) on outages."""
    stop = stop or threading.Event()
    backoff = 0.0
    while not stop.is_set():
        try:
            result = drain(session_factory, backends, batch_size, progress=on_result)
        except SearchUnavailable as exc:
            backoff = min(max_backoff, max(1.0, backoff * 2))
            log.warning("search backend unavailable, retrying", extra={"retry_in_s": backoff, "error": str(exc)})
            sleep(backoff * random.uniform(0.8, 1.2))
            continue
        backoff = 0.0
        if result.failed:
            sleep(min(max_backoff, idle_seconds * 5))
        elif result.claimed == 0:
            sleep(idle_seconds)


def iter_documents(session: Session, chunk: int = 1000) -> Iterator[SearchDocument]:
    """Every listing's current document, streamed (the query runs at first iteration)."""
    stmt = select(*_COLUMNS).order_by(Listing.id).execution_options(yield_per=chunk)
    for row in session.execute(stmt):
        yield from_listing(row)


def reindex(session_factory: Callable[[], Session], backend: SearchBackend,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild ``backend`` from the database and swap it in; returns the documents written."""
    with session_factory() as session:
        return backend.rebuild(iter_documents(session), progress=progress)


def pending(session: Session) -> int:
    """Outbox rows waiting to be shipped."""
    from sqlalchemy import func
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


class _relay_guard:
    """A fresh session; on SQLite also the process-wide relay lock."""

    def __init__(self, session_factory: Callable[[], Session]):
        self.session = session_factory()
        self.locked = self.session.get_bind().dialect.name == "sqlite"

    def __enter__(self) -> Session:
        if self.locked:
            _sqlite_lock.acquire()
        return self.session

    def __exit__(self, *exc) -> None:
        try:
            self.session.close()
        finally:
            if self.locked:
                _sqlite_lock.release()

