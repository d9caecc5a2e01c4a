"""Search filters and facets on legal class and cosmetic grade (database backend, the default)."""
from __future__ import annotations

from tests.factories.certificates import certify
from tests.factories.listings import fridge_payload, phone_payload, publish_via_api

FACTS = {"battery_health_pct": 90, "screen": "flawless", "body": "flawless",
         "functions_checked": ["calls", "display", "touch"], "functions_ok": True}


def publish(app, session, client, seller, operator, payload) -> str:
    if payload["category"] == "electronics":
        certify(session, app.extensions["huanxin.cert_keyring"], imei=payload["attributes"]["imei"],
                serial=payload["attributes"]["serial_number"])
    return publish_via_api(client, seller, operator, payload)


def test_filter_and_facet_by_class_and_grade(app, session, client, retailer, consumer, operator):
    refurb = publish(app, session, client, retailer, operator,
                     phone_payload(legal_class="refurbished", cosmetic_grade="excellent", inspection=FACTS))
    graded_used = publish(app, session, client, retailer, operator,
                          phone_payload(cosmetic_grade="good", inspection=FACTS))
    used = publish(app, session, client, consumer, operator, fridge_payload())
    r = client.get("/api/v1/search", query_string={"legal_class": "refurbished"})
    assert r.status_code == 200 and [i["id"] for i in r.json["items"]] == [refurb]
    r = client.get("/api/v1/search", query_string={"cosmetic_grade": "good,excellent", "sort": "newest"})
    assert {i["id"] for i in r.json["items"]} == {refurb, graded_used}
    r = client.get("/api/v1/search", query_string={"legal_class": "used"})
    assert {i["id"] for i in r.json["items"]} == {graded_used, used}
    facets = client.get("/api/v1/search").json["facets"]
    assert {"value": "refurbished", "count": 1} == {k: v for k, v in next(
        f for f in facets["legal_class"] if f["value"] == "refurbished").items() if k in ("value", "count")}
    grade = next(f for f in facets["cosmetic_grade"] if f["value"] == "excellent")
    assert grade["count"] == 1 and grade["label"]["en"].startswith("Excellent")
    r = client.get("/api/v1/search", query_string={"legal_class": "shiny"})
    assert r.status_code == 422 and "legal_class" in r.json["errors"]
