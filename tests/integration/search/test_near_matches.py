"""What a buyer sees beside the exact matches, on every backend: look-alikes never satisfy a word,
and an accessory query's short page lists other accessories for the same device before devices."""
from __future__ import annotations

import pytest

from search import engine
from search.analysis import plan_query
from search.query import SearchQuery
from tests.factories.search import key_id, to_document

BASE = {"description": "", "condition": "good", "price_fen": 10000, "region_code": "440106",
        "lat": 23.12, "lon": 113.36, "seller_type": "individual", "days_ago": 1}


def _doc(key: str, title: str, kind: str, category: str = "electronics"):
    return to_document({**BASE, "key": key, "title": title, "kind": kind, "category": category})


def _keys(result) -> tuple[list[str], list[str]]:
    names = {key_id(k): k for k in KEYS}
    return [names[h.id] for h in result.hits], [names[h.id] for h in result.related]


DOCS = [
    _doc("bike", "捷安特 折叠自行车 20寸 通勤", "other", "other"),
    _doc("ebike", "雅迪 电动自行车 48V 新国标", "other", "other"),
    _doc("bag", "笔记本电脑包 15.6寸 双肩包", "other"),
    _doc("stand", "笔记本支架 铝合金 升降", "other"),
    _doc("laptop", "联想 笔记本电脑 i5 16G 办公", "laptop"),
]
KEYS = ["bike", "ebike", "bag", "stand", "laptop"]


@pytest.fixture
def loaded(backend):
    backend.apply(DOCS)
    backend.refresh()
    return backend


def _search(backend, q: str):
    return engine.search(backend, SearchQuery(text=q, sort="relevance", limit=10), plan_query(q))


def test_a_look_alike_does_not_satisfy_the_word(loaded):
    hits, related = _keys(_search(loaded, "自行车"))
    assert hits == ["bike"] and "ebike" not in related
    assert _keys(_search(loaded, "电动车"))[0] == ["ebike"]  # still found by its own name


def test_an_accessory_query_lists_accessories_for_the_same_device_first(loaded):
    hits, related = _keys(_search(loaded, "电脑包"))
    assert hits == ["bag"]
    assert related == ["stand", "laptop"]  # the laptop stand before the laptop
