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
CLASS_DOCS = [  # issue 15, third pass: listings that name only a model, a make or a brand
    _doc("odyssey", "本田奥德赛 2019 2.4L 七座 商务", "passenger_car", "vehicle"),
    _doc("gl8", "别克GL8 ES陆尊 7座 商务车", "passenger_car", "vehicle"),
    _doc("camry", "丰田凯美瑞 2020款 2.5L 豪华版", "passenger_car", "vehicle"),
    _doc("heater-gas", "林内 燃气热水器 16升 恒温", "water_heater", "appliance"),
    _doc("heater-electric", "美的电热水器 50升 速热", "water_heater", "appliance"),
    _doc("omen", "惠普暗影精灵9 RTX4070 游戏本", "laptop"),
    _doc("legion", "拯救者Y7000 i5 1650 入门游戏本", "laptop"),
    _doc("office", "thinkpad t14 办公笔记本电脑", "laptop"),
]
KEYS = ["bike", "ebike", "bag", "stand", "laptop", "odyssey", "gl8", "camry", "heater-gas", "heater-electric",
        "omen", "legion", "office"]


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


@pytest.fixture
def classes_loaded(backend):
    backend.apply(CLASS_DOCS)
    backend.refresh()
    return backend


def test_a_listing_naming_only_its_model_is_near_a_buyer_of_its_class(classes_loaded):
    hits, related = _keys(_search(classes_loaded, "MPV"))
    assert hits == ["gl8"]  # 商务车 is an MPV
    assert related[:1] == ["odyssey"]  # 奥德赛 is filed under mpv; the Camry is merely a car
    assert "camry" not in related[:1]


def test_a_required_lone_character_does_not_hide_near_matches(classes_loaded):
    hits, related = _keys(_search(classes_loaded, "电热水器"))
    assert hits == ["heater-electric"] and related == ["heater-gas"]


def test_the_buyers_own_class_outranks_a_class_reached_several_ways(classes_loaded):
    # 惠普 -> 笔记本, 游戏本 -> 笔记本 and the kind's label 笔记本 count once: the other gaming
    # laptop comes before the office laptop
    hits, related = _keys(_search(classes_loaded, "惠普游戏本"))
    assert hits == ["omen"] and related[:1] == ["legion"]
