"""The Elasticsearch mapping and query bodies use only what the bare test distribution has."""
import json
from dataclasses import replace
from datetime import datetime, timezone

from search.analysis import plan_query
from search import intent as intents
from search.backends import es_dsl
from search.documents import SearchDocument
from search.query import parse_params

DOC = SearchDocument("a1", 3, True, title="海尔 BCD-470 冰箱", brand="海尔", model="BCD-470WDPG",
                     category="appliance", kind="refrigerator", labels="冰箱 refrigerator", condition="good", price_fen=150000,
                     region_code="440106", energy_grade="1", lat=23.1, lon=113.3,
                     published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_bare_mapping_uses_only_server_analyzers():
    body = json.dumps(es_dsl.index_body(es_dsl.PROFILE_BARE))
    assert '"cjk"' not in body
    analyzers = {v for k, v in _walk(es_dsl.index_body(es_dsl.PROFILE_BARE)) if k == "analyzer"}
    assert analyzers <= {"standard", "whitespace", "keyword"}


def test_cjk_profile_adds_a_subfield_and_queries_it():
    body = es_dsl.index_body(es_dsl.PROFILE_CJK)
    assert body["mappings"]["properties"]["title"]["fields"]["cjk"]["analyzer"] == "cjk"
    q = parse_params({"q": "冰箱"})
    assert "title.cjk" in json.dumps(es_dsl.search_body(q, plan_query(q.text), es_dsl.PROFILE_CJK))
    assert "title.cjk" not in json.dumps(es_dsl.search_body(q, plan_query(q.text), es_dsl.PROFILE_BARE))


def test_source_of_published_document_and_tombstone():
    src = es_dsl.to_source(DOC)
    assert src["region_levels"] == ["44", "4401", "440106"] and src["region_city"] == "4401"
    assert "冰箱" in src["title_tokens"].split() and src["location"] == {"lat": 23.1, "lon": 113.3}
    assert {"input": ["bcd-470wdpg"]} in src["suggest"]
    assert es_dsl.to_source(SearchDocument.tombstone("a1", 4)) == {"id": "a1", "revision": 4, "published": False}


def test_search_body_filters_sorts_and_pages():
    q = parse_params({"q": "海尔冰箱", "kind": "refrigerator", "price_max": "200000", "region": "44",
                      "near": "23,113", "radius_km": "10", "sort": "price_asc"})
    body = es_dsl.search_body(q, plan_query(q.text), es_dsl.PROFILE_BARE)
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"published": True}} in filters
    assert {"terms": {"kind": ["refrigerator"]}} in filters
    assert {"range": {"price_fen": {"lte": 200000}}} in filters
    assert {"term": {"region_levels": "44"}} in filters
    assert any("geo_distance" in f for f in filters)
    assert body["sort"] == [{"price_fen": "asc"}, {"id": "asc"}]
    assert body["aggs"]["region"]["terms"]["field"] == "region_city"
    scored = body["query"]["bool"]["must"][0]["function_score"]
    assert scored["score_mode"] == scored["boost_mode"] == "multiply"  # as the database backends
    assert {"filter": {"terms": {"kind": ["refrigerator"]}}, "weight": intents.KIND_BOOST} in scored["functions"]
    text = scored["query"]["bool"]["must"][0]["bool"]
    assert text["minimum_should_match"] == 2 and len(text["should"]) == 2
    assert "script" not in json.dumps(body)


def test_expansions_and_known_words_are_never_fuzzy():
    body = json.dumps(es_dsl.search_body(parse_params({"q": "iphone"}), plan_query("iphone"),
                                         es_dsl.PROFILE_BARE))
    assert "fuzziness" not in body  # "iphone" is one edit from "phone": known words stay exact


def test_latin_words_are_fuzzy_but_model_numbers_are_exact():
    body = json.dumps(es_dsl.search_body(parse_params({"q": "samsng KFR-35GW"}), plan_query("samsng KFR-35GW"),
                                         es_dsl.PROFILE_BARE))
    assert '"query": "samsng", "fuzziness": "AUTO:4,7"' in body
    assert '{"term": {"all_tokens": {"value": "kfr-35gw"' in body


def test_empty_text_matches_all_and_cursor_becomes_search_after():
    q = parse_params({"sort": "newest"})
    q = type(q)(sort="newest", after=("2026-01-01", "a1"))
    body = es_dsl.search_body(q, plan_query(""), es_dsl.PROFILE_BARE)
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["search_after"] == ["2026-01-01", "a1"]


def _walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_near_matches_are_not_counted():
    query = parse_params({"q": ["冰箱"]})
    assert es_dsl.search_body(query, plan_query("冰箱"), "bare")["track_total_hits"] is True
    loose = replace(query, facets=(), count=False)  # as search.engine asks for related listings
    body = es_dsl.search_body(loose, plan_query("冰箱"), "bare")
    assert body["track_total_hits"] is False and not body.get("aggs")
