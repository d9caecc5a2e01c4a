"""Search request parameters (documented here, validated by search.query.parse_params) and responses."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.api.listings.schemas import (CertificateSummarySchema, SellerSummarySchema, certificate_json,
                                               listing_labels, seller_json)
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


# --- hand-written output of the hot path ---------------------------------------------------
# GET /search is the hottest public read: marshmallow's generic dump of a page of 20 hits and six
# facets cost more CPU than the rest of the request (bench/search_load.py). These functions write
# SearchHitSchema's and FacetValueSchema's output by hand, key for key and in the same order;
# tests/unit/test_search_page_json.py holds them to the schemas, which stay the documented contract.

def _opt(value, kind):
    return None if value is None else kind(value)


def hit_json(row, highlight: str | None, distance_km: float | None, score: float | None, t: dict,
             seller) -> dict:
    """SearchHitSchema's output for one listing row (a mapping of the Listing columns read by the
    search route, or the same fields from the index's `_source`: enums as their values and
    `published_at` as the ISO string the relay wrote from the same datetime), its highlight, its
    hit's distance and score, a label table and its seller."""
    category = getattr(row["category"], "value", row["category"])
    condition = getattr(row["condition"], "value", row["condition"])
    published = row["published_at"]
    if published is not None and published.__class__ is not str:
        published = published.isoformat()
    return {
        "id": str(row["id"]), "title": _opt(row["title"], str), "title_highlight": highlight,
        "price_fen": _opt(row["price_fen"], int), "negotiable": _opt(row["negotiable"], bool),
        "category": category, "kind": _opt(row["kind"], str), "condition": _opt(condition, str),
        "brand": _opt(row["brand"], str), "model": _opt(row["model"], str),
        "region_code": _opt(row["region_code"], str), "seller_type": _opt(row["seller_type"], str),
        "energy_grade": _opt(row["energy_grade"], int), "year": _opt(row["year"], int),
        "mileage_km": _opt(row["mileage_km"], int), "storage_gb": _opt(row["storage_gb"], int),
        "powertrain": _opt(row["powertrain"], str), "emission_standard": _opt(row["emission_standard"], str),
        "published_at": published,
        "certificate": certificate_json(row["wipe_certificate"]), "seller": seller_json(seller),
        "distance_km": _opt(distance_km, float), "score": _opt(score, float),
        "labels": listing_labels(t, category, row["kind"], condition, "published"),
    }


def facet_value_json(value, count: int, label: dict | None, shown: str | None) -> dict:
    """FacetValueSchema's output for one facet value."""
    return {"value": str(value), "count": int(count),
            "label": None if label is None else {"zh": str(label["zh"]), "en": str(label["en"])},
            "labels": {"value": shown}}
