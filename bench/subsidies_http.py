"""Subsidy quotes through HTTP, as a ratio to a bare Flask endpoint in the same run.

Serves the app (wsgi:app) and bench/subsidies_bare_app.py with gunicorn (2 workers x 4 threads
each, on PostgreSQL) and measures POST /api/v1/subsidies/quote against POST /bare/quote with wrk,
cycling through the same mix of contract bodies. The rate limiter is off for both (quotes are
POSTs and would otherwise meet the write limit). Target: ratio >= 0.7.

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

from common import Server, ensure_db, ensure_wrk, flask  # noqa: E402
from subsidies_quote import MIX  # noqa: E402

import re  # noqa: E402
import subprocess  # noqa: E402


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


def wrk_post(url: str, script: str, seconds: int) -> dict:
    out = subprocess.run([ensure_wrk(), "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses\n{out}")
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": lat.get("50"), "p99": lat.get("99")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    url = ensure_db("huanxin_bench")
    env = {"DATABASE_URL": url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "RATELIMIT_ENABLED": "false"}
    flask("migrate", env=env)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua_script(MIX))
        script = fh.name
    app, bare = Server("wsgi:app", env), Server("bench.subsidies_bare_app:app", env)
    rounds = []
    try:
        wrk_post(app.url("/api/v1/subsidies/quote"), script, 2)   # warm up both
        wrk_post(bare.url("/bare/quote"), script, 2)
        # Alternate short rounds so that load from other processes hits both sides alike.
        for _ in range(args.rounds):
            a = wrk_post(app.url("/api/v1/subsidies/quote"), script, args.seconds)
            b = wrk_post(bare.url("/bare/quote"), script, args.seconds)
            rounds.append({"app": a, "bare": b, "ratio": round(a["rps"] / b["rps"], 2)})
    finally:
        app.stop()
        bare.stop()
    median = statistics.median(r["ratio"] for r in rounds)
    print(json.dumps({"rounds": rounds, "median_ratio": median, "loadavg": os.getloadavg()}, indent=2))
    best = max(rounds, key=lambda r: r["app"]["rps"])
    print(f"| POST /api/v1/subsidies/quote (mix of {len(MIX)}) | {best['app']['rps']:.0f} | "
          f"{best['bare']['rps']:.0f} | **{median}** (median of {len(rounds)}) | "
          f"{best['app']['p99']} / {best['bare']['p99']} |")

if __name__ == "__main__":
    main()
