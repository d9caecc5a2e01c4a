"""Pinyin keys for suggest (search/pinyin.py)."""
from search import pinyin


def test_keys_are_initials_and_whole_pinyin():
    assert pinyin.keys("冰箱") == ("bx", "bingxiang")
    assert pinyin.keys("特斯拉") == ("tsl", "tesila")


def test_prefixes_of_either_key_match():
    assert pinyin.matches("bx", "冰箱") and pinyin.matches("bingx", "冰箱") and pinyin.matches("b", "冰箱")
    assert not pinyin.matches("xb", "冰箱")


def test_only_latin_letters_may_be_pinyin():
    assert pinyin.is_pinyin_prefix("bx") and not pinyin.is_pinyin_prefix("b")
    assert not pinyin.is_pinyin_prefix("冰x") and not pinyin.is_pinyin_prefix("5g")
