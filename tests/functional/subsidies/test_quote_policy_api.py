"""Issue 14 through POST /api/v1/subsidies/quote: a date no programme covers is an answer, not
an error; refusals name their rule, programme file and source; Shanghai's price floor and
Shenzhen's rounding up reach the client."""
from __future__ import annotations

import pytest

URL = "/api/v1/subsidies/quote"


def tv(region: str, date: str) -> dict:
    return {"region": region, "date": date,
            "purchase": {"kind": "television", "price_fen": 300000, "energy_grade": 1}}


def replacement(region: str, date: str, price_fen: int, **trade_in) -> dict:
    return {"region": region, "date": date,
            "purchase": {"kind": "passenger_car", "price_fen": price_fen, "powertrain": "bev",
                         "in_purchase_tax_exemption_catalog": True},
            "trade_in": {"kind": "passenger_car", "disposal": "transfer", "powertrain": "gasoline",
                         "first_registration_date": "2012-01-01",
                         "registered_to_applicant_since": "2015-01-01", **trade_in}}


@pytest.mark.smoke
def test_a_date_no_programme_covers_is_200_ineligible_with_the_nearest_windows(client):
    r = client.post(URL, json=tv("110105", "2027-01-01"))
    assert r.status_code == 200, r.json
    assert r.json["eligible"] is False and r.json["total_fen"] == 0 and r.json["lines"] == []
    first = r.json["ineligible"][0]
    assert first["code"] == "no_programme_in_force" and first["programme"] is None
    assert "2027-01-01" in first["explanation"]["en"] and first["explanation"]["zh"]
    assert r.json["nearest_windows"] == [{
        "programme": "CN-2026-appliance", "name": {"zh": "2026年家电以旧换新(全国)", "en": "2026 national appliance trade-in"},
        "start": "2026-01-01", "end": "2026-12-31", "file": "cn-2026-appliance.toml", "relation": "before"}]


def test_between_programmes_both_sides_and_the_local_start(client):
    # Shanghai's own 2024 appliance rules began 2024-09-07, six weeks after the national date.
    r = client.post(URL, json=tv("310115", "2024-09-06"))
    assert r.status_code == 200
    codes = [x["code"] for x in r.json["ineligible"]]
    assert codes == ["no_programme_in_force", "NOT_STARTED_LOCALLY"]
    assert [(w["programme"], w["start"], w["relation"]) for w in r.json["nearest_windows"]] == [
        ("CN-2024-appliance", "2024-09-07", "after")]
    assert client.post(URL, json=tv("310115", "2024-09-07")).json["total_fen"] == 60000
    assert client.post(URL, json=tv("110105", "2024-09-06")).json["total_fen"] == 60000


def test_a_covered_date_has_no_nearest_windows(client):
    r = client.post(URL, json=tv("110105", "2026-03-01"))
    assert r.json["total_fen"] == 45000 and "nearest_windows" not in r.json


def test_every_refusal_names_its_rule_file_and_source(client):
    # Shanghai 2025, old car registered in Jiangsu, new car 1 yuan below the 100,000 floor.
    r = client.post(URL, json=replacement("310115", "2025-06-01", 9_999_900, registered_in="320102",
                                          transfer_date="2025-05-01"))
    assert r.status_code == 200 and r.json["eligible"] is False
    by_programme = {x["programme"]: x for x in r.json["ineligible"]}
    floor = by_programme["SH-2025-vehicle-replacement"]
    assert floor["code"] == "PRICE_BELOW_FLOOR"
    assert (floor["file"], floor["clause"]) == ("sh-2025-vehicle-replacement.toml", "outside-old-car-price-floor")
    assert "112号" in floor["source"]["title"] and floor["secondary"] is False
    for refusal in r.json["ineligible"]:
        assert refusal["file"].endswith(".toml") and refusal["clause"] and refusal["source"]["title"], refusal
    # At the floor itself the fixed 15,000 pays.
    r = client.post(URL, json=replacement("310115", "2025-06-01", 10_000_000, registered_in="320102",
                                          transfer_date="2025-05-01"))
    assert [(x["programme"], x["amount_fen"]) for x in r.json["lines"]] == [("SH-2025-vehicle-replacement", 1500000)]


def test_secondary_rules_say_so(client):
    r = client.post(URL, json=replacement("110105", "2026-03-01", 10_000_000, registered_to_applicant_since="2025-01-08"))
    refusal = {x["programme"]: x for x in r.json["ineligible"]}["CN-2026-vehicle-replacement"]
    assert refusal["code"] == "OWNERSHIP_TOO_RECENT" and refusal["secondary"] is True
    assert refusal["clause"] == "ownership-before-2025-01-08" and refusal["source"]["url"] is None


def test_shenzhen_rounds_up_to_the_yuan(client):
    # 8% of 100,000.01 yuan = 8,000.0008 yuan: Shenzhen pays 8,001, Guangzhou 8,000.00.
    r = client.post(URL, json=replacement("440305", "2026-03-01", 10_000_001))
    assert [(x["programme"], x["amount_fen"]) for x in r.json["lines"]] == [("SZ-2026-vehicle-replacement", 800100)]
    r = client.post(URL, json=replacement("440106", "2026-03-01", 10_000_001))
    assert [(x["programme"], x["amount_fen"]) for x in r.json["lines"]] == [("CN-2026-vehicle-replacement", 800000)]


def test_programmes_list_local_starts(client):
    r = client.get("/api/v1/subsidies/programmes")
    by_id = {p["id"]: p for p in r.json}
    assert by_id["CN-2024-appliance"]["local_starts"] == [{"region": "31", "start": "2024-09-07", "kinds": None}]
    assert by_id["SH-2025-vehicle-replacement"]["end"] == "2025-12-31"
    assert "SZ-2026-vehicle-replacement" in by_id


def test_a_till_sale_on_a_date_no_programme_covers_reserves_nothing(client, retailer, digital_pool):
    from tests.factories.subsidies import phone_quote
    from tests.factories.subsidies import record_sale, reserve_sale
    # No digital programme before 2025-01-20: the sale is recorded, the reservation is a 409
    # `not_eligible` whose refusals start with the quote's own answer.
    sale = record_sale(client, retailer, quote=phone_quote(date="2025-01-19"))
    r = reserve_sale(client, retailer, sale["id"])
    assert r.status_code == 409 and r.json["code"] == "not_eligible", r.json
    assert r.json["ineligible"][0]["code"] == "no_programme_in_force"
