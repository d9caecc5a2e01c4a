"""One search as the buyer sees it: the exact matches, then near matches when they are few.

A query whose exact matches do not fill the first page (a model nobody sells today, "小米14")
gets the page topped up with *related* listings from :func:`search.analysis.relaxed`: the same
filters and the same scoring, any one of the buyer's words or the kind they named. Related hits
are listed apart, never counted in ``total`` and never paged, so cursors still walk exact
matches only. It costs a second backend query only on such short first pages.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from search import intent as intents
from search import pinyin
from search import text as tx
from search.analysis import TextPlan, load_lexicon, plan_query, relaxed
from search.backends.base import SearchBackend
from search.query import QueryError, SearchQuery, SearchResult, Suggestion


_relaxed = lru_cache(maxsize=4096)(relaxed)  # plans are immutable and repeat like their queries


def search(backend: SearchBackend, query: SearchQuery, plan: TextPlan) -> SearchResult:
    """Exact matches as the backend ranks them, plus ``related`` near matches on a short first page.

    On such a page, when the query names a device, accessories among the exact matches move to
    the end of ``related``: a similar device is nearer to what the buyer means than a case for it.
    When it names an accessory, devices move there instead: other accessories come first.
    """
    result = backend.search(query, plan)
    short = len(result.hits) < query.limit and query.after is None and query.sort == "relevance"
    loose = _relaxed(plan) if short and not plan.empty else None
    if loose is None:
        return result
    extra = backend.search(replace(query, limit=query.limit, facets=(), count=False), loose)  # no total
    seen = {hit.id for hit in result.hits}
    near = [hit for hit in extra.hits if hit.id not in seen]
    if plan.intent.device or plan.intent.accessory:
        # The kind of thing the buyer named comes first, the other kind last: for a device, a
        # similar device before a case for it; for an accessory, other accessories for the same
        # device before the device itself.
        wanted = plan.intent.accessory
        others = [h for h in result.hits if h.accessory != wanted]
        result.hits = [h for h in result.hits if h.accessory == wanted]
        near = ([h for h in near if h.accessory == wanted] + others
                + [h for h in near if h.accessory != wanted])
    result.related = near[: query.limit - len(result.hits)]
    return result


def plan_for(text: str) -> TextPlan:
    """The plan of a query's free text; QueryError naming ``q`` when text was given but nothing in
    it can be searched for (punctuation, emoji, ``*``), rather than answering the whole catalogue."""
    plan = plan_query(text)
    if plan.empty and text.strip():
        raise QueryError({"q": ["Nothing to search for: use letters, digits or Chinese characters."]})
    return plan


def suggest(backend: SearchBackend, prefix: str, limit: int) -> list[Suggestion]:
    """Completions of what the buyer is typing, devices before accessories.

    Words of our lexicon that start with the prefix come first (so 冰 offers 冰箱 and 特斯 offers
    特斯拉 even when no title starts that way), kinds before other words; then Chinese words whose
    pinyin initials or whole pinyin start with a Latin prefix ("bx" -> 冰箱, "tsl" -> 特斯拉,
    "bingx" -> 冰箱); then the backend's titles, brands and models. Accessories come after every
    device, whatever their source (冰箱 before 冰箱贴).
    """
    norm = tx.normalize(prefix).strip()
    if not norm:
        return []
    words = [Suggestion(w, "word") for w in _lexicon_completions(norm)]
    if pinyin.is_pinyin_prefix(norm):  # "bx" -> 冰箱, "tsl" -> 特斯拉
        words += [Suggestion(w, "word") for w in _pinyin_completions(norm)]
    found = backend.suggest(prefix, limit)
    out: dict[str, Suggestion] = {}
    for item in [*words[:limit], *found]:
        out.setdefault(item.text.casefold(), item)
    # devices above accessories, whatever their source (stable: the order above otherwise)
    return sorted(out.values(), key=lambda s: intents.is_accessory(s.text))[:limit]


@lru_cache(maxsize=1)
def _completion_words() -> tuple[tuple[str, int], ...]:
    """(word, rank) for every lexicon word: 0 names a kind, 1 other words, 2 accessories."""
    lex = load_lexicon()
    strong, weak = intents.kind_words()
    words = set(lex.words) | {t for terms in lex.synonyms.values() for t in terms} | set(strong) | set(weak)
    out = []
    for word in words:
        if not word or word in lex.stop:
            continue
        rank = 2 if intents.names_accessory(word) else 0 if word in strong else 1
        out.append((word, rank))
    return tuple(sorted(out, key=lambda wr: (wr[1], len(wr[0]), wr[0])))


def _lexicon_completions(norm: str) -> list[str]:
    return [w for w, _rank in _completion_words() if w.startswith(norm) and w != norm]


def _pinyin_completions(norm: str) -> list[str]:
    """Chinese lexicon words the Latin ``norm`` spells in pinyin: whole initials first ("bx" is
    冰箱 before 冰箱贴), then by rank (kinds, other words, accessories) and length."""
    found = [(pinyin.keys(w)[0] != norm, rank, len(w), w) for w, rank in _completion_words()
             if tx.is_cjk(w) and pinyin.matches(norm, w)]
    return [w for *_order, w in sorted(found)]
