"""Query understanding and the accessory marker (search/intent.py), pure functions."""
from __future__ import annotations

import pytest

from search import intent
from search.analysis import plan_query, relaxed
from search.documents import SearchDocument


@pytest.mark.parametrize("title, accessory", [
    ("iPhone13手机壳 透明防摔", True),
    ("特斯拉Model3 脚垫 全包围 TPE", True),
    ("1:18 特斯拉 Model S 合金汽车模型", True),
    ("大疆mini3pro 电池 长续航版", True),
    ("大疆 Mini 3 Pro 无人机 带屏遥控器 长续航套装", False),  # an included extra
    ("佳能200D二代 单反 入门 带18-55镜头", False),
    ("iPhone13 128G 粉色 国行 电池87%", False),  # battery health, not a battery
    ("蔚来ES6 75度电池 2021款 可换电", False),
    ("iPhone 13 配件齐全", False),
])
def test_accessories_are_told_from_devices_by_their_title(title, accessory):
    assert intent.is_accessory(title) is accessory


def test_only_an_accessory_carries_the_marker_first_in_its_body():
    case = SearchDocument(id="a", revision=1, published=True, title="iPhone 13 手机壳", labels="")
    phone = SearchDocument(id="b", revision=1, published=True, title="iPhone 13 128G", labels="手机")
    assert case.body_tokens().split()[0] == intent.ACCESSORY_TOKEN
    assert intent.ACCESSORY_TOKEN not in phone.body_tokens().split()


@pytest.mark.parametrize("q, kinds, accessory", [
    ("二手车", ("passenger_car",), False),
    ("游戏本", ("laptop",), False),
    ("苹果手表", ("smartwatch",), False),  # a compound names its head noun's kind
    ("苹果笔记本", ("laptop",), False),  # the brand's usual kind yields to a named one
    ("华为", ("mobile_phone",), False),
    ("大1匹", ("air_conditioner",), False),
    ("7座", ("passenger_car",), False),
    ("iphone 手机壳", (), True),
])
def test_what_a_query_names(q, kinds, accessory):
    plan = plan_query(q)
    assert plan.intent.kinds == kinds and plan.intent.accessory is accessory
    assert plan.intent.device is not accessory


def test_a_storage_size_is_understood():
    assert plan_query("iPhone13 256G").intent.storage_gb == 256


def test_near_matches_loosen_to_words_family_class_or_kind():
    def surfaces(q):
        return [c.text for c in relaxed(plan_query(q)).concepts]
    assert surfaces("小米14") == ["小米", "红米", "手机"]  # a bare number relaxes away, the kind is named
    assert surfaces("山地车") == ["山地车", "自行车"]
    assert any(a.surface == "mate60" for c in relaxed(plan_query("mate60pro")).concepts for a in c.alternatives)
    assert relaxed(plan_query("ps5")) is not None
    assert relaxed(plan_query("冰柜")) is not None
    assert surfaces("冰箱贴") == ["冰箱贴", "冰箱"]  # an accessory relates to the device it is for


def test_an_accessory_relates_to_its_device_through_every_synonym():
    concepts = relaxed(plan_query("电脑包")).concepts
    assert [c.text for c in concepts] == ["电脑包", "电脑", "笔记本"]  # 电脑包 = 笔记本包
    assert relaxed(plan_query("电脑")) is None  # not an accessory: nothing added


def test_near_matches_weigh_the_named_kind_more_and_broader_classes_less():
    plan = plan_query("山地车")
    loose = relaxed(plan)
    assert loose.intent.kinds == plan.intent.kinds and loose.intent.kind_boost > plan.intent.kind_boost
    broad = next(c for c in loose.concepts if c.text == "自行车")
    assert max(a.boost for a in broad.alternatives) < 1.0


def test_a_synonyms_classes_are_its_words_classes():
    # 任天堂switch is a switch, which is a 掌机 and a 游戏机
    assert {"掌机", "游戏机"} <= {c.text for c in relaxed(plan_query("任天堂switch")).concepts}


@pytest.mark.parametrize("q, kinds", [
    ("游戏机", ("other",)),  # no listing kind of its own: kind other, so a gaming PC comes after
    ("吸尘器", ("other",)),  # a synonym (扫拖一体机) does not name the kind of its last characters
    ("苹果手表", ("smartwatch",)),  # the buyer's own compound still does
])
def test_kinds_from_own_compounds_only(q, kinds):
    assert plan_query(q).intent.kinds == kinds


# --- near matches from the lexicon's classes (issue 15, third pass) -------------------------

def _near(q):
    return {c.text: c for c in relaxed(plan_query(q)).concepts}


def test_a_name_relates_to_its_class_and_a_model_to_its_make():
    assert "洗衣机" in _near("小天鹅")  # a washing-machine brand
    assert {"mpv", "丰田"} <= set(_near("埃尔法"))  # a model: its body type and its make
    assert {"suv", "特斯拉"} <= set(_near("model y"))
    assert "自行车" in _near("捷安特")
    assert "苹果" in _near("14promax")  # a named part of a model word (promax) brings its class


def test_a_class_word_relates_to_the_things_filed_under_it():
    members = _near("mpv")["mpv*"]
    assert {"埃尔法", "奥德赛", "gl8"} <= {a.surface for a in members.alternatives}
    assert max(a.boost for a in members.alternatives) < 1.0  # below the buyer's own word
    assert "华为*" not in _near("华为充电器")  # a brand's products are not near its chargers
    assert not any(t.endswith("*") for t in _near("大疆电池"))  # nor for any accessory query
    assert relaxed(plan_query("汽车")) is None  # too broad a class to list: its pages fill anyway


def test_a_class_reached_from_several_words_counts_once():
    near = relaxed(plan_query("惠普游戏本")).concepts
    assert [c.text for c in near].count("笔记本") == 1
    assert near[[c.text for c in near].index("笔记本")].alternatives[0].boost < 1.0


def test_a_required_lone_character_is_dropped_from_near_matches():
    plan = plan_query("电热水器")  # 电 is a fragment jieba leaves alone, and it is required
    assert plan.fragments_required == 1
    loose = relaxed(plan)
    assert loose is not None and "电" not in {c.text for c in loose.concepts}


def test_an_accessory_relates_to_the_device_its_name_does_not_say():
    assert "ipad" in _near("电容笔")
    assert "汽车" in _near("轮胎")
    assert "玩具" in _near("汽车模型")
    assert "吸尘器" in _near("扫地机")  # a robot vacuum is a vacuum cleaner
