"""Idempotency-Key on creating endpoints: a replay with the same key and body returns the first
response; the same key with another body is a 422.

Exactly once: the key is claimed (a row inserted) in the same transaction as the view's effect,
and the answer is stored in that transaction too, so the key, the effect and the stored answer
commit together or not at all. A concurrent request with the same key blocks on the claim's
unique index until the first transaction ends: if it committed, the duplicate replays its stored
answer; if it rolled back, the duplicate runs the request itself. A claim that was committed
without its answer (only possible if a view commits behind the unit of work) is answered 409
`request_in_progress` with Retry-After rather than run twice.

A resource whose state moves on by itself after the answer was stored (an order: its payment
intent is created after commit) passes `current=`: a replay then answers the resource as it is
now (same id, same status code and Location) instead of the stored snapshot, and still runs
nothing twice."""
from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, Callable

from flask import Response, current_app, g, make_response, request
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from marketplace.auth import current_user
from marketplace.clients import client_address
from marketplace.extensions import db
from marketplace.uow import DEFER_COMMIT, run_after_commit_hooks
from services.errors import Conflict, DomainError, ValidationFailed
from services.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"
_PENDING = 0  # status_code of a claim whose answer is not stored yet


def _scope() -> str:
    user = current_user()
    return f"user:{user.id}" if user else f"ip:{client_address()}"


def _claim(session: Session, scope: str, key: str, digest: str) -> bool:
    """Insert the claim row; False when the key is already taken. On PostgreSQL the INSERT waits
    for a concurrent transaction holding the same key to end, so the caller then sees its outcome."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(IdempotencyRecord).values(
        scope=scope, key=key, method=request.method, path=request.path[:300], request_hash=digest,
        status_code=_PENDING, content_type="", body="").on_conflict_do_nothing(
        index_elements=["scope", "key"]).returning(IdempotencyRecord.id)
    return session.execute(stmt).first() is not None


# current(stored_status, stored_json) -> the view's answer for the resource now, or None for the
# stored answer (e.g. the first request was refused).
Current = Callable[[int, dict], Any]


def _replay(prior: IdempotencyRecord, digest: str, current: Current | None = None) -> Response:
    if prior.request_hash != digest:
        raise ValidationFailed("Idempotency-Key was used with a different request",
                               fields={HEADER: ["Reused with a different body or path."]},
                               code="idempotency_key_reused")
    if prior.status_code == _PENDING:
        busy = Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                        code="request_in_progress")
        busy.retry_after = 1
        raise busy
    fresh = None
    if current is not None and prior.content_type.endswith("json"):
        fresh = current(prior.status_code, json.loads(prior.body))
    if fresh is not None:
        resp = make_response(fresh)
        resp.status_code = prior.status_code
    else:
        resp = Response(prior.body, status=prior.status_code, content_type=prior.content_type)
    resp.headers["Idempotent-Replayed"] = "true"
    if prior.location:
        resp.headers["Location"] = prior.location
    return resp


def _store(session: Session, scope: str, key: str, resp: Response) -> None:
    session.execute(update(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key).values(
        status_code=resp.status_code, content_type=resp.content_type or "application/json",
        body=resp.get_data(as_text=True), location=resp.headers.get("Location")))


def idempotent(view=None, *, current: Current | None = None):
    """`@idempotent`, or `@idempotent(current=fn)` to answer a replay with the resource's current
    state (see the module docstring)."""
    if view is None:
        return functools.partial(idempotent, current=current)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            raise ValidationFailed("Idempotency-Key too long", fields={HEADER: ["At most 200 characters."]})
        digest = hashlib.sha256(request.method.encode() + request.path.encode() + request.get_data()).hexdigest()
        scope = _scope()
        session = db.session
        if not _claim(session, scope, key, digest):
            session.rollback()  # a fresh snapshot: the holder's transaction has ended
            prior = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                                   IdempotencyRecord.key == key))
            session.rollback()
            if prior is None:  # the holder rolled back between our INSERT and SELECT: try once more
                return wrapper(*args, **kwargs)
            return _replay(prior, digest, current)
        g.setdefault(DEFER_COMMIT, True)
        try:
            resp = make_response(view(*args, **kwargs))
        except DomainError as exc:
            if not g.pop("uow_pending", False):
                session.rollback()  # the refusal came before any work was done: nothing to keep
                raise
            # Work the view meant to commit before refusing (e.g. a credit record): keep it, and
            # the refusal is the stored answer.
            resp = make_response(current_app.handle_user_exception(exc))
        except BaseException:
            session.rollback()
            raise
        finally:
            g.pop(DEFER_COMMIT, None)
        if resp.status_code >= 500:
            session.rollback()
            return resp
        _store(session, scope, key, resp)
        session.commit()
        g.pop("uow_pending", None)
        run_after_commit_hooks(current_app._get_current_object())
        return resp

    return wrapper
