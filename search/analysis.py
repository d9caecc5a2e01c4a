"""Query analysis, backend-neutral: words, stop words, synonyms, typos, highlighting.

A query becomes a :class:`TextPlan`: a list of *concepts*, each satisfied by any one of its
*alternatives* (the user's word and its synonyms), each alternative being tokens that must all
be present. A document matches when at least ``plan.required`` concepts match. Every backend
compiles the same plan: Elasticsearch natively (``minimum_should_match``), the database
backends through :func:`to_expression`.

Chinese queries are segmented by forward maximum matching against our lexicon (the words of
``synonyms.txt``, ``words.txt`` and ``accessories.txt``); what the lexicon does not know is cut by
jieba's general dictionary (loaded once per process), so 无人机 or 吹风机 stay one word. A
word of two or more characters is one concept the buyer clearly typed; a character jieba leaves
alone is a *fragment*: beside real words only half of the fragments are required.
See docs/search.md for how jieba was measured against the bigram fallback it replaced.
"""

from __future__ import annotations

import html
import math
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Callable, Iterable, Sequence

from search import intent as intents
from search import text as tx
from search.classes import name_groups
from search.labels import KIND_LABELS

DATA_DIR = Path(__file__).parent
MAX_WORD = 6  # longest lexicon word tried when segmenting
MAX_SYNONYM_UNITS = 4
SYNONYM_BOOST = 0.8
TYPO_BOOST = 0.5
BROADER_BOOST = 0.5  # a broader class in near matches (山地车 -> 自行车), against the buyer's own word
MAX_MEMBERS = 40  # near matches of a class name its members only when it has at most this many
MAX_COMBINATIONS = 256  # k-of-n expansion budget for backends without minimum_should_match


@dataclass(frozen=True)
class Alternative:
    tokens: tuple[str, ...]  # all must be present
    surface: str  # normalised text, for highlighting
    boost: float = 1.0
    fuzzy: bool = False  # the buyer's own word, unknown to the lexicon: typos may be tolerated


@dataclass(frozen=True)
class Concept:
    text: str
    alternatives: tuple[Alternative, ...]
    fragment: bool = False  # a bigram of an unknown stretch rather than a known word
    # token sets of look-alikes (lookalikes.txt): a document naming one does not satisfy the concept
    without: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class TextPlan:
    concepts: tuple[Concept, ...] = ()
    required: int = 0  # of the concepts that are not fragments
    intent: intents.Intent = intents.Intent()
    fragments_required: int = 0  # of the fragments: half of them beside words

    @property
    def empty(self) -> bool:
        return not self.concepts

    @property
    def kinds(self) -> tuple[str, ...]:
        """Listing kinds the words name (冰箱 -> refrigerator): a multiplicative ranking boost."""
        return self.intent.kinds

    @property
    def words(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if not c.fragment)

    @property
    def fragments(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.fragment)

    def tokens(self) -> list[str]:
        """Every token any alternative uses, without duplicates."""
        out = [t for c in self.concepts for a in c.alternatives for t in a.tokens]
        return list(dict.fromkeys(out))

    def surfaces(self) -> list[str]:
        out = [a.surface for c in self.concepts for a in c.alternatives]
        return sorted(set(out), key=len, reverse=True)


@dataclass(frozen=True)
class Unit:
    text: str
    kind: str  # "word" (Latin/digit), "cjk" (known word) or "frag" (unknown CJK stretch)


@dataclass
class Lexicon:
    words: set[str] = field(default_factory=set)
    latin: set[str] = field(default_factory=set)  # Latin words the lexicon knows: never fuzzed
    stop: set[str] = field(default_factory=set)
    broader: dict[str, list[str]] = field(default_factory=dict)  # narrow term -> broader classes
    narrower: dict[str, list[str]] = field(default_factory=dict)  # class -> the terms filed under it
    lookalikes: dict[str, list[str]] = field(default_factory=dict)  # word -> things named like it
    # unit sequence of a term -> the terms it expands to (itself first)
    synonyms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


def _read_lines(path: Path) -> Iterable[str]:
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


