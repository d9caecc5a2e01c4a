"""The catalogue of recognised remanufacturers, and remanufactured listings that must name an
entry of it and its warranty (refused with the reason otherwise)."""
from __future__ import annotations

import uuid

from tests.factories.accounts import uscc
from tests.factories.listings import fridge_payload

CATALOGUE = "/api/v1/remanufacturing/catalogue"


def entry_body(**over):
    body = {"enterprise_name": "潍柴动力(潍坊)再制造有限公司", "credit_code": uscc(7, "370700"),
            "category": "汽车零部件", "product_name": "再制造发动机", "model": "WP10-R",
            "basis": "auto_parts_2021", "announcement_no": "以旧换再推广企业名单(2015)", "warranty_months": 24,
            "commitment_url": "https://example.com/commitment", "quality_not_below_new": True,
            "lawful_core_sourcing": True}
    body.update(over)
    return body


def add_entry(client, operator, **over):
    r = client.post(CATALOGUE, json=entry_body(**over), headers=operator.headers)
    assert r.status_code == 201, r.json
    return r.json


def engine_listing(entry_id, **over):
    body = {"category": "other", "title": "潍柴再制造发动机 WP10-R 质保两年", "price_fen": 1800000,
            "condition": "remanufactured", "region_code": "370702",
            "attributes": {"kind": "other", "brand": "潍柴", "model": "WP10-R"},
            "reman_entry_id": entry_id, "warranty_months": 24}
    body.update(over)
    return body


def test_operator_keeps_the_catalogue_and_anyone_reads_it(client, operator, retailer):
    e = add_entry(client, operator)
    assert e["basis"] == "auto_parts_2021" and e["warranty_months"] == 24
    assert client.post(CATALOGUE, json=entry_body(model="X1"), headers=retailer.headers).status_code == 403
    r = client.get(CATALOGUE, query_string={"q": "WP10"})
    assert r.status_code == 200 and [i["id"] for i in r.json["items"]] == [e["id"]]
    r = client.post(CATALOGUE, json=entry_body(), headers=operator.headers)
    assert r.status_code == 409 and r.json["code"] == "already_in_catalogue"


def test_an_entry_that_is_not_remanufacturing_is_refused_with_reasons(client, operator):
    r = client.post(CATALOGUE, json=entry_body(quality_not_below_new=False, lawful_core_sourcing=False,
                                               commitment_url=None, credit_code="91370700123456789X"),
                    headers=operator.headers)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert set(r.json["errors"]) == {"quality_not_below_new", "lawful_core_sourcing", "commitment_url",
                                     "credit_code"}
    # The MIIT catalogue route needs no 2021 auto-parts commitment link.
    assert client.post(CATALOGUE, json=entry_body(basis="miit_catalogue", commitment_url=None,
                                                  lawful_core_sourcing=False),
                       headers=operator.headers).status_code == 201


def test_retailer_lists_a_catalogued_remanufactured_engine(client, operator, retailer):
    e = add_entry(client, operator)
    r = client.post("/api/v1/listings", json=engine_listing(e["id"], remanufacturer="自称再制造厂"),
                    headers=retailer.headers)
    assert r.status_code == 201, r.json
    listing = r.json
    # The claim shown to buyers comes from the catalogue, never from the seller's free text.
    assert (listing["reman_entry_id"], listing["warranty_months"]) == (e["id"], 24)
    assert listing["remanufacturer"] == "潍柴动力(潍坊)再制造有限公司"
    assert listing["reman_cert_no"] == "以旧换再推广企业名单(2015)"
    assert listing["labels"]["condition"] in ("再制造", "Remanufactured")


def test_unknown_remanufacturer_is_refused(client, retailer):
    r = client.post("/api/v1/listings", json=engine_listing(str(uuid.uuid4())), headers=retailer.headers)
    assert r.status_code == 422, r.json
    assert "not in the catalogue" in r.json["errors"]["reman_entry_id"][0]
    r = client.post("/api/v1/listings", json=engine_listing(None), headers=retailer.headers)
    assert r.status_code == 422 and "reman_entry_id" in r.json["errors"]


def test_warranty_must_be_stated_and_not_below_the_commitment(client, operator, retailer):
    e = add_entry(client, operator)
    r = client.post("/api/v1/listings", json=engine_listing(e["id"], warranty_months=12), headers=retailer.headers)
    assert r.status_code == 422 and "24 months" in r.json["errors"]["warranty_months"][0]
    r = client.post("/api/v1/listings", json=engine_listing(e["id"], warranty_months=None), headers=retailer.headers)
    assert r.status_code == 422 and "warranty_months" in r.json["errors"]


def test_another_model_or_a_withdrawn_entry_is_refused(client, operator, retailer):
    e = add_entry(client, operator)
    body = engine_listing(e["id"])
    body["attributes"]["model"] = "WP12"
    r = client.post("/api/v1/listings", json=body, headers=retailer.headers)
    assert r.status_code == 422 and "attributes.model" in r.json["errors"]
    r = client.post(f"{CATALOGUE}/{e['id']}/withdrawal", json={"reason": "licence revoked"}, headers=operator.headers)
    assert r.status_code == 200 and r.json["withdrawn_at"]
    r = client.post("/api/v1/listings", json=engine_listing(e["id"]), headers=retailer.headers)
    assert r.status_code == 422 and "licence revoked" in r.json["errors"]["reman_entry_id"][0]


def test_editing_a_draft_into_remanufactured_needs_the_claim(client, operator, consumer):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    r = client.patch(f"/api/v1/listings/{lid}", json={"condition": "remanufactured"}, headers=consumer.headers)
    assert r.status_code == 422 and "reman_entry_id" in r.json["errors"]
    e = add_entry(client, operator, model="BCD-470WDPG", product_name="再制造冰箱", category="家电",
                  basis="miit_catalogue", warranty_months=12)
    r = client.patch(f"/api/v1/listings/{lid}", json={"condition": "remanufactured", "reman_entry_id": e["id"],
                                                      "warranty_months": 12}, headers=consumer.headers)
    assert r.status_code == 200, r.json
    assert r.json["remanufacturer"] == e["enterprise_name"] and r.json["warranty_months"] == 12


def test_a_retailer_campaign_sells_remanufactured_engines(client, retailer):
    """以旧换再 is off nationally, yet a retailer's own campaign can pay a bonus on a remanufactured
    engine bought with the old one handed in."""
    r = client.post("/api/v1/campaigns", headers=retailer.headers, json={
        "name": "再制造发动机以旧换再", "starts_on": "2026-05-01", "ends_on": "2026-08-31", "regions": ["370000"],
        "kinds": ["car_engine"], "bonuses": {"car_engine": 80000}, "requires_handed_in": True,
        "stacking": "discount", "budget_fen": 800000})
    assert r.status_code == 201, r.json
    body = {"region": "370702", "date": "2026-05-10", "retailer_id": str(retailer.org_id),
            "purchase": {"kind": "car_engine", "price_fen": 1800000, "remanufactured": True},
            "trade_in": {"kind": "car_engine", "handed_in": True, "core_recovery_price_fen": 300000}}
    q = client.post("/api/v1/subsidies/quote", json=body).json
    assert [(line["programme"], line["amount_fen"]) for line in q["lines"]] == [(f"campaign:{r.json['id']}", 80000)]
