"""Trade-in test data: price entries, quote payloads per category, and a trade-in walked to a state
through the API."""
from __future__ import annotations

import io

from PIL import Image

from services.payments.models import SellerAccount
from services.tradeins.models import PriceEntry
from services.tradeins.prices import model_key
from tests.factories.listings import imei, vin

IPHONE_BASE = 300000     # ¥3,000 as new
FRIDGE_BASE = 180000
CAR_BASE = 9000000


def price(session, category="electronics", kind="mobile_phone", brand="Apple", model="iPhone 13",
          base=IPHONE_BASE, org_id=None, bonus=0, campaign=None) -> PriceEntry:
    e = PriceEntry(org_id=org_id, category=category, kind=kind, brand=brand, model=model,
                   model_key=model_key(brand, model), base_price_fen=base, campaign_bonus_fen=bonus,
                   campaign_name=campaign, active=True)
    session.add(e)
    session.commit()
    return e


def seed_table(session) -> None:
    price(session)
    price(session, "appliance", "refrigerator", "Haier", "BCD-470WDPG", FRIDGE_BASE)
    price(session, "vehicle", "passenger_car", "Volkswagen", "Lavida", CAR_BASE)


def phone_answers(**over) -> dict:
    a = {"powers_on": True, "screen": "flawless", "body": "flawless", "battery_health_pct": 92,
         "activation_lock_off": True}
    a.update(over)
    return a


def phone_quote(**over) -> dict:
    p = {"category": "electronics", "kind": "mobile_phone", "brand": "Apple", "model": "iPhone 13",
         "age_months": 0, "imei": imei(), "answers": phone_answers()}
    p.update(over)
    return p


def fridge_quote(**over) -> dict:
    p = {"category": "appliance", "brand": "Haier", "model": "BCD-470WDPG", "age_months": 24,
         "answers": {"works": "fully", "damage": "none"}}
    p.update(over)
    return p


def car_quote(**over) -> dict:
    p = {"category": "vehicle", "brand": "Volkswagen", "model": "Lavida", "age_months": 60, "vin": vin(),
         "answers": {"mileage_km": 80000, "accident_history": "none", "emission_standard": "china_6a"}}
    p.update(over)
    return p


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def quote(client, consumer, **over) -> dict:
    r = client.post("/api/v1/tradeins", json=phone_quote(**over), headers=consumer.headers)
    assert r.status_code == 201, r.json
    return r.json


def accept_dropoff(client, consumer, tid, point_org_id, payout="store_credit", **payout_over) -> dict:
    r = client.post(f"/api/v1/tradeins/{tid}/accept", headers=consumer.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(point_org_id)},
        "payout": {"method": payout, **payout_over}})
    assert r.status_code == 200, r.json
    return r.json


def receive_and_photo(client, staff, tid) -> None:
    r = client.post(f"/api/v1/tradeins/{tid}/receive", headers=staff.headers)
    assert r.status_code == 200, r.json
    r = client.post(f"/api/v1/tradeins/{tid}/photos", headers=staff.headers,
                    data={"file": (io.BytesIO(png()), "front.png")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.json


def inspect(client, staff, t: dict, answers: dict, **ids) -> dict:
    body = {"answers": answers, **ids}
    r = client.post(f"/api/v1/tradeins/{t['id']}/inspection", json=body, headers=staff.headers)
    return r


def payout_account(session, user_id, stripe_account_id="acct_1TradeInTest"):
    """A Connect account that can receive payouts (where cash trade-in payouts go), committed."""
    acc = SellerAccount(owner_user_id=user_id, stripe_account_id=stripe_account_id, payouts_enabled=True,
                        charges_enabled=True, details_submitted=True, synced_event_at=0)
    session.add(acc)
    session.commit()
    return acc


def cash_trade_in_to_inspection(client, consumer, recycler) -> tuple[dict, str]:
    """A quoted iPhone accepted for cash at the recycler's drop-off, received and photographed:
    the next inspection agrees the value and pays it. Returns (trade-in JSON, IMEI)."""
    body = phone_quote()
    r = client.post("/api/v1/tradeins", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    t = accept_dropoff(client, consumer, r.json["id"], recycler.org_id, payout="cash")
    receive_and_photo(client, recycler, t["id"])
    return t, body["imei"]
