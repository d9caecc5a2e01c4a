"""Where Elasticsearch's time goes on the search query mix: the facets, the exact total, ranking.

Each body of bench/search_load.py's QUERY_MIX, as the app builds it (`es_dsl.search_body`), is sent
in four variants, one after another (no concurrency), `--repeat` times each after 3 warm-ups:
as sent; without the facet aggregations; with the total capped at 10,000 (`track_total_hits`,
Elasticsearch's default); with neither (ranking only). Prints, per query and variant, the wall time
and Elasticsearch's CPU per request (/proc of its JVM), then the sum of one pass of the mix per
variant. Run it against two sizes of bench/seed_scale.py to see which part grows with the catalogue.

Usage: .venv/bin/python bench/search_cost_parts.py <index alias> [--repeat 10]
e.g.   bench/prioritise_es.sh .venv/bin/python bench/search_cost_parts.py scale-1000000-listings
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_load import ES, QUERY_MIX, es_pids, pid_cpu_seconds  # noqa: E402
from search.backends import es_dsl  # noqa: E402
from search.backends.elasticsearch import SEARCH_FILTER, ElasticsearchBackend, make_client  # noqa: E402
from search.engine import plan_for  # noqa: E402
from search.query import parse_params  # noqa: E402


def variants(body: dict):
    yield "as sent", body
    yield "no facets", {k: v for k, v in body.items() if k != "aggs"}
    yield "total capped", {**body, "track_total_hits": 10_000}
    yield "ranking only", {**{k: v for k, v in body.items() if k != "aggs"}, "track_total_hits": False}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("alias")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    es = make_client(ES, timeout=60)
    profile = ElasticsearchBackend(es, alias=args.alias).profile
    pids = es_pids()
    passes: dict[str, float] = {}
    for params in QUERY_MIX:
        query = parse_params(params)
        line = f"{str(params)[:44]:46s}"
        for name, body in variants(es_dsl.search_body(query, plan_for(query.text), profile)):
            for _ in range(3):
                es.search(index=args.alias, filter_path=SEARCH_FILTER, **body)
            cpu, start = pid_cpu_seconds(pids), time.perf_counter()
            for _ in range(args.repeat):
                es.search(index=args.alias, filter_path=SEARCH_FILTER, **body)
            wall = 1000 * (time.perf_counter() - start) / args.repeat
            passes[name] = passes.get(name, 0.0) + wall
            line += f" | {name} {wall:6.1f} ms, ES CPU {1000 * (pid_cpu_seconds(pids) - cpu) / args.repeat:6.1f} ms"
        print(line, flush=True)
    print("one pass of the mix (ms):", {k: round(v, 1) for k, v in passes.items()})


if __name__ == "__main__":
    main()
