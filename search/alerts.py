"""Saved-search alerts: which new listings match which saved searches.

A percolator in reverse: the batch of new listings is written into a small, empty database
backend of its own, and each distinct saved query runs there, so a query costs what the batch
costs, not what the catalogue costs, and the answers are the embedded backend's answers (the same
analysis and matching as /search). Identical saved queries run once."""
from __future__ import annotations

import dataclasses
import json
from typing import Iterable, Mapping, Sequence

from search.analysis import plan_query
from search.backends.database import DatabaseBackend
from search.documents import SearchDocument
from search.query import SearchQuery


def _key(query: SearchQuery) -> str:
    return json.dumps({"t": query.text, "f": dataclasses.asdict(query.filters),
                       "n": dataclasses.asdict(query.near) if query.near else None}, sort_keys=True, default=str)


def match(batch_index: DatabaseBackend, docs: Sequence[SearchDocument],
          searches: Iterable[tuple[object, SearchQuery]]) -> Mapping[object, list[str]]:
    """{search id: ids of the documents in `docs` it matches}. `batch_index` must be empty of
    everything but what this call writes; it is emptied again before returning."""
    if not docs:
        return {}
    batch_index.apply(list(docs))
    batch_index.refresh()   # its typo vocabulary is the batch's
    try:
        found: dict[str, list[str]] = {}
        out: dict[object, list[str]] = {}
        for search_id, query in searches:
            key = _key(query)
            if key not in found:
                everything = dataclasses.replace(query, sort="newest", after=None, limit=len(docs), facets=())
                found[key] = [hit.id for hit in batch_index.search(everything, plan_query(query.text)).hits]
            if found[key]:
                out[search_id] = found[key]
        return out
    finally:
        batch_index.rebuild([])
