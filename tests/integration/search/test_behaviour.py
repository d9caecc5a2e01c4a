"""One behaviour suite, run against every backend (Elasticsearch, PostgreSQL FTS, SQLite FTS5)."""
from __future__ import annotations

import dataclasses

import pytest

from search.analysis import plan_query
from search.documents import SearchDocument
from search.query import Filters, Near, Range, SearchQuery, haversine_km, parse_params
from tests.factories.search import corpus, corpus_documents, key_id, to_document

BY_ID = {key_id(item["key"]): item for item in corpus()}


def run(backend, query: SearchQuery):
    return backend.search(query, plan_query(query.text))


def keys(result) -> list[str]:
    return [BY_ID[h.id]["key"] for h in result.hits]


def text_search(backend, q: str, limit: int = 10) -> list[str]:
    return keys(run(backend, SearchQuery(text=q, sort="relevance", limit=limit)))


@pytest.mark.parametrize("q, expected", [
    ("冰箱", "fridge-haier-470"),
    ("海尔双开门冰箱", "fridge-haier-470"),
    ("電冰箱", "fridge-siemens-trad"),          # traditional query and document
    ("西門子", "fridge-siemens-trad"),
    ("ｏｐｐｏ", "phone-oppo-fullwidth"),        # full-width document, half-width query
    ("ＯＰＰＯ", "phone-oppo-fullwidth"),
    ("washing machine", "washer-en-lg"),
    ("iPhone 13 128G", "phone-iphone13-128"),
    ("KFR-35GW", "ac-gree-35gw"),
    ("KFR-35GW/NhGd1B", "ac-gree-35gw"),
    ("35gw", "ac-gree-35gw"),
    ("格力 1.5匹", "ac-gree-35gw"),
    ("mobile phone 华为", "phone-huawei-mate60"),
    ("air conditioner", "ac-en-daikin"),
    ("电动车", "car-tesla-model3"),             # 新能源/NEV/电动车 are one group
    ("samsng galxy", "phone-en-samsung-s23"),   # typos in Latin words
    ("thinkpda", "laptop-thinkpad"),
    # lexicon breadth (search/classes.txt, slang in synonyms.txt): the other script of a brand,
    # second-hand slang, a class compound that listings write as the class
    ("littleswan", "washer-littleswan"),
    ("fotile", "hood-fotile"),
    ("supor", "ricecooker-supor"),
    ("爱疯", "phone-iphone13-128"),
    ("苹果电脑", "laptop-macbook"),
    ("安卓手机", "phone-en-samsung-s23"),
    ("液晶电视", "tv-sony-55"),
])
def test_text_finds(corpus_backend, q, expected):
    assert expected in text_search(corpus_backend, q)[:5]


@pytest.mark.parametrize("q", ['title:* OR (', '"', "AND OR NOT", "-", "*", "冰箱 AND (", "NEAR(a b)", "'; DROP TABLE x; --"])
def test_query_syntax_is_plain_text(corpus_backend, q):
    run(corpus_backend, SearchQuery(text=q, sort="relevance"))  # no error whatever it finds


def test_two_character_chinese_words_match(corpus_backend):
    assert set(text_search(corpus_backend, "手机", 20)) >= {"phone-iphone13-256", "phone-huawei-mate60"}


def test_no_match_is_empty(corpus_backend):
    result = run(corpus_backend, SearchQuery(text="拖拉机 zzzqqq", sort="relevance"))
    assert result.total == 0 and result.hits == []


FILTER_CASES = [
    ({"category": "vehicle"}, lambda i: i["category"] == "vehicle"),
    ({"kind": "refrigerator,washing_machine"}, lambda i: i["kind"] in ("refrigerator", "washing_machine")),
    ({"condition": "like_new"}, lambda i: i["condition"] == "like_new"),
    ({"price_min": "100000", "price_max": "300000"}, lambda i: 100000 <= i["price_fen"] <= 300000),
    ({"region": "44"}, lambda i: i["region_code"].startswith("44")),
    ({"region": "440300"}, lambda i: i["region_code"].startswith("4403")),
    ({"region": "440106"}, lambda i: i["region_code"] == "440106"),
    ({"energy_grade": "1"}, lambda i: i.get("energy_grade") == "1"),
    ({"powertrain": "bev,phev"}, lambda i: i.get("powertrain") in ("bev", "phev")),
    ({"emission_standard": "china_6b"}, lambda i: i.get("emission_standard") == "china_6b"),
    ({"year_min": "2020", "year_max": "2021"}, lambda i: 2020 <= (i.get("year") or 0) <= 2021),
    ({"mileage_max": "50000"}, lambda i: i.get("mileage_km") is not None and i["mileage_km"] <= 50000),
    ({"storage_gb": "256"}, lambda i: i.get("storage_gb") == 256),
    ({"seller_type": "retailer"}, lambda i: i["seller_type"] == "retailer"),
    ({"q": "冰箱", "energy_grade": "1,2"}, lambda i: i["kind"] == "refrigerator" and i.get("energy_grade") in ("1", "2")),
]


