"""Legal class apart from cosmetic grade: every listing has a class, electronics may carry a grade
only with its inspection facts, the listing shows both in words, and a traded-in phone's resale
listing inherits the grade its trade-in inspection recorded."""
from __future__ import annotations

from tests.factories.listings import fridge_payload, phone_payload
import pytest

from tests.factories.tradeins import (accept_dropoff, inspect, phone_answers, phone_quote, receive_and_photo,
                                      seed_table)

FACTS = {"battery_health_pct": 91, "screen": "flawless", "body": "micro_scratches",
         "functions_checked": ["calls", "display", "touch", "cameras", "charging"], "functions_ok": True}


@pytest.fixture
def table(session):
    seed_table(session)


def create(client, who, body):
    return client.post("/api/v1/listings", json=body, headers=who.headers)


def test_every_listing_has_a_class_shown_in_words(client, consumer):
    r = create(client, consumer, fridge_payload())
    assert r.status_code == 201, r.json
    assert (r.json["legal_class"], r.json["cosmetic_grade"]) == ("used", None)
    assert r.json["class_words"] == {"zh": "二手", "en": "Used"} and r.json["grade_words"] is None
    r = create(client, consumer, fridge_payload(condition="new"))
    assert r.json["legal_class"] == "new"


def test_graded_phone_with_its_inspection_facts(client, retailer):
    r = create(client, retailer, phone_payload(legal_class="refurbished", cosmetic_grade="excellent", inspection=FACTS))
    assert r.status_code == 201, r.json
    body = client.get(f"/api/v1/listings/{r.json['id']}", headers=retailer.headers).json
    assert (body["legal_class"], body["cosmetic_grade"]) == ("refurbished", "excellent")
    assert body["class_words"] == {"zh": "翻新产品", "en": "Refurbished"}
    assert body["grade_words"]["en"].startswith("Excellent") and "95新" in body["grade_words"]["zh"]
    assert body["inspection"]["battery_health_pct"] == 91


def test_a_grade_without_inspection_facts_is_refused(client, retailer):
    r = create(client, retailer, phone_payload(cosmetic_grade="good"))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "inspection" in r.json["errors"]
    r = create(client, retailer, phone_payload(legal_class="refurbished"))
    assert r.status_code == 422 and "cosmetic_grade" in r.json["errors"]


def test_facts_that_do_not_support_the_grade_are_refused_field_by_field(client, retailer):
    facts = {**FACTS, "screen": "light_scratches", "battery_health_pct": 75, "functions_ok": True}
    r = create(client, retailer, phone_payload(cosmetic_grade="excellent", inspection=facts))
    assert r.status_code == 422 and "inspection.battery_health_pct" in r.json["errors"]
    r = create(client, retailer, phone_payload(cosmetic_grade="excellent",
                                               inspection={**facts, "battery_health_pct": 85}))
    assert r.status_code == 422 and "inspection.screen" in r.json["errors"]
    r = create(client, retailer, phone_payload(cosmetic_grade="premium", inspection={**FACTS, "body": "flawless"}))
    assert r.status_code == 422 and "inspection.genuine_parts" in r.json["errors"]
    r = create(client, retailer, phone_payload(cosmetic_grade="good", inspection={**FACTS, "functions_ok": False}))
    assert r.status_code == 422 and "inspection.functions_ok" in r.json["errors"]


def test_class_and_condition_agree_and_grades_are_for_electronics(client, consumer):
    r = create(client, consumer, fridge_payload(legal_class="remanufactured"))
    assert r.status_code == 422 and "legal_class" in r.json["errors"]
    r = create(client, consumer, fridge_payload(cosmetic_grade="good", inspection=FACTS))
    assert r.status_code == 422 and "cosmetic_grade" in r.json["errors"]


def test_traded_in_phone_listed_for_resale_inherits_the_inspection_grade(client, consumer, recycler, table):
    body = phone_quote()
    t = client.post("/api/v1/tradeins", json=body, headers=consumer.headers).json
    t = accept_dropoff(client, consumer, t["id"], recycler.org_id)
    receive_and_photo(client, recycler, t["id"])
    r = inspect(client, recycler, t, phone_answers(), imei=body["imei"], cosmetic_grade="good")
    assert r.status_code == 422 and "grade_facts" in r.json["errors"]    # a grade needs its facts here too
    r = inspect(client, recycler, t, phone_answers(), imei=body["imei"], cosmetic_grade="good", grade_facts=FACTS)
    assert r.status_code == 200, r.json
    assert r.json["inspection"]["cosmetic_grade"] == "good"
    listing = phone_payload()
    listing["attributes"]["imei"] = body["imei"]
    r = create(client, recycler, listing)
    assert r.status_code == 201, r.json
    assert r.json["cosmetic_grade"] == "good" and r.json["inspection"]["source"] == "tradein"
    assert r.json["inspection"]["ref_id"] == t["id"] and r.json["grade_words"]["zh"].startswith("良好")
    # The seller cannot claim a better grade than the inspection found.
    better = phone_payload(cosmetic_grade="excellent", inspection=FACTS)
    better["attributes"]["imei"] = body["imei"]
    r2 = create(client, recycler, better)
    assert r2.status_code == 422 and "inspection graded this device good" in r2.json["errors"]["cosmetic_grade"][0]
