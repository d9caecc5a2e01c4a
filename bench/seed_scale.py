"""Seed 10,000, 100,000 or 1,000,000 listings, with proportionate other rows, in minutes.

The realistic seed (`flask seed`, every domain through its own code: certificates signed,
pickups booked, trades reviewed, credit scored) runs once, for a base of 10,000 listings, into
`huanxin_bench_scale_10000`. A bigger size is a copy of that database (`CREATE DATABASE ...
TEMPLATE`, a file copy) grown by set-based SQL: for each table of the catalogue and its history
(users, listings, photos metadata, price changes, certificates, orders, trade-ins, pickups,
subsidy history, credit, the database search backend's documents) one `INSERT ... SELECT ...
CROSS JOIN generate_series(1, factor - 1)` writes `factor - 1` copies of every base row. A copy's
UUIDs are `md5(uuid || ':' || k)::uuid`, the same function for a key and for every column that
points at it, so copies keep their links (a copied order points at the copied listing and the
copied buyer); keys into tables that are not copied (organisations, policies, slots) stay as
they are. Copies are spread back in time (`created_at` and `published_at` k × 37 min earlier) so
the catalogue's order is not one timestamp repeated.

Elasticsearch gets the listings through the application's own full reindex
(`search.sync.reindex`: `helpers.streaming_bulk`, then an alias swap) into the alias
`scale-<size>-listings`, so nothing another engineer's index uses is touched.

Usage: .venv/bin/python bench/seed_scale.py --listings 10000|100000|1000000 [--skip-es | --reindex-only]
Prints one JSON line of timings (seconds) per step.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.common import PG, flask  # noqa: E402

BASE = 10_000
ES = os.environ.get("BENCH_ES", "http://127.0.0.1:9200")
# Copied, parents before children (foreign keys are checked at the end of each statement).
TABLES = ("users", "listings", "listing_photos", "listing_price_changes", "search_documents",
          "wipe_certificates", "orders", "reviews", "tradeins", "pickup_bookings", "subsidy_claims",
          "subsidy_reservations", "credit_scores", "credit_events", "seller_standing", "favourites",
          "conversations")
SPREAD = "interval '37 minutes'"  # how far back each generation of copies is moved
SHIFTED = ("created_at", "published_at")


def db_name(size: int) -> str:
    return f"huanxin_bench_scale_{size}"


def env_for(size: int) -> dict:
    return {"DATABASE_URL": f"{PG}/{db_name(size)}", "ID_HASH_KEY": "bench", "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "false", "SEARCH_BACKEND": "database",
            "SEARCH_RELAY_INLINE": "false", "SEARCH_INDEX": alias(size)}


def alias(size: int) -> str:
    return f"scale-{size}-listings"


def psql(sql: str) -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", sql], capture_output=True,
                          text=True, check=True).stdout.strip()


def exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname='{name}'") == "1"


def _columns(conn, table: str) -> list[tuple[str, str, int | None, bool]]:
    """(name, type, max length, has a sequence default) of a table's columns."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT column_name, data_type, character_maximum_length, coalesce(column_default LIKE 'nextval%', false) "
        "FROM information_schema.columns WHERE table_schema='public' AND table_name=:t ORDER BY ordinal_position"),
        {"t": table})]


def _kept_uuid_columns(conn, table: str, copied: set[str]) -> set[str]:
    """UUID columns holding keys of tables that are not copied: the copies keep pointing there."""
    rows = conn.execute(text(
        "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
        "WHERE c.contype = 'f' AND c.conrelid = CAST(:t AS regclass)"), {"t": table}).all()
    return {col for col, target in rows if target not in copied}


def _unique_text_columns(conn, table: str) -> set[str]:
    rows = conn.execute(text(
        "SELECT a.attname FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid "
        "AND a.attnum = ANY(x.indkey) WHERE x.indisunique AND x.indrelid = CAST(:t AS regclass) "
        "AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)"), {"t": table}).all()
    return {r[0] for r in rows}


