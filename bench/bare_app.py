"""The baseline for bench/listings.py: a bare Flask app that returns the same JSON from the
same database with one hand-written query per request, no framework layers."""
import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10)
app = Flask(__name__)
app.json.ensure_ascii = False
COLS = ("id, seller_id, org_id, seller_type, category, kind, title, description, price_fen, negotiable, condition, "
        "remanufacturer, reman_cert_no, region_code, lat, lon, status, reject_reason, attributes, device_last4, "
        "serial_last4, wipe_certificate, revision, published_at, created_at, updated_at")


def _cert(c):
    return None if c is None else {**c, "verify_url": f"/verify/{c['id']}"}


def _row(m):
    d = dict(m)
    for k in ("id", "seller_id", "org_id"):
        d[k] = str(d[k]) if d[k] else None
    for k in ("published_at", "created_at", "updated_at"):
        d[k] = d[k].isoformat() if d[k] else None
    last4 = d.pop("device_last4")
    d["device_masked"] = "****" + last4 if last4 else None
    last4 = d.pop("serial_last4")
    d["serial_masked"] = "****" + last4 if last4 else None
    d["certificate"] = _cert(d.pop("wipe_certificate"))
    d["photos"] = []
    return d


@app.get("/bare/listings/<uuid:lid>")
def one(lid):
    with engine.connect() as c:
        m = c.execute(text(f"SELECT {COLS} FROM listings WHERE id = :id"), {"id": lid}).mappings().first()
    return jsonify(_row(m))


SUMMARY = ("id, category, kind, title, price_fen, negotiable, condition, region_code, status, seller_type, "
           "brand, model, wipe_certificate, created_at")


@app.get("/bare/listings")
def index():
    with engine.connect() as c:
        rows = c.execute(text(f"SELECT {SUMMARY} FROM listings WHERE status = 'published' "
                              "ORDER BY created_at DESC, id DESC LIMIT 21")).mappings().all()
    items = [{**{k: v for k, v in m.items() if k != "wipe_certificate"}, "id": str(m["id"]),
              "created_at": m["created_at"].isoformat(), "thumbnail_url": None,
              "certificate": _cert(m["wipe_certificate"])} for m in rows[:20]]
    return jsonify({"items": items, "next_cursor": "x" if len(rows) > 20 else None})
