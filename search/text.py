"""The shared text pipeline: every backend indexes and queries the same tokens.

Backends' own tokenizers disagree about Chinese (FTS5's trigram tokenizer cannot match two
characters, PostgreSQL's parsers do not segment Han text, Elasticsearch's test distribution has
no ``cjk`` analyzer), so the project tokenises text itself and hands backends a whitespace-
separated list of finished tokens.

Pipeline: NFKC (full-width -> half-width), case folding, traditional -> simplified (character
table from OpenCC's data), then runs:

* CJK runs become overlapping bigrams plus one unigram per character (unigrams let a one-
  character query match; bigrams keep two-character words such as 冰箱 precise);
* Latin/digit runs keep the whole token (``kfr-35gw``), its punctuation-free form (``kfr35gw``),
  its parts (``kfr``, ``35gw``) and letter/digit splits (``35``, ``gw``), so model strings match
  whether typed whole or in pieces. Storage sizes are canonical (``128g`` -> ``128gb``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_LATIN = r"0-9a-z\u00c0-\u024f"
# A CJK run, or a Latin/digit word that may contain inner joiners (model strings, decimals).
RUN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[{_LATIN}]+(?:[-._+/][{_LATIN}]+)*)")
_JOINERS_RE = re.compile(r"[-._+/]")
_ALNUM_SPLIT_RE = re.compile(r"[0-9]+|[^0-9]+")
_DECIMAL_RE = re.compile(r"^\d+(?:\.\d+)+$")
# Only real storage sizes: "5g"/"4g" are network generations and must stay as they are.
_STORAGE_RE = re.compile(r"^(8|16|32|64|128|256|512|1024)(?:g|gb)$|^([1-8])(?:t|tb)$")


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional -> simplified, one character at a time (OpenCC's TSCharacters table).

    Character-level conversion is enough for search terms and costs microseconds, where the
    phrase-level converter costs ~1 ms per listing and dominates bulk indexing.
    """
    data = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text("utf-8")
    table: dict[int, str] = {}
    for line in data.splitlines():
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1:
            continue
        simplified = parts[1].split(" ")[0]
        if len(simplified) == 1 and simplified != parts[0]:
            table[ord(parts[0])] = simplified
    return table


