"""What the speed patch in marketplace/framework.py is worth: the app's CPU per request with it,
against the same app with Flask-Limiter's hooks left as shipped, measured in-process
(time.process_time, the WSGI app called directly, no server or client in the way) in fresh
subprocesses that alternate, round after round, so that a busy neighbour hurts both alike.

`--micro` times in isolation the work that the two dropped patches saved (a per-function cache of
Flask.ensure_sync; returning the view itself from flask-smorest's doc-only decorators), times how
often a listing read does it: steadier than whole requests, whose round-to-round noise on a shared
machine (±10 %) hides a 2 % gain. A patch under 2 % of a listing read is not worth its contract.

Usage: .venv/bin/python bench/framework_patches.py [--db huanxin_bench] [--rounds 5] [--requests 1500]
(the database is bench/listings.py's, seeded by it).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("all", "no_limiter_gate")


def _unpatch(variant: str) -> None:
    """Take one patch out before the app (and its routes) are built."""
    import flask

    from marketplace import limits
    if variant == "no_limiter_gate":
        from flask_limiter import Limiter

        from marketplace.clients import client_key

        def stock(app):  # Flask-Limiter as shipped: its hooks on every request, reads exempt
            limiter = Limiter(key_func=client_key, default_limits=[app.config["RATE_LIMIT_WRITE"]],
                              headers_enabled=True, storage_uri="memory://", swallow_errors=True,
                              default_limits_exempt_when=lambda: flask.request.method in limits.SAFE_METHODS)
            limiter.init_app(app)
            app.extensions["huanxin.limiter"] = limiter
        limits.init_app = stock


def measure(variant: str, db_url: str, n: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.update({"DATABASE_URL": db_url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench",
                       "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "true", "REDIS_URL": ""})
    _unpatch(variant)
    from sqlalchemy import text
    from werkzeug.test import EnvironBuilder

    from marketplace import create_app
    from marketplace.extensions import db
    app = create_app()
    with app.app_context():
        lid = db.session.execute(text("SELECT id FROM listings WHERE status='published' ORDER BY id LIMIT 1")).scalar()
        db.session.close()
    out = {}
    for name, path in (("one listing", f"/api/v1/listings/{lid}"), ("index", "/api/v1/listings?limit=20"),
                       ("healthz", "/healthz")):
        base = EnvironBuilder(path=path, base_url="http://127.0.0.1").get_environ()

        def call():
            status = []
            body = app.wsgi_app(dict(base), lambda s, h, e=None: status.append(s))
            b"".join(body)
            getattr(body, "close", lambda: None)()
            assert status[0].startswith("200"), status
        for _ in range(200):
            call()
        t0 = time.process_time()
        for _ in range(n):
            call()
        out[name] = (time.process_time() - t0) / n * 1e6  # µs of CPU per request
    return out


def micro(db_url: str) -> dict:
    """The work each patch saves per request, timed in isolation (timeit, best of 7): far steadier
    than whole requests on a shared machine, whose round-to-round noise (±10 %) hides a 2 % gain."""
    import inspect
    import timeit

    import flask
    import flask_smorest
    sys.path.insert(0, str(ROOT))
    os.environ.update({"DATABASE_URL": db_url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench",
                       "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "true", "REDIS_URL": ""})
    from marketplace import create_app

    def best(stmt, n=100_000):
        return min(timeit.repeat(stmt, number=n, repeat=7)) / n * 1e6  # µs per call

    app = create_app()

    def view():
        return None
    stock = inspect.getattr_static(flask_smorest.Blueprint, "alt_response")(
        flask_smorest.Blueprint("x", __name__), 200, description="d")(view)
    with app.test_request_context("/"):
        wrapper = best(stock) - best(view)
    # How often Flask asks ensure_sync per request of each kind (each doc-only wrapper asks once
    # more), and what a cache would save per ask.
    calls = {}
    real = type(app).ensure_sync
    counted = []
    type(app).ensure_sync = lambda self, f: counted.append(f) or real(self, f)
    client = app.test_client()
    from sqlalchemy import text
    from marketplace.extensions import db
    with app.app_context():
        lid = db.session.execute(text("SELECT id FROM listings WHERE status='published' ORDER BY id LIMIT 1")).scalar()
    for name, path in (("one listing", f"/api/v1/listings/{lid}"), ("index", "/api/v1/listings?limit=20"),
                       ("healthz", "/healthz")):
        counted.clear()
        client.get(path)
        calls[name] = len(counted)
    type(app).ensure_sync = real
    sample, cache = counted[0], {counted[0]: counted[0]}
    saved = best(lambda: flask.Flask.ensure_sync(app, sample)) - best(lambda: cache[sample])
    return {"doc_only_wrapper_us": round(wrapper, 3), "doc_only_wrappers_per_request": {"one listing": 1, "index": 1},
            "ensure_sync_saved_per_call_us": round(saved, 3), "ensure_sync_calls_per_request": calls}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="huanxin_bench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--micro", action="store_true", help="Only time the work each patch saves, in isolation.")
    args = ap.parse_args()
    db_url = f"{os.environ.get('BENCH_PG', 'postgresql+psycopg://huanxin@127.0.0.1:5432')}/{args.db}"
    if args.micro:
        print(json.dumps(micro(db_url), indent=2))
        return
    if args.variant:
        print(json.dumps(measure(args.variant, db_url, args.requests)))
        return
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for r in range(args.rounds):
        for v in VARIANTS:
            res = subprocess.run([sys.executable, __file__, "--variant", v, "--db", args.db,
                                  "--requests", str(args.requests)], capture_output=True, text=True, check=True)
            runs[v].append(json.loads(res.stdout.strip().splitlines()[-1]))
        print(f"round {r + 1}: " + json.dumps({v: runs[v][-1] for v in VARIANTS}), file=sys.stderr)
    print("| request | all patches (µs CPU) | " + " | ".join(f"gain of the {v[3:]} patch" for v in VARIANTS[1:]) + " |")
    print("|---|---|" + "---|" * (len(VARIANTS) - 1))
    for name in runs["all"][0]:
        med = {v: statistics.median(x[name] for x in runs[v]) for v in VARIANTS}
        # Gain = what the request costs without the patch, relative to with it, per round then median.
        gains = {v: statistics.median((x[name] - a[name]) / x[name] for x, a in zip(runs[v], runs["all"]))
                 for v in VARIANTS[1:]}
        print(f"| {name} | {med['all']:.0f} | " + " | ".join(f"{gains[v] * 100:+.1f} %" for v in VARIANTS[1:]) + " |")


if __name__ == "__main__":
    main()