@lru_cache(maxsize=4)
def load_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    """The lexicon from ``words.txt``, ``synonyms.txt``, ``classes.txt``, ``broader.txt``,
    ``lookalikes.txt`` and ``accessories.txt`` (cached; files are read once)."""
    lex = Lexicon()
    for line in _read_lines(data_dir / "words.txt"):
        if line.startswith("!"):
            lex.stop.add(tx.normalize(line[1:]))
        else:
            lex.words.update(r for k, r in tx.runs(line) if k == "cjk")
    groups: list[tuple[list[str], list[str]]] = []
    for line in _read_lines(data_dir / "synonyms.txt"):
        if "=>" in line:
            lhs, rhs = line.split("=>", 1)
        else:
            lhs = rhs = line
        left = [tx.normalize(t).strip() for t in lhs.split(",") if t.strip()]
        right = [tx.normalize(t).strip() for t in rhs.split(",") if t.strip()]
        groups.append((left, right))
        for term in left + right:
            lex.words.update(r for k, r in tx.runs(term) if k == "cjk")
    for group in name_groups(data_dir / "classes.txt"):  # brands, lines, models: equivalents
        groups.append((list(group.names), list(group.names)))
        for term in group.names:
            lex.words.update(r for k, r in tx.runs(term) if k == "cjk")
            if group.broader and term != group.broader:  # ... and the class they belong to
                lex.broader.setdefault(term, []).append(group.broader)
    for line in _read_lines(data_dir / "broader.txt"):
        narrow, _, broad = line.partition(">")
        for term in narrow.split(","):
            if term.strip():
                lex.broader.setdefault(tx.normalize(term).strip(), []).append(tx.normalize(broad).strip())
    for line in _read_lines(data_dir / "lookalikes.txt"):
        word, _, others = line.partition(":")
        found = [tx.normalize(o).strip() for o in others.split(",") if o.strip()]
        lex.lookalikes[tx.normalize(word).strip()] = found
        for term in [word, *found]:
            lex.words.update(r for k, r in tx.runs(term) if k == "cjk")
    for line in _read_lines(data_dir / "accessories.txt"):
        if not line.startswith("re:"):  # 手机壳 is one word, not 手机 and a lone 壳
            for term in line.split(","):
                lex.words.update(r for k, r in tx.runs(term) if k == "cjk")
    for left, right in groups:
        for term in left + right:
            lex.latin.update(r for k, r in tx.runs(term) if k == "word")
    for left, right in groups:
        for term in left:
            key = tuple(u.text for u in segment(term, lex))
            expansion = lex.synonyms.setdefault(key, [term])
            expansion.extend(t for t in right if t not in expansion)
    # A one-way target brings its own equivalents (吸尘器 => 扫地机器人, which 扫拖机器人 also means).
    closed = {}
    for key, expansion in lex.synonyms.items():
        out = list(expansion)
        for term in expansion[1:]:
            target = lex.synonyms.get(tuple(u.text for u in segment(term, lex)), ())
            out.extend(t for t in target if t not in out)
        closed[key] = out
    lex.synonyms.update(closed)
    # Terms the lexicon names only as a target or a class ("steam deck") are still one concept.
    named = [t for _left, right in groups for t in right] + [b for bs in lex.broader.values() for b in bs]
    named += list(lex.broader)
    for term in named:
        if " " in term:
            lex.synonyms.setdefault(tuple(u.text for u in segment(term, lex)), [term])
    for term, classes in lex.broader.items():
        for broad in classes:
            lex.narrower.setdefault(broad, []).append(term)
    return lex


_JIEBA_LOCK = threading.Lock()
_JIEBA: list = []  # the process's one tokenizer: read-only once built, like the lexicon cache


def _jieba():
    """jieba's tokenizer with its general dictionary, built once per process (~1 s, cached on disk)."""
    if not _JIEBA:
        with _JIEBA_LOCK:  # a warm-up thread and the first query must not both load 20 MB
            if not _JIEBA:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _JIEBA.append(tokenizer)
    return _JIEBA[0]


def warm() -> None:
    """Load the lexicon and jieba's dictionary now rather than on the first query."""
    load_lexicon()
    _jieba()


def _split_unknown(stretch: str, lex: Lexicon) -> list[Unit]:
    """An unknown CJK stretch as words (jieba) and lone characters (fragments)."""
    if len(stretch) == 1:
        return [Unit(stretch, "frag")]
    units: list[Unit] = []
    for word in _jieba().lcut(stretch, HMM=True):
        units.append(Unit(word, "cjk" if len(word) > 1 else "frag"))
    return units