def normalize(text: str) -> str:
    """NFKC, case-folded and simplified form of ``text``; the basis of every token."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text).casefold().translate(_t2s_table())


def is_cjk(token: str) -> bool:
    match = RUN_RE.fullmatch(token)
    return match is not None and match.lastgroup == "cjk"


def canonical_word(word: str) -> str:
    """One Latin/digit piece in canonical form (storage sizes unified)."""
    match = _STORAGE_RE.match(word)
    if match is None:
        return word
    if match.group(1):
        return f"{match.group(1)}gb"
    return f"{match.group(2)}tb"


@lru_cache(maxsize=65536)  # brands, models and units repeat across listings
def word_variants(word: str) -> tuple[str, ...]:
    """Every index token for one Latin/digit word, the whole word first."""
    whole = canonical_word(word)
    out = [whole]
    if _DECIMAL_RE.match(word):
        return (whole,)
    parts = [canonical_word(p) for p in _JOINERS_RE.split(word) if p]
    if len(parts) > 1:
        out.append("".join(parts))
        out.extend(parts)
        # Leading sub-models: "kfr-35gw/nhgd1b" is also found as "kfr-35gw" and "kfr35gw".
        for joiner in list(_JOINERS_RE.finditer(word))[1:]:
            head = word[: joiner.start()]
            out.append(head)
            out.append(_JOINERS_RE.sub("", head))
    for part in parts:
        pieces = _ALNUM_SPLIT_RE.findall(part)
        if len(pieces) > 1:
            out.extend(canonical_word(p) for p in pieces)
    return tuple(_dedupe(out))


def word_parts(word: str) -> list[str]:
    """The finest pieces of a Latin/digit word (``iphone13`` -> ``iphone``, ``13``)."""
    if _DECIMAL_RE.match(word):
        return [word]
    pieces: list[str] = []
    for part in _JOINERS_RE.split(word):
        if not part:
            continue
        whole = canonical_word(part)
        if whole != part:  # "128g" stays one piece: its canonical form is the useful token
            pieces.append(whole)
        else:
            pieces.extend(canonical_word(p) for p in _ALNUM_SPLIT_RE.findall(part))
    return pieces


@lru_cache(maxsize=65536)
def cjk_tokens(run: str) -> tuple[str, ...]:
    """Index tokens of one CJK run: overlapping bigrams, then every character."""
    if len(run) == 1:
        return (run,)
    return tuple([run[i : i + 2] for i in range(len(run) - 1)] + list(run))


def cjk_query_tokens(word: str) -> list[str]:
    """Query tokens for one CJK word: its bigrams (or the single character)."""
    if len(word) == 1:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def runs(text: str) -> list[tuple[str, str]]:
    """``(kind, run)`` pairs of normalised text, kind being ``"cjk"`` or ``"word"``."""
    return [(m.lastgroup or "word", m.group()) for m in RUN_RE.finditer(normalize(text))]


_CN_DIGITS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
              "八": "8", "九": "9", "十": "10"}
_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十])"
# Units with their number, over normalised text: (pattern, canonical unit); the number is group 1.
# "1.5匹" = "1.5p" = "1.5P" (air-conditioner horsepower), "7座" = "七座" = "7人座", "65寸" = "65英寸",
# "10公斤" = "10kg". One token each, so a unit never degrades into a bare number.
_UNITS = (
    (re.compile(_NUM + r"\s*(?:匹|p(?![a-z]))"), "匹"),
    (re.compile(_NUM + r"\s*(?:人座|座)"), "座"),
    (re.compile(_NUM + r"\s*(?:英寸|寸|吋|inch(?:es)?(?![a-z]))"), "寸"),
    (re.compile(_NUM + r"\s*(?:公斤|kg(?![a-z]))"), "kg"),
)


# A model year or first registration, "2021款" = "2021年" = "21款": one token, on listings from their
# text and their `year` (search/documents.py), on queries from the buyer's words. Four digits with
# 年 or 款, two digits only with 款 ("10年" is as often ten years of use as 2010).
_YEAR = re.compile(r"(?<![\d.])(?:((?:19|20)\d\d)\s*[年款]|(\d\d)\s*款)")
YEAR_UNIT = "款"


def year_token(year: int | str) -> str:
    return f"{year}{YEAR_UNIT}"


def _year_matches(normalised: str):
    for match in _YEAR.finditer(normalised):
        if _unit_ok(normalised, match.start()):
            two = match.group(2)
            yield match, year_token(match.group(1) or f"{'19' if two and int(two) >= 50 else '20'}{two}")


# What the buyer can pay is not a word a listing contains ("10万以内", "预算3000", "2000元左右",
# "两万左右"): cut from queries (search.analysis), never a required word. A number with 万/千/元/块
# (not 万公里: mileage; Chinese numerals only with 万 or 千: 两块电池 is two batteries), a number
# with a range word, or a number after 预算/价格/价位.
_DIGITS = r"\d+(?:\.\d+)?"
_AMOUNT = r"(?:" + _DIGITS + r"|[一二两三四五六七八九十几]+(?=\s*[万千]))"
_RANGE = r"(?:以内|以下|之内|左右|上下|以上|出头)"
_PRICE = re.compile(
    r"(?:预算|价格|价位)\s*" + _AMOUNT + r"\s*(?:万元|万|千|元|块|rmb)?\s*" + _RANGE + "?"
    r"|" + _AMOUNT + r"\s*(?:万元|万|千|元|块钱|块|rmb)(?!\s*(?:公里|km|里程|转|毫安|mah))\s*" + _RANGE + "?"
    r"|(?<![a-z\d.])" + _DIGITS + r"\s*" + _RANGE)


def strip_prices(normalised: str) -> str:
    """``normalised`` without the amounts of money in it (queries only)."""
    return _PRICE.sub(" ", normalised)


def _unit_ok(text: str, start: int) -> bool:
    # "l7座" is not seven seats: the number must not continue a Latin word or a longer number.
    return not (start and text[start - 1].isascii() and (text[start - 1].isalnum() or text[start - 1] == "."))


def unit_tokens(normalised: str) -> list[str]:
    """Canonical unit tokens of normalised text (``1.5匹``, ``7座``, ``65寸``, ``10kg``)."""
    out: list[str] = []
    for pattern, unit in _UNITS:
        for match in pattern.finditer(normalised):
            if _unit_ok(normalised, match.start()):
                out.append(f"{_CN_DIGITS.get(match.group(1), match.group(1))}{unit}")
    out.extend(token for _match, token in _year_matches(normalised))
    return out


def strip_units(normalised: str) -> tuple[str, list[str]]:
    """``normalised`` with its unit expressions cut out, and their canonical tokens (for queries)."""
    tokens: list[str] = []
    for pattern, unit in _UNITS:
        def cut(match: re.Match, text: str = normalised) -> str:
            if not _unit_ok(text, match.start()):
                return match.group(0)
            tokens.append(f"{_CN_DIGITS.get(match.group(1), match.group(1))}{unit}")
            return " "
        normalised = pattern.sub(cut, normalised)
    for match, token in reversed(list(_year_matches(normalised))):
        tokens.append(token)
        normalised = f"{normalised[:match.start()]} {normalised[match.end():]}"
    return normalised, tokens


MAX_TOKEN_LENGTH = 64  # longer "words" are noise (hashes, URLs) and overflow backend limits


def index_tokens(text: str | None) -> list[str]:
    """Tokens to index for ``text``, in order, duplicates kept (they carry term frequency)."""
    if not text:
        return []
    out: list[str] = []
    norm = normalize(text)
    for match in RUN_RE.finditer(norm):
        run = match.group()
        if match.lastgroup == "cjk":
            out.extend(cjk_tokens(run))
        elif len(run) <= MAX_TOKEN_LENGTH:
            out.extend(word_variants(run))
    out.extend(unit_tokens(norm))
    return out


def index_text(*texts: str | None) -> str:
    """Whitespace-joined index tokens of several texts (what backends store)."""
    return " ".join(tok for text in texts for tok in index_tokens(text))


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
