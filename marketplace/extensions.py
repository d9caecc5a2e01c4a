"""Per-app database and API objects, made in create_app and kept in `app.extensions`.

Nothing here is shared between apps: `Database` belongs to one app (its engine, and a sessionmaker
whose sessions carry that app's services.deps.Deps), and `db` is only an accessor for the app of
the current context, so that `db.session` call sites keep working.
"""
from __future__ import annotations

import math
import sqlite3

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from marketplace.openapi import Api
from services.deps import Deps, session_info

DB = "db"
API = "huanxin.api"


class Database:
    """One app's engine and sessionmaker."""

    def __init__(self, url: str, deps: Deps):
        # No pre-ping: it costs a round trip per checkout. Stale connections are recycled, and a
        # dead database surfaces as OperationalError -> 503 (marketplace/errors.py).
        kw = {"pool_recycle": 1800}
        if url.startswith("sqlite"):
            kw["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kw.update(pool_size=10, max_overflow=20)
            kw["connect_args"] = {"connect_timeout": 5}
        self.engine: Engine = create_engine(url, **kw)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.factory: sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info=session_info(deps))

    @property
    def session(self) -> Session:
        """The session of the current app context (one per request, closed at its end)."""
        if "db_session" not in g:
            g.db_session = self.factory()
        return g.db_session


def init_db(app: Flask, deps: Deps) -> Database:
    database = app.extensions[DB] = Database(app.config["DATABASE_URL"], deps)
    app.teardown_appcontext(_close)
    return database


def init_api(app: Flask) -> Api:
    api = app.extensions[API] = Api()
    api.init_app(app)
    return api


def _close(exc) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


class _CurrentDatabase:
    """`db.session`, `db.factory` and `db.engine` of the app of the current context."""

    @property
    def session(self) -> Session:
        # An app context belongs to one app: its session, once made, is found without the lookup.
        s = g.get("db_session")
        return s if s is not None else current_app.extensions[DB].session

    @property
    def factory(self) -> sessionmaker:
        return current_app.extensions[DB].factory

    @property
    def engine(self) -> Engine:
        return current_app.extensions[DB].engine


def database_of(app: Flask) -> Database:
    return app.extensions[DB]


def api_of(app: Flask) -> Api:
    return app.extensions[API]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    try:  # pickup availability ranks by distance in SQL; SQLite built without math functions gets Python's
        cur.execute("SELECT sin(0), asin(0), sqrt(0), radians(0)")
    except sqlite3.OperationalError:
        for name, fn in (("sin", math.sin), ("cos", math.cos), ("asin", math.asin), ("sqrt", math.sqrt),
                         ("radians", math.radians)):
            dbapi_conn.create_function(name, 1, fn, deterministic=True)
    cur.close()


db = _CurrentDatabase()  # stateless: it only looks up the current app's Database
