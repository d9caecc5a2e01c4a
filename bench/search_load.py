"""Search under load and indexing through the relay, each as a ratio to raw Elasticsearch.

1. Indexing: 100,000 listings (seeded once into PostgreSQL database `huanxin_bench_search`)
   shipped by two relay worker processes (`search.sync.drain`; each claims outbox rows, read listings, build
   documents with the shared text pipeline, bulk with external versions, delete the rows) against
   `elasticsearch.helpers.bulk` of the same documents, prebuilt in memory, into an index with the
   same mapping, timed before and after each relay run (the faster is that run's baseline); three
   relay runs by default, the median ratio reported. Target: relay >= 0.7 of raw bulk.
2. Search: `GET /api/v1/search` (gunicorn, 2 workers x 4 threads, SEARCH_BACKEND=elasticsearch)
   for a fixed query mix against the same queries' `_search` bodies sent straight to
   Elasticsearch, both driven by wrk with a Lua script rotating through the mix, alternating for
   three rounds (median). Target: app >= 0.8 of direct ES (issues 15 and 21). Reported twice: against
   the first body of each query only (`ratio`), and against every body the app sends
   (`ratio_same_requests`: a query whose first page is short also sends its near-match query,
   search.engine; direct ES is then counted in app requests served per second).

--pin measures a deployment's topology on this 2-core machine: Elasticsearch on CPU 1 alone, the
app's gunicorn and wrk on CPU 0, for both sides (the direct run gives Elasticsearch the same one
core). Without it the app, wrk and Elasticsearch share both cores, and the ratio is bounded by the
app's CPU per request against the node's (docs/BENCHMARKS.md).

Usage: .venv/bin/python bench/search_load.py [--listings 100000] [--seconds 8] [--skip-index | --skip-search]
       [--relay-processes 2] [--relay-batch 1000] [--index-rounds 3]
       [--db huanxin_bench_search] [--index bench-listings] [--app-dir=DIR] [--pin]

--db and --index name the bench's own database and index alias (so that two engineers' runs do not
collide). --app-dir=DIR (with "=") runs another checkout's code, e.g. an older commit exported with
`git archive`: its app under gunicorn and its `search` package to build the direct bodies, so each
code is compared with the queries it sends itself. Each search round also reports the CPU seconds
of the app's gunicorn processes and of Elasticsearch per request (/proc/<pid>/stat before and after).
"""
from __future__ import annotations

import argparse
import multiprocessing
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

# --app-dir=DIR must be known before the imports below: they load that checkout's code.
_APP_DIR = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--app-dir=")), None)
sys.path.insert(0, str(Path(_APP_DIR).resolve() if _APP_DIR else Path(__file__).resolve().parent.parent))

from elasticsearch import helpers  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.common import Server, ensure_db, ensure_wrk, flask, group_cpu_seconds, pin_pids, pinned  # noqa: E402
from search.backends import elasticsearch as es_backend_module  # noqa: E402
from search import sync  # noqa: E402
from search import engine as search_engine  # noqa: E402
from search.engine import plan_for  # noqa: E402
from search.backends import es_dsl  # noqa: E402
from search.backends.elasticsearch import ElasticsearchBackend, make_client  # noqa: E402
from search.query import parse_params  # noqa: E402

ES = os.environ.get("BENCH_ES", "http://127.0.0.1:9200")
ALIAS = "bench-listings"  # --index
DB = "huanxin_bench_search"  # --db
QUERY_MIX = [
    {"q": "冰箱"},
    {"q": "海尔冰箱", "energy_grade": "1"},
    {"q": "iPhone 13 128G"},
    {"q": "华为手机", "sort": "price_asc"},
    {"q": "空调", "region": "44"},
    {"q": "washing machine"},
    {"q": "新能源", "category": "vehicle", "year_min": "2020"},
    {"q": "samsng galaxy"},
    {"category": "electronics", "price_min": "100000", "price_max": "500000", "sort": "price_desc"},
    {"near": "31.23,121.47", "radius_km": "30", "sort": "distance"},
    {"q": "笔记本电脑 联想"},
    {"kind": "refrigerator", "sort": "newest"},
]


def lua_script(requests: list[tuple[str, str, str | None]]) -> str:
    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)
    rows = ",\n".join(f"  {{{q(m)}, {q(p)}, {q(b) if b else 'nil'}}}" for m, p, b in requests)
    return f"""local reqs = {{
{rows}
}}
local i = 0
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  if r[3] then
    return wrk.format(r[1], r[2], {{["Content-Type"] = "application/json"}}, r[3])
  end
  return wrk.format(r[1], r[2])
end
"""


