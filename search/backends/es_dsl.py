"""Elasticsearch mapping and query DSL, as pure functions (no client, unit-testable).

Text is matched on our own pre-tokenised fields with the built-in ``whitespace`` analyzer, which
exists on every distribution including the bare test one. When the cluster has the ``cjk``
analyzer (full distributions), the index gets a ``title.cjk`` sub-field that adds a small
relevance signal; the profile is recorded in the mapping's ``_meta`` so queries know.
"""

from __future__ import annotations

from typing import Any

from search import intent as intents
from search.analysis import TYPO_BOOST, Alternative, Concept, TextPlan, typo_eligible
from search.documents import SearchDocument
from search.query import PRICE_BUCKETS, SearchQuery

SCHEMA_VERSION = 1
PROFILE_BARE = "bare"
PROFILE_CJK = "cjk"
FUZZINESS = "AUTO:4,7"
TOKEN_FIELDS = ("title_tokens", "brand_tokens", "body_tokens")
KEYWORD_FACETS = ("category", "kind", "condition", "energy_grade", "legal_class", "cosmetic_grade")
_KW = {"type": "keyword"}
# Fields added after the first release: ensure_index adds them to an existing index's mapping
# (adding a field is allowed in place; the mapping is strict, so a document with an unmapped field
# would be refused until then).
ADDED_FIELDS: dict[str, Any] = {"certified": {"type": "boolean"}, "legal_class": {"type": "keyword"},
                                "cosmetic_grade": {"type": "keyword"},
                                # Stored for the search page's hits, never searched: not indexed.
                                "negotiable": {"type": "boolean", "index": False, "doc_values": False},
                                "seller_id": {"type": "keyword", "index": False, "doc_values": False},
                                "wipe_certificate": {"type": "object", "enabled": False}}
# What a hit returns from _source: every field of the search page's hit summary (the route serves
# the page from it, docs/search.md) and the location (distances when not sorting by distance).
# A published document indexed before the summary fields existed lacks `seller_id`: the route
# reads such hits from PostgreSQL as before.
HIT_SOURCE = ["id", "revision", "title", "price_fen", "negotiable", "category", "kind", "condition", "brand",
              "model", "region_code", "seller_type", "energy_grade", "year", "mileage_km", "storage_gb",
              "powertrain", "emission_standard", "published_at", "wipe_certificate", "seller_id", "location"]


def index_body(profile: str) -> dict[str, Any]:
    title: dict[str, Any] = {"type": "text", "analyzer": "standard"}
    if profile == PROFILE_CJK:
        title["fields"] = {"cjk": {"type": "text", "analyzer": "cjk"}}
    tokens = {"type": "text", "analyzer": "whitespace", "copy_to": "all_tokens"}
    properties: dict[str, Any] = {
        "id": _KW, "revision": {"type": "long"}, "published": {"type": "boolean"},
        "title": title, "brand": _KW, "model": _KW,
        **{name: tokens for name in TOKEN_FIELDS},
        "all_tokens": {"type": "text", "analyzer": "whitespace"},
        **{name: _KW for name in (
            "category", "kind", "condition", "energy_grade", "powertrain", "emission_standard",
            "seller_type", "region_code", "region_levels", "region_province", "region_city")},
        "price_fen": {"type": "long"}, "year": {"type": "integer"},
        "mileage_km": {"type": "integer"}, "storage_gb": {"type": "integer"},
        "location": {"type": "geo_point"}, "published_at": {"type": "date"},
        **ADDED_FIELDS,
        # Inputs are normalised by search.text, so the keyword analyzer is exact and keeps digits.
        "suggest": {"type": "completion", "analyzer": "keyword", "max_input_length": 100},
    }
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
        "mappings": {
            "dynamic": "strict",
            "_meta": {"profile": profile, "schema": SCHEMA_VERSION},
            "_source": {"excludes": list(TOKEN_FIELDS)},
            "properties": properties,
        },
    }