def copy_statement(conn, table: str, factor: int, copied: set[str]) -> str:
    kept = _kept_uuid_columns(conn, table, copied)
    unique = _unique_text_columns(conn, table) | ({"device_hash", "serial_hash"} if table == "listings" else set())
    names, exprs = [], []
    for name, dtype, length, serial in _columns(conn, table):
        if serial:
            continue  # a fresh sequence value
        q = f'"{name}"'
        if dtype == "uuid" and name not in kept:
            expr = f"md5({q}::text || ':' || k)::uuid"
        elif name in unique:
            # Still unique, still within the column's length.
            expr = f"left(k || '~' || {q}, {length})" if length else f"k || '~' || {q}"
        elif name in SHIFTED and dtype.startswith("timestamp"):
            expr = f"{q} - k * {SPREAD}"
        else:
            expr = q
        names.append(q)
        exprs.append(expr)
    return (f'INSERT INTO "{table}" ({", ".join(names)}) SELECT {", ".join(exprs)} '
            f'FROM "{table}" CROSS JOIN generate_series(1, {factor - 1}) AS k')


def grow(url: str, factor: int) -> dict:
    """Copy every base row of TABLES factor - 1 times; returns seconds and rows per table."""
    engine = create_engine(url)
    report = {}
    with engine.begin() as conn:
        present = {r[0] for r in conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"))}
        copied = {t for t in TABLES if t in present}
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        for table in TABLES:
            if table not in copied:
                continue
            start = time.perf_counter()
            rows = conn.execute(text(copy_statement(conn, table, factor, copied))).rowcount
            report[table] = {"rows_added": rows, "s": round(time.perf_counter() - start, 1)}
            print(json.dumps({"copied": table, **report[table]}), flush=True)
        conn.execute(text("DELETE FROM search_outbox"))  # the copies are indexed by the reindex below
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        start = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        report["vacuum_analyze_s"] = round(time.perf_counter() - start, 1)
    engine.dispose()
    return report


def reindex_es(url: str, size: int) -> dict:
    """The application's full reindex with alias swap into this size's own alias."""
    from search import sync
    from search.backends.elasticsearch import ElasticsearchBackend, make_client
    engine = create_engine(url)
    es = make_client(ES, timeout=300)
    backend = ElasticsearchBackend(es, alias=alias(size))
    start = time.perf_counter()
    written = sync.reindex(sessionmaker(engine), backend)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return {"documents": written, "s": round(elapsed, 1), "docs_per_s": round(written / elapsed)}


def seed(size: int, skip_es: bool = False, reindex_only: bool = False) -> dict:
    if size % BASE:
        raise SystemExit(f"--listings must be a multiple of {BASE}")
    timings: dict = {"listings": size}
    base, name = db_name(BASE), db_name(size)
    start = time.perf_counter()
    if not exists(base):
        psql(f"CREATE DATABASE {base} OWNER huanxin")
        flask("migrate", env=env_for(BASE))
        flask("seed", "--listings", str(BASE), env=env_for(BASE))
        # The database backend's documents, built by the relay's own text pipeline (copied below).
        flask("search", "relay", "--once", env=env_for(BASE))
        timings["base_seed_s"] = round(time.perf_counter() - start, 1)
    if reindex_only:
        return {**timings, "es_reindex": reindex_es(f"{PG}/{name}", size)}
    if size != BASE:
        if exists(name):
            raise SystemExit(f"{name} exists: drop it to reseed (psql -c 'DROP DATABASE {name}')")
        start = time.perf_counter()
        psql(f"CREATE DATABASE {name} OWNER huanxin TEMPLATE {base}")
        timings["template_copy_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        timings["grow"] = grow(f"{PG}/{name}", size // BASE)
        timings["grow_s"] = round(time.perf_counter() - start, 1)
    if not skip_es:
        timings["es_reindex"] = reindex_es(f"{PG}/{name}", size)
    return timings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, choices=(10_000, 100_000, 1_000_000), default=100_000)
    ap.add_argument("--skip-es", action="store_true", help="PostgreSQL only")
    ap.add_argument("--reindex-only", action="store_true",
                    help="the database exists: rebuild its Elasticsearch index only (e.g. after dropping it)")
    args = ap.parse_args()
    start = time.perf_counter()
    timings = seed(args.listings, args.skip_es, args.reindex_only)
    timings["total_s"] = round(time.perf_counter() - start, 1)
    timings["load"] = [round(x, 1) for x in os.getloadavg()]
    timings["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    name = f"seed_{args.listings}" + ("-reindex" if args.reindex_only else "")
    (out / f"{name}.json").write_text(json.dumps(timings, indent=1) + "\n")
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