def es_pids() -> list[int]:
    """Elasticsearch's JVM (read only: /proc/<pid>/stat for its CPU)."""
    out = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"org.elasticsearch.bootstrap.Elasticsearch" in cmdline.read_bytes():
                out.append(int(cmdline.parent.name))
        except OSError:
            continue
    return out


def pid_cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --pin: the topology of a deployment, on this machine's two cores. Elasticsearch (every JVM
# thread) on CPU 1 alone, the app's gunicorn and wrk on CPU 0, for both sides of the comparison:
# the direct run gives Elasticsearch the same one core the app run does. Without it everything
# shares both cores, and the ratio is bounded by the app's CPU per request against the node's.
PIN = {"es": "1", "app": "0", "wrk": "0"}
PINNED = False


def run_wrk(base: str, script: str, seconds: int, connections: int = 16, app_pgid: int | None = None) -> dict:
    """wrk for ``seconds``; with CPU per request (ms) of the app's process group and of Elasticsearch."""
    es = es_pids()
    cpu_app = group_cpu_seconds(app_pgid) if app_pgid else 0.0
    cpu_es = pid_cpu_seconds(es)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as f:
        f.write(script)
    out = subprocess.run(pinned(PIN["wrk"] if PINNED else None) + [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", f.name, base],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{base}: {non2xx.group(1)} error responses\n{out}")
    cpu_es = pid_cpu_seconds(es) - cpu_es
    cpu_app = group_cpu_seconds(app_pgid) - cpu_app if app_pgid else 0.0
    done = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": lat["50"], "p99": lat["99"],
            "requests": done, "app_cpu_ms": round(cpu_app / done * 1000, 2) if app_pgid and done else None,
            "es_cpu_ms": round(cpu_es / done * 1000, 2) if done else None}


def seed(url: str, n: int, env: dict) -> int:
    flask("migrate", env=env)
    engine = create_engine(url)
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM listings")).scalar()
    if have == 0:
        flask("seed", "--listings", str(n), env=env)
    with engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM listings")).scalar()


def requeue_outbox(engine) -> int:
    """One outbox row per listing, as if every listing had just changed."""
    with engine.begin() as c:
        c.execute(text("DELETE FROM search_outbox"))
        c.execute(text("INSERT INTO search_outbox (listing_id, revision, created_at) "
                       "SELECT id, revision, now() FROM listings"))
        return c.execute(text("SELECT count(*) FROM search_outbox")).scalar()


RELAY_PROCESSES = 2  # `flask search relay` workers; SKIP LOCKED hands each its own batches
RELAY_BATCH = 1000  # `flask search relay --batch-size 1000`


def _relay_process(url: str, batch: int) -> tuple[int, int]:
    """One relay worker process, as `flask search relay --once` would run it."""
    engine = create_engine(url)
    backend = ElasticsearchBackend(make_client(ES, timeout=120), alias=ALIAS)
    result = sync.drain(sessionmaker(engine, expire_on_commit=False), [backend], batch_size=batch)
    return result.claimed, result.failed