@pytest.mark.parametrize("params, predicate", FILTER_CASES)
def test_filters_return_exactly_the_matching_listings(corpus_backend, params, predicate):
    query = dataclasses.replace(parse_params(params), limit=100)
    result = run(corpus_backend, query)
    expected = {key for key, item in ((i["key"], i) for i in corpus()) if predicate(item)}
    if "q" not in params:
        assert set(keys(result)) == expected and result.total == len(expected)
    else:
        assert set(keys(result)) <= expected and result.hits


def test_geo_radius_and_distances(corpus_backend):
    guangzhou = Near(23.1248, 113.3616, 50.0)
    result = run(corpus_backend, SearchQuery(near=guangzhou, sort="distance", limit=100))
    inside = {i["key"] for i in corpus() if haversine_km(23.1248, 113.3616, i["lat"], i["lon"]) <= 50}
    assert set(keys(result)) == inside and inside
    distances = [h.distance_km for h in result.hits]
    assert distances == sorted(distances)
    for hit in result.hits:
        item = BY_ID[hit.id]
        assert hit.distance_km == pytest.approx(haversine_km(23.1248, 113.3616, item["lat"], item["lon"]), abs=0.05)


def test_distance_reported_when_sorting_by_relevance(corpus_backend):
    result = run(corpus_backend, SearchQuery(text="冰箱", near=Near(31.2, 121.5), sort="relevance"))
    assert result.hits and all(h.distance_km is not None for h in result.hits)


@pytest.mark.parametrize("sort, key, reverse", [("price_asc", "price_fen", False), ("price_desc", "price_fen", True),
                                                 ("newest", "days_ago", False)])
def test_sorts(corpus_backend, sort, key, reverse):
    result = run(corpus_backend, SearchQuery(sort=sort, limit=100))
    values = [BY_ID[h.id][key] for h in result.hits]
    assert len(values) == len(corpus()) and values == sorted(values, reverse=reverse)


def test_facets_count_the_whole_result(corpus_backend):
    result = run(corpus_backend, SearchQuery(text="冰箱", sort="relevance", limit=1))
    assert sum(n for _v, n in result.facets["category"]) == result.total
    assert sum(n for _v, n in result.facets["price"]) == result.total
    assert dict(result.facets["kind"])["refrigerator"] == 5
    provinces = dict(run(corpus_backend, SearchQuery(limit=1)).facets["region"])
    assert provinces["44"] == sum(1 for i in corpus() if i["region_code"].startswith("44"))
    cities = dict(run(corpus_backend, SearchQuery(filters=Filters(region="44"), limit=1)).facets["region"])
    assert set(cities) == {"4401", "4403"}


def test_cursor_pages_through_everything_once(corpus_backend):
    for sort in ("price_asc", "newest", "relevance"):
        query = SearchQuery(text="" if sort != "relevance" else "手机 电视 冰箱", sort=sort, limit=7)
        if sort == "relevance":
            query = dataclasses.replace(query, text="华为")
        everything = keys(run(corpus_backend, dataclasses.replace(query, limit=100)))
        seen, after = [], None
        for _ in range(20):
            result = run(corpus_backend, dataclasses.replace(query, after=after))
            seen += keys(result)
            after = result.next_after(query)
            if after is None:
                break
        assert seen == everything, sort


def test_suggest_prefixes(corpus_backend):
    texts = [s.text for s in corpus_backend.suggest("海", 10)]
    assert any(t.startswith("海尔") for t in texts) and any(t.startswith("海信") for t in texts)
    assert any("iPhone" in s.text for s in corpus_backend.suggest("iph", 10))
    assert any("KFR-35GW" in s.text for s in corpus_backend.suggest("kfr-35", 10))
    assert corpus_backend.suggest("zzzz", 5) == []


