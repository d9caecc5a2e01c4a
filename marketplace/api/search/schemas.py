"""Search request parameters (documented here, validated by search.query.parse_params) and responses."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.api.listings.schemas import CertificateSummarySchema, SellerSummarySchema
from marketplace.fields import MULTI as _CSV
from search.query import MAX_LIMIT, MAX_Q_LENGTH, SORTS


class SearchArgs(ma.Schema):
    """Every parameter is read again by the search layer, which names each bad one in a 422."""

    class Meta:
        unknown = ma.INCLUDE  # unknown parameters are reported by name by the search layer

    q = ma.fields.String(metadata={"description": f"Free text, Chinese and/or English, up to {MAX_Q_LENGTH} characters."})
    category = ma.fields.String(metadata={"description": f"vehicle, appliance, electronics, other. {_CSV}"})
    kind = ma.fields.String(metadata={"description": f"e.g. refrigerator, mobile_phone, passenger_car. {_CSV}"})
    condition = ma.fields.String(metadata={"description": _CSV})
    energy_grade = ma.fields.String(metadata={"description": f"1 (best) to 5. {_CSV}"})
    powertrain = ma.fields.String(metadata={"description": _CSV})
    emission_standard = ma.fields.String(metadata={"description": f"e.g. china_6b. {_CSV}"})
    seller_type = ma.fields.String(metadata={"description": f"consumer, retailer, recycler. {_CSV}"})
    legal_class = ma.fields.String(metadata={"description": f"new, remanufactured, refurbished, used. {_CSV}"})
    cosmetic_grade = ma.fields.String(metadata={"description": f"premium, excellent, good, fair. {_CSV}"})
    storage_gb = ma.fields.String(metadata={"description": f"Storage sizes in GB. {_CSV}"})
    certified = ma.fields.String(metadata={"description": "true: only devices with a valid data-wipe "
                                                          "certificate; false: only without one."})
    region = ma.fields.String(metadata={"description": "GB/T 2260 code or prefix: 2 (province), 4 (city) or 6 digits."})
    price_min = ma.fields.String(metadata={"description": "Price in fen, inclusive."})
    price_max = ma.fields.String(metadata={"description": "Price in fen, inclusive."})
    year_min = ma.fields.String()
    year_max = ma.fields.String()
    mileage_min = ma.fields.String(metadata={"description": "Kilometres."})
    mileage_max = ma.fields.String(metadata={"description": "Kilometres."})
    near = ma.fields.String(metadata={"description": "lat,lon in decimal degrees; hits then carry distance_km."})
    radius_km = ma.fields.String(metadata={"description": "Only with near."})
    sort = ma.fields.String(metadata={"description": f"One of {', '.join(SORTS)}; default relevance with q, else newest."})
    cursor = ma.fields.String(metadata={"description": "next_cursor of the previous page (same parameters)."})
    limit = ma.fields.String(metadata={"description": f"1..{MAX_LIMIT}, default 20."})


class SuggestArgs(ma.Schema):
    q = ma.fields.String(required=True, validate=validate.Length(min=1, max=50))
    limit = ma.fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class FacetLabelSchema(ma.Schema):
    zh = ma.fields.String(required=True)
    en = ma.fields.String(required=True, metadata={"description": "Region names are Chinese only."})


class FacetValueSchema(ma.Schema):
    value = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    label = ma.fields.Nested(FacetLabelSchema, allow_none=True,
                             metadata={"description": "Names of the value in Chinese and English."})
    labels = ma.fields.Dict(metadata={
        "type": "object", "properties": {"value": {"type": "string", "nullable": True}},
        "description": "`value` in words, in the language of Accept-Language (zh-CN by default, or en); "
                       "null where the value has no name (price ranges)."})


class SearchHitSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    title = ma.fields.String()
    title_highlight = ma.fields.String(allow_none=True, metadata={"description": "HTML-escaped title with <em> marks."})
    price_fen = ma.fields.Integer()
    negotiable = ma.fields.Boolean()
    category = ma.fields.String()
    kind = ma.fields.String()
    condition = ma.fields.String()
    brand = ma.fields.String(allow_none=True)
    model = ma.fields.String(allow_none=True)
    region_code = ma.fields.String()
    seller_type = ma.fields.String()
    energy_grade = ma.fields.Integer(allow_none=True)
    year = ma.fields.Integer(allow_none=True)
    mileage_km = ma.fields.Integer(allow_none=True)
    storage_gb = ma.fields.Integer(allow_none=True)
    powertrain = ma.fields.String(allow_none=True)
    emission_standard = ma.fields.String(allow_none=True)
    published_at = ma.fields.DateTime(allow_none=True)
    certificate = ma.fields.Nested(CertificateSummarySchema, allow_none=True,
                                   metadata={"description": "The device's data-wipe certificate"})
    seller = ma.fields.Nested(SellerSummarySchema, allow_none=True,
                              metadata={"description": "The seller's public standing, as on the listing"})
    distance_km = ma.fields.Float(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    labels = ma.fields.Dict(metadata={
        "type": "object", "properties": {f: {"type": "string", "nullable": True} for f in
                                         ("category", "kind", "condition", "status")},
        "description": "Labels of category, kind, condition and status in the language of Accept-Language "
                       "(zh-CN by default, or en), as on listings."})


class SearchPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SearchHitSchema), required=True)
    related = ma.fields.List(ma.fields.Nested(SearchHitSchema), metadata={
        "description": "Near matches (any of the words, or the kind named) when the exact matches do not "
                       "fill the first page; not counted in total, not paged."})
    total = ma.fields.Integer(required=True)
    facets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.Nested(FacetValueSchema)))
    next_cursor = ma.fields.String(allow_none=True)
    backend = ma.fields.String(metadata={"description": "The backend that answered."})


class SuggestionSchema(ma.Schema):
    text = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={
        "description": "word (a search word such as 冰箱), title, brand or model"})


class SuggestResponseSchema(ma.Schema):
    suggestions = ma.fields.List(ma.fields.Nested(SuggestionSchema), required=True)
