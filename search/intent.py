"""What a query means beyond its words, and the matching facts about a listing.

* **Units** (``search.text.unit_tokens``): "1.5匹" = "1.5P", "7座" = "七座": one token on listings
  and queries, so a unit never degrades into a bare number ("L7" does not satisfy "7座").
* **Accessories**: a listing whose title names an accessory or a part (手机壳, 充电器, 脚垫, 轮毂,
  玩具 …, ``search/accessories.txt``) carries :data:`ACCESSORY_TOKEN` first in its body tokens.
  "带遥控器" or "送手机壳" in a device's title is an included extra, not an accessory.
* **Kinds**: words that name a listing kind (``search/kinds.txt``: 二手车 and 特斯拉 name a
  passenger car, mate60 a mobile phone).

Queries that name a device demote accessories; queries that name an accessory promote them.
Every backend applies the same multiplicative factors (:data:`KIND_BOOST`,
:data:`ACCESSORY_DEMOTION`, :data:`ACCESSORY_PROMOTION`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from search import text as tx
from search.classes import name_groups

DATA_DIR = Path(__file__).parent
# Never produced by the text pipeline (CJK and Latin runs are always separate tokens), so no
# listing text can fake it; it is stored first in the body tokens.
ACCESSORY_TOKEN = "配件acc"
KIND_BOOST = 2.0
# Near matches (search.analysis.relaxed) share only a word or a class with the query, so the kind
# it names weighs more there: a Redmi phone is nearer to "小米14" than a 小米 TV box.
RELATED_KIND_BOOST = 6.0
ACCESSORY_DEMOTION = 0.2
ACCESSORY_PROMOTION = 2.0
STORAGE_BOOST = 1.3
UNIT_KINDS = {"匹": "air_conditioner", "座": "passenger_car"}

_INCLUDED_RE = re.compile(r"^(?:带|送|含|附|配|赠|加|\+)")


def _read(name: str) -> list[str]:
    lines = []
    for raw in (DATA_DIR / name).read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def accessory_pattern() -> re.Pattern:
    """One alternation over the accessory words and patterns (longest words first)."""
    words: set[str] = set()
    patterns: list[str] = []
    for line in _read("accessories.txt"):
        if line.startswith("re:"):
            patterns.append(line[3:])
        else:
            words.update(tx.normalize(w).strip() for w in line.split(",") if w.strip())
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join([*(re.escape(w) for w in ordered), *patterns]))


def names_accessory(normalised: str) -> bool:
    """True when ``normalised`` text names an accessory as the thing itself, not an extra."""
    pattern = accessory_pattern()
    for chunk in normalised.split():
        match = pattern.search(chunk)
        if match is None:
            continue
        if _INCLUDED_RE.match(chunk) and match.start() > 0:
            continue  # "带遥控器", "送手机壳": comes with the device
        return True
    return False


def is_accessory(title: str) -> bool:
    """Whether a listing with this title is an accessory or a part (indexed as a marker)."""
    return names_accessory(tx.normalize(title))


@lru_cache(maxsize=1)
def kind_words() -> tuple[dict[str, str], dict[str, str]]:
    """(strong, weak) tables: normalised word -> the listing kind it names (``search/kinds.txt``,
    then the kinds of the sections of ``search/classes.txt``)."""
    strong: dict[str, str] = {}
    weak: dict[str, str] = {}
    for line in _read("kinds.txt"):
        kind, _, words = line.partition(":")
        table = weak if kind.startswith("~") else strong
        for word in words.split(","):
            if word.strip():
                table[tx.normalize(word.strip())] = kind.strip().lstrip("~")
    for group in name_groups(DATA_DIR / "classes.txt"):  # kinds.txt wins where both name a word
        if group.kind:
            table = weak if group.weak else strong
            for name in group.names:
                table.setdefault(name, group.kind)
    return strong, weak


def _suffixes(word: str) -> list[str]:
    if not tx.is_cjk(word):
        return []
    return [word[i:] for i in range(1, len(word) - 1)]


@dataclass(frozen=True)
class Intent:
    kinds: tuple[str, ...] = ()  # listing kinds the query names: a ranking boost
    accessory: bool = False  # the query names an accessory: accessories are promoted
    device: bool = False  # the query names a thing that is not an accessory: accessories demoted
    storage_gb: int | None = None  # "256G": listings of that size first
    kind_boost: float = KIND_BOOST  # the factor for listings of those kinds


def understand(normalised: str, own: list[str], expanded: list[str] = ()) -> Intent:
    """The intent of a query from its normalised text, the buyer's own words and their synonyms.

    A kind named by the buyer's own words wins; then one named by a synonym (雪柜 -> 冰箱); then a
    brand's usual kind (华为 -> mobile_phone).
    """
    accessory = names_accessory(normalised)
    strong, weak = kind_words()

    def found(words, table, heads: bool = True) -> list[str]:
        # Chinese compounds end in their head noun: 苹果手表 is a 手表, 游戏笔记本 a 笔记本. Only
        # for the buyer's own words: a synonym is already the name of the thing (扫拖一体机 is a
        # vacuum, not an 一体机).
        pieces = [p for word in words for p in (word, *tx.word_parts(word), *(_suffixes(word) if heads else ()))]
        return list(dict.fromkeys(table[p] for p in pieces if p in table))

    kinds = found(own, strong) or found(expanded, strong, heads=False) or found(own, weak)
    if not kinds:  # "大1匹" is an air conditioner, "7座" a car
        kinds = list(dict.fromkeys(UNIT_KINDS[w[-1]] for w in own if w[:1].isdigit() and w[-1:] in UNIT_KINDS))
    storage = None
    for word in own:
        match = re.fullmatch(r"(\d+)(gb|tb)", tx.canonical_word(word))
        if match:
            storage = int(match.group(1)) * (1024 if match.group(2) == "tb" else 1)
    if accessory:
        return Intent(accessory=True, storage_gb=storage)
    return Intent(kinds=tuple(kinds), device=bool(own), storage_gb=storage)
