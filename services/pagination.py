"""Opaque keyset cursors: stable while rows are inserted or removed, unlike offsets."""
from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Integer, Select, bindparam, tuple_
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


def cursor_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (order value, id) a cursor points after; a bad cursor is a 422 naming `cursor`."""
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (ValueError, IndexError, TypeError):
        raise ValidationFailed("invalid cursor", fields={"cursor": ["Invalid cursor."]}) from None


def after_cursor(col, pk, at, last_id):
    """Rows after the cursor, newest first, as one row comparison `(col, pk) < (at, last_id)`: with
    an index on (filters..., col, pk) it is an index condition, so the scan starts at the cursor
    and a page deep in the table costs what the first page does. (The equivalent
    `col < at OR (col = at AND pk < last_id)` is only a filter: PostgreSQL walks every row
    before the cursor.)"""
    return tuple_(col, pk) < tuple_(at, last_id)


def _next(rows: list, limit: int, order_col: str):
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    if isinstance(last, Mapping):
        return rows, encode_cursor([last[order_col], last["id"]])
    return rows, encode_cursor([getattr(last, order_col), last.id])


def page(session: Session, stmt: Select, model, cursor: str | None, limit: int,
         order_col: str = "created_at", mappings: bool = False):
    """Newest first by (order_col, id); returns (rows, next_cursor or None).
    Rows are entities, or dict-like mappings for a column projection with `mappings=True`."""
    col, pk = getattr(model, order_col), model.id
    if cursor:
        at, last_id = cursor_position(cursor)
        stmt = stmt.where(after_cursor(col, pk, at, last_id))
    stmt = stmt.order_by(col.desc(), pk.desc()).limit(limit + 1)
    result = session.execute(stmt)
    rows = list(result.mappings()) if mappings else list(result.scalars())
    return _next(rows, limit, order_col)


class Prepared:
    """A keyset-paged projection built once per combination of filters, with every value a bound
    parameter. Executing the same statement object again skips SQLAlchemy's per-call expression
    building, cache-key generation and result-map adaptation, and runs as plain Core (no ORM
    loading layer): for the hottest lists. Filters are named columns compared for equality."""

    def __init__(self, base: Select, model, order_col: str = "created_at"):
        self.base, self.model, self.order_col = base, model, order_col
        self._built: dict[tuple, Select] = {}

    def _statement(self, filters: tuple[str, ...], after: bool) -> Select:
        key = (filters, after)
        stmt = self._built.get(key)
        if stmt is None:
            col, pk = getattr(self.model, self.order_col), self.model.id
            stmt = self.base.where(*(getattr(self.model, f) == bindparam(f"f_{f}") for f in filters))
            if after:
                stmt = stmt.where(after_cursor(col, pk, bindparam("after_at"), bindparam("after_id")))
            stmt = stmt.order_by(col.desc(), pk.desc()).limit(bindparam("page_size", type_=Integer))
            # setdefault: threads racing here all end up executing the one statement object
            # (SQLAlchemy's compiled cache remembers the object that compiled first).
            stmt = self._built.setdefault(key, stmt)
        return stmt

    def page(self, session: Session, filters: dict, cursor: str | None, limit: int):
        """(mappings, next_cursor or None) for `filters` (column name -> value) after `cursor`."""
        names = tuple(sorted(filters))
        params = {f"f_{f}": filters[f] for f in names}
        params["page_size"] = limit + 1
        if cursor:
            params["after_at"], params["after_id"] = cursor_position(cursor)
        stmt = self._statement(names, bool(cursor))
        rows = list(session.connection().execute(stmt, params).mappings())
        return _next(rows, limit, self.order_col)
