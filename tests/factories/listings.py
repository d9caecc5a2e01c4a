"""Valid listing payloads per category, and listings moved to a given state."""
from __future__ import annotations

import itertools
import random

from services import identifiers

_rng = random.Random(7)
_seq = itertools.count(1)


def imei() -> str:
    body = "86" + "".join(str(_rng.randint(0, 9)) for _ in range(12))
    return next(body + d for d in "0123456789" if identifiers.luhn_ok(body + d))


def vin() -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = "LSV" + "".join(_rng.choice(alphabet) for _ in range(14))
    return body[:8] + identifiers.vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def phone_payload(**over) -> dict:
    p = {"category": "electronics", "title": "苹果 iPhone 13 128G 几乎全新", "description": "自用，无拆修",
         "price_fen": 280000, "negotiable": True, "condition": "like_new", "region_code": "141100",
         "lat": 37.52, "lon": 111.14,
         "attributes": {"kind": "mobile_phone", "brand": "Apple", "model": "iPhone 13", "imei": imei(),
                        "serial_number": f"F2LX{next(_seq):06d}", "storage_gb": 128, "battery_health_pct": 88}}
    p.update(over)
    return p


def fridge_payload(**over) -> dict:
    p = {"category": "appliance", "title": "海尔冰箱 BCD-470 一级能效", "price_fen": 150000,
         "condition": "good", "region_code": "140100",
         "attributes": {"kind": "refrigerator", "brand": "Haier", "model": "BCD-470WDPG", "energy_grade": 1,
                        "year": 2021}}
    p.update(over)
    return p


def car_payload(**over) -> dict:
    p = {"category": "vehicle", "title": "2019款 大众朗逸 1.5L", "price_fen": 6500000, "condition": "good",
         "region_code": "141102",
         "attributes": {"vin": vin(), "make": "Volkswagen", "model": "Lavida",
                        "first_registration_date": "2019-05-01", "mileage_km": 62000, "powertrain": "gasoline",
                        "displacement_l": 1.5, "emission_standard": "china_6a", "registration_region": "141100"}}
    p.update(over)
    return p


def publish_via_api(client, seller, operator, payload: dict) -> str:
    """A listing created by `seller`, submitted and approved over HTTP; returns its id."""
    r = client.post("/api/v1/listings", json=payload, headers=seller.headers)
    assert r.status_code == 201, r.json
    lid = r.json["id"]
    for action, who in (("submit", seller), ("approve", operator)):
        r = client.post(f"/api/v1/listings/{lid}/transitions", json={"action": action}, headers=who.headers)
        assert r.status_code == 200, r.json
    return lid
