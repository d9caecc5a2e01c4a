"""GET /api/v1/search and /api/v1/search/suggest: public, read-only."""
from __future__ import annotations

import logging

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from marketplace.api.listings.schemas import certificate_json
from marketplace.api.search import schemas as s
from marketplace.api.search.wiring import wiring
from marketplace.auth import public
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from search.analysis import highlight, plan_query
from search.backends.base import SearchUnavailable
from search.query import QueryError, SearchResult, encode_cursor, parse_params
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
    except QueryError as e:
        raise ValidationFailed("invalid search parameters", fields=e.errors) from None
    plan = plan_query(query.text)
    try:
        result, backend = _answer(lambda b: b.search(query, plan))
    except QueryError as e:  # a cursor from another backend
        raise ValidationFailed("invalid search parameters", fields=e.errors) from None
    after = result.next_after(query)
    return {
        "items": _hits(result, plan),
        "total": result.total,
        "facets": {name: [{"value": val, "count": n} for val, n in values]
                   for name, values in result.facets.items()},
        "next_cursor": encode_cursor(query, after) if after else None,
        "backend": backend,
    }


def _hits(result: SearchResult, plan) -> list[dict]:
    """Rows from the database, the source of truth: a listing sold since it was indexed is dropped."""
    if not result.hits:
        return []
    import uuid
    ids = [uuid.UUID(h.id) for h in result.hits]
    rows = {r.id: r for r in db.session.scalars(
        select(Listing).options(lazyload(Listing.photos))
        .where(Listing.id.in_(ids), Listing.status == Status.PUBLISHED))}
    sellers = standing.summaries(db.session, {r.seller_id for r in rows.values()})  # one query a page
    out = []
    for hit, lid in zip(result.hits, ids):
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
        })
    return out


@blp.route("/search/suggest", methods=["GET"])
@public
@blp.arguments(s.SuggestArgs, location="query")
@blp.response(200, s.SuggestResponseSchema)
def suggest(args):
    """Autocomplete over titles, brands and models of published listings."""
    suggestions, _backend = _answer(lambda b: b.suggest(args["q"], args["limit"]))
    return {"suggestions": [{"text": x.text, "kind": x.kind} for x in suggestions]}