def segment(query: str, lex: Lexicon, normalised: bool = False) -> list[Unit]:
    """Query units: Latin words, CJK words (lexicon, else jieba) and lone characters."""
    units: list[Unit] = []
    pairs = ([(m.lastgroup or "word", m.group()) for m in tx.RUN_RE.finditer(query)] if normalised
             else tx.runs(query))
    for kind, run in pairs:
        if kind == "word":
            units.append(Unit(run, "word"))
            continue
        i, unknown = 0, ""
        while i < len(run):
            for size in range(min(MAX_WORD, len(run) - i), 1, -1):
                if run[i : i + size] in lex.words:
                    if unknown:
                        units.extend(_split_unknown(unknown, lex))
                        unknown = ""
                    units.append(Unit(run[i : i + size], "cjk"))
                    i += size
                    break
            else:
                char = run[i]
                if char in lex.stop:  # a function character splits the stretch
                    if unknown:
                        units.extend(_split_unknown(unknown, lex))
                    unknown = ""
                else:
                    unknown += char
                i += 1
        if unknown:
            units.extend(_split_unknown(unknown, lex))
    return units


def term_tokens(term: str) -> tuple[str, ...]:
    """Query tokens for a whole synonym term or word (all required)."""
    out: list[str] = []
    for kind, run in tx.runs(term):
        out.extend(tx.cjk_query_tokens(run) if kind == "cjk" else [tx.canonical_word(run)])
    return tuple(out)


def _word_concept(word: str, lex: Lexicon) -> Concept:
    whole = tx.canonical_word(word)
    parts = tx.word_parts(word)
    alts = [Alternative((whole,), whole, fuzzy=whole not in lex.latin and len(parts) == 1)]
    # "iphone13" is also "iphone 13", but "l7" is not "l" and "7" anywhere in a listing.
    if len(parts) > 1 and all(len(p) > 1 or p.isdigit() for p in parts if not p.isdigit()):
        alts.append(Alternative(tuple(parts), whole, 0.9))
    return Concept(word, tuple(alts))


def _synonym_concept(surface: str, expansion: list[str], lex: Lexicon | None = None) -> Concept:
    alts = [
        Alternative(term_tokens(term), term, 1.0 if term == surface else SYNONYM_BOOST)
        for term in expansion
    ]
    alts = [a for a in alts if a.tokens]
    alts.sort(key=lambda a: a.surface != surface)
    return Concept(surface, tuple(alts), without=_without([a.surface for a in alts], lex))


def _without(surfaces: list[str], lex: Lexicon | None) -> tuple[tuple[str, ...], ...]:
    """Token sets of the look-alikes of any of ``surfaces`` (自行车 -> 电动自行车)."""
    if lex is None:
        return ()
    found = dict.fromkeys(o for s in surfaces for o in lex.lookalikes.get(s, ()) if o not in surfaces)
    return tuple(term_tokens(o) for o in found)


def plan_query(query: str, lex: Lexicon | None = None) -> TextPlan:
    """Analyse a free-text query into the plan every backend compiles (immutable; the plans of
    recent queries are cached, since buyers repeat the same few hundred queries all day)."""
    return _cached_plan(query or "") if lex is None else _plan(query, lex)


@lru_cache(maxsize=4096)
def _cached_plan(query: str) -> TextPlan:
    return _plan(query, load_lexicon())