def to_source(doc: SearchDocument) -> dict[str, Any]:
    if not doc.published:
        return {"id": doc.id, "revision": doc.revision, "published": False}
    levels = doc.region_levels()
    src: dict[str, Any] = {
        "id": doc.id, "revision": doc.revision, "published": True,
        "title": doc.title, "brand": doc.brand, "model": doc.model,
        "title_tokens": doc.title_tokens(), "brand_tokens": doc.brand_tokens(),
        "body_tokens": doc.body_tokens(),
        "category": doc.category, "kind": doc.kind, "condition": doc.condition,
        "energy_grade": doc.energy_grade, "powertrain": doc.powertrain,
        "emission_standard": doc.emission_standard, "seller_type": doc.seller_type,
        "region_code": doc.region_code, "region_levels": levels,
        "region_province": levels[0] if levels else None,
        "region_city": levels[1] if len(levels) > 1 else None,
        "price_fen": doc.price_fen, "year": doc.year, "mileage_km": doc.mileage_km,
        "storage_gb": doc.storage_gb, "certified": doc.certified,
        "legal_class": doc.legal_class, "cosmetic_grade": doc.cosmetic_grade,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "negotiable": doc.negotiable, "seller_id": doc.seller_id, "wipe_certificate": doc.wipe_certificate,
        "suggest": [{"input": [text]} for text, _kind in doc.suggest_inputs()],
    }
    if doc.lat is not None and doc.lon is not None:
        src["location"] = {"lat": doc.lat, "lon": doc.lon}
    return {k: v for k, v in src.items() if v is not None and v != []}


def _token_clause(token: str, boost: float, fuzzy: bool = False) -> dict[str, Any]:
    exact = {"term": {"all_tokens": {"value": token, "boost": boost}}}
    if not (fuzzy and typo_eligible(token)):
        return exact
    # Only the buyer's own unknown word; a near miss scores like the database backends' typo
    # alternatives (TYPO_BOOST), an exact hit like any other word.
    near = {"match": {"all_tokens": {"query": token, "fuzziness": FUZZINESS, "prefix_length": 1,
                                     "boost": boost * TYPO_BOOST}}}
    return {"dis_max": {"queries": [exact, near]}}


def _alternative_clause(alt: Alternative) -> dict[str, Any]:
    if len(alt.tokens) == 1:
        return _token_clause(alt.tokens[0], alt.boost, alt.fuzzy)
    return {"bool": {"must": [_token_clause(t, 1.0) for t in alt.tokens], "boost": alt.boost}}


def _concept_clause(concept: Concept) -> dict[str, Any]:
    clauses = [_alternative_clause(a) for a in concept.alternatives]
    # dis_max: a synonym-rich concept must not outscore a plain one by adding up alternatives.
    clause = clauses[0] if len(clauses) == 1 else {"dis_max": {"queries": clauses}}
    if not concept.without:
        return clause
    excluded = [{"bool": {"filter": [{"term": {"all_tokens": t}} for t in tokens]}} for tokens in concept.without]
    return {"bool": {"must": [clause], "must_not": excluded}}  # 自行车 but not 电动自行车


def text_query(plan: TextPlan, raw_text: str, profile: str) -> dict[str, Any]:
    primary = " ".join(t for c in plan.concepts for t in c.alternatives[0].tokens)
    should: list[dict[str, Any]] = [
        {"match": {"title_tokens": {"query": primary, "boost": 2.0}}},
        {"match": {"brand_tokens": {"query": primary, "boost": 1.0}}},
    ]
    if profile == PROFILE_CJK and raw_text.strip():
        should.append({"match": {"title.cjk": {"query": raw_text, "boost": 0.5}}})
    must = []
    for group, count in ((plan.words, plan.required), (plan.fragments, plan.fragments_required)):
        if group and count:
            must.append({"bool": {"should": [_concept_clause(c) for c in group], "minimum_should_match": count}})
        elif group:  # ranks without being required
            should.extend(_concept_clause(c) for c in group)
    return {"bool": {"must": must, "should": should}}


def boost_functions(plan: TextPlan) -> list[dict[str, Any]]:
    """The intent's multiplicative factors (search.intent), as function_score weights."""
    intent = plan.intent
    functions: list[dict[str, Any]] = []
    if intent.kinds:
        functions.append({"filter": {"terms": {"kind": list(intent.kinds)}}, "weight": intent.kind_boost})
    factor = (intents.ACCESSORY_PROMOTION if intent.accessory else
              intents.ACCESSORY_DEMOTION if intent.device else None)
    if factor is not None:
        functions.append({"filter": {"term": {"body_tokens": intents.ACCESSORY_TOKEN}}, "weight": factor})
    if intent.storage_gb:
        functions.append({"filter": {"term": {"storage_gb": intent.storage_gb}}, "weight": intents.STORAGE_BOOST})
    return functions


def filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    f = query.filters
    out: list[dict[str, Any]] = [{"term": {"published": True}}]
    for name, values in f.keywords():
        out.append({"terms": {name: list(values)}})
    if f.storage_gb:
        out.append({"terms": {"storage_gb": list(f.storage_gb)}})
    if f.certified is True:
        out.append({"term": {"certified": True}})
    elif f.certified is False:  # documents indexed before the field existed count as uncertified
        out.append({"bool": {"must_not": [{"term": {"certified": True}}]}})
    if f.region:
        out.append({"term": {"region_levels": f.region}})
    for name, rng in f.ranges():
        bounds = {k: v for k, v in (("gte", rng.low), ("lte", rng.high)) if v is not None}
        out.append({"range": {name: bounds}})
    if query.near and query.near.radius_km:
        out.append({"geo_distance": {"distance": f"{query.near.radius_km}km",
                                     "location": {"lat": query.near.lat, "lon": query.near.lon}}})
    return out


def sort_clause(query: SearchQuery) -> list[dict[str, Any]]:
    by_id = {"id": "asc"}
    if query.sort == "price_asc":
        return [{"price_fen": "asc"}, by_id]
    if query.sort == "price_desc":
        return [{"price_fen": "desc"}, by_id]
    if query.sort == "newest":
        return [{"published_at": "desc"}, by_id]
    if query.sort == "distance" and query.near:
        return [{"_geo_distance": {"location": {"lat": query.near.lat, "lon": query.near.lon},
                                   "order": "asc", "unit": "km", "distance_type": "arc"}}, by_id]
    return [{"_score": "desc"}, {"published_at": "desc"}, by_id]


def region_facet_field(query: SearchQuery) -> str:
    """One level below the region filter: provinces, then cities, then counties."""
    region = query.filters.region or ""
    return {0: "region_province", 2: "region_city"}.get(len(region), "region_code")


def price_key(low: int | None, high: int | None) -> str:
    return f"{'*' if low is None else low}-{'*' if high is None else high}"


def aggregations(query: SearchQuery) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name in KEYWORD_FACETS:
        if name in query.facets:
            aggs[name] = {"terms": {"field": name, "size": 50}}
    if "region" in query.facets:
        aggs["region"] = {"terms": {"field": region_facet_field(query), "size": 50}}
    if "price" in query.facets:
        ranges = []
        for low, high in PRICE_BUCKETS:
            bucket: dict[str, Any] = {"key": price_key(low, high)}
            if low is not None:
                bucket["from"] = low
            if high is not None:
                bucket["to"] = high
            ranges.append(bucket)
        aggs["price"] = {"range": {"field": "price_fen", "ranges": ranges}}
    return aggs


def search_body(query: SearchQuery, plan: TextPlan, profile: str) -> dict[str, Any]:
    """The complete ``_search`` body for a query (the benchmark sends it to ES directly too)."""
    must = text_query(plan, query.text, profile) if not plan.empty else {"match_all": {}}
    functions = boost_functions(plan) if not plan.empty else []
    if functions:  # multiplied into the text score, exactly as the database backends do
        must = {"function_score": {"query": must, "functions": functions, "score_mode": "multiply",
                                   "boost_mode": "multiply"}}
    # Scores nothing; names accessories in the hits' matched_queries (search.engine reorders them).
    flag = {"term": {"body_tokens": {"value": intents.ACCESSORY_TOKEN, "_name": "accessory", "boost": 0}}}
    body: dict[str, Any] = {
        "query": {"bool": {"must": [must], "should": [flag], "filter": filter_clauses(query)}},
        "sort": sort_clause(query),
        "size": query.limit,
        "track_total_hits": query.count,
        "track_scores": True,
        "_source": HIT_SOURCE,
        "aggs": aggregations(query),
    }
    if query.after:
        body["search_after"] = list(query.after)
    return body
