"""Idempotency-Key on creating endpoints: a replay with the same key and body returns the first
response; the same key with another body is a 422."""
from __future__ import annotations

import functools
import hashlib

from flask import Response, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.auth import current_user
from marketplace.extensions import db
from services.errors import ValidationFailed
from services.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"


def _scope() -> str:
    user = current_user()
    return f"user:{user.id}" if user else f"ip:{request.remote_addr}"


def idempotent(view):
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
        prior = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                               IdempotencyRecord.key == key))
        if prior is not None:
            if prior.request_hash != digest:
                raise ValidationFailed("Idempotency-Key was used with a different request",
                                       fields={HEADER: ["Reused with a different body or path."]},
                                       code="idempotency_key_reused")
            resp = Response(prior.body, status=prior.status_code, content_type=prior.content_type)
            resp.headers["Idempotent-Replayed"] = "true"
            if prior.location:
                resp.headers["Location"] = prior.location
            return resp
        resp = make_response(view(*args, **kwargs))
        if resp.status_code < 500:
            session.rollback()  # the view committed its own unit of work; start clean
            session.add(IdempotencyRecord(scope=scope, key=key, method=request.method, path=request.path,
                                          request_hash=digest, status_code=resp.status_code,
                                          content_type=resp.content_type or "application/json",
                                          body=resp.get_data(as_text=True),
                                          location=resp.headers.get("Location")))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a concurrent replay stored it first
        return resp

    return wrapper
