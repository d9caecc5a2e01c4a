"""Recycling vouchers through the API: book and collect a pickup (the voucher), and the retailer's
claim evidence export that lists them, as JSON rows and CSV rows."""
from __future__ import annotations

import csv
import io

from tests.factories.pickups import booking_payload, next_slot

NEW_COLUMNS = ["recycling_voucher_status", "recycled_at", "recycling_facility", "recycling_facility_tier",
               "scrap_certificate_no", "vehicle_deregistered_at"]


def ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


def collect(client, recycler, pickup: dict, facility_id: str) -> dict:
    """Assign, drive, arrive and collect a pickup: returns the voucher."""
    pid = pickup["id"]
    ok(client.post(f"/api/v1/pickups/{pid}/assign", json={}, headers=recycler.headers))
    for to in ("en_route", "arrived"):
        ok(client.post(f"/api/v1/pickups/{pid}/transitions", json={"to": to}, headers=recycler.headers))
    weights = [{"item_id": i["id"], "weight_g": 1000} for i in pickup["items"]]
    return ok(client.post(f"/api/v1/pickups/{pid}/collect", json={"items": weights, "facility_id": facility_id},
                          headers=recycler.headers), 201)


def book(client, actor, offer, items, **over) -> dict:
    return ok(client.post("/api/v1/pickups", json=booking_payload(next_slot(), recycler_id=offer["id"], items=items,
                                                                    **over), headers=actor.headers), 201)


def exported(client, retailer, programme, start="2025-06-01", end="2025-06-30"):
    """The evidence export as JSON rows and as CSV rows, keyed by invoice number (or order)."""
    args = {"programme": programme, "period_start": start, "period_end": end}
    js = ok(client.get("/api/v1/claims/evidence", query_string=args, headers=retailer.headers))["items"]
    r = client.get("/api/v1/claims/evidence", query_string={**args, "format": "csv"}, headers=retailer.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.data.decode("utf-8-sig")  # the file starts with a byte-order mark for Excel
    table = list(csv.DictReader(io.StringIO(text)))
    header = list(table[0])
    assert header[:3] == ["reservation_id", "source", "order_id"]
    assert header[-len(NEW_COLUMNS) - 1:] == NEW_COLUMNS + ["recycling_voucher_conflict"]
    key = (lambda row: row["invoice_no"] or row["order_id"])
    return {key(x): x for x in js}, {key(x): x for x in table}, text
