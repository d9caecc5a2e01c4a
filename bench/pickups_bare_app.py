"""The baseline for bench/pickups_availability.py: the same availability answer (same JSON for the
same query string, from the same database) from a bare Flask endpoint with two hand-written
queries and plain arithmetic (verified recyclers only, slot bounds in UTC and local time, as the
app), without the app's layers (auth, rate limit, request ids, logging, webargs/marshmallow,
SQLAlchemy ORM sessions). The ratio against it is what our stack costs.

It assumes what the bench's data satisfies: the query is valid, the region has a centre or the
coordinates are given, and local time is UTC+8 all year (China has no daylight saving).
The one-offer reference row of the bench compares with /bare/pickups/recyclers/<org_id>.
"""
import json
import os
from datetime import date, datetime, timedelta, timezone
from math import asin, cos, radians, sin, sqrt

from flask import Flask, jsonify, request
from sqlalchemy import create_engine

from services.pickups.items import APPLIANCE_BULK

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10)
app = Flask(__name__)
app.json.ensure_ascii = False
app.json.sort_keys = False

UTC8 = 8 * 3600
CST = timezone(timedelta(hours=8))
EPOCH = date(1970, 1, 1)
LEAD_S, HORIZON_DAYS = 3600, 14

# The recyclers that may serve the point (a region code of the address's chain, or a radius whose
# latitude band holds it) and take every category asked for; a vehicle only from a dismantler.
CANDIDATES = """
    SELECT r.id, r.org_id, o.name, r.depot_lat, r.depot_lon, r.radius_km, r.working_hours::text,
           r.holidays::text, r.slot_minutes, r.slot_capacity, r.slot_volume_l, r.slot_weight_kg,
           r.id IN (SELECT recycler_id FROM pickup_service_regions WHERE region_code = ANY(%(codes)s))
    FROM pickup_recyclers r JOIN organizations o ON o.id = r.org_id
    WHERE r.active AND o.kind = 'recycler' AND o.verification_status = 'verified' AND r.kinds::jsonb @> %(cats)s::jsonb AND (r.authorised_dismantler OR NOT %(vehicle)s)
      AND (r.id IN (SELECT recycler_id FROM pickup_service_regions WHERE region_code = ANY(%(codes)s))
           OR (r.radius_km IS NOT NULL AND abs(r.depot_lat - %(lat)s) * 111.19 <= r.radius_km))"""
BOOKED = """
    SELECT recycler_id, extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint,
           capacity_count - booked_count, capacity_volume_l - booked_volume_l,
           capacity_weight_kg - booked_weight_kg
    FROM pickup_slots
    WHERE recycler_id = ANY(%(ids)s) AND starts_at >= to_timestamp(%(lo)s) AND starts_at < to_timestamp(%(hi)s)"""
OFFER = """
    SELECT r.id, r.org_id, o.name, r.kinds, r.depot_lat, r.depot_lon, r.radius_km, r.slot_capacity
    FROM pickup_recyclers r JOIN organizations o ON o.id = r.org_id WHERE r.org_id = %s"""


def km(lat1, lon1, lat2, lon2):
    p1, p2 = radians(lat1), radians(lat2)
    h = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * asin(min(1.0, sqrt(h)))


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def iso_local(epoch):
    return datetime.fromtimestamp(epoch, CST).isoformat()