def bench_indexing(url: str, es, processes: int = RELAY_PROCESSES, batch: int = RELAY_BATCH,
                   rounds: int = 1) -> dict:
    """``rounds`` relay runs, each between two raw runs (shared with its neighbours); a round's
    baseline is the faster of its two raw runs; the median round is reported (the machine is shared)."""
    engine = create_engine(url, pool_size=4)
    factory = sessionmaker(engine, expire_on_commit=False)
    for name in (f"{ALIAS}-*", f"raw-{ALIAS}-*"):
        es.indices.delete(index=name, allow_no_indices=True)
    # Raw: documents built beforehand, then only helpers.bulk is timed.
    with factory() as s:
        sources = [(d.id, d.revision, es_dsl.to_source(d)) for d in sync.iter_documents(s)]
    engine.dispose()

    def raw_bulk() -> float:
        es.indices.delete(index=f"raw-{ALIAS}-*", allow_no_indices=True)
        raw = ElasticsearchBackend(es, alias=f"raw-{ALIAS}")
        raw.ensure_index()
        start = time.perf_counter()
        helpers.bulk(es.options(request_timeout=120),
                     ({"_index": f"raw-{ALIAS}", "_id": i, "version": v, "version_type": "external", "_source": src}
                      for i, v, src in sources), chunk_size=1000)
        es.indices.refresh(index=f"raw-{ALIAS}")
        return time.perf_counter() - start

    def relay() -> float:
        """The whole path from outbox rows to searchable documents, into a fresh index."""
        es.indices.delete(index=f"{ALIAS}-*", allow_no_indices=True)
        backend = ElasticsearchBackend(es, alias=ALIAS)
        backend.ensure_index()
        engine = create_engine(url)
        rows = requeue_outbox(engine)
        engine.dispose()  # the forked relays open their own connections
        ctx = multiprocessing.get_context("fork")
        start = time.perf_counter()
        with ctx.Pool(processes) as pool:
            results = pool.starmap(_relay_process, [(url, batch)] * processes)
        backend.refresh()
        elapsed = time.perf_counter() - start
        assert sum(r[0] for r in results) == rows and sum(r[1] for r in results) == 0
        count = es.count(index=ALIAS, query={"match_all": {}})["count"]
        assert count == len(sources), (count, len(sources))
        return elapsed

    raw_runs = [raw_bulk()]
    relay_runs = []
    for _ in range(rounds):
        relay_runs.append(relay())
        raw_runs.append(raw_bulk())  # before and after each relay run; the faster one is its baseline
    es.indices.delete(index=f"raw-{ALIAS}-*", allow_no_indices=True)
    per_round = [(min(raw_runs[i], raw_runs[i + 1]), relay_runs[i]) for i in range(rounds)]
    raw_s, relay_s = sorted(per_round, key=lambda r: r[0] / r[1])[(rounds - 1) // 2]
    return {"documents": len(sources), "raw_runs_s": [round(r, 1) for r in raw_runs],
            "relay_runs_s": [round(r, 1) for r in relay_runs], "rounds": [round(a / b, 2) for a, b in per_round],
            "raw_docs_per_s": round(len(sources) / raw_s), "relay_docs_per_s": round(len(sources) / relay_s),
            "ratio": round(raw_s / relay_s, 2), "relay_processes": processes, "relay_batch": batch}


def bench_search(url: str, es, seconds: int, env: dict) -> dict:
    backend = ElasticsearchBackend(es, alias=ALIAS)
    profile = backend.profile
    # The direct requests are what the app's code sends: its body, and its filter_path if it has one.
    filter_path = getattr(es_backend_module, "SEARCH_FILTER", None)
    direct_path = f"/{ALIAS}/_search" + (f"?filter_path={','.join(filter_path)}" if filter_path else "")
    app_reqs, es_reqs, es_all = [], [], []
    for params in QUERY_MIX:
        query = parse_params(params)
        body = es_dsl.search_body(query, plan_for(query.text), profile)
        app_reqs.append(("GET", "/api/v1/search?" + urlencode(params), None))
        es_reqs.append(("POST", direct_path, json.dumps(body, ensure_ascii=False)))
        es_all += [("POST", direct_path, json.dumps(b, ensure_ascii=False)) for b in sent_bodies(backend, query)]
    # Direct ES "per app request" when it is sent every body the app sends (near matches included)
    per_app_request = len(QUERY_MIX) / len(es_all)
    app = Server("wsgi:app", {**env, "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": ES,
                              "SEARCH_INDEX": ALIAS, "SEARCH_RELAY_INLINE": "false"},
                 cpus=PIN["app"] if PINNED else None)
    if PINNED:
        pin_pids(es_pids(), PIN["es"])
    pgid = app.proc.pid  # start_new_session: the master leads the workers' process group
    try:
        base = f"http://127.0.0.1:{app.port}"
        # warm up: 5 s, as each app worker loads jieba's dictionary (~1-4 s) when it starts
        run_wrk(base, lua_script(app_reqs), 5), run_wrk(ES, lua_script(es_reqs), 5)
        rounds = []
        for _ in range(3):
            load = os.getloadavg()[0]
            app_run = run_wrk(base, lua_script(app_reqs), seconds, app_pgid=pgid)
            direct = run_wrk(ES, lua_script(es_reqs), seconds)
            same = run_wrk(ES, lua_script(es_all), seconds)
            same["rps_per_app_request"] = round(same["rps"] * per_app_request, 2)
            rounds.append((app_run, direct, load, same))
    finally:
        app.stop()
        if PINNED:
            pin_pids(es_pids(), "0-%d" % (os.cpu_count() - 1))
    med = sorted(rounds, key=lambda r: r[0]["rps"] / r[1]["rps"])[1]
    same_med = sorted(rounds, key=lambda r: r[0]["rps"] / r[3]["rps_per_app_request"])[1]
    return {"app": med[0], "direct_es": med[1], "ratio": round(med[0]["rps"] / med[1]["rps"], 2),
            "rounds": [round(r[0]["rps"] / r[1]["rps"], 2) for r in rounds],
            # The same ES requests the app sends, near-match queries included (len(es_all) per mix)
            "direct_es_same_requests": same_med[3],
            "ratio_same_requests": round(same_med[0]["rps"] / same_med[3]["rps_per_app_request"], 2),
            "rounds_same_requests": [round(r[0]["rps"] / r[3]["rps_per_app_request"], 2) for r in rounds],
            "es_requests_per_mix": [len(QUERY_MIX), len(es_all)],
            "app_cpu_ms_per_request": [r[0]["app_cpu_ms"] for r in rounds],
            "es_cpu_ms_per_app_request": [r[0]["es_cpu_ms"] for r in rounds],
            "es_cpu_ms_per_direct_request": [r[1]["es_cpu_ms"] for r in rounds],
            "load_average": [round(r[2], 1) for r in rounds], "pinned": PIN if PINNED else None}


def sent_bodies(backend, query) -> list[dict]:
    """Every ``_search`` body the app's engine sends for ``query`` (the exact matches, then the
    near matches on a short first page), recorded by running it once against the index."""
    plan = plan_for(query.text)
    run = getattr(search_engine, "search", None)
    if run is None:  # a checkout from before search.engine: one body per query
        return [es_dsl.search_body(query, plan, backend.profile)]
    bodies, inner = [], backend.search

    def recording(q, p):
        bodies.append(es_dsl.search_body(q, p, backend.profile))
        return inner(q, p)
    backend.search = recording
    try:
        run(backend, query, plan)
    finally:
        backend.search = inner
    return bodies


def main() -> None:
    global ALIAS, PINNED
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--skip-index", action="store_true", help="reuse the index of a previous run")
    ap.add_argument("--skip-search", action="store_true", help="measure indexing only")
    ap.add_argument("--relay-processes", type=int, default=RELAY_PROCESSES, help="relay worker processes")
    ap.add_argument("--relay-batch", type=int, default=RELAY_BATCH, help="outbox rows per relay batch")
    ap.add_argument("--index-rounds", type=int, default=3, help="relay runs (median reported)")
    ap.add_argument("--db", default=DB, help="the bench's PostgreSQL database (created and seeded once)")
    ap.add_argument("--index", default=ALIAS, help="the bench's index alias (indices are <alias>-*)")
    ap.add_argument("--app-dir", help="another checkout's code to run (give it as --app-dir=DIR)")
    ap.add_argument("--pin", action="store_true",
                    help="Elasticsearch on CPU 1, the app and wrk on CPU 0, for both sides (a deployment's topology)")
    args = ap.parse_args()
    ALIAS, PINNED = args.index, args.pin
    url = ensure_db(args.db)
    env = {"DATABASE_URL": url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "RATELIMIT_ENABLED": "false", "SEARCH_BACKEND": "database", "SEARCH_RELAY_INLINE": "false"}
    total = seed(url, args.listings, env)
    es = make_client(ES, timeout=120)
    report = {"listings": total}
    if not args.skip_index:
        report["indexing"] = bench_indexing(url, es, args.relay_processes, args.relay_batch, args.index_rounds)
        print(json.dumps(report["indexing"], indent=2), flush=True)
    if not args.skip_search:
        report["search"] = bench_search(url, es, args.seconds, env)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    i, s = report.get("indexing"), report.get("search")
    if i:
        print(f"| indexing {i['documents']} listings | relay {i['relay_docs_per_s']} docs/s | raw bulk "
              f"{i['raw_docs_per_s']} docs/s | **{i['ratio']}** |")
    if s:
        print(f"| search query mix | app {s['app']['rps']:.0f} req/s (p50 {s['app']['p50']}, p99 {s['app']['p99']}) | "
              f"direct ES {s['direct_es']['rps']:.0f} req/s (p50 {s['direct_es']['p50']}, p99 {s['direct_es']['p99']}) | "
              f"**{s['ratio']}** |")
        d = s["direct_es_same_requests"]
        print(f"| search, every ES request the app sends ({s['es_requests_per_mix'][1]} per {s['es_requests_per_mix'][0]}) | "
              f"app | direct ES {d['rps_per_app_request']:.0f} app-requests/s | **{s['ratio_same_requests']}** |")


if __name__ == "__main__":
    main()
