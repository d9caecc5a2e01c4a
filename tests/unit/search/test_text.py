"""The shared text pipeline: the same tokens for every backend."""
from search import text as tx


def test_normalize_folds_width_case_and_traditional_forms():
    assert tx.normalize("ＩＰｈｏｎｅ　１３") == "iphone 13"
    assert tx.normalize("電冰箱 海爾 空調 洗衣機") == "电冰箱 海尔 空调 洗衣机"


def test_cjk_runs_become_bigrams_plus_unigrams():
    assert tx.index_tokens("冰箱") == ["冰箱", "冰", "箱"]
    assert tx.index_tokens("电冰箱") == ["电冰", "冰箱", "电", "冰", "箱"]
    assert tx.index_tokens("冰") == ["冰"]


def test_two_character_words_are_whole_tokens():
    # FTS5's trigram tokenizer cannot find these; our bigrams can.
    assert "手机" in tx.index_tokens("华为手机")
    assert "冰箱" in tx.index_tokens("海尔冰箱")


def test_model_strings_are_indexed_whole_compact_and_in_parts():
    tokens = tx.index_tokens("格力 KFR-35GW/NhGd1B")
    for expected in ("kfr-35gw/nhgd1b", "kfr-35gw", "kfr35gw", "kfr", "35gw", "35", "gw", "nhgd1b"):
        assert expected in tokens


def test_storage_sizes_are_canonical_but_network_generations_are_not():
    assert "128gb" in tx.index_tokens("128G")
    assert "128gb" in tx.index_tokens("128GB")
    assert "1tb" in tx.index_tokens("1T")
    assert "5g" in tx.index_tokens("5G手机") and "5gb" not in tx.index_tokens("5G手机")


def test_decimals_stay_whole():
    assert tx.index_tokens("1.5匹") == ["1.5", "匹", "1.5匹"]


def test_units_are_one_token_whatever_the_spelling():
    assert tx.unit_tokens(tx.normalize("格力1.5P 七座 65英寸 10公斤")) == ["1.5匹", "7座", "65寸", "10kg"]
    assert tx.unit_tokens(tx.normalize("理想L7座")) == []  # a model code is not a seat count


def test_word_parts_split_letters_from_digits():
    assert tx.word_parts("iphone13") == ["iphone", "13"]
    assert tx.word_parts("kfr-35gw") == ["kfr", "35", "gw"]
    assert tx.word_parts("128g") == ["128gb"]


def test_query_syntax_characters_are_dropped_not_interpreted():
    assert tx.index_tokens('title:* OR ( "x" AND -y') == ["title", "or", "x", "and", "y"]


def test_empty_and_none():
    assert tx.index_tokens(None) == []
    assert tx.index_text("", None) == ""
