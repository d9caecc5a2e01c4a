"""Opaque keyset cursors: stable while rows are inserted or removed, unlike offsets."""
from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from services.errors import ValidationFailed


def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v
                      for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list:
    try:
        pad = "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(cursor + pad))
        if not isinstance(values, list):
            raise ValueError
        return values
    except (ValueError, TypeError):
        raise ValidationFailed("invalid cursor", fields={"cursor": ["Invalid cursor."]}) from None


def page(session: Session, stmt: Select, model, cursor: str | None, limit: int,
         order_col: str = "created_at", mappings: bool = False):
    """Newest first by (order_col, id); returns (rows, next_cursor or None).
    Rows are entities, or dict-like mappings for a column projection with `mappings=True`."""
    col, pk = getattr(model, order_col), model.id
    if cursor:
        values = decode_cursor(cursor)
        try:
            at, last_id = datetime.fromisoformat(values[0]), uuid.UUID(values[1])
        except (ValueError, IndexError, TypeError):
            raise ValidationFailed("invalid cursor", fields={"cursor": ["Invalid cursor."]}) from None
        stmt = stmt.where(or_(col < at, and_(col == at, pk < last_id)))
    stmt = stmt.order_by(col.desc(), pk.desc()).limit(limit + 1)
    result = session.execute(stmt)
    rows = list(result.mappings()) if mappings else list(result.scalars())
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        if isinstance(last, Mapping):
            nxt = encode_cursor([last[order_col], last["id"]])
        else:
            nxt = encode_cursor([getattr(last, order_col), last.id])
    return rows, nxt