def grid(hours, holidays, minutes, lo, hi):
    """Slot starts (epoch seconds) in [lo, hi): windows of local time, every `minutes`."""
    step, out = minutes * 60, []
    day = EPOCH + timedelta(days=int((lo + UTC8) // 86400))
    last = EPOCH + timedelta(days=int((hi + UTC8) // 86400))
    while day <= last:
        if day.isoformat() not in holidays:
            midnight = (day - EPOCH).days * 86400 - UTC8
            for a, b in hours.get(str(day.isoweekday()), ()):
                cur = midnight + int(a[:2]) * 3600 + int(a[3:]) * 60
                end = midnight + int(b[:2]) * 3600 + int(b[3:]) * 60
                while cur + step <= end:
                    if lo <= cur < hi:
                        out.append(cur)
                    cur += step
        day += timedelta(days=1)
    return out


@app.get("/bare/pickups/availability")
def availability():
    a = request.args
    code = a["region_code"]
    codes = [code, code[:4] + "00", code[:2] + "0000"]
    lat, lon = float(a["lat"]), float(a["lon"])
    days, limit = int(a.get("days", 7)), int(a.get("limit", 10))
    cats, vol, kg = set(), 0, 0
    for item in a.getlist("items"):
        cat, _, kind = item.partition(":")
        cats.add(cat)
        if cat == "appliance":
            v, w = APPLIANCE_BULK.get(kind or "other", APPLIANCE_BULK["other"])
            vol, kg = vol + v, kg + w
    now = datetime.now(timezone.utc).timestamp()
    lo, hi = now + LEAD_S, now + min(days, HORIZON_DAYS) * 86400
    out = []
    with engine.connect() as c:
        cur = c.connection.cursor()
        cur.execute(CANDIDATES, {"codes": codes, "cats": json.dumps(sorted(cats)), "vehicle": "vehicle" in cats,
                                 "lat": lat})
        takers = []
        for r in cur.fetchall():
            d = km(lat, lon, r[3], r[4])
            if r[12] or (r[5] is not None and d <= r[5]):
                takers.append((d, str(r[0]), r))
        takers.sort(key=lambda t: t[:2])
        for i in range(0, len(takers), limit):
            chunk = takers[i:i + limit]
            cur.execute(BOOKED, {"ids": [t[2][0] for t in chunk], "lo": lo, "hi": hi})
            booked = {}
            for b in cur.fetchall():
                booked[(b[0], b[1])] = b
            for d, rid, r in chunk:
                step, cap, vcap, kcap = r[8] * 60, r[9], r[10], r[11]
                empty_fits = cap >= 1 and (vcap is None or vcap >= vol) and (kcap is None or kcap >= kg)
                slots = []
                for s in grid(json.loads(r[6]), set(json.loads(r[7])), r[8], lo, hi):
                    b = booked.get((r[0], s))
                    if b is None:
                        if empty_fits:
                            slots.append({"starts_at": iso(s), "ends_at": iso(s + step), "starts_at_local": iso_local(s),
                                          "ends_at_local": iso_local(s + step), "remaining_count": cap,
                                          "remaining_volume_l": vcap, "remaining_weight_kg": kcap})
                    elif b[3] >= 1 and (b[4] is None or b[4] >= vol) and (b[5] is None or b[5] >= kg):
                        slots.append({"starts_at": iso(s), "ends_at": iso(b[2]), "starts_at_local": iso_local(s),
                                      "ends_at_local": iso_local(b[2]), "remaining_count": b[3],
                                      "remaining_volume_l": b[4], "remaining_weight_kg": b[5]})
                if slots:
                    out.append({"recycler_id": rid, "org_id": str(r[1]), "name": r[2], "distance_km": round(d, 2),
                                "slots": slots})
                    if len(out) == limit:
                        break
            if len(out) == limit:
                break
    return jsonify({"region_code": code, "lat": lat, "lon": lon, "recyclers": out})


@app.get("/bare/pickups/recyclers/<org_id>")
def offer(org_id):
    """One offer row, for the bench's reference row."""
    with engine.connect() as c:
        cur = c.connection.cursor()
        cur.execute(OFFER, (org_id,))
        r = cur.fetchone()
    return jsonify({"recycler_id": str(r[0]), "org_id": str(r[1]), "name": r[2], "kinds": r[3],
                    "depot_lat": r[4], "depot_lon": r[5], "radius_km": r[6], "slot_capacity": r[7]})
