"""GET /api/v1/search and /api/v1/search/suggest: public, read-only."""
from __future__ import annotations

import logging
import uuid
from functools import lru_cache

from flask import jsonify, request
from sqlalchemy import bindparam, select

from marketplace import i18n
from marketplace.api.listings.sellers import cache as sellers_cache
from marketplace.api.search import schemas as s
from marketplace.api.search.wiring import wiring
from marketplace.auth import public
from marketplace.extensions import db
from marketplace.openapi import Blueprint
from search import engine
from search.analysis import highlight_memo
from search.labels import facet_label
from search.backends.base import SearchUnavailable
from search.query import QueryError, encode_cursor, parse_params
from services import labels
from services.errors import ServiceUnavailable, ValidationFailed
from services.listings import validation as v
from services.listings.models import Category, Condition, Listing, Status
from services.remanufacturing import grading

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
    "legal_class": list(grading.LEGAL_CLASSES),
    "cosmetic_grade": list(grading.GRADES),
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
@blp.documented_arguments(s.SearchArgs, location="query")  # parsed by search.query.parse_params
@blp.alt_response(200, schema=s.SearchPageSchema, success=True, description="A page of search results")
def search():
    """Search published listings: free text, filters, geo distance, sorts, facets, highlights.
    Bad parameters are a 422 naming each one; a search outage is a 503 with Retry-After."""
    # Serialised by s.hit_json and s.facet_value_json, held to SearchPageSchema's output by a test.
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
    items, related = _hits(result.hits, result.related, plan)
    return jsonify({
        "items": items,
        "related": related,
        "total": int(result.total),
        "facets": _facets(result.facets),
        "next_cursor": encode_cursor(query, after) if after else None,
        "backend": backend,
    })


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
            rows.append(s.facet_value_json(val, n, both, table.get(str(val)) or (both or {}).get(key)))
        out[name] = rows
    return out


# The columns a hit shows, read in one Core statement (no ORM identity map, no unused columns).
_HIT_COLUMNS = (Listing.id, Listing.title, Listing.price_fen, Listing.negotiable, Listing.category, Listing.kind,
                Listing.condition, Listing.brand, Listing.model, Listing.region_code, Listing.seller_type,
                Listing.energy_grade, Listing.year, Listing.mileage_km, Listing.storage_gb, Listing.powertrain,
                Listing.emission_standard, Listing.published_at, Listing.wipe_certificate, Listing.seller_id)
_HIT_ROWS = select(*_HIT_COLUMNS).where(Listing.id.in_(bindparam("ids", expanding=True)),
                                        Listing.status == Status.PUBLISHED)


def _hits(hits: list, related: list, plan) -> tuple[list[dict], list[dict]]:
    """The page's hits as the index holds them (docs/search.md, "Where a hit's fields come from"):
    a hit whose document carries the summary (es_dsl.HIT_SOURCE) is shown from it, as of the
    revision the relay indexed; any other hit (the database backends, a document indexed before the
    summary fields existed) is read from PostgreSQL in one query for the page, dropped when no
    longer published. Sellers from the per-app seller-summary cache, as the listing reads have them."""
    if not hits and not related:
        return [], []
    rows: dict[str, object] = {}
    missing = []
    for hit in (*hits, *related):
        src = hit.source
        if src is not None and "seller_id" in src:
            rows[hit.id] = _source_row(src)
        else:
            missing.append(hit.id)
    if missing:
        # One statement, so no transaction: on PostgreSQL the read is one round trip instead of
        # three (BEGIN, SELECT, ROLLBACK); a single SELECT sees one snapshot either way.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            for r in conn.execute(_HIT_ROWS, {"ids": [uuid.UUID(i) for i in missing]}).mappings():
                rows[str(r["id"])] = r
    sellers = sellers_cache().many(db.session, {r["seller_id"] for r in rows.values()})
    t = labels.TABLES[i18n.language()]

    def page(part: list) -> list[dict]:
        out = []
        for hit in part:
            row = rows.get(hit.id)
            if row is None:
                continue
            distance = round(hit.distance_km, 3) if hit.distance_km is not None else None
            out.append(s.hit_json(row, highlight_memo(row["title"], plan), distance, hit.score, t,
                                  sellers.get(row["seller_id"])))
        return out
    return page(hits), page(related)


def _source_row(src: dict) -> dict:
    """A hit's `_source` as the columns `_HIT_ROWS` reads (missing keys were NULL: to_source drops
    them); `s.hit_json` writes either into the same JSON."""
    get = src.get
    return {"id": src["id"], "title": get("title"), "price_fen": get("price_fen"), "negotiable": get("negotiable"),
            "category": get("category"), "kind": get("kind"), "condition": get("condition"),
            "brand": get("brand"), "model": get("model"), "region_code": get("region_code"),
            "seller_type": get("seller_type"), "energy_grade": get("energy_grade"), "year": get("year"),
            "mileage_km": get("mileage_km"), "storage_gb": get("storage_gb"), "powertrain": get("powertrain"),
            "emission_standard": get("emission_standard"), "published_at": get("published_at"),
            "wipe_certificate": get("wipe_certificate"), "seller_id": _seller_uuid(src["seller_id"])}


@lru_cache(maxsize=65_536)
def _seller_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)  # the seller cache is keyed as the rows read from PostgreSQL are


@blp.route("/search/suggest", methods=["GET"])
@public
@blp.arguments(s.SuggestArgs, location="query")
@blp.response(200, s.SuggestResponseSchema)
def suggest(args):
    """Autocomplete: words people search for (冰 -> 冰箱), then titles, brands and models of published
    listings; devices before accessories."""
    suggestions, _backend = _answer(lambda b: engine.suggest(b, args["q"], args["limit"]))
    return {"suggestions": [{"text": x.text, "kind": x.kind} for x in suggestions]}
