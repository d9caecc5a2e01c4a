from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate


class ReviewCreateSchema(ma.Schema):
    stars = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    text = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewSchema(ma.Schema):
    id = ma.fields.UUID()
    order_id = ma.fields.UUID()
    author_id = ma.fields.UUID()
    subject_id = ma.fields.UUID()
    author_role = ma.fields.String()
    stars = ma.fields.Integer()
    text = ma.fields.String()
    created_at = ma.fields.DateTime()
    published_at = ma.fields.DateTime(allow_none=True,
                                      metadata={"description": "Null while hidden (the other side has not written)."})


class ReviewPageArgs(PageArgs):
    """Cursor and limit only."""
