"""Pinyin keys of Chinese words, for suggest: "bx", "bingx" and "bingxiang" all offer 冰箱.

pypinyin (MIT, pinned in requirements.txt) gives each character's most common reading; a word's
keys are its initials ("tsl" for 特斯拉) and its whole pinyin without tones or spaces ("tesila").
Its dictionaries take ~0.6 s to load, and only suggest needs them, so it is imported on first use
(once per process, under a lock like jieba in search.analysis).
"""
from __future__ import annotations

import threading
from functools import lru_cache

_LOCK = threading.Lock()
_CONVERT: list = []


def _lazy_pinyin():
    if not _CONVERT:
        with _LOCK:
            if not _CONVERT:
                from pypinyin import Style, lazy_pinyin

                _CONVERT.append(lambda word: (lazy_pinyin(word, style=Style.FIRST_LETTER),
                                              lazy_pinyin(word, style=Style.NORMAL)))
    return _CONVERT[0]


@lru_cache(maxsize=8192)
def keys(word: str) -> tuple[str, str]:
    """(initials, whole pinyin) of a normalised word, lower case; Latin letters and digits stay as
    they are ("iphone手机壳" -> ("iphonesjk", "iphoneshoujike"))."""
    initials, full = _lazy_pinyin()(word)
    return "".join(initials).lower(), "".join(full).lower()


def is_pinyin_prefix(text: str) -> bool:
    """Whether what the buyer typed could be pinyin: two or more Latin letters, nothing else."""
    return len(text) >= 2 and text.isascii() and text.isalpha()


def matches(prefix: str, word: str) -> bool:
    """Whether ``prefix`` starts the initials or the whole pinyin of a Chinese ``word``."""
    initials, full = keys(word)
    return initials.startswith(prefix) or full.startswith(prefix)
