"""Subsidy quotes through HTTP, as a ratio to a bare Flask endpoint in the same run.

Serves the app (wsgi:app, plus the bench-only echo route of bench/subsidies_app.py: the app's
cheapest POST) and bench/subsidies_bare_app.py with gunicorn (2 workers x 4 threads
each, on PostgreSQL) and measures POST /api/v1/subsidies/quote against POST /bare/quote with wrk,
cycling through the same mix of contract bodies, alternating the two for several rounds. It
reports the throughput ratio and, because the machine is shared, also the ratio of requests per
CPU-second of each server's processes. The rate limiter is on, as in production: a quote is not a
write (marketplace/limits.py @not_a_write), so it passes the limiter's gate without a count.
Target: ratio >= 0.7.

    .venv/bin/python bench/subsidies_http.py [--seconds 10] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Server, ensure_db, flask, wrk  # noqa: E402
from subsidies_quote import MIX  # noqa: E402



def lua_script(bodies: list[dict]) -> str:
    items = ",\n".join("[[" + json.dumps(b, ensure_ascii=False) + "]]" for b in bodies)
    return f"""
bodies = {{ {items} }}
counter = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json"}}, body)
end
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    url = ensure_db("huanxin_bench")
    env = {"DATABASE_URL": url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "RATELIMIT_ENABLED": "true"}
    flask("migrate", env=env)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(MIX))
        script = fh.name
    app, bare = Server("bench.subsidies_app:app", env), Server("bench.subsidies_bare_app:app", env)
    rounds = []
    try:
        for _ in range(30):  # warm up both (workers import lazily; a loaded machine is slow)
            try:
                wrk(app.url("/api/v1/subsidies/quote"), 2, script=script)
                wrk(bare.url("/bare/quote"), 2, script=script)
                wrk(app.url("/api/v1/bench/echo"), 2, script=script)
                break
            except RuntimeError:
                continue
        # Alternate short rounds so that load from other processes hits both sides alike.
        for _ in range(args.rounds):
            a = wrk(app.url("/api/v1/subsidies/quote"), args.seconds, script=script, pgid=app.proc.pid)
            b = wrk(bare.url("/bare/quote"), args.seconds, script=script, pgid=bare.proc.pid)
            # The app's cheapest POST: what every request pays for the shared stack.
            e = wrk(app.url("/api/v1/bench/echo"), args.seconds, script=script, pgid=app.proc.pid)
            rounds.append({"app": a, "bare": b, "app_echo": e, "ratio": round(a["rps"] / b["rps"], 2),
                           "echo_ratio": round(e["rps"] / b["rps"], 2),
                           "cpu_ratio": round(a["per_cpu_second"] / b["per_cpu_second"], 2),
                           "echo_cpu_ratio": round(e["per_cpu_second"] / b["per_cpu_second"], 2)})
    finally:
        app.stop()
        bare.stop()
    med = {k: statistics.median(r[k] for r in rounds) for k in ("ratio", "echo_ratio", "cpu_ratio", "echo_cpu_ratio")}
    print(json.dumps({"rounds": rounds, "medians": med, "loadavg": os.getloadavg()}, indent=2))
    best = max(rounds, key=lambda r: r["app"]["rps"])
    print(f"| POST /api/v1/subsidies/quote (mix of {len(MIX)}) | {best['app']['rps']:.0f} | "
          f"{best['bare']['rps']:.0f} | **{med['ratio']}** | {med['cpu_ratio']} | {best['app']['p99']} / {best['bare']['p99']} |")
    print(f"| POST /api/v1/bench/echo (the app's floor) | {best['app_echo']['rps']:.0f} | "
          f"{best['bare']['rps']:.0f} | {med['echo_ratio']} | {med['echo_cpu_ratio']} | "
          f"{best['app_echo']['p99']} / {best['bare']['p99']} |")

if __name__ == "__main__":
    main()
