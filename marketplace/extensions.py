"""Extensions created unbound and attached in create_app with init_app."""
from __future__ import annotations

from flask import Flask, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from marketplace.openapi import Api


class Database:
    engine: Engine
    factory: sessionmaker

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        # No pre-ping: it costs a round trip per checkout. Stale connections are recycled, and a
        # dead database surfaces as OperationalError -> 503 (marketplace/errors.py).
        kw = {"pool_recycle": 1800}
        if url.startswith("sqlite"):
            kw["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kw.update(pool_size=10, max_overflow=20)
            kw["connect_args"] = {"connect_timeout": 5}
        self.engine = create_engine(url, **kw)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        app.extensions["db"] = self
        app.teardown_appcontext(self._close)

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.factory()
        return g.db_session

    @staticmethod
    def _close(exc) -> None:
        s = g.pop("db_session", None)
        if s is not None:
            s.close()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


db = Database()
api = Api()
