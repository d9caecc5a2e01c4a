"""Schemas of favourites and saved searches."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.pagination import PageArgs


class FavouriteSchema(ma.Schema):
    listing_id = ma.fields.UUID()
    created_at = ma.fields.DateTime()
    known_price_fen = ma.fields.Integer(metadata={"description": "The price you were last told about; "
                                                                 "a drop below it sends an alert."})


class SavedSearchCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    params = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True, metadata={
        "description": "The parameters of GET /api/v1/search (q, category, kind, price_min, region, near, …); "
                       "values are strings or lists of strings. Checked as a search would be."})


class SavedSearchSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    params = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    checked_until = ma.fields.DateTime()
    last_alert_at = ma.fields.DateTime(allow_none=True)


class WatchPageArgs(PageArgs):
    """Cursor and limit."""
