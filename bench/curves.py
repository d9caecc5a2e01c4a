"""Costs as curves: every measure at 10,000, 100,000 and 1,000,000 listings, in one run.

Needs the databases and indexes of bench/seed_scale.py (`--listings` each size first). For each
size it serves the app twice with gunicorn (2 workers x 4 threads, like the other benches): once
on Elasticsearch (alias `scale-<size>-listings`) and once on the database search backend. Each
HTTP measure is driven by wrk (2 threads, 16 connections) for `--seconds`, for `--rounds` rounds;
inside a round the sizes take turns (rotated each round) so that a burst of load from the
machine's other users falls on every size alike. Reported per measure and size: the median
round's throughput, p50 and p99, and the load average when it ran. Direct Elasticsearch on the
same query mix (no app) is measured beside the app's search as its baseline.

Pickup availability (`pickup_availability`) asks the two queries of bench/pickups_availability.py
among the 1,000 recyclers bench/seed_history.py gives every size: its cost should follow recyclers
and bookings near the address, not the catalogue.

Not HTTP: relay indexing (`--relay-rows` random listings re-queued, drained by two relay
processes into the size's alias: documents per second), a full reindex with alias swap (the
timing bench/seed_scale.py recorded, or `--reindex` to redo it), and credit recompute of every
participant of the size (`services.credit.batch.recompute_many`, per subject).

After the measures the resident memory of each server's processes (master + workers) is read.
Writes docs/benchmarks/curves.json and one PNG per measure (p50 and throughput against size).

Usage: .venv/bin/python bench/curves.py [--sizes 10000,100000,1000000] [--seconds 5] [--rounds 3]
       [--only listing_deep,search_pg] [--out docs/benchmarks]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.common import ROOT, Server, ensure_wrk  # noqa: E402
from bench.search_load import QUERY_MIX, lua_script  # noqa: E402
from bench.seed_scale import ES, alias, env_for  # noqa: E402
from bench.subsidies_quote import MIX as QUOTE_MIX  # noqa: E402
from services.pagination import encode_cursor  # noqa: E402

DEEP_PAGES = 500
PAGE = 20
SUGGEST = ["冰", "海尔", "iph", "华为", "空调", "xiaomi", "联想", "特斯"]
# A narrow filter: few listings match at any size, so its facets should cost the same at each.
NARROW = {"kind": "refrigerator", "energy_grade": "1", "region": "4401"}
# The two queries of bench/pickups_availability.py, among the 1,000 Taiyuan recyclers and their
# bookings that bench/seed_history.py gives every size (bookings proportionate to the listings).
PICKUP_QUERIES = [
    "region_code=140105&lat=37.7365&lon=112.5657&items=appliance:refrigerator&days=7&limit=10",
    "region_code=140109&lat=37.8596&lon=112.5159&items=appliance:television&items=electronics:mobile_phone"
    "&days=3&limit=5",
]


def to_ms(value: str) -> float:
    num, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(num) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, seconds: int, script: str | None = None) -> dict:
    path = None
    if script:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as f:
            f.write(script)
        path = f.name
    try:
        # --timeout 10s: a response slower than wrk's default 2 s is measured, not dropped.
        out = subprocess.run([ensure_wrk(), "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "--latency",
                              *(["-s", path] if path else []), url], capture_output=True, text=True, check=True).stdout
    finally:
        if path:
            os.unlink(path)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise RuntimeError(f"{url}: {bad.group(1)} error responses\n{out}")
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    if int(re.search(r"(\d+) requests in", out).group(1)) == 0:
        return {"rps": 0.0, "p50_ms": None, "p99_ms": None, "load": round(os.getloadavg()[0], 1),
                "note": f"no response completed during the {seconds} s run"}
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": to_ms(lat["50"]),
            "p99_ms": to_ms(lat["99"]), "load": round(os.getloadavg()[0], 1)}


def get_script(paths: list[str]) -> str:
    return lua_script([("GET", p, None) for p in paths])


def quote_script() -> str:
    return lua_script([("POST", "/api/v1/subsidies/quote", json.dumps(b, ensure_ascii=False)) for b in QUOTE_MIX])


def rss_mb(pgid: int) -> float:
    total = 0
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss in pages
        except (OSError, IndexError, ValueError):
            continue
    return round(total / 2**20)


class Size:
    """One catalogue size: its database, its two servers and the request targets."""

    def __init__(self, size: int):
        self.size = size
        self.env = env_for(size)
        self.url = self.env["DATABASE_URL"]
        engine = create_engine(self.url)
        with engine.connect() as c:
            self.listings = c.execute(text("SELECT count(*) FROM listings")).scalar()
            published = c.execute(text("SELECT count(*) FROM listings WHERE status='published'")).scalar()
            # The cursor a client holds after paging DEEP_PAGES pages (or half the catalogue, if
            # smaller: the 10,000 catalogue has fewer than 500 pages of published listings).
            self.deep_rows = min(DEEP_PAGES * PAGE, published // 2)
            at, lid = c.execute(text(
                "SELECT created_at, id FROM listings WHERE status='published' "
                "ORDER BY created_at DESC, id DESC OFFSET :n LIMIT 1"), {"n": self.deep_rows - 1}).one()
            self.deep_cursor = encode_cursor([at, lid])
            ids = [str(r[0]) for r in c.execute(text(
                "SELECT id FROM listings WHERE status='published' ORDER BY md5(id::text) LIMIT 50"))]
        engine.dispose()
        self.one_ids = ids
        self.es = self.pg = None

    def start(self) -> None:
        common = {**self.env, "RATELIMIT_ENABLED": "false", "SEARCH_RELAY_INLINE": "false"}
        self.es = Server("wsgi:app", {**common, "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": ES})
        self.pg = Server("wsgi:app", {**common, "SEARCH_BACKEND": "database"})

    def stop(self) -> None:
        for server in (self.es, self.pg):
            if server:
                try:
                    server.stop()
                except subprocess.TimeoutExpired:  # a loaded machine: do not lose the results for it
                    os.killpg(server.proc.pid, signal.SIGKILL)

    def measures(self) -> dict:
        """name -> (url, lua script or None)."""
        from search.backends import es_dsl
        from search.backends.elasticsearch import SEARCH_FILTER, ElasticsearchBackend, make_client
        from search.engine import plan_for
        from search.query import parse_params
        es, pg = self.es.url(""), self.pg.url("")
        mix = ["/api/v1/search?" + urlencode(p) for p in QUERY_MIX]
        backend = ElasticsearchBackend(make_client(ES, timeout=30), alias=alias(self.size))
        # what the app sends: its body and its filter_path (bench/search_load.py does the same)
        direct_path = f"/{alias(self.size)}/_search?filter_path={','.join(SEARCH_FILTER)}"
        direct = [("POST", direct_path, json.dumps(
            es_dsl.search_body(q, plan_for(q.text), backend.profile), ensure_ascii=False))
            for q in (parse_params(p) for p in QUERY_MIX)]
        narrow = "/api/v1/search?" + urlencode(NARROW)
        suggest = [f"/api/v1/search/suggest?{urlencode({'q': q})}" for q in SUGGEST]
        # Listing reads on the Elasticsearch-configured app (they never touch search); the database
        # backend's searches last in each round, on their own app: at a million listings a broad
        # word costs seconds and its queue must not spill into the other measures.
        return {
            "listing_index": (f"{es}/api/v1/listings?limit={PAGE}", None),
            "listing_deep": (f"{es}/api/v1/listings?limit={PAGE}&cursor={self.deep_cursor}", None),
            "listing_one": (es, get_script([f"/api/v1/listings/{i}" for i in self.one_ids])),
            "search_es": (es, get_script(mix)),
            "search_es_direct": (ES, lua_script(direct)),
            "facets_narrow_es": (es + narrow, None),
            "suggest_es": (es, get_script(suggest)),
            "subsidy_quote": (es, quote_script()),
            "pickup_availability": (es, get_script([f"/api/v1/pickups/availability?{q}" for q in PICKUP_QUERIES])),
            "facets_narrow_pg": (pg + narrow, None),
            "suggest_pg": (pg, get_script(suggest)),
            "search_pg": (pg, get_script(mix)),
        }


def _relay_process(url: str, size: int, batch: int) -> int:
    from search import sync
    from search.backends.elasticsearch import ElasticsearchBackend, make_client
    engine = create_engine(url)
    backend = ElasticsearchBackend(make_client(ES, timeout=120), alias=alias(size))
    return sync.drain(sessionmaker(engine, expire_on_commit=False), [backend], batch_size=batch).claimed


def relay(size: Size, rows: int) -> dict:
    """`rows` random listings changed: two relay processes ship them (documents per second)."""
    engine = create_engine(size.url)
    with engine.begin() as c:
        c.execute(text("DELETE FROM search_outbox"))
        c.execute(text("INSERT INTO search_outbox (listing_id, revision, created_at) "
                       "SELECT id, revision, now() FROM listings ORDER BY random() LIMIT :n"), {"n": rows})
    engine.dispose()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        claimed = sum(pool.starmap(_relay_process, [(size.url, size.size, 500)] * 2))
    elapsed = time.perf_counter() - start
    return {"rows": claimed, "s": round(elapsed, 2), "docs_per_s": round(claimed / elapsed),
            "load": round(os.getloadavg()[0], 1)}


def credit(size: Size) -> dict:
    """Every participant of the size rescored in one batch, in a subprocess on its database."""
    code = ("import time,json; from marketplace import create_app; from marketplace.extensions import db; "
            "from services.credit import batch; from sqlalchemy import text; app=create_app(); "
            "ctx=app.app_context(); ctx.push(); s=db.session; "
            "ids=[r[0] for r in s.execute(text('SELECT DISTINCT subject_id FROM credit_scores'))]; "
            "t=time.perf_counter(); n=batch.recompute_many(s, ids); s.rollback(); "
            "print(json.dumps({'subjects': n, 's': round(time.perf_counter()-t, 3)}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **size.env}, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    r = json.loads(out)
    r["ms_per_subject"] = round(1000 * r["s"] / max(r["subjects"], 1), 3)
    r["load"] = round(os.getloadavg()[0], 1)
    return r


def reindex_from_log(size: int) -> dict | None:
    log = ROOT / "docs" / "benchmarks" / f"seed_{size}.json"
    return json.loads(log.read_text()).get("es_reindex") if log.exists() else None


def median(rounds: list[dict]) -> dict:
    m = sorted(rounds, key=lambda r: r["p50_ms"] if r["p50_ms"] is not None else float("inf"))[len(rounds) // 2]
    return {**m, "rounds_p50_ms": [r["p50_ms"] for r in rounds], "rounds_rps": [r["rps"] for r in rounds]}


def chart(name: str, rows: dict, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = sorted(int(s) for s in rows)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(sizes, [rows[str(s)]["p50_ms"] for s in sizes], "o-", label="p50 (ms)")  # None: a gap
    ax.plot(sizes, [rows[str(s)]["p99_ms"] for s in sizes], "s--", label="p99 (ms)")
    ax.set_xscale("log")
    ax.set_xlabel("listings")
    ax.set_ylabel("latency (ms)")
    ax2 = ax.twinx()
    ax2.plot(sizes, [rows[str(s)]["rps"] for s in sizes], "^:", color="tab:green", label="req/s")
    ax2.set_ylabel("req/s")
    ax2.set_ylim(bottom=0)
    ax.set_ylim(bottom=0)
    ax.set_title(name)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower center", fontsize=7)
    fig.tight_layout()
    fig.savefig(out / f"{name}.png", dpi=90)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated measure names")
    ap.add_argument("--relay-rows", type=int, default=5000)
    ap.add_argument("--skip-relay", action="store_true")
    ap.add_argument("--skip-credit", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks"))
    ap.add_argument("--label", default="curves", help="the JSON's name (curves.json)")
    ap.add_argument("--no-charts", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [Size(int(s)) for s in args.sizes.split(",")]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results: dict = {"started": started, "seconds": args.seconds, "rounds": args.rounds,
                     "listings": {str(s.size): s.listings for s in sizes},
                     "deep_rows": {str(s.size): s.deep_rows for s in sizes}, "http": {}, "memory_mb": {}}
    try:
        for s in sizes:
            s.start()
        targets = {s.size: s.measures() for s in sizes}
        names = [n for n in targets[sizes[0].size] if not args.only or n in args.only.split(",")]
        for s in sizes:  # warm-up: each worker loads its dictionaries on the first requests
            for name in names:
                wrk(targets[s.size][name][0], 1, targets[s.size][name][1])
        raw: dict = {n: {str(s.size): [] for s in sizes} for n in names}
        for r in range(args.rounds):
            order = sizes[r % len(sizes):] + sizes[:r % len(sizes)]
            for name in names:
                for s in order:
                    url, script = targets[s.size][name]
                    raw[name][str(s.size)].append(wrk(url, args.seconds, script))
            print(f"round {r + 1} done, load {os.getloadavg()}", json.dumps(raw, ensure_ascii=False), flush=True)
        results["http"] = {n: {k: median(v) for k, v in by.items()} for n, by in raw.items()}
        for s in sizes:
            results["memory_mb"][str(s.size)] = {"app_es": rss_mb(s.es.proc.pid), "app_pg": rss_mb(s.pg.proc.pid)}
    finally:
        for s in sizes:
            s.stop()
    if not args.skip_relay:
        results["relay"] = {str(s.size): relay(s, args.relay_rows) for s in sizes}
    if not args.skip_credit:
        results["credit_recompute"] = {str(s.size): credit(s) for s in sizes}
    results["reindex"] = {str(s.size): reindex_from_log(s.size) for s in sizes}
    results["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    target = out / f"{args.label}.json"
    if args.only and target.exists():  # a partial rerun replaces only its measures
        old = json.loads(target.read_text())
        for name, rows in results["http"].items():  # per measure and size
            old["http"].setdefault(name, {}).update(rows)
        for key in ("relay", "credit_recompute"):
            if key in results:
                old.setdefault(key, {}).update(results[key])
        old.setdefault("partial_reruns", []).append({"measures": args.only, "sizes": args.sizes,
                                                     "started": started, "finished": results["finished"]})
        results = old
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for name, rows in ([] if args.no_charts else results["http"].items()):
        if not args.only or name in args.only.split(","):  # a partial rerun redraws only its charts
            chart(name, rows, out)
    print(json.dumps(results, indent=1, ensure_ascii=False))
    print(table(results))


def table(results: dict) -> str:
    sizes = sorted(results["listings"], key=int)
    head = "| measure | " + " | ".join(f"{int(s):,}: req/s, p50 / p99 ms" for s in sizes) + \
        " | p50 1M / 100k |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for name, rows in results["http"].items():
        cells = [("—" if s not in rows else "timed out" if rows[s]["p50_ms"] is None else
                  f"{rows[s]['rps']:,.0f}, {rows[s]['p50_ms']:.1f} / {rows[s]['p99_ms']:.1f}") for s in sizes]
        growth = (f"{rows['1000000']['p50_ms'] / rows['100000']['p50_ms']:.2f}"
                  if all(rows.get(s, {}).get("p50_ms") for s in ("100000", "1000000")) else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {growth} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
