"""In-process cost of the pickup availability query: CPU (time.process_time) and wall time per
request through the Flask test client, one thread, so CPU seconds are robust to machine load.

Runs the two queries of bench/pickups_availability.py (bench/curves.py PICKUP_QUERIES) against a
bench database, by default the 1M history database `huanxin_bench_scale_1000000` (1,000 Taiyuan
recyclers, ~100k bookings from bench/seed_history.py), at a frozen clock so that two runs (old
code, new code) answer the same question; `--answers FILE` writes the answers to compare them.

    nice -n 10 .venv/bin/python bench/pickups_cpu.py [--size 1000000] [--requests 200] [--answers out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.curves import PICKUP_QUERIES  # noqa: E402
from bench.seed_scale import env_for  # noqa: E402
from marketplace import create_app  # noqa: E402
from services.clock import FrozenClock  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per query")
    parser.add_argument("--at", default="2026-12-05T01:00:00+00:00", help="the frozen clock (UTC)")
    parser.add_argument("--answers", help="write each query's JSON answer to this file")
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at).astimezone(timezone.utc)
    app = create_app({k: v for k, v in env_for(args.size).items()}, deps={"clock": FrozenClock(at)})
    client = app.test_client()
    answers = {}
    for q in PICKUP_QUERIES:
        url = f"/api/v1/pickups/availability?{q}"
        for _ in range(10):  # warm caches and the connection pool
            r = client.get(url)
        assert r.status_code == 200, r.get_data(as_text=True)
        answers[q] = r.get_json()
        cpu, wall = [], []
        for _ in range(args.requests):
            c0, w0 = time.process_time(), time.perf_counter()
            client.get(url)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        recyclers = answers[q]["recyclers"]
        print(f"{q[:60]}...: {len(recyclers)} recyclers, {sum(len(x['slots']) for x in recyclers)} slots; "
              f"CPU median {statistics.median(cpu):.2f} ms (mean {statistics.fmean(cpu):.2f}), "
              f"wall median {statistics.median(wall):.2f} ms; load {os.getloadavg()[0]:.1f}")
    if args.answers:
        Path(args.answers).write_text(json.dumps(answers, ensure_ascii=False, sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
