"""Recompute the credit scores of N participants (default 100,000) on PostgreSQL.

Loads N synthetic consumers and their trade events (services/credit/synthetic.py) into a scratch
database with COPY, then times `services.credit.batch.recompute_many` over all of them: events
tallied in SQL per chunk, factors, vectorised scoring with reasons, history rows inserted in bulk.
Also times the one-subject path (`service.recompute`) on a sample for comparison.

    createdb -h 127.0.0.1 -U postgres -O huanxin huanxin_bench_credit
    .venv/bin/python bench/credit_recompute.py \
        --database-url postgresql+psycopg://huanxin@127.0.0.1:5432/huanxin_bench_credit [-n 100000]

The database must be a scratch one: its public schema is dropped and rebuilt by the migrations.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from marketplace import config, container  # noqa: E402
from marketplace.cli import upgrade  # noqa: E402
from services.deps import session_info  # noqa: E402
from services.credit import batch, registry, service  # noqa: E402
from services.credit.models import CreditScore  # noqa: E402
from services.credit.synthetic import NOW, population  # noqa: E402


def load(engine, n: int, seed: int) -> int:
    """COPY n consumers and their events; returns the number of events."""
    accounts, tallies, _ = population(n, seed)
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    events = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        ids = [uuid.uuid4() for _ in range(n)]
        with cur.copy("COPY users (id, email, password_hash, role, display_name, is_active, id_status, "
                      "created_at, updated_at) FROM STDIN") as cp:
            for i, (uid, a) in enumerate(zip(ids, accounts)):
                opened = a.opened_at + (now - NOW)  # same account age, today
                cp.write_row((uid, f"bench{i}@bench.huanxin.cn", "x", "consumer", f"bench {i}", True,
                              "verified" if a.identity_verified else "unverified", opened, opened))
        with cur.copy("COPY credit_events (id, subject_id, kind, value, occurred_at) FROM STDIN") as cp:
            for uid, a, t in zip(ids, accounts, tallies):
                span = max(1, (NOW - a.opened_at).days)
                stars = [t.review_stars_sum // t.review_count] * t.review_count if t.review_count else []
                for j in range(t.review_stars_sum - sum(stars)):
                    stars[j % len(stars)] += 1
                for kind, k in t.counts.items():
                    for j in range(k):
                        value = stars[j] if kind == "review_received" else None
                        cp.write_row((uuid.uuid4(), uid, kind, value, now - timedelta(days=rng.randint(0, span))))
                        events += 1
        raw.commit()
    finally:
        raw.close()
    return events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--sample", type=int, default=300, help="subjects timed on the one-subject path")
    args = ap.parse_args(argv)

    engine = create_engine(args.database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(args.database_url)
    t0 = time.perf_counter()
    n_events = load(engine, args.n, args.seed)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"loaded {args.n} participants and {n_events} events in {time.perf_counter() - t0:.1f} s")

    # The services' collaborators an app on this database would have (real clock, no bureau).
    deps = container.build_deps(config.load_settings(tempfile.mkdtemp(prefix="bench-credit-"),
                                                     {"DATABASE_URL": args.database_url}))
    with Session(engine, info=session_info(deps)) as session:
        registry.ensure_default(session)
        session.commit()
        ids = list(session.scalars(text("SELECT id FROM users ORDER BY id")))
        t0 = time.perf_counter()
        done = batch.recompute_many(session, ids, trigger="batch")
        session.commit()
        elapsed = time.perf_counter() - t0
        rows = session.scalar(select(func.count()).select_from(CreditScore))
        print(f"batch recompute: {done} participants in {elapsed:.1f} s = {done / elapsed:,.0f} per second "
              f"({rows} history rows)")
        sample = ids[:args.sample]
        t0 = time.perf_counter()
        for sid in sample:
            service.recompute(session, sid)
        session.commit()
        one = time.perf_counter() - t0
        print(f"one-subject path: {len(sample)} participants in {one:.1f} s = {len(sample) / one:,.0f} per second")
        bands = session.execute(text("SELECT band, count(*) FROM credit_scores WHERE trigger = 'batch' "
                                     "GROUP BY band ORDER BY 2 DESC")).all()
        print("bands:", ", ".join(f"{b} {c}" for b, c in bands))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
