"""Elasticsearch backend: external versions, alias swaps, and nothing the test distribution lacks.

Works on the bare ``integ-test-zip`` distribution (no analysis-common, no scripts, no
delete-by-query, no ``GET /``): text fields use the built-in ``whitespace`` analyzer over our
own tokens; non-published listings are overwritten with versioned tombstones rather than
deleted; readiness uses ``_cluster/health``. A full distribution adds a ``cjk`` sub-field.

Reindexing builds ``<alias>-<timestamp>``, points the ``<alias>-next`` alias at it while it
loads, and swaps both aliases in one atomic call. :meth:`apply` writes to the live alias *and*
to the index behind ``-next``; because every write carries the listing's revision as external
version, the bulk load and live writes can interleave in any order and still converge.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.serializer import OrjsonSerializer

from search import text as tx
from search.analysis import TextPlan
from search.backends import es_dsl
from search.backends.base import ApplyReport, SearchUnavailable
from search.documents import SearchDocument
from search.query import SearchQuery, SearchResult, Suggestion, Hit, haversine_km

log = logging.getLogger(__name__)
REBUILD_BATCH = 1000
# Compact, non-ASCII kept: what the client's own serializer writes, built once per document
# (not once per target index) and joined into one NDJSON body.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
# Only what apply() reads from the bulk response: the full one is ~10x larger to write and parse.
_BULK_FILTER = ["errors", "items.*._id", "items.*.status", "items.*.error.type"]
# Only what search() reads: no _index, _shards, took or per-hit metadata to write, send and parse.
# Without hits (or without an exact total) the filtered answer lacks those keys: read with .get().
SEARCH_FILTER = ["hits.total.value", "hits.hits._id", "hits.hits._score", "hits.hits.sort", "hits.hits._source",
                 "hits.hits.matched_queries", "aggregations.*.buckets.key", "aggregations.*.buckets.doc_count"]


def make_client(url: str, timeout: float = 5.0) -> Elasticsearch:
    """A client that fails fast: the relay owns retries, the edge answers 503.

    JSON through orjson (the client's own OrjsonSerializer, for application/json and the
    compatibility mimetype): a search body out and its answer in cost ~20 µs instead of ~90 µs
    with the standard library (the bench's query mix, docs/BENCHMARKS.md)."""
    return Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False,
                         serializer=OrjsonSerializer())


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch, alias: str = "huanxin-listings"):
        self.es = client
        self.alias = alias
        self.next_alias = f"{alias}-next"
        self._profile: str | None = None
        self._ensured = False

    def _ensure(self) -> None:
        # Once per process: the first write or search creates the index when none exists.
        if not self._ensured:
            self.ensure_index()
            self._ensured = True

    # --- index management ------------------------------------------------------------
    def detect_profile(self) -> str:
        """Ask the cluster whether the ``cjk`` analyzer exists (full vs bare distribution)."""
        try:
            with _unavailable_on_transport_errors():
                self.es.indices.analyze(analyzer="cjk", text="冰箱")
        except BadRequestError:
            return es_dsl.PROFILE_BARE
        return es_dsl.PROFILE_CJK

    def _create_index(self, name: str, with_alias: bool = False) -> None:
        body = es_dsl.index_body(self.detect_profile())
        aliases = {self.alias: {}} if with_alias else None
        with _unavailable_on_transport_errors():
            self.es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                                   aliases=aliases)

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"

    def ensure_index(self) -> None:
        """Create the first index with its alias in one call; concurrent callers race safely."""
        with _unavailable_on_transport_errors():
            if self.es.indices.exists_alias(name=self.alias):
                self.es.indices.put_mapping(index=self.alias, properties=es_dsl.ADDED_FIELDS)
                return
            try:
                self._create_index(f"{self.alias}-initial", with_alias=True)
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise

    @property
    def profile(self) -> str:
        if self._profile is None:
            with _unavailable_on_transport_errors():
                mappings = self.es.indices.get_mapping(index=self.alias)
            meta = next(iter(mappings.values()))["mappings"].get("_meta", {})
            self._profile = meta.get("profile", es_dsl.PROFILE_BARE)
        return self._profile

    def _indices_of(self, alias: str) -> list[str]:
        try:
            return sorted(self.es.indices.get_alias(name=alias).keys())
        except NotFoundError:
            return []

    # --- writes ----------------------------------------------------------------------
    def apply(self, docs: Sequence[SearchDocument]) -> ApplyReport:
        report = ApplyReport()
        if not docs:
            return report
        self._ensure()
        with _unavailable_on_transport_errors():
            # Resolved after the caller read its rows: see the module docstring.
            extra = self._indices_of(self.next_alias)
            # Action lines from a template: only the id and the version vary per document.
            heads = [(_dumps(target), require_alias) for target, require_alias in
                     [(self.alias, "true"), *((i, "false") for i in extra)]]
            lines: list[str] = []
            for doc in docs:
                source = _dumps(es_dsl.to_source(doc))
                doc_id = _dumps(doc.id)
                for index, require_alias in heads:
                    lines.append(f'{{"index":{{"_index":{index},"_id":{doc_id},"version":{int(doc.revision)},'
                                 f'"version_type":"external","require_alias":{require_alias}}}}}')
                    lines.append(source)
            lines.append("")
            response = self.es.bulk(operations="\n".join(lines), filter_path=_BULK_FILTER)
        failed: set[str] = set()
        per_doc: dict[str, set[str]] = {}
        for item in response["items"]:
            result = item["index"]
            status = result.get("status", 500)
            outcome = "applied" if status in (200, 201) else "stale" if status == 409 else "failed"
            per_doc.setdefault(result["_id"], set()).add(outcome)
            if outcome == "failed":
                log.warning("search index write failed", extra={"listing_id": result["_id"], "status": status,
                                                                 "error_type": result.get("error", {}).get("type")})
        for doc_id, outcomes in per_doc.items():
            if "failed" in outcomes:
                failed.add(doc_id)
            elif "applied" in outcomes:
                report.applied += 1
            else:
                report.stale += 1
        report.failed = sorted(failed)
        if report.failed and len(report.failed) == len(per_doc):
            raise SearchUnavailable(f"every write of the batch failed ({len(report.failed)})")
        return report

    def rebuild(self, docs: Iterable[SearchDocument], progress: Any = None) -> int:
        with _unavailable_on_transport_errors():
            new = self._new_index_name()
            self._create_index(new)
            self.es.indices.update_aliases(actions=[
                {"remove": {"index": "*", "alias": self.next_alias, "must_exist": False}},
                {"add": {"index": new, "alias": self.next_alias}},
            ])
            count = 0
            actions = (
                {"_op_type": "index", "_index": new, "_id": d.id, "version": d.revision,
                 "version_type": "external", "_source": es_dsl.to_source(d)}
                for d in docs
            )
            for ok, item in helpers.streaming_bulk(self.es, actions, chunk_size=REBUILD_BATCH,
                                                   raise_on_error=False, max_retries=3):
                status = item["index"].get("status", 500)
                if not ok and status != 409:  # 409: a live write already put a newer revision
                    raise SearchUnavailable(f"rebuild write failed with status {status}")
                count += 1
                if progress is not None:
                    progress(1)
            self.es.indices.refresh(index=new)
            old = [i for i in self._indices_of(self.alias) if i != new]
            self.es.indices.update_aliases(actions=[
                *({"remove": {"index": i, "alias": self.alias}} for i in old),
                {"remove": {"index": new, "alias": self.next_alias}},
                {"add": {"index": new, "alias": self.alias}},
            ])
            for index in old:
                self.es.indices.delete(index=index)
            self._profile = None
        return count

    def refresh(self) -> None:
        with _unavailable_on_transport_errors():
            self.es.indices.refresh(index=self.alias)

    # --- reads -----------------------------------------------------------------------
    def search(self, query: SearchQuery, plan: TextPlan) -> SearchResult:
        self._ensure()
        body = es_dsl.search_body(query, plan, self.profile)
        with _unavailable_on_transport_errors():
            response = self.es.search(index=self.alias, filter_path=SEARCH_FILTER, **body)
        found = response.get("hits", {})
        hits = []
        near = query.near
        for raw in found.get("hits", ()):
            sort_values = tuple(raw.get("sort", ()))
            source = raw.get("_source")
            distance = None
            if near:
                if query.sort == "distance":
                    distance = float(sort_values[0])
                elif source and "location" in source:
                    loc = source["location"]
                    distance = haversine_km(near.lat, near.lon, loc["lat"], loc["lon"])
            hits.append(Hit(id=raw["_id"], score=raw.get("_score"), distance_km=distance, sort=sort_values,
                            accessory="accessory" in raw.get("matched_queries", ()), source=source))
        facets: dict[str, list[tuple[str, int]]] = {}
        aggs = response.get("aggregations", {})
        for name in body.get("aggs", ()):  # filter_path drops a facet without buckets: it stays, empty
            facets[name] = [(str(b["key"]), b["doc_count"]) for b in aggs.get(name, {}).get("buckets", ())
                            if b["doc_count"]]
        total = found.get("total", {}).get("value", 0) if query.count else len(hits)
        return SearchResult(hits=hits, total=total, facets=facets)

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        norm = tx.normalize(prefix).strip()
        if not norm:
            return []
        self._ensure()
        with _unavailable_on_transport_errors():
            response = self.es.search(
                index=self.alias, source=["title", "brand", "model"],
                suggest={"s": {"prefix": norm, "completion": {
                    "field": "suggest", "size": limit * 3, "skip_duplicates": True}}},
            )
        out: dict[str, Suggestion] = {}
        for option in response["suggest"]["s"][0]["options"]:
            text, kind = _display(option["text"], option.get("_source", {}))
            out.setdefault(text.casefold(), Suggestion(text, kind))
        return list(out.values())[:limit]

    def versions(self) -> dict[str, tuple[int, bool]]:
        with _unavailable_on_transport_errors():
            return {
                hit["_id"]: (hit["_version"], hit["_source"].get("published", False))
                for hit in helpers.scan(self.es, index=self.alias, query={"query": {"match_all": {}}},
                                        _source=["published"], version=True, size=2000)
            }

    def healthy(self) -> bool:
        try:
            health = self.es.cluster.health(timeout="2s")
        except (TransportError, ApiError):
            return False
        return health.get("status") in ("green", "yellow")


def _display(matched: str, src: dict[str, Any]) -> tuple[str, str]:
    """The original spelling of the normalised input that matched, and what it was."""
    brand, model = src.get("brand"), src.get("model")
    candidates = [(src.get("title"), "title"), (brand, "brand"), (model, "model"),
                  (f"{brand} {model}" if brand and model else None, "model")]
    for original, kind in candidates:
        if original and tx.normalize(original).strip() == matched:
            return original, kind
    return matched, "title"


class _unavailable_on_transport_errors:
    """Turns connection failures, timeouts and 5xx/429 into SearchUnavailable."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            return False
        if isinstance(exc, TransportError):  # connection refused, timeout, TLS
            raise SearchUnavailable(f"elasticsearch unreachable: {type(exc).__name__}") from exc
        if isinstance(exc, NotFoundError):  # the alias vanished (someone deleted the index)
            raise SearchUnavailable("elasticsearch index missing") from exc
        if isinstance(exc, ApiError) and (exc.status_code >= 500 or exc.status_code == 429):
            raise SearchUnavailable(f"elasticsearch answered {exc.status_code}") from exc
        return False
