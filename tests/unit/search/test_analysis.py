"""Query analysis: segmentation, synonyms, stop words, typos, boolean form, highlighting."""
from search.analysis import (highlight, load_lexicon, max_edits, plan_query, required_count, segment,
                             to_expression, typo_candidates, with_typos)


def _surfaces(plan):
    return [[a.surface for a in c.alternatives] for c in plan.concepts]


def test_known_words_are_segmented_and_junk_bigrams_never_required():
    plan = plan_query("二手海尔冰箱")  # 二手 is a stop word
    assert [c.text for c in plan.concepts] == ["海尔", "冰箱"]
    assert plan.required == 2
    assert "尔冰" not in plan.tokens()


def test_synonyms_expand_both_ways_for_equivalence_groups():
    assert {"电冰箱", "refrigerator"} <= set(_surfaces(plan_query("冰箱"))[0])
    assert {"冰箱"} <= set(_surfaces(plan_query("電冰箱"))[0])
    assert {"手机"} <= set(_surfaces(plan_query("mobile phone"))[0])
    assert {"apple", "iphone"} <= set(_surfaces(plan_query("苹果"))[0])
    assert {"air conditioner"} <= set(_surfaces(plan_query("空调"))[0])
    assert {"nev", "电动汽车"} <= set(_surfaces(plan_query("新能源"))[0])
    # 电动车 usually means an e-bike on second-hand sites, not an electric car
    assert "电动车" not in set(_surfaces(plan_query("新能源"))[0])
    assert {"电瓶车", "电动自行车"} <= set(_surfaces(plan_query("电动车"))[0])


def test_one_way_synonyms_do_not_reverse():
    assert "平板" in _surfaces(plan_query("ipad"))[0]
    assert "ipad" not in _surfaces(plan_query("平板"))[0]


def test_original_term_outranks_its_synonyms():
    concept = plan_query("fridge").concepts[0]
    assert concept.alternatives[0].surface == "fridge" and concept.alternatives[0].boost == 1.0
    assert all(a.boost < 1.0 for a in concept.alternatives[1:])


def test_model_words_match_whole_or_in_parts():
    concept = plan_query("KFR35GW").concepts[0]
    assert [a.tokens for a in concept.alternatives] == [("kfr35gw",), ("kfr", "35", "gw")]


def test_words_the_lexicon_lacks_are_segmented_by_jieba():
    plan = plan_query("卡萨帝冰箱")
    assert [c.text for c in plan.concepts] == ["卡萨帝", "冰箱"]
    assert not any(c.fragment for c in plan.concepts) and plan.required == 2


def test_lone_characters_count_towards_a_share():
    plan = plan_query("小冰箱")
    assert [(c.text, c.fragment) for c in plan.concepts] == [("冰箱", False), ("小", True)]
    assert plan.required == 1 and plan.fragments_required == 1
    alone = plan_query("二手 车")
    assert [c.text for c in alone.concepts] == ["车"] and alone.fragments_required == 1


def test_only_stop_words_are_kept_rather_than_searching_nothing():
    assert not plan_query("二手").empty


def test_required_count_is_all_of_two_then_three_quarters():
    assert [required_count(n) for n in (1, 2, 3, 4, 5, 8)] == [1, 2, 3, 3, 4, 6]


def test_segment_splits_on_function_characters():
    units = segment("红色的手机", load_lexicon())
    assert [u.text for u in units] == ["红色", "手机"]


def test_typo_candidates_follow_auto_4_7():
    vocab = ["iphone", "samsung", "ipad", "huawei", "xiaomi"]
    assert max_edits("ipd") == 0 and max_edits("ipadd") == 1 and max_edits("samsungg") == 2
    assert typo_candidates("iphnoe", vocab) == ["iphone"]  # a transposition is one edit
    assert typo_candidates("samsng", vocab) == ["samsung"]
    assert typo_candidates("ipd", vocab) == []
    plan = with_typos(plan_query("samsng"), lambda t: typo_candidates(t, vocab))
    assert ("samsung",) in [a.tokens for a in plan.concepts[0].alternatives]


def test_expression_expands_k_of_n():
    plan = plan_query("海尔 双开门 冰箱 九成新")
    expr = to_expression(plan)
    assert expr[0] == "or" and len(expr[1]) == 4  # C(4, 3)
    assert to_expression(plan_query("")) is None
    assert to_expression(plan_query("冰箱"))[0] == "or"  # alternatives


def test_highlight_maps_back_to_original_text_and_escapes():
    out = highlight("海爾 BCD-470 雙開門電冰箱 <b>", plan_query("海尔冰箱"))
    assert out == "<em>海爾</em> BCD-470 雙開門<em>電冰箱</em> &lt;b&gt;"
    assert highlight("Apple iPhone 13", plan_query("iphone")) == "<em>Apple</em> <em>iPhone</em> 13"
    assert highlight("iPhone 130", plan_query("13")) is None  # Latin words match whole
    assert highlight("无关", plan_query("冰箱")) is None


def test_one_way_synonyms_reach_their_targets_equivalents():
    surfaces = {a.surface for c in plan_query("吸尘器").concepts for a in c.alternatives}
    assert {"扫地机器人", "扫拖机器人", "robot vacuum"} <= surfaces
    assert "吸尘器" not in {a.surface for c in plan_query("扫地机器人").concepts for a in c.alternatives}


