"""Every error leaves as application/problem+json (RFC 9457), in one place."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, json
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from services.errors import DomainError, ValidationFailed

log = logging.getLogger("marketplace.errors")
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, *, code: str | None = None,
            errors: dict | None = None, headers: dict | None = None, **extra) -> Response:
    body = {"type": f"/problems/{code or status}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    body.update(extra)
    rid = g.get("request_id")
    if rid:
        body["request_id"] = rid
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for k, v in (headers or {}).items():
        resp.headers[k] = str(v)
    return resp


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow nest errors by location and field; clients want 'attributes.vin'."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for k, v in messages.items():
            key = str(k)
            if not prefix and key in ("json", "query", "form", "files", "headers", "path", "view_args"):
                out.update(flatten(v, ""))
                continue
            out.update(flatten(v, f"{prefix}.{key}" if prefix else key))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            out.update(flatten(m, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


# The same `code` a domain error of that status carries (services.errors), so that a client reads
# one field whichever layer refused: a schema's 422 and a service's 422 are both validation_failed.
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "body_too_large",
              415: "unsupported_media_type", 422: "validation_failed", 429: "too_many_requests"}
# Werkzeug's descriptions talk about browsers and proxies; say what was wrong with the request.
HTTP_DETAILS = {400: "The request could not be read (is the body valid JSON?).",
                422: "The request has invalid fields."}


def _http(e: HTTPException):
    data = getattr(e, "data", None) or {}
    headers = dict(data.get("headers") or {})
    errors = None
    if "messages" in data or "errors" in data:
        errors = flatten(data.get("errors") or data.get("messages"))
    if e.code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = _retry_after(e)
    own = e.description if e.code != 422 and e.description != type(e).description else None
    detail = data.get("message") or own or HTTP_DETAILS.get(e.code) or e.description
    if e.code == 413 and not own and current_app.config.get("MAX_CONTENT_LENGTH"):
        detail = f"A request body (an upload) may be at most {current_app.config['MAX_CONTENT_LENGTH']} bytes."
    if e.code == 405 and getattr(e, "valid_methods", None):
        headers["Allow"] = ", ".join(e.valid_methods)
    title = ValidationFailed.title if e.code == 422 else e.name   # one title per code, as for the code
    return problem(e.code or 500, title, detail, code=HTTP_CODES.get(e.code), errors=errors, headers=headers)


def _retry_after(e) -> int:
    limit = getattr(e, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry()))
    except Exception:  # noqa: BLE001 - the header must exist even if the limiter changes shape
        return 60


def _domain(e: DomainError):
    retry_after = getattr(e, "retry_after", None)  # ServiceUnavailable, TooManyRequests, a 409 worth retrying
    headers = {"Retry-After": retry_after} if retry_after else None
    return problem(e.status, e.title, e.detail, code=e.code, errors=e.fields or None, headers=headers,
                   **e.extra)


def _integrity(e: IntegrityError):
    log.info("integrity error turned into 409", extra={"error": type(e.orig).__name__})
    return problem(409, "Conflict", "The change conflicts with existing data.", code="conflict")


def _data(e: DataError):
    # A value the database refuses (out of range, bad encoding) is bad input, not our failure.
    log.info("data error turned into 422", extra={"error": type(e.orig).__name__})
    return problem(422, "Unprocessable Entity", "A value is outside what can be stored.", code="validation_failed")


def _unhandled(e: Exception):
    if isinstance(e, HTTPException):
        return _http(e)
    if isinstance(e, OperationalError):
        log.error("database unavailable", exc_info=e)
        return problem(503, "Service unavailable", "The database is unavailable.", code="database_unavailable",
                       headers={"Retry-After": 5})
    log.error("unhandled error", exc_info=e)
    return problem(500, "Internal server error", "Something went wrong on our side.", code="internal_error")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(DataError, _data)
    app.register_error_handler(Exception, _unhandled)
