"""Instant valuation over HTTP: the quote and its reasons, validity, and bad input named field by field."""
from datetime import datetime, timedelta, timezone

import pytest

from marketplace import jobs
from services.tradeins import quotes
from tests.factories.tradeins import (CAR_BASE, FRIDGE_BASE, IPHONE_BASE, car_quote, fridge_quote, phone_answers,
                                      phone_quote, price)


def test_phone_quote_states_its_reasons_line_by_line(client, consumer, table):
    body = phone_quote(age_months=12, answers=phone_answers(screen="minor_scratches", battery_health_pct=85))
    r = client.post("/api/v1/tradeins", json=body, headers=consumer.headers)
    assert r.status_code == 201, r.json
    t = r.json
    assert t["status"] == "quoted" and t["next_states"] == ["accepted", "cancelled", "expired"]
    # 3000 x 0.92 (screen) x 0.95 (battery) x 0.7 (a year at 30%/year) = 1835.4 -> ¥1,835
    assert t["quoted_fen"] == 183500
    codes = [ln["code"] for ln in t["quote_lines"]]
    assert codes == ["base", "screen", "body", "battery_health_pct", "age", "rounding", "total"]
    assert "屏幕状况：轻微划痕 ×0.92" in t["quote_lines"][1]["zh"]
    assert t["quote_lines"][1]["en"] == "Screen: minor scratches ×0.92"
    assert t["device_masked"] == "****" + body["imei"][-4:] and body["imei"] not in r.get_data(as_text=True)
    assert r.headers["Location"] == f"/api/v1/tradeins/{t['id']}"
    expires = datetime.fromisoformat(t["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(timezone.utc) <= timedelta(days=7)


def test_appliance_and_vehicle_quotes(client, consumer, table):
    fridge = client.post("/api/v1/tradeins", json=fridge_quote(answers={"works": "partially", "damage": "minor"}),
                         headers=consumer.headers).json
    # 1800 x 0.5 x 0.9 x 0.85^2 = 585.225 -> ¥585
    assert fridge["quoted_fen"] == 58500 and fridge["kind"] == "refrigerator"
    car = client.post("/api/v1/tradeins", json=car_quote(), headers=consumer.headers).json
    # 90000 x 0.88 (80,000 km) x 1 x 1 x max(0.1, 0.85^5 -> 0.4437) = 35,141.04 -> ¥35,141
    assert car["quoted_fen"] == 3514100
    assert CAR_BASE and FRIDGE_BASE


def test_retailer_campaign_bonus_is_added_after_depreciation(client, session, consumer, retailer, table):
    price(session, org_id=retailer.org_id, base=None, bonus=20000, campaign="国美焕新节")
    t = client.post("/api/v1/tradeins", json=phone_quote(org_id=str(retailer.org_id)), headers=consumer.headers).json
    assert t["quoted_fen"] == IPHONE_BASE + 20000 and t["bonus_label"] == "国美焕新节"
    assert t["quote_lines"][-2]["code"] == "campaign_bonus" and "国美焕新节" in t["quote_lines"][-2]["zh"]


def test_model_lookup_ignores_case_and_width(client, consumer, table):
    r = client.post("/api/v1/tradeins", json=phone_quote(brand="ＡＰＰＬＥ", model="  iphone   13 "),
                    headers=consumer.headers)
    assert r.status_code == 201 and r.json["model"] == "iPhone 13"


@pytest.mark.parametrize("over,field", [
    ({"model": "iPhone 99"}, "model"),
    ({"answers": phone_answers(battery_health_pct="90")}, "answers.battery_health_pct"),
    ({"answers": phone_answers(powers_on="yes")}, "answers.powers_on"),
    ({"answers": phone_answers(screen="shattered")}, "answers.screen"),
    ({"answers": phone_answers(battery_health_pct=101)}, "answers.battery_health_pct"),
    ({"answers": {**phone_answers(), "colour": "red"}}, "answers.colour"),
    ({"answers": {k: v for k, v in phone_answers().items() if k != "body"}}, "answers.body"),
    ({"answers": phone_answers(activation_lock_off=False)}, "answers.activation_lock_off"),
    ({"imei": "490154203237517"}, "imei"),
    ({"imei": "49015420323751"}, "imei"),
    ({"imei": None}, "imei"),
    ({"vin": "LSVAU2180N2183294"}, "vin"),
    ({"age_months": "12"}, "age_months"),
    ({"age_months": 1000}, "age_months"),
    ({"kind": "tablet"}, "kind"),
    ({"kind": "sofa"}, "kind"),
    ({"category": "furniture"}, "category"),
    ({"org_id": "7b0d5c3e-1111-4222-8333-444455556666"}, "org_id"),
])
def test_bad_input_is_422_naming_the_field(client, consumer, table, over, field):
    body = {k: v for k, v in phone_quote(**over).items() if v is not None}
    r = client.post("/api/v1/tradeins", json=body, headers=consumer.headers)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json" and field in r.json["errors"], r.json


def test_vin_failing_its_check_digit_is_422(client, consumer, table):
    good = car_quote()["vin"]
    bad = good[:8] + ("0" if good[8] != "0" else "1") + good[9:]
    r = client.post("/api/v1/tradeins", json=car_quote(vin=bad), headers=consumer.headers)
    assert r.status_code == 422 and r.json["errors"]["vin"] == ["VIN check digit (position 9) is wrong."]


def test_only_consumers_ask_for_quotes(client, retailer, operator, table):
    for actor in (retailer, operator):
        assert client.post("/api/v1/tradeins", json=phone_quote(), headers=actor.headers).status_code == 403
    assert client.post("/api/v1/tradeins", json=phone_quote()).status_code == 401


def test_quote_expires(client, consumer, retailer, table, freeze):
    fc = freeze(datetime(2026, 3, 1, 8, tzinfo=timezone.utc))
    t = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json
    fc.advance(timedelta(days=7))
    r = client.post(f"/api/v1/tradeins/{t['id']}/accept", headers=consumer.headers, json={
        "handover": {"method": "dropoff", "collection_point_org_id": str(retailer.org_id)},
        "payout": {"method": "store_credit"}})
    assert r.status_code == 409 and r.json["code"] == "quote_expired"


def test_expiry_job_moves_stale_quotes(app, client, session, consumer, table, freeze):
    expire_job = jobs.scheduled(quotes.expire_due)  # with the app's trade-in collaborators
    fc = freeze(datetime(2026, 3, 1, 8, tzinfo=timezone.utc))
    old = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json
    fc.advance(timedelta(days=6))
    fresh = client.post("/api/v1/tradeins", json=phone_quote(), headers=consumer.headers).json
    fc.advance(timedelta(days=1, seconds=1))
    with app.app_context():
        assert expire_job(session) == 1
        session.commit()
    assert client.get(f"/api/v1/tradeins/{old['id']}", headers=consumer.headers).json["status"] == "expired"
    got = client.get(f"/api/v1/tradeins/{fresh['id']}", headers=consumer.headers).json
    assert got["status"] == "quoted"
    assert [e["to_status"] for e in
            client.get(f"/api/v1/tradeins/{old['id']}", headers=consumer.headers).json["events"]] == ["quoted", "expired"]


def test_questionnaire_is_public_and_bilingual(client):
    r = client.get("/api/v1/tradeins/questionnaires/electronics")
    assert r.status_code == 200
    names = [q["name"] for q in r.json["questions"]]
    assert names == ["powers_on", "screen", "body", "battery_health_pct", "activation_lock_off"]
    lock = r.json["questions"][-1]
    assert lock["must_be"] is True and "激活锁" in lock["label_zh"]
    assert client.get("/api/v1/tradeins/questionnaires/furniture").status_code == 404
