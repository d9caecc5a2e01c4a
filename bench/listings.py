"""Listing reads under load, as a ratio to a bare Flask endpoint in the same run.

Seeds 100,000 listings on PostgreSQL (once), serves the app and bench/bare_app.py with gunicorn
(2 workers x 4 threads each), and measures with wrk `GET /api/v1/listings/<id>` and the index
`GET /api/v1/listings?limit=20` against `GET /bare/listings/<id>` and `/bare/listings`.
Target: ratio >= 0.6. Usage: .venv/bin/python bench/listings.py [--seconds 8] [--rounds 5] [--listings 100000]
"""
from __future__ import annotations

import argparse
import json
import random

from sqlalchemy import create_engine, text

from common import Server, compare, ensure_db, flask


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--db", default="huanxin_bench", help="Database name (one of your own on a shared machine).")
    args = ap.parse_args()
    url = ensure_db(args.db)
    env = {"DATABASE_URL": url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "RATELIMIT_ENABLED": "true"}
    flask("migrate", env=env)
    engine = create_engine(url)
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM listings")).scalar()
    if have < args.listings:
        flask("seed", "--listings", str(args.listings - have), "--seed", str(have + 1), env=env) if have == 0 else \
            print(f"database has {have} listings; drop huanxin_bench to reseed")
    with engine.connect() as c:
        total = c.execute(text("SELECT count(*) FROM listings")).scalar()
        ids = [str(r[0]) for r in c.execute(text("SELECT id FROM listings WHERE status='published' LIMIT 1000"))]
    lid = random.Random(1).choice(ids)
    app, bare = Server("wsgi:app", env), Server("bench.bare_app:app", env)
    try:
        results = {}
        for name, ours, base in [("GET one listing", f"/api/v1/listings/{lid}", f"/bare/listings/{lid}"),
                                 ("GET listing index", "/api/v1/listings?limit=20", "/bare/listings")]:
            results[name] = compare(app.url(ours), bare.url(base), args.seconds, args.rounds,
                                    pgids=(app.proc.pid, bare.proc.pid))
    finally:
        app.stop()
        bare.stop()
    print(json.dumps({"listings": total, "results": results}, indent=2, ensure_ascii=False))
    for name, r in results.items():
        print(f"| {name} | {r['app']['rps']:.0f} | {r['bare']['rps']:.0f} | **{r['ratio']}** | {r['cpu_ratio']} | "
              f"{r['app']['p99']} / {r['bare']['p99']} |")


if __name__ == "__main__":
    main()