def _plan(query: str, lex: Lexicon) -> TextPlan:
    """The plan of one query.

    Known and segmented words are required (all of one or two, else 75 %); lone characters
    count towards a share: half of them beside words, else as words do. An empty plan means the query has nothing to search
    for (punctuation, emoji, ``*``).
    """
    normalised = tx.normalize(query or "")
    stripped, unit_tokens = tx.strip_units(tx.strip_prices(normalised))
    units = segment(stripped, lex, normalised=True)
    meaningful = [u for u in units if u.text not in lex.stop]
    units = meaningful or units
    concepts: list[Concept] = []
    i = 0
    while i < len(units):
        for size in range(min(MAX_SYNONYM_UNITS, len(units) - i), 0, -1):
            key = tuple(u.text for u in units[i : i + size])
            if key in lex.synonyms:
                surface = " ".join(key) if any(u.kind == "word" for u in units[i : i + size]) else "".join(key)
                concepts.append(_synonym_concept(surface, lex.synonyms[key], lex))
                i += size
                break
        else:
            unit = units[i]
            if unit.kind == "word":
                concepts.append(_word_concept(unit.text, lex))
            elif unit.kind == "cjk":
                concepts.append(Concept(unit.text, (Alternative(term_tokens(unit.text), unit.text),),
                                        without=_without([unit.text], lex)))
            else:
                for token in tx.cjk_query_tokens(unit.text):
                    concepts.append(Concept(token, (Alternative((token,), token),), fragment=True))
            i += 1
    for token in unit_tokens:
        expansion = lex.synonyms.get((token,))
        concepts.append(_synonym_concept(token, expansion) if expansion else
                        Concept(token, (Alternative((token,), token),)))
    concepts = list(dict.fromkeys(concepts))
    words = [c for c in concepts if not c.fragment]
    fragments = [c for c in concepts if c.fragment]
    own = [u.text for u in units] + [c.text.replace(" ", "") for c in words] + unit_tokens
    expanded = [a.surface for c in words for a in c.alternatives[1:]]
    intent = intents.understand(normalised, list(dict.fromkeys(own)), expanded)
    share = math.ceil(len(fragments) / 2) if words else required_count(len(fragments))
    return TextPlan(tuple(words + fragments), required_count(len(words)), intent, share)


def required_count(n: int) -> int:
    """How many of ``n`` concepts a document must match: all of one or two, else 75 %."""
    return n if n <= 2 else math.ceil(0.75 * n)


# --- typo tolerance for backends without fuzzy queries ------------------------------------

def typo_eligible(token: str) -> bool:
    return len(token) >= 4 and token.isascii() and token.isalpha()


def max_edits(token: str) -> int:
    """Elasticsearch's ``AUTO:4,7``: exact below 4 letters, 1 edit below 7, else 2."""
    return 0 if len(token) < 4 else 1 if len(token) < 7 else 2


