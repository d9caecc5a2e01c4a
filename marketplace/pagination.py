"""Cursor pagination arguments and the page envelope every list endpoint returns."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class PageArgs(ma.Schema):
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=500))
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


_pages: dict[str, type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """A page schema named after its items: {items: [...], next_cursor: str | null}."""
    name = item_schema.__name__.replace("Schema", "") + "PageSchema"
    if name not in _pages:
        _pages[name] = type(name, (ma.Schema,), {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(allow_none=True),
        })
    return _pages[name]


def page(items, next_cursor):
    return {"items": items, "next_cursor": next_cursor}
