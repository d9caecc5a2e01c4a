"""The baseline for bench/pickups_availability.py: a bare Flask endpoint that answers from the
same database with one hand-written query (the ten nearest recyclers serving a region), with no
framework layers, schemas or slot arithmetic: the floor of a database-backed Flask request."""
import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10)
app = Flask(__name__)
app.json.ensure_ascii = False

NEAREST = text("""
    SELECT r.id, r.org_id, o.name, r.slot_capacity,
           ((r.depot_lat - :lat) ^ 2 + ((r.depot_lon - :lon) * cos(radians(:lat))) ^ 2) AS d2
    FROM pickup_recyclers r JOIN organizations o ON o.id = r.org_id
    WHERE r.active AND r.id IN (SELECT recycler_id FROM pickup_service_regions WHERE region_code = ANY(:codes))
    ORDER BY d2 LIMIT 10""")


@app.get("/bare/pickups/serving")
def serving():
    code = request.args["region_code"]
    codes = [code, code[:4] + "00", code[:2] + "0000"]
    lat, lon = float(request.args["lat"]), float(request.args["lon"])
    with engine.connect() as c:
        rows = c.execute(NEAREST, {"lat": lat, "lon": lon, "codes": codes}).mappings().all()
    return jsonify({"region_code": code, "recyclers": [
        {"recycler_id": str(r["id"]), "org_id": str(r["org_id"]), "name": r["name"], "capacity": r["slot_capacity"]}
        for r in rows]})
