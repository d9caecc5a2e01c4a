"""Liveness and readiness. Other parts add readiness checks with `add_check(app, name, fn)`."""
from __future__ import annotations

from typing import Callable

import redis
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from marketplace.extensions import db

bp = Blueprint("health", __name__)
Check = Callable[[Flask], tuple[bool, str]]


def add_check(app: Flask, name: str, fn: Check) -> None:
    app.extensions.setdefault("huanxin.readiness", {})[name] = fn


def _database(app: Flask) -> tuple[bool, str]:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True, db.engine.dialect.name


def _redis(app: Flask) -> tuple[bool, str]:
    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
    client.ping()
    return True, "pong"


def init_app(app: Flask) -> None:
    add_check(app, "database", _database)
    if app.config.get("REDIS_URL"):
        add_check(app, "redis", _redis)
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    app = current_app._get_current_object()
    components, ready = {}, True
    for name, fn in app.extensions.get("huanxin.readiness", {}).items():
        try:
            ok, detail = fn(app)
        except Exception as e:  # noqa: BLE001 - any failure means "not ready", reported by name
            ok, detail = False, type(e).__name__
        components[name] = {"status": "up" if ok else "down", "detail": detail}
        ready = ready and ok
    return jsonify(status="ready" if ready else "unavailable", components=components), (200 if ready else 503)
