"""The pickup availability query under load, as a ratio to a bare Flask endpoint in the same run.

Seeds a city (Taiyuan, 140100) with 200 recyclers (city-wide, county and radius service areas,
hours every day, 60/120-minute slots, 4-8 pickups and a bulk budget per slot) and 10,000
confirmed bookings spread over their slots in the next 7 days, in its own PostgreSQL database
(`huanxin_bench_pickups`; recyclers once, bookings re-laid on every run so they stay in the
future). Serves the app (`wsgi:app`) and bench/pickups_bare_app.py with gunicorn (2 workers x 4
threads each) and measures with wrk (2 threads, 16 connections), alternating the targets for three
rounds and taking the median of each. Each availability row is compared with the bare endpoint
answering the same query string with the same JSON (checked byte for byte before measuring), so
the ratio is our stack's overhead on the same work; a last row reads one offer through the app's
full stack against a bare one-row read, for scale.

    .venv/bin/python bench/pickups_availability.py [--seconds 8] [--recyclers 200] [--bookings 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.request import urlopen

from sqlalchemy import create_engine, func, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Server, compare, ensure_db, flask  # noqa: E402
from services import clock, regions  # noqa: E402
from services.accounts.models import Organization, User  # noqa: E402
from services.pickups.models import Booking, BookingItem, Recycler, ServiceRegion, Slot  # noqa: E402
from services.pickups.schedule import Hours, local_day_slots  # noqa: E402

CITY = "140100"
HOURS = {str(d): [["08:00", "12:00"], ["13:00", "18:00"]] for d in range(1, 8)}
QUERIES = {
    "fridge in 小店区, 7 days, 10 recyclers":
        "region_code=140105&lat=37.7365&lon=112.5657&items=appliance:refrigerator&days=7&limit=10",
    "TV + phone in 万柏林区, 3 days, 5 recyclers":
        "region_code=140109&lat=37.8596&lon=112.5159&items=appliance:television&items=electronics:mobile_phone"
        "&days=3&limit=5",
}


def seed_recyclers(engine, n: int, rng: random.Random) -> None:
    counties = [c for c, r in regions.all_regions().items() if r.parent == CITY]
    with engine.begin() as c:
        # Only verified recyclers serve; databases seeded before that are brought along.
        c.execute(update(Organization).where(Organization.kind == "recycler")
                  .values(verification_status="verified", verified_at=func.now()))
        if c.scalar(select(func.count()).select_from(Recycler)) >= n:
            return
        orgs, offers, areas = [], [], []
        for i in range(n):
            org, rid = uuid.uuid4(), uuid.uuid4()
            orgs.append({"id": org, "kind": "recycler", "name": f"太原回收 {i:03d}", "licence_no": None,
                         "verification_status": "verified", "verified_at": datetime.now(timezone.utc)})
            style = i % 3  # city-wide, some counties, or a radius around the depot
            offers.append({
                "id": rid, "org_id": org, "kinds": ["appliance", "electronics", "other"] + (["vehicle"] if i % 10 == 0 else []),
                "authorised_dismantler": i % 10 == 0, "dismantler_licence_no": f"BENCH-{i}" if i % 10 == 0 else None,
                "depot_lat": rng.uniform(37.70, 37.95), "depot_lon": rng.uniform(112.40, 112.70),
                "radius_km": rng.uniform(8, 25) if style == 2 else None, "working_hours": HOURS, "holidays": [],
                "slot_minutes": rng.choice((60, 120)), "slot_capacity": rng.randint(4, 8),
                "slot_volume_l": rng.choice((2000, 3000, 4000)), "slot_weight_kg": rng.choice((400, 600, 800)),
                "accepts_pool": True, "active": True})
            codes = [CITY] if style == 0 else rng.sample(counties, 3) if style == 1 else []
            areas += [{"recycler_id": rid, "region_code": code} for code in codes]
        c.execute(insert(Organization), orgs)
        c.execute(insert(Recycler), offers)
        c.execute(insert(ServiceRegion), areas)


def lay_bookings(engine, n: int, rng: random.Random) -> int:
    """Replace every booking with `n` confirmed ones in free slots of the next 7 days."""
    now = datetime.now(timezone.utc)
    with engine.begin() as c:
        c.execute(text("TRUNCATE pickup_items, pickup_status_changes, pickup_vouchers, pickup_bookings, "
                       "pickup_slots CASCADE"))
        consumer = c.scalar(select(User.id).where(User.email == "bench-consumer@bench.huanxin.cn"))
        if consumer is None:
            consumer = uuid.uuid4()
            c.execute(insert(User), [{"id": consumer, "email": "bench-consumer@bench.huanxin.cn", "password_hash": "x",
                                      "role": "consumer", "display_name": "bench", "is_active": True,
                                      "id_status": "unverified"}])
        recyclers = c.execute(select(Recycler.id, Recycler.slot_minutes, Recycler.slot_capacity,
                                     Recycler.slot_volume_l, Recycler.slot_weight_kg, Recycler.depot_lat,
                                     Recycler.depot_lon)).all()
        today = now.astimezone(clock.SHANGHAI).date()
        grids = {r.id: [s for d in range(8) for s in local_day_slots(Hours.parse(HOURS, [], r.slot_minutes),
                                                                     today + timedelta(days=d))
                        if now + timedelta(hours=1) <= s < now + timedelta(days=7)] for r in recyclers}
        slots: dict = {}
        bookings, items = [], []
        while len(bookings) < n:
            r = rng.choice(recyclers)
            at = rng.choice(grids[r.id])
            vol, kg = rng.choice(((450, 70), (300, 65), (120, 20), (0, 0)))
            s = slots.setdefault((r.id, at), {"id": uuid.uuid4(), "recycler_id": r.id, "starts_at": at,
                                              "ends_at": at + timedelta(minutes=r.slot_minutes),
                                              "capacity_count": r.slot_capacity, "booked_count": 0,
                                              "capacity_volume_l": r.slot_volume_l, "booked_volume_l": 0,
                                              "capacity_weight_kg": r.slot_weight_kg, "booked_weight_kg": 0})
            if s["booked_count"] + 1 > r.slot_capacity or s["booked_volume_l"] + vol > r.slot_volume_l \
                    or s["booked_weight_kg"] + kg > r.slot_weight_kg:
                continue
            s["booked_count"] += 1
            s["booked_volume_l"] += vol
            s["booked_weight_kg"] += kg
            bid = uuid.uuid4()
            bookings.append({"id": bid, "consumer_id": consumer, "booked_by_id": consumer, "source": "consumer",
                             "dispatch": "direct", "recycler_id": r.id, "slot_id": s["id"], "starts_at": at,
                             "ends_at": s["ends_at"], "region_code": CITY,
                             "lat": r.depot_lat + rng.uniform(-0.05, 0.05), "lon": r.depot_lon + rng.uniform(-0.05, 0.05),
                             "address_line": "", "status": "confirmed", "volume_l": vol, "weight_kg": kg})
            items.append({"id": uuid.uuid4(), "booking_id": bid, "position": 0,
                          "category": "appliance" if vol else "electronics",
                          "kind": "refrigerator" if vol == 450 else "washing_machine" if vol == 300
                          else "television" if vol else "mobile_phone", "description": "",
                          "volume_l": vol, "weight_kg": kg})
        c.execute(insert(Slot), list(slots.values()))
        c.execute(insert(Booking), bookings)
        c.execute(insert(BookingItem), items)
    return len(slots)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--recyclers", type=int, default=200)
    ap.add_argument("--bookings", type=int, default=10_000)
    args = ap.parse_args()
    url = ensure_db("huanxin_bench_pickups")
    env = {"DATABASE_URL": url, "ID_HASH_KEY": "bench", "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
           "RATELIMIT_ENABLED": "true"}
    flask("migrate", env=env)
    engine = create_engine(url)
    rng = random.Random(2026)
    seed_recyclers(engine, args.recyclers, rng)
    n_slots = lay_bookings(engine, args.bookings, rng)
    with engine.connect() as c:
        org = c.scalar(select(Recycler.org_id).order_by(Recycler.id).limit(1))
    paths = {name: (f"/api/v1/pickups/availability?{q}", f"/bare/pickups/availability?{q}")
             for name, q in QUERIES.items()}
    # The framework's floor: one offer read through the app's full stack, for scale.
    paths["reference: GET one recycler's offer"] = (f"/api/v1/pickups/recyclers/{org}", f"/bare/pickups/recyclers/{org}")
    app, bare = Server("wsgi:app", env), Server("bench.pickups_bare_app:app", env)
    try:
        for name, q in QUERIES.items():
            ours, base = (urlopen(server.url(path)).read() for server, path in zip((app, bare), paths[name]))
            if json.loads(ours) != json.loads(base):
                raise SystemExit(f"{name}: the bare endpoint's answer differs from the app's")
        results = {name: compare(app.url(path), bare.url(base), args.seconds) for name, (path, base) in paths.items()}
    finally:
        app.stop()
        bare.stop()
    print(json.dumps({"recyclers": args.recyclers, "bookings": args.bookings, "booked_slots": n_slots,
                      "load_average": os.getloadavg(), "results": results}, indent=2, ensure_ascii=False))
    for name, r in results.items():
        p99 = f"{r['app']['p99']} / {r['bare']['p99']}"
        print(f"| {name} | {r['app']['rps']:.0f} | {r['bare']['rps']:.0f} | **{r['ratio']}** | {p99} |")


if __name__ == "__main__":
    main()
