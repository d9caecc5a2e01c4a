"""A payment gateway that checks, before each provider call, that nothing of the database waits
on it: no other session inside a transaction, no row lock held (tests of "no outside call under
a lock")."""
from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.factories.orders import Recording


class LockAuditor(Recording):
    """Before each provider call, asks PostgreSQL (on its own connection) whether any session of
    the test database is inside a transaction or holds a row lock: the call must wait for none."""

    def __init__(self, inner, db_url):
        super().__init__(inner)
        self.engine = create_engine(db_url, poolclass=NullPool)
        self.seen: list[tuple[str, int, int]] = []

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if not callable(call) or name in ("names", "keys"):
            return call

        def audited(*args, **kwargs):
            with self.engine.connect() as c:
                open_tx = c.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"))
                row_locks = c.scalar(text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE a.datname = current_database() AND l.pid <> pg_backend_pid() "
                    "AND l.locktype IN ('tuple', 'transactionid')"))
            self.seen.append((name, open_tx, row_locks))
            return call(*args, **kwargs)
        return audited
