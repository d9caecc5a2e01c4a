"""GET /api/v1/search and /api/v1/search/suggest: public, read-only."""
from __future__ import annotations

import logging
import uuid

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from marketplace import i18n
from marketplace.api.listings.schemas import certificate_json, listing_labels
from marketplace.api.search import schemas as s
from marketplace.api.search.wiring import wiring
from marketplace.auth import public
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from search import engine
from search.analysis import highlight
from search.labels import facet_label
from search.backends.base import SearchUnavailable
from search.query import QueryError, encode_cursor, parse_params
from services import labels
from services.errors import ServiceUnavailable, ValidationFailed
from services.listings import validation as v
from services.listings.models import Category, Condition, Listing, Status
from services.standing import service as standing

log = logging.getLogger(__name__)
blp = Blueprint("search", __name__, description="Listing search and autocomplete")
RETRY_AFTER_S = 10
VOCABULARIES = {
    "category": [c.value for c in Category],
    "condition": [c.value for c in Condition],
    "energy_grade": ["1", "2", "3", "4", "5"],
    "powertrain": list(v.VEHICLE_POWERTRAINS),
    "emission_standard": list(v.EMISSION_STANDARDS),
    "seller_type": ["consumer", "retailer", "recycler"],
}


def _answer(call):
    """Run against the primary backend; on an outage use the fallback or answer 503."""
    w = wiring()
    try:
        return call(w.primary), w.primary.name
    except SearchUnavailable as exc:
        if w.fallback is None:
            log.warning("search unavailable", extra={"error": str(exc)})
            raise ServiceUnavailable("Search is temporarily unavailable; listings can still be written.",
                                     retry_after=RETRY_AFTER_S, code="search_unavailable") from None
        log.warning("search answered by fallback", extra={"error": str(exc)})
    try:
        return call(w.fallback), w.fallback.name
    except SearchUnavailable:
        raise ServiceUnavailable("Search is temporarily unavailable.", retry_after=RETRY_AFTER_S,
                                 code="search_unavailable") from None


@blp.route("/search", methods=["GET"])
@public
@blp.arguments(s.SearchArgs, location="query")
@blp.response(200, s.SearchPageSchema)
def search(_args):
    """Search published listings: free text, filters, geo distance, sorts, facets, highlights.
    Bad parameters are a 422 naming each one; a search outage is a 503 with Retry-After."""
    try:
        query = parse_params(request.args.to_dict(flat=False), vocabularies=VOCABULARIES)
        plan = engine.plan_for(query.text)
    except QueryError as e:
        raise ValidationFailed("invalid search parameters", fields=e.errors) from None
    try:
        result, backend = _answer(lambda b: engine.search(b, query, plan))
    except QueryError as e:  # a cursor from another backend
        raise ValidationFailed("invalid search parameters", fields=e.errors) from None
    after = result.next_after(query)
    return {
        "items": _hits(result.hits, plan),
        "related": _hits(result.related, plan),
        "total": result.total,
        "facets": _facets(result.facets),
        "next_cursor": encode_cursor(query, after) if after else None,
        "backend": backend,
    }


def _facets(facets: dict) -> dict:
    """Facet values with `label` ({zh, en}, search/labels.py) and `labels.value` in the
    Accept-Language language (the house style of labels beside codes)."""
    lang = i18n.language()
    t = labels.TABLES[lang]
    key = "en" if lang == "en" else "zh"
    out = {}
    for name, values in facets.items():
        table = t.get(labels.FACET_TABLES.get(name, ""), {})
        rows = []
        for val, n in values:
            both = facet_label(name, val)
            rows.append({"value": val, "count": n, "label": both,
                         "labels": {"value": table.get(str(val)) or (both or {}).get(key)}})
        out[name] = rows
    return out


def _hits(hits: list, plan) -> list[dict]:
    """Rows from the database, the source of truth: a listing sold since it was indexed is dropped."""
    if not hits:
        return []
    ids = [uuid.UUID(h.id) for h in hits]
    rows = {r.id: r for r in db.session.scalars(
        select(Listing).options(lazyload(Listing.photos))
        .where(Listing.id.in_(ids), Listing.status == Status.PUBLISHED))}
    sellers = standing.summaries(db.session, {r.seller_id for r in rows.values()})  # one query a page
    out, t = [], labels.TABLES[i18n.language()]
    for hit, lid in zip(hits, ids):
        row = rows.get(lid)
        if row is None:
            continue
        out.append({
            "id": row.id, "title": row.title, "title_highlight": highlight(row.title, plan),
            "price_fen": row.price_fen, "negotiable": row.negotiable, "category": row.category.value,
            "kind": row.kind, "condition": getattr(row.condition, "value", row.condition),
            "brand": row.brand, "model": row.model, "region_code": row.region_code,
            "seller_type": row.seller_type, "energy_grade": row.energy_grade, "year": row.year,
            "mileage_km": row.mileage_km, "storage_gb": row.storage_gb, "powertrain": row.powertrain,
            "emission_standard": row.emission_standard, "published_at": row.published_at,
            "certificate": certificate_json(row.wipe_certificate),
            "seller": sellers.get(row.seller_id),   # dumped by SellerSummarySchema
            "distance_km": round(hit.distance_km, 3) if hit.distance_km is not None else None,
            "score": hit.score,
            "labels": listing_labels(t, row.category.value, row.kind, getattr(row.condition, "value", row.condition),
                                     row.status.value),
        })
    return out


@blp.route("/search/suggest", methods=["GET"])
@public
@blp.arguments(s.SuggestArgs, location="query")
@blp.response(200, s.SuggestResponseSchema)
def suggest(args):
    """Autocomplete: words people search for (冰 -> 冰箱), then titles, brands and models of published
    listings; devices before accessories."""
    suggestions, _backend = _answer(lambda b: engine.suggest(b, args["q"], args["limit"]))
    return {"suggestions": [{"text": x.text, "kind": x.kind} for x in suggestions]}
