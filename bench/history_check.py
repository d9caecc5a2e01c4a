"""Does the app still serve a scale database after bench/seed_history.py? One request of each kind.

Through the Flask test client on the size's database (the app as `make run` builds it, database
search backend): the listing index (whose thumbnails now come from the photo rows), one listing
with its photos, a trade-in quote by a demo consumer (login, then POST /tradeins, rolled into the
database like any quote), the subsidy quote, and pickup availability in Taiyuan among the 1,000
recyclers. Prints one JSON line per request: status, milliseconds, and what it checked.

    .venv/bin/python bench/history_check.py --listings 10000|100000|1000000
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed_scale import env_for  # noqa: E402

AVAILABILITY = ("/api/v1/pickups/availability?region_code=140105&lat=37.7365&lon=112.5657"
                "&items=appliance:refrigerator&days=7&limit=10")
TRADEIN = {"category": "electronics", "kind": "mobile_phone", "brand": "Apple", "model": "iPhone 13",
           "age_months": 24, "imei": "490154203237518",
           "answers": {"powers_on": True, "screen": "flawless", "body": "flawless", "battery_health_pct": 88,
                       "activation_lock_off": True}}
SUBSIDY = {"region": "140105", "date": "2026-12-01", "application_date": "2026-12-01",
           "purchase": {"kind": "refrigerator", "price_fen": 399900, "list_price_fen": 399900, "discounts_fen": 0,
                        "energy_grade": 1, "water_grade": None},
           "trade_in": {"kind": "refrigerator", "handed_in": True}, "history": []}


def timed(fn):
    start = time.perf_counter()
    r = fn()
    return r, round(1000 * (time.perf_counter() - start), 1)


def check(size: int, database_url: str | None = None) -> list[dict]:
    os.environ.update(env_for(size), **({"DATABASE_URL": database_url} if database_url else {}))
    from marketplace import create_app
    client = create_app().test_client()
    out = []
    r, ms = timed(lambda: client.get("/api/v1/listings?limit=20"))
    items = r.get_json()["items"]
    out.append({"GET": "/api/v1/listings", "status": r.status_code, "ms": ms, "items": len(items),
                "with_thumbnail": sum(1 for i in items if i.get("thumbnail_url"))})
    one = items[0]["id"]
    r, ms = timed(lambda: client.get(f"/api/v1/listings/{one}"))
    out.append({"GET": "/api/v1/listings/<id>", "status": r.status_code, "ms": ms,
                "photos": len(r.get_json().get("photos") or [])})
    token = client.post("/api/v1/accounts/login", json={"email": "consumer1@demo.huanxin.cn",
                                                         "password": "huanxin-demo-2026"}).get_json()["access_token"]
    r, ms = timed(lambda: client.post("/api/v1/tradeins", json=TRADEIN, headers={"Authorization": f"Bearer {token}"}))
    out.append({"POST": "/api/v1/tradeins (quote)", "status": r.status_code, "ms": ms,
                "quoted_fen": (r.get_json() or {}).get("quoted_fen")})
    r, ms = timed(lambda: client.get("/api/v1/tradeins?limit=5", headers={"Authorization": f"Bearer {token}"}))
    out.append({"GET": "/api/v1/tradeins (history)", "status": r.status_code, "ms": ms,
                "items": len((r.get_json() or {}).get("items", []))})
    r, ms = timed(lambda: client.post("/api/v1/subsidies/quote", json=SUBSIDY))
    out.append({"POST": "/api/v1/subsidies/quote", "status": r.status_code, "ms": ms,
                "total_fen": (r.get_json() or {}).get("total_fen")})
    r, ms = timed(lambda: client.get(AVAILABILITY))
    body = r.get_json() or {}
    out.append({"GET": "/api/v1/pickups/availability", "status": r.status_code, "ms": ms,
                "recyclers": len(body.get("recyclers", [])),
                "free_slots": sum(len(x["slots"]) for x in body.get("recyclers", []))})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, choices=(10_000, 100_000, 1_000_000), required=True)
    ap.add_argument("--database-url", help="another database than the size's (a scratch copy)")
    args = ap.parse_args()
    for line in check(args.listings, args.database_url):
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