def test_multi_word_terms_the_lexicon_names_stay_one_concept():
    plan = plan_query("steam deck")
    assert [c.text for c in plan.concepts] == ["steam deck"] and plan.required == 1


def test_look_alikes_do_not_satisfy_a_word():
    plan = plan_query("自行车")
    assert plan.concepts[0].without == (("电动", "动自", "自行", "行车"),)
    assert to_expression(plan)[0] == "not"
    assert plan_query("折叠自行车").concepts[0].without == ()  # a kind of bicycle, no look-alike
    assert [c.text for c in plan_query("空调扇").concepts] == ["空调扇"]  # one word, not 空调 + 扇


def test_what_the_buyer_can_pay_is_not_a_required_word():
    for q in ("10万以内 二手车", "二手车 预算5万", "二手车 两万左右", "二手车 8万元", "二手车 3000块钱"):
        assert [c.text for c in plan_query(q).concepts] == ["二手车"], q
    # mileage, watts and model codes are not prices
    assert "万公里" in [c.text for c in plan_query("跑了5万公里").concepts]
    assert "65w" in [c.text for c in plan_query("65w 充电器").concepts]
    assert "k60" in [c.text for c in plan_query("红米k60 2000以内").concepts]
    assert "两块" in "".join(c.text for c in plan_query("两块电池").concepts)  # a count, not yuan


def test_model_years_are_one_token_whichever_way_they_are_written():
    for q in ("2021款 特斯拉", "2021年 特斯拉", "21款 特斯拉"):
        plan = plan_query(q)
        assert "2021款" in [c.text for c in plan.concepts], q
        assert {"2021", "年", "21"}.isdisjoint(c.text for c in plan.concepts), q
    assert "1999款" in [c.text for c in plan_query("99款 宝马").concepts]
    # two digits and 年 is as often years of use: left alone
    assert "2010款" not in [c.text for c in plan_query("用了10年的冰箱").concepts]


# --- lexicon breadth: search/classes.txt and second-hand slang (issue 15, third pass) ---------

def test_a_name_and_its_other_script_are_one_word():
    assert {"小天鹅", "littleswan"} <= set(_surfaces(plan_query("小天鹅"))[0])
    assert {"埃尔法", "alphard"} <= set(_surfaces(plan_query("alphard"))[0])
    assert {"佳明", "garmin"} <= set(_surfaces(plan_query("Garmin"))[0])
    assert {"雅迪", "yadea"} <= set(_surfaces(plan_query("雅迪"))[0])
    assert {"理想", "lixiang"} <= set(_surfaces(plan_query("理想"))[0])


def test_names_name_the_kind_they_are_sold_as():
    assert plan_query("埃尔法").intent.kinds == ("passenger_car",)  # a model names its kind
    assert plan_query("蔚来").intent.kinds == ("passenger_car",)  # a Chinese EV make
    assert plan_query("小天鹅").intent.kinds == ("washing_machine",)  # a brand's usual kind ...
    assert plan_query("戴尔 显示器").intent.kinds == ("other",)  # ... gives way to a kind named
    assert plan_query("14promax").intent.kinds == ("mobile_phone",)  # a named part of a model word


def test_a_brand_selling_several_kinds_names_none_of_its_own():
    # 美的 sells fridges, air conditioners and rice cookers: the query says which, not the brand
    assert plan_query("美的").intent.kinds == ()
    assert {"美的", "midea"} <= set(_surfaces(plan_query("美的"))[0])


def test_slang_of_second_hand_sites_reaches_what_listings_say():
    assert "iphone" in _surfaces(plan_query("爱疯"))[0]
    assert "iphone" in _surfaces(plan_query("水果手机"))[0]
    assert "手机" in _surfaces(plan_query("安卓手机"))[0]  # listings name the brand, not the OS
    assert {"卡贴", "有锁"} <= set(_surfaces(plan_query("卡贴机"))[0])
    assert "老人机" in _surfaces(plan_query("老年机"))[0]
    assert {"mac", "macbook", "imac"} <= set(_surfaces(plan_query("苹果电脑"))[0])
    assert "自行车" in _surfaces(plan_query("單車"))[0]  # traditional script, and 单车 is a bicycle
    assert "电视" in _surfaces(plan_query("液晶电视"))[0]


def test_a_class_compound_of_two_words_stays_two_words():
    # "苹果手机" as one word would need the whole compound in a title: 苹果 + 手机 find "iPhone 13"
    assert [c.text for c in plan_query("苹果手机").concepts] == ["苹果", "手机"]
    assert [c.text for c in plan_query("蓝牙耳机").concepts] == ["蓝牙", "耳机"]
    assert [c.text for c in plan_query("华为手表").concepts] == ["华为", "手表"]


def test_classes_file_lists_no_group_made_only_of_compounds():
    """Every group of classes.txt has a name that is not two other lexicon words glued together
    (see the file's rules): otherwise a buyer's query would need the compound verbatim."""
    from search.classes import name_groups
    from search.text import is_cjk

    words = load_lexicon().words
    for group in name_groups():
        compounds = [n for n in group.names if is_cjk(n) and any(
            n[:i] in words and n[i:] in words for i in range(2, len(n) - 1))]
        assert len(compounds) < len(group.names), group.names
