"""Structured logs, one JSON object a line, each carrying the request id. Bodies, query strings
and headers are never logged: they may hold personal data."""
from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

access = logging.getLogger("marketplace.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure(level: str) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_huanxin", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                       rename_fields={"asctime": "ts", "levelname": "level"}))
    handler.addFilter(RequestIdFilter())
    handler._huanxin = True
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    configure(app.config["LOG_LEVEL"])

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        if "started" in g:
            access.info("request", extra={
                "method": request.method, "path": request.path, "status": resp.status_code,
                "ms": round((time.perf_counter() - g.started) * 1000, 1),
                "user": str(g.current_user.id) if g.get("current_user") else None})
        return resp
