"""Recyclers' offers, facilities and collectors for pickup tests, made through the API."""
from __future__ import annotations

from datetime import datetime, timedelta

from services.clock import SHANGHAI

TAIYUAN = "140100"          # 太原市
XIAODIAN = "140105"         # 小店区, Taiyuan
XIAODIAN_AT = (37.736, 112.565)
LULIANG = "141100"          # 吕梁市
EVERY_DAY = {str(d): [["09:00", "12:00"], ["14:00", "18:00"]] for d in range(1, 8)}


def offer_payload(**over) -> dict:
    body = {"kinds": ["appliance", "electronics", "other"], "region_codes": [TAIYUAN],
            "depot": {"lat": 37.80, "lon": 112.55}, "radius_km": None, "working_hours": EVERY_DAY,
            "holidays": [], "slot_minutes": 60, "capacity": {"count": 5, "volume_l": 2000, "weight_kg": 400},
            "accepts_pool": True}
    body.update(over)
    return body


def put_offer(client, actor, **over) -> dict:
    r = client.put(f"/api/v1/pickups/recyclers/{actor.org_id}", json=offer_payload(**over), headers=actor.headers)
    assert r.status_code == 200, r.json
    return r.json


def facility(client, actor, tier="collection_point", **over) -> dict:
    body = {"name": f"{tier} 小店", "tier": tier, "region_code": XIAODIAN, "lat": 37.74, "lon": 112.56}
    body.update(over)
    r = client.post(f"/api/v1/pickups/recyclers/{actor.org_id}/facilities", json=body, headers=actor.headers)
    assert r.status_code == 201, r.json
    return r.json


def collector(client, actor) -> dict:
    r = client.post(f"/api/v1/pickups/recyclers/{actor.org_id}/collectors", json={"user_id": str(actor.id)},
                    headers=actor.headers)
    assert r.status_code == 201, r.json
    return r.json


def next_slot(days: int = 2, hour: int = 9) -> datetime:
    """A slot start `days` local days from now at `hour`:00 Beijing time (on EVERY_DAY's grid)."""
    d = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime(d.year, d.month, d.day, hour, tzinfo=SHANGHAI)


def fridge() -> dict:
    return {"category": "appliance", "kind": "refrigerator"}


def booking_payload(starts_at: datetime, *, items=None, recycler_id=None, **over) -> dict:
    body = {"address": {"region_code": XIAODIAN, "lat": XIAODIAN_AT[0], "lon": XIAODIAN_AT[1],
                        "line": "小店区 长治路 1 号"},
            "items": items or [fridge()], "starts_at": starts_at.isoformat()}
    if recycler_id:
        body["recycler_id"] = str(recycler_id)
    body.update(over)
    return body
