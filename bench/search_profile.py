"""Where the app's own CPU goes on GET /api/v1/search: the bench's query mix through the Flask test
client (no gunicorn, no wrk), Elasticsearch backend, against the index and database of
bench/search_load.py. Prints CPU per request (time.process_time, no profiler) and a cProfile
breakdown by part of the request (cumulative CPU of the functions that do each part).

Usage: .venv/bin/python bench/search_profile.py [--db huanxin_bench_search] [--index bench-listings]
       [--rounds 10] [--top 0]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG  # noqa: E402
from bench.search_load import ES, QUERY_MIX  # noqa: E402

# part of the request -> (file fragment, function name) whose cumulative CPU is that part
PARTS = [
    ("whole request (test client)", ("werkzeug/test.py", "open")),
    ("view function", ("marketplace/api/search/routes.py", "search")),
    ("argument parsing: flask-smorest/webargs", ("webargs/core.py", "parse")),
    ("argument parsing: search.query.parse_params", ("search/query.py", "parse_params")),
    ("query plan (engine.plan_for)", ("search/engine.py", "plan_for")),
    ("backend search, total (body + ES call + hits)", ("search/backends/elasticsearch.py", "search")),
    ("  query building (es_dsl.search_body)", ("search/backends/es_dsl.py", "search_body")),
    ("  ES client call (serialise, HTTP, parse)", ("elasticsearch/_sync/client/__init__.py", "search")),
    ("read-back + hit serialisation (routes._hits)", ("marketplace/api/search/routes.py", "_hits")),
    ("  PostgreSQL read-back (Connection.execute)", ("sqlalchemy/engine/base.py", "execute")),
    ("  seller summaries (cache)", ("marketplace/api/listings/sellers.py", "many")),
    ("  highlights", ("search/analysis.py", "highlight_memo")),
    ("  hit_json", ("marketplace/api/search/schemas.py", "hit_json")),
    ("facets (routes._facets)", ("marketplace/api/search/routes.py", "_facets")),
    ("response JSON (jsonify)", ("flask/json/__init__.py", "jsonify")),
]


def cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if func == name and filename.replace(os.sep, "/").endswith(fragment):
            total += ct
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="huanxin_bench_search")
    ap.add_argument("--index", default="bench-listings")
    ap.add_argument("--rounds", type=int, default=10, help="passes over the query mix per measurement")
    ap.add_argument("--top", type=int, default=0, help="also print the top N functions by own time")
    args = ap.parse_args()
    os.environ.update({"DATABASE_URL": f"{PG}/{args.db}", "ID_HASH_KEY": "bench", "SECRET_KEY": "bench",
                       "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "false", "SEARCH_BACKEND": "elasticsearch",
                       "ELASTICSEARCH_URL": ES, "SEARCH_INDEX": args.index, "SEARCH_RELAY_INLINE": "false"})
    from wsgi import app  # noqa: E402 (reads the environment above)
    from search import analysis
    analysis.warm()
    client = app.test_client()
    urls = ["/api/v1/search?" + urlencode(p) for p in QUERY_MIX]

    def run(n: int) -> None:
        for _ in range(n):
            for url in urls:
                r = client.get(url)
                assert r.status_code == 200, r.get_data(as_text=True)

    run(2)  # warm caches (plans, labels, sellers, connections)
    per_request = []
    for _ in range(3):
        start = time.process_time()
        run(args.rounds)
        per_request.append((time.process_time() - start) / (args.rounds * len(urls)) * 1000)
    print("CPU per request, ms (3 runs):", ", ".join(f"{x:.2f}" for x in per_request))
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    run(args.rounds)
    prof.disable()
    stats = pstats.Stats(prof)
    n = args.rounds * len(urls)
    whole = cumulative(stats, *PARTS[0][1]) / n * 1000
    print(f"cProfile (CPU, profiler overhead included), {n} requests:")
    for label, (fragment, name) in PARTS:
        ms = cumulative(stats, fragment, name) / n * 1000
        print(f"  {label:52s} {ms:6.3f} ms  {ms / whole * 100:5.1f} %")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