def typo_candidates(token: str, vocabulary: Sequence[str], limit: int = 3) -> list[str]:
    """Vocabulary terms within ``max_edits`` (adjacent transpositions count once)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    edits = max_edits(token)
    if not edits:
        return []
    found = process.extract(token, vocabulary, scorer=OSA.distance, score_cutoff=edits, limit=limit + 1)
    return [term for term, _dist, _idx in sorted(found, key=lambda f: (f[1], f[0])) if term != token][:limit]


def with_typos(plan: TextPlan, lookup: Callable[[str], list[str]]) -> TextPlan:
    """``plan`` with near-miss vocabulary terms added as low-boost alternatives."""
    concepts = []
    for concept in plan.concepts:
        alts = list(concept.alternatives)
        for alt in concept.alternatives:
            if alt.fuzzy and len(alt.tokens) == 1 and typo_eligible(alt.tokens[0]):
                for term in lookup(alt.tokens[0]):
                    alts.append(Alternative((term,), term, TYPO_BOOST))
        concepts.append(Concept(concept.text, tuple(dict.fromkeys(alts)), concept.fragment, concept.without))
    return TextPlan(tuple(concepts), plan.required, plan.intent, plan.fragments_required)


# --- boolean form for backends without minimum_should_match --------------------------------

Expr = tuple  # ("term", token) | ("and", [Expr, ...]) | ("or", [Expr, ...]) | ("not", Expr, Expr)


def _concept_expr(concept: Concept) -> Expr:
    alts = [
        ("and", [("term", t) for t in alt.tokens]) if len(alt.tokens) > 1 else ("term", alt.tokens[0])
        for alt in concept.alternatives
    ]
    expr = alts[0] if len(alts) == 1 else ("or", alts)
    for tokens in concept.without:  # ("not", expr, excluded): expr and not all of the tokens
        expr = ("not", expr, ("and", [("term", t) for t in tokens]))
    return expr


def _k_of_n(exprs: list[Expr], k: int) -> Expr:
    n = len(exprs)
    if k >= n:
        return exprs[0] if n == 1 else ("and", exprs)
    if math.comb(n, k) <= MAX_COMBINATIONS:
        return ("or", [("and", list(combo)) for combo in combinations(exprs, k)])
    return ("and", exprs[:k])  # beyond the budget: the first k words (the buyer's order)


def to_expression(plan: TextPlan) -> Expr | None:
    """The plan's match condition as and/or/term: "at least k of n" expanded into combinations.

    Fragments are part of the condition only when the query has no words (see
    :func:`rank_expression` for what ranks).
    """
    if plan.empty:
        return None
    parts = []
    if plan.words:
        parts.append(_k_of_n([_concept_expr(c) for c in plan.words], plan.required))
    if plan.fragments and plan.fragments_required:
        parts.append(_k_of_n([_concept_expr(c) for c in plan.fragments], plan.fragments_required))
    return parts[0] if len(parts) == 1 else ("and", parts)


def optional_terms(plan: TextPlan) -> list[Expr]:
    """Fragments that rank without being required (when a plan requires none of them)."""
    if not plan.words or plan.fragments_required:
        return []
    return [_concept_expr(c) for c in plan.fragments]


# --- highlighting, the same for every backend ----------------------------------------------

_normalize_char = lru_cache(maxsize=1 << 16)(tx.normalize)  # titles reuse a few thousand characters


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    chars = [_normalize_char(ch) for ch in text]
    if all(len(c) == 1 for c in chars):  # the usual case: one character each, owners are positions
        return "".join(chars), list(range(len(text)))
    owners: list[int] = []
    for i, norm in enumerate(chars):
        owners.extend([i] * len(norm))
    return "".join(chars), owners


@lru_cache(maxsize=4096)
def _surfaces(plan: TextPlan) -> tuple[str, ...]:
    return tuple(plan.surfaces())  # plans are immutable; a page highlights 20 titles with one


def highlight(text: str, plan: TextPlan, pre: str = "<em>", post: str = "</em>") -> str | None:
    """``text`` HTML-escaped with the plan's words wrapped in ``pre``/``post``; None if none hit."""
    if not text or plan.empty:
        return None
    norm, owners = _normalized_with_map(text)
    marked = [False] * len(text)
    hit = False
    for surface in _surfaces(plan):
        start = norm.find(surface)
        latin = surface[:1].isascii() and surface[:1].isalnum()
        while start != -1:
            end = start + len(surface)
            boundary = not latin or (
                (start == 0 or not norm[start - 1].isalnum() or not norm[start - 1].isascii())
                and (end == len(norm) or not norm[end].isalnum() or not norm[end].isascii())
            )
            if boundary:
                hit = True
                for j in range(owners[start], owners[end - 1] + 1):
                    marked[j] = True
            start = norm.find(surface, start + 1)
    if not hit:
        return None
    out: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):  # escape runs of equally marked characters at once
        if i == len(text) or marked[i] != marked[start]:
            run = html.escape(text[start:i])
            out.append(f"{pre}{run}{post}" if marked[start] else run)
            start = i
    return "".join(out)


# Pure in (title, plan) and immutable: popular queries show the same titles on their first page
# again and again, so the search route asks this memo first (~20 titles a page).
highlight_memo = lru_cache(maxsize=16384)(highlight)


# --- near matches, when the exact ones do not fill a page ----------------------------------

def relaxed(plan: TextPlan, lex: Lexicon | None = None) -> TextPlan | None:
    """A looser plan for near matches; None when nothing would loosen. Any one of: the buyer's
    words (bare numbers, sizes and units aside, they describe rather than name), a model's
    family ("mate60pro" -> "mate60"), a broader class (山地车 -> 自行车, ``broader.txt``) or the
    label of a kind the query names ("小米14" -> 小米 or 手机)."""
    lex = lex or load_lexicon()
    concepts: list[Concept] = []
    for concept in plan.words:
        first = concept.alternatives[0].tokens
        if len(first) == 1 and (first[0].replace(".", "").isdigit() or _is_measure(first[0])):
            continue
        alts = list(concept.alternatives)
        parts = tx.word_parts(concept.text) if " " not in concept.text else []
        if len(parts) >= 3:
            alts.append(Alternative(tuple(parts[:-1]), "".join(parts[:-1]), SYNONYM_BOOST))
        concepts.append(Concept(concept.text, tuple(alts), without=concept.without))
        for head in _accessory_heads(concept, lex):  # 电脑包 -> 电脑: what the accessory is for
            expansion = lex.synonyms.get(tuple(u.text for u in segment(head, lex)), [head])
            concepts.append(_synonym_concept(head, expansion, lex))
        # its synonyms' classes too: 任天堂switch is a switch, a 掌机; and a model word's named
        # parts: 14promax is a promax, an iPhone
        names = dict.fromkeys([concept.text, concept.text.replace(" ", ""),
                               *(a.surface for a in concept.alternatives), *parts])
        for broad in dict.fromkeys(b for name in names for b in lex.broader.get(name, [])):
            key = tuple(u.text for u in segment(broad, lex))
            expansion = lex.synonyms.get(key, [broad])
            broader = _synonym_concept(broad, expansion, lex)  # below the buyer's own words
            concepts.append(replace(broader, alternatives=tuple(
                replace(alt, boost=alt.boost * BROADER_BOOST) for alt in broader.alternatives)))
        members = None if plan.intent.accessory else _members(names, lex)
        if members:
            concepts.append(members)
    for kind in plan.intent.kinds:
        label = KIND_LABELS.get(kind, "").split(" ")[0]
        if label:
            concepts.append(Concept(label, (Alternative(term_tokens(label), label, SYNONYM_BOOST),)))
    concepts = _merge_same_words(concepts)
    if not concepts or (concepts == list(plan.words) and plan.required <= 1 and not plan.fragments_required):
        return None  # (a required lone character is dropped here: 电热水器 is near any 热水器)
    return TextPlan(tuple(concepts), 1, replace(plan.intent, kind_boost=intents.RELATED_KIND_BOOST), 0)


