"""The public profile schema: nothing private (no ID number, phone, email or address)."""
from __future__ import annotations

import marshmallow as ma


class ProfileOrganisationSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "retailer | recycler"})
    verified = ma.fields.Boolean(metadata={"description": "An operator checked its registration."})


class ProfileSchema(ma.Schema):
    id = ma.fields.UUID()
    display_name = ma.fields.String()
    role = ma.fields.String(metadata={"description": "consumer | retailer | recycler"})
    member_since = ma.fields.DateTime()
    real_name_verified = ma.fields.Boolean()
    organisation = ma.fields.Nested(ProfileOrganisationSchema, allow_none=True)
    rating_average = ma.fields.Float(allow_none=True, metadata={"description": "1-5 stars over published reviews."})
    rating_count = ma.fields.Integer()
    completed_trades = ma.fields.Integer(metadata={"description": "Completed orders as buyer or seller."})
    credit_band = ma.fields.String(allow_none=True, metadata={"description": "Latest credit band; null if never scored."})
    response_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "Share of buyers' questions (last 90 days) the seller answered."})
    response_minutes = ma.fields.Integer(allow_none=True, metadata={"description": "Median minutes to answer."})