# 13 concepts ("mobile phone" is one), 10 of them in the listing: 10 = ceil(0.75 * 13) must match.
LONG_QUERY = "samsung galaxy s23 ultra 256gb mobile phone s pen included unlocked clean black boxed"


@pytest.mark.parametrize("kind_marker", ["long-query"])
def test_long_queries_need_three_quarters_of_their_words(corpus_backend, kind_marker):
    # Database backends expand "k of n" into combinations up to 256, then require the buyer's
    # first k words (Elasticsearch has minimum_should_match): both find this listing.
    assert "phone-en-samsung-s23" in text_search(corpus_backend, LONG_QUERY)


# --- writes: versions, tombstones, rebuild -------------------------------------------------

def _versions(backend) -> dict:
    backend.refresh()
    return backend.versions()


def test_older_revision_never_overwrites_newer(backend):
    item = corpus()[0]
    new = dataclasses.replace(to_document(item, revision=3), title="海尔 冰箱 新标题 revision3")
    old = dataclasses.replace(to_document(item, revision=2), title="旧标题 revision2")
    assert backend.apply([new]).applied == 1
    report = backend.apply([old])
    assert report.applied == 0 and report.stale == 1
    assert _versions(backend)[new.id] == (3, True)
    assert text_search(backend, "新标题") == [item["key"]]
    assert text_search(backend, "旧标题") == []


def test_tombstone_hides_and_older_publish_cannot_resurrect(backend):
    docs = corpus_documents()[:5]
    backend.apply(docs)
    target = docs[0]
    backend.apply([SearchDocument.tombstone(target.id, 2)])
    backend.apply([dataclasses.replace(target, revision=1)])  # a late, older update
    backend.refresh()
    assert _versions(backend)[target.id] == (2, False)
    assert BY_ID[target.id]["key"] not in keys(run(backend, SearchQuery(limit=50)))
    assert all(s.text != target.title for s in backend.suggest(target.title[:2], 20))
    assert run(backend, SearchQuery(limit=50)).total == 4


def test_cursor_is_stable_while_listings_change(backend):
    docs = corpus_documents()
    backend.apply(docs)
    backend.refresh()
    query = SearchQuery(sort="price_asc", limit=10)
    first = run(backend, query)
    after = first.next_after(query)
    seen = keys(first)
    # Meanwhile: a cheaper listing appears, one already seen is sold, one not yet seen is sold.
    cheapest = dataclasses.replace(docs[1], id=key_id("new-cheap"), price_fen=1, revision=1)
    BY_ID[cheapest.id] = {"key": "new-cheap"}
    sold_seen = next(d for d in docs if d.id == first.hits[0].id)
    unseen = sorted(docs, key=lambda d: (d.price_fen, d.id))[-1]
    backend.apply([cheapest, SearchDocument.tombstone(sold_seen.id, 5), SearchDocument.tombstone(unseen.id, 5)])
    backend.refresh()
    while after is not None:
        page = run(backend, dataclasses.replace(query, after=after))
        seen += keys(page)
        after = page.next_after(query)
    assert len(seen) == len(set(seen))  # nothing twice
    unchanged = {BY_ID[d.id]["key"] for d in docs} - {BY_ID[unseen.id]["key"]}
    assert unchanged <= set(seen)  # nothing skipped
    assert "new-cheap" not in seen and BY_ID[unseen.id]["key"] not in seen


def test_rebuild_replaces_everything(backend):
    docs = corpus_documents()
    backend.apply(docs[:10])
    written = backend.rebuild(docs[5:20] + [SearchDocument.tombstone(docs[0].id, 9)])
    assert written == 16
    versions = _versions(backend)
    assert set(versions) == {d.id for d in docs[5:20]} | {docs[0].id}
    assert run(backend, SearchQuery(limit=50)).total == 15


def test_a_model_year_finds_cars_of_that_year_written_any_way(corpus_backend):
    # car-en-bmw's title says "2019" without 款 or 年: its `year` field answers
    assert "car-en-bmw" in text_search(corpus_backend, "宝马 2019年")
    assert "car-vw-lavida" in text_search(corpus_backend, "19款 朗逸")
    assert "car-en-bmw" not in text_search(corpus_backend, "宝马 2020款")


def test_what_the_buyer_can_pay_does_not_hide_the_listing(corpus_backend):
    assert text_search(corpus_backend, "大众朗逸 10万以内")[:1] == ["car-vw-lavida"]
    assert text_search(corpus_backend, "朗逸 预算7万左右")[:1] == ["car-vw-lavida"]
