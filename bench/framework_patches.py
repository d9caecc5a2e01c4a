"""What each patch in marketplace/framework.py is worth: the app's CPU per request with every patch,
against the same app with one patch taken out, measured in-process (time.process_time, the WSGI
app called directly, no server or client in the way) in fresh subprocesses that alternate, round
after round, so that a busy neighbour hurts every variant alike. A patch whose gain stays under 2 %
on the listing reads is dropped (docs/BENCHMARKS.md).

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
VARIANTS = ("all", "no_ensure_sync_cache", "no_limiter_gate", "no_doc_only")


def _unpatch(variant: str) -> None:
    """Take one patch out before the app (and its routes) are built."""
    import flask
    import flask_smorest

    import marketplace
    from marketplace import limits, openapi
    if variant == "no_ensure_sync_cache":
        marketplace.App.ensure_sync = flask.Flask.ensure_sync
    elif variant == "no_doc_only":
        import inspect
        for name in ("doc", "alt_response"):  # as declared (doc is a staticmethod)
            setattr(openapi.Blueprint, name, inspect.getattr_static(flask_smorest.Blueprint, name))
    elif variant == "no_limiter_gate":
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="huanxin_bench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    args = ap.parse_args()
    db_url = f"{os.environ.get('BENCH_PG', 'postgresql+psycopg://huanxin@127.0.0.1:5432')}/{args.db}"
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