def _members(names: Iterable[str], lex: Lexicon) -> Concept | None:
    """The things the lexicon files under a class word (无人机: 穿越机, avata, 大疆mini …; mpv:
    埃尔法, 奥德赛 …), as one concept at the broader weight: a listing that names only its model
    ("大疆mini4pro", "本田奥德赛 七座 商务") is still near a buyer of the class. Only words that
    name a kind (not brands: a buyer of 华为充电器 wants other chargers before Mate phones), never
    for accessory queries; classes with more than :data:`MAX_MEMBERS` members (汽车, 手机) are left
    alone: their exact matches fill pages."""
    strong, _weak = intents.kind_words()
    names = [n for n in names if n in strong]  # classes that name a kind, not brands (华为 -> mate …)
    terms = list(dict.fromkeys(t for name in names for t in lex.narrower.get(name, ())))
    if not terms or len(terms) > MAX_MEMBERS:
        return None
    alts = tuple(dict.fromkeys(Alternative(term_tokens(t), t, BROADER_BOOST) for t in terms))
    return Concept(f"{next(iter(names))}*", alts)


def _merge_same_words(concepts: list[Concept]) -> list[Concept]:
    """One concept per word: a class reached from several words (惠普 -> 笔记本, 游戏本 -> 笔记本,
    the kind's label 笔记本) counts once, at its highest weight, so near matches of 惠普游戏本 are
    not ranked by how many ways they are a 笔记本 rather than by being a 游戏本."""
    merged: dict[str, Concept] = {}
    for concept in concepts:
        key = concept.text.replace(" ", "")
        if key not in merged:
            merged[key] = concept
            continue
        best: dict[tuple[str, ...], Alternative] = {a.tokens: a for a in merged[key].alternatives}
        for alt in concept.alternatives:
            if alt.tokens not in best or best[alt.tokens].boost < alt.boost:
                best[alt.tokens] = alt
        alts = sorted(best.values(), key=lambda a: -a.boost)
        merged[key] = replace(merged[key], alternatives=tuple(alts))
    return list(merged.values())


def _accessory_heads(concept: Concept, lex: Lexicon) -> list[str]:
    """The device an accessory word is for: the longest lexicon word that starts it and is not an
    accessory itself (电脑包 -> 电脑, 笔记本包 -> 笔记本, 冰箱贴 -> 冰箱). Chinese accessory
    compounds put the device first, so a buyer of a laptop bag is shown other laptop accessories
    (accessory queries rank accessories first) when few bags are listed."""
    if not intents.names_accessory(concept.text):
        return []
    heads = []
    for alt in concept.alternatives:  # 电脑包 and its synonym 笔记本包
        word = alt.surface
        if not tx.is_cjk(word):
            continue
        for size in range(len(word) - 1, 1, -1):
            head = word[:size]
            if head in lex.words and not intents.names_accessory(head):
                heads.append(head)
                break
    return list(dict.fromkeys(heads))


def _is_measure(token: str) -> bool:
    return tx.canonical_word(token) != token or token.endswith(("gb", "tb", "匹", "座", "寸", "kg"))
