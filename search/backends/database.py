"""The embedded search backend: the application's own database, no other server.

PostgreSQL: a weighted ``tsvector`` built from our tokens as a literal (no text-search parser,
which would not segment Chinese and would split model strings), GIN-indexed, ranked by
``ts_rank``. SQLite: an FTS5 table over the same tokens (kept in step by triggers from the
migration), ranked by ``bm25``. Both compile the plan's "k of n concepts" rule through
:func:`search.analysis.to_expression`, and get typo tolerance by looking near-miss Latin words
up in the index vocabulary. Documents carry the listing revision; an older one never replaces a
newer one.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import (Float, and_, case, cast, delete, func, literal, literal_column, null, or_, select,
                        text)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from search import text as tx
from search import intent as intents
from search.analysis import Expr, TextPlan, optional_terms, to_expression, typo_candidates, with_typos
from search.backends import es_dsl
from search.backends.base import ApplyReport, SearchUnavailable
from search.documents import SearchDocument
from search.query import PRICE_BUCKETS, QueryError, SearchQuery, SearchResult, Suggestion, Hit
from services.search.models import SearchDocumentRow

T = SearchDocumentRow.__table__
EARTH_KM = 6371.0088
VOCAB_TTL_S = 120.0
MAX_POSITIONS_PER_LEXEME = 8
WRITE_BATCH = 500
_UPDATABLE = [c.name for c in T.columns if c.name not in ("id", "listing_id")]


class DatabaseBackend:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.name = "postgresql" if self.dialect == "postgresql" else "sqlite"
        self._vocab: tuple[float, list[str]] | None = None
        self._vocab_lock = threading.Lock()

    # --- writes ----------------------------------------------------------------------
    def ensure_index(self) -> None:
        """Nothing to do: the migration creates the tables."""

    def _row(self, doc: SearchDocument) -> dict[str, Any]:
        row: dict[str, Any] = {c: None for c in _UPDATABLE}
        row.update(listing_id=uuid.UUID(doc.id), revision=doc.revision, published=doc.published,
                   title="", title_tokens="", brand_tokens="", body_tokens="")
        if not doc.published:
            return row
        levels = doc.region_levels()
        title_t, brand_t, body_t = doc.title_tokens(), doc.brand_tokens(), doc.body_tokens()
        row.update(
            title=doc.title, brand=doc.brand, model=doc.model,
            suggest_title=tx.normalize(doc.title).strip()[:200] or None,
            suggest_brand=tx.normalize(doc.brand or "").strip()[:60] or None,
            suggest_model=tx.normalize(doc.model or "").strip()[:160] or None,
            title_tokens=title_t, brand_tokens=brand_t, body_tokens=body_t,
            category=doc.category, kind=doc.kind, condition=doc.condition,
            energy_grade=doc.energy_grade, powertrain=doc.powertrain,
            emission_standard=doc.emission_standard, seller_type=doc.seller_type,
            legal_class=doc.legal_class, cosmetic_grade=doc.cosmetic_grade,
            region_code=doc.region_code, region_province=levels[0] if levels else None,
            region_city=levels[1] if len(levels) > 1 else None,
            price_fen=doc.price_fen, year=doc.year, mileage_km=doc.mileage_km, storage_gb=doc.storage_gb,
            lat=doc.lat, lon=doc.lon, published_at=doc.published_at, certified=doc.certified,
        )
        if self.dialect == "postgresql":
            row["tsv"] = _tsvector_literal([(title_t, "A"), (brand_t, "B"), (body_t, "C")])
        return row

    def _upsert(self, conn, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(T)
        stmt = stmt.on_conflict_do_update(
            index_elements=[T.c.listing_id],
            set_={c: stmt.excluded[c] for c in _UPDATABLE},
            where=T.c.revision < stmt.excluded.revision,  # never regress a document
        ).returning(T.c.listing_id)
        applied: set[uuid.UUID] = set()
        for start in range(0, len(rows), WRITE_BATCH):
            chunk = rows[start:start + WRITE_BATCH]
            applied.update(r[0] for r in conn.execute(stmt, chunk))
        return applied

    def apply(self, docs: Sequence[SearchDocument]) -> ApplyReport:
        if not docs:
            return ApplyReport()
        latest: dict[str, SearchDocument] = {}
        for doc in docs:
            if doc.id not in latest or latest[doc.id].revision < doc.revision:
                latest[doc.id] = doc
        rows = [self._row(d) for d in latest.values()]
        with _unavailable_on_db_errors(), self.engine.begin() as conn:
            applied = self._upsert(conn, rows)
        return ApplyReport(applied=len(applied), stale=len(rows) - len(applied))

    def rebuild(self, docs: Iterable[SearchDocument], progress: Any = None) -> int:
        """Replace every document in one transaction: readers see the old set until commit."""
        count = 0
        with _unavailable_on_db_errors(), self.engine.begin() as conn:
            conn.execute(delete(T))
            batch: list[SearchDocument] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= WRITE_BATCH:
                    self._upsert(conn, [self._row(d) for d in batch])
                    count += len(batch)
                    if progress is not None:
                        progress(len(batch))
                    batch = []
            if batch:
                self._upsert(conn, [self._row(d) for d in batch])
                count += len(batch)
                if progress is not None:
                    progress(len(batch))
        self._vocab = None
        return count

    def refresh(self) -> None:
        self._vocab = None  # writes are visible at commit; only the typo vocabulary is cached

    # --- reads -----------------------------------------------------------------------
    def versions(self) -> dict[str, tuple[int, bool]]:
        with _unavailable_on_db_errors(), self.engine.connect() as conn:
            rows = conn.execute(select(T.c.listing_id, T.c.revision, T.c.published))
            return {str(r[0]): (r[1], bool(r[2])) for r in rows}

    def healthy(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError:
            return False
        return True

    def vocabulary(self) -> list[str]:
        """Latin words in the index (cached briefly): the typo tolerance looks them up."""
        now = time.monotonic()
        cached = self._vocab
        if cached and now - cached[0] < VOCAB_TTL_S:
            return cached[1]
        with self._vocab_lock, _unavailable_on_db_errors(), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                sql = ("SELECT word FROM ts_stat('SELECT tsv FROM search_documents WHERE published') "
                       "WHERE word ~ '^[a-z]{4,}$'")
            else:
                sql = "SELECT term FROM search_fts_vocab WHERE term >= 'a' AND term < '{'"
            words = [w for (w,) in conn.execute(text(sql)) if len(w) >= 4 and w.isascii() and w.isalpha()]
        self._vocab = (now, words)
        return words

    def _match(self, plan: TextPlan):
        """(condition, score column, FTS5 subquery to join or None); (None, None, None) without text."""
        if plan.empty:
            return None, None, None
        vocab = self.vocabulary()
        vocab_set = set(vocab)
        plan = with_typos(plan, lambda tok: [] if tok in vocab_set else typo_candidates(tok, vocab))
        expr = to_expression(plan)
        optional = optional_terms(plan)
        if self.dialect == "postgresql":
            tsq = cast(literal(_tsquery(expr)), postgresql.TSQUERY)
            rank_q = cast(literal(_tsquery(("or", [expr, *optional]))), postgresql.TSQUERY) if optional else tsq
            return T.c.tsv.op("@@")(tsq), _boosts(plan, func.ts_rank(T.c.tsv, rank_q).cast(Float)), None
        if optional:  # same rows as expr; FTS5's bm25 also counts the optional phrases
            expr = ("or", [expr, ("and", [expr, ("or", optional)])])
        fts = (select(literal_column("rowid").label("rowid"),
                      literal_column("bm25(search_fts, 3.0, 2.0, 1.0)").label("rank"))
               .select_from(text("search_fts"))
               .where(text("search_fts MATCH :fts_query").bindparams(fts_query=_fts5(expr)))
               .subquery("fts"))
        return T.c.id == fts.c.rowid, _boosts(plan, -fts.c.rank), fts

    def _filters(self, query: SearchQuery) -> list:
        f = query.filters
        conds = [T.c.published.is_(True)]
        for name, values in f.keywords():
            conds.append(T.c[name].in_(values))
        if f.storage_gb:
            conds.append(T.c.storage_gb.in_(f.storage_gb))
        if f.certified is not None:
            conds.append(T.c.certified.is_(True) if f.certified else T.c.certified.is_not(True))
        if f.region:
            column = {2: T.c.region_province, 4: T.c.region_city}.get(len(f.region), T.c.region_code)
            conds.append(column == f.region)
        for name, rng in f.ranges():
            if rng.low is not None:
                conds.append(T.c[name] >= rng.low)
            if rng.high is not None:
                conds.append(T.c[name] <= rng.high)
        return conds

    def search(self, query: SearchQuery, plan: TextPlan) -> SearchResult:
        match, score, fts = self._match(plan)
        conds = self._filters(query)
        distance = None
        if query.near:
            distance = _distance_sql(query.near.lat, query.near.lon)
            if query.near.radius_km:
                conds += _bounding_box(query.near.lat, query.near.lon, query.near.radius_km)
                conds.append(distance <= query.near.radius_km)
        score_col = score if score is not None else literal(0.0, Float)
        base = select(T.c.listing_id, T.c.price_fen, T.c.published_at, T.c.lat, T.c.lon,
                      T.c.category, T.c.kind, T.c.condition, T.c.energy_grade, T.c.legal_class,
                      T.c.cosmetic_grade, T.c.region_province,
                      T.c.region_city, T.c.region_code, score_col.label("score"),
                      T.c.body_tokens.startswith(intents.ACCESSORY_TOKEN, autoescape=True).label("accessory"),
                      (distance if distance is not None else cast(null(), Float)).label("distance"))
        if fts is not None:
            base = base.join(fts, match)
        elif match is not None:
            base = base.where(match)
        matched = base.where(*conds).subquery("matched")
        keys = _sort_keys(query, matched)
        page = select(matched.c.listing_id, matched.c.score, matched.c.distance, matched.c.accessory,
                      *[k for k, _ in keys])
        if query.after:
            page = page.where(_after(keys, query.after))
        page = page.order_by(*[k.desc() if d == "desc" else k.asc() for k, d in keys]).limit(query.limit)
        with _unavailable_on_db_errors(), self.engine.connect() as conn:
            rows = conn.execute(page).all()
            total = (conn.execute(select(func.count()).select_from(matched)).scalar_one() if query.count
                     else len(rows))
            facets = self._facets(conn, query, matched)
        hits = [
            Hit(id=str(r[0]), score=float(r[1]) if score is not None else None,
                distance_km=float(r[2]) if r[2] is not None else None,
                accessory=bool(r[3]), sort=tuple(_json_value(v) for v in r[4:]))
            for r in rows
        ]
        return SearchResult(hits=hits, total=total, facets=facets)

    def _facets(self, conn, query: SearchQuery, matched) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for name in es_dsl.KEYWORD_FACETS:
            if name in query.facets:
                out[name] = _group(conn, matched.c[name])
        if "region" in query.facets:
            out["region"] = _group(conn, matched.c[es_dsl.region_facet_field(query)])
        if "price" in query.facets:
            whens = []
            for low, high in PRICE_BUCKETS:
                cond = and_(*(c for c in (
                    matched.c.price_fen >= low if low is not None else None,
                    matched.c.price_fen < high if high is not None else None) if c is not None))
                whens.append((cond, es_dsl.price_key(low, high)))
            bucket = case(*whens, else_=None)
            counts = dict(_group(conn, bucket))
            out["price"] = [(es_dsl.price_key(lo, hi), counts[es_dsl.price_key(lo, hi)])
                            for lo, hi in PRICE_BUCKETS if counts.get(es_dsl.price_key(lo, hi))]
        return out

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        norm = tx.normalize(prefix).strip()
        if not norm:
            return []
        out: dict[str, Suggestion] = {}
        with _unavailable_on_db_errors(), self.engine.connect() as conn:
            for column, display, kind in (
                (T.c.suggest_brand, T.c.brand, "brand"),
                (T.c.suggest_model, func.coalesce(T.c.brand + " " + T.c.model, T.c.model), "model"),
                (T.c.suggest_title, T.c.title, "title"),
            ):
                stmt = (select(display).where(T.c.published.is_(True), column.startswith(norm, autoescape=True))
                        .group_by(display).order_by(func.count().desc(), display).limit(limit))
                for (value,) in conn.execute(stmt):
                    if value:
                        out.setdefault(value.casefold(), Suggestion(value, kind))
        return list(out.values())[:limit]


def _boosts(plan: TextPlan, score):
    """The intent's multiplicative factors (search.intent), as Elasticsearch's function_score applies them:
    the kind the words name first ("冰箱": fridges before fridge magnets), accessories after devices
    unless the query names an accessory, the storage size the query names."""
    intent = plan.intent
    if intent.kinds:
        score = score * case((T.c.kind.in_(intent.kinds), intent.kind_boost), else_=1.0)
    factor = (intents.ACCESSORY_PROMOTION if intent.accessory else
              intents.ACCESSORY_DEMOTION if intent.device else None)
    if factor is not None:
        marked = T.c.body_tokens.startswith(intents.ACCESSORY_TOKEN, autoescape=True)
        score = score * case((marked, factor), else_=1.0)
    if intent.storage_gb:
        score = score * case((T.c.storage_gb == intent.storage_gb, intents.STORAGE_BOOST), else_=1.0)
    return score


def _group(conn, column) -> list[tuple[str, int]]:
    rows = conn.execute(select(column, func.count()).where(column.is_not(None)).group_by(column)
                        .order_by(func.count().desc(), column).limit(50))
    return [(str(v), n) for v, n in rows]


def _sort_keys(query: SearchQuery, m) -> list[tuple[Any, str]]:
    if query.sort == "price_asc":
        return [(m.c.price_fen, "asc"), (m.c.listing_id, "asc")]
    if query.sort == "price_desc":
        return [(m.c.price_fen, "desc"), (m.c.listing_id, "asc")]
    if query.sort == "newest":
        return [(m.c.published_at, "desc"), (m.c.listing_id, "asc")]
    if query.sort == "distance":
        return [(m.c.distance, "asc"), (m.c.listing_id, "asc")]
    return [(m.c.score, "desc"), (m.c.published_at, "desc"), (m.c.listing_id, "asc")]


def _after(keys: list[tuple[Any, str]], values: tuple) -> Any:
    """Keyset condition "strictly after these sort values", direction by direction."""
    if len(values) != len(keys):
        raise QueryError({"cursor": ["The cursor belongs to a different query."]})
    typed = []
    for (column, _), value in zip(keys, values):
        if column.name == "listing_id":
            value = uuid.UUID(str(value))
        elif column.name == "published_at" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        typed.append(value)
    clauses = []
    for i, (column, direction) in enumerate(keys):
        step = column < typed[i] if direction == "desc" else column > typed[i]
        clauses.append(and_(*[keys[j][0] == typed[j] for j in range(i)], step))
    return or_(*clauses)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _distance_sql(lat: float, lon: float):
    """Haversine in SQL (both PostgreSQL and SQLite >= 3.35 have the math functions)."""
    dlat = (func.radians(T.c.lat) - func.radians(lat)) / 2
    dlon = (func.radians(T.c.lon) - func.radians(lon)) / 2
    a = func.sin(dlat) * func.sin(dlat) + func.cos(func.radians(lat)) * func.cos(func.radians(T.c.lat)) \
        * func.sin(dlon) * func.sin(dlon)
    return 2 * EARTH_KM * func.asin(func.sqrt(a))


def _bounding_box(lat: float, lon: float, radius_km: float) -> list:
    import math
    dlat = math.degrees(radius_km / EARTH_KM)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_KM * coslat)))
    conds = [T.c.lat.between(lat - dlat, lat + dlat)]
    if dlon < 180.0 and -180 <= lon - dlon and lon + dlon <= 180:
        conds.append(T.c.lon.between(lon - dlon, lon + dlon))
    return conds


def _tsvector_literal(fields: list[tuple[str, str]]) -> str:
    """A tsvector in its input syntax: our tokens verbatim, with positions carrying weights."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for tokens, weight in fields:
        for token in tokens.split():
            pos = min(pos + 1, 16383)
            slots = positions.setdefault(token, [])
            if len(slots) < MAX_POSITIONS_PER_LEXEME:
                slots.append(f"{pos}{weight}")
    return " ".join(f"'{_quote(tok)}':{','.join(p)}" for tok, p in positions.items())


def _quote(token: str) -> str:
    return token.replace("\\", "\\\\").replace("'", "''")


def _tsquery(expr: Expr) -> str:
    kind = expr[0]
    if kind == "term":
        return f"'{_quote(expr[1])}'"
    if kind == "not":
        return f"({_tsquery(expr[1])} & !{_tsquery(expr[2])})"
    joiner = " & " if kind == "and" else " | "
    return "(" + joiner.join(_tsquery(e) for e in expr[1]) + ")"


def _fts5(expr: Expr) -> str:
    kind = expr[0]
    if kind == "term":
        return '"' + expr[1].replace('"', '""') + '"'
    if kind == "not":
        return f"({_fts5(expr[1])} NOT {_fts5(expr[2])})"
    joiner = " AND " if kind == "and" else " OR "
    return "(" + joiner.join(_fts5(e) for e in expr[1]) + ")"


class _unavailable_on_db_errors:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if isinstance(exc, OperationalError):
            raise SearchUnavailable(f"search database unavailable: {type(exc.orig).__name__}") from exc
        return False
