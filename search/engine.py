"""One search as the buyer sees it: the exact matches, then near matches when they are few.

A query whose exact matches do not fill the first page (a model nobody sells today, "小米14")
gets the page topped up with *related* listings from :func:`search.analysis.relaxed`: the same
filters and the same scoring, any one of the buyer's words or the kind they named. Related hits
are listed apart, never counted in ``total`` and never paged, so cursors still walk exact
matches only. It costs a second backend query only on such short first pages.
"""
from __future__ import annotations

from dataclasses import replace

from search.analysis import TextPlan, plan_query, relaxed
from search.backends.base import SearchBackend
from search.query import QueryError, SearchQuery, SearchResult


def search(backend: SearchBackend, query: SearchQuery, plan: TextPlan) -> SearchResult:
    """Exact matches as the backend ranks them, plus ``related`` near matches on a short first page.

    On such a page, when the query names a device, accessories among the exact matches move to
    the end of ``related``: a similar device is nearer to what the buyer means than a case for it.
    """
    result = backend.search(query, plan)
    short = len(result.hits) < query.limit and query.after is None and query.sort == "relevance"
    loose = relaxed(plan) if short and not plan.empty else None
    if loose is None:
        return result
    extra = backend.search(replace(query, limit=query.limit, facets=()), loose)
    seen = {hit.id for hit in result.hits}
    near = [hit for hit in extra.hits if hit.id not in seen]
    if plan.intent.device:
        parts = [h for h in result.hits if h.accessory]
        result.hits = [h for h in result.hits if not h.accessory]
        near = [h for h in near if not h.accessory] + parts + [h for h in near if h.accessory]
    result.related = near[: query.limit - len(result.hits)]
    return result


def plan_for(text: str) -> TextPlan:
    """The plan of a query's free text; QueryError naming ``q`` when text was given but nothing in
    it can be searched for (punctuation, emoji, ``*``), rather than answering the whole catalogue."""
    plan = plan_query(text)
    if plan.empty and text.strip():
        raise QueryError({"q": ["Nothing to search for: use letters, digits or Chinese characters."]})
    return plan
